//! What happened to a member, in the past tense: the input of an account.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

/// Something that happened to a member, with the id that makes it idempotent.
///
/// In JSON the kind is flattened beside the id and time, tagged by `type`:
///
/// ```
/// use loyalty::{Event, EventKind};
/// let e: Event = serde_json::from_str(r#"{
///     "id": "evt-1", "occurred_at": "2024-05-01T10:00:00Z",
///     "type": "order_placed", "order_id": "A-1", "amount": "25.90"
/// }"#).unwrap();
/// assert!(matches!(e.kind, EventKind::OrderPlaced { ref order_id, .. } if order_id == "A-1"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Event {
    /// The idempotency key: the same id is applied once, for the life of the account.
    pub id: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// The most bytes of JSON one event may take (a thousand order lines fit in a fraction).
pub const MAX_EVENT_JSON_BYTES: usize = 1 << 20;
/// The most bytes of JSON [`Event::list_from_json`] reads at once.
pub const MAX_EVENTS_JSON_BYTES: usize = 64 << 20;
/// The most events [`Event::list_from_json`] reads at once.
pub const MAX_EVENTS_PER_CALL: usize = 100_000;

/// Strict reading: no unknown field (a misspelt `"chanel"` is an error, not an order without
/// a channel), amounts in the decimal grammar of [`crate::parse_decimal`], and nothing after
/// the document. An error names the field by its path (`lines[0].amount`) with its value.
impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Event, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        Event::from_value(value).map_err(|e| serde::de::Error::custom(e.to_string()))
    }
}

impl Event {
    /// Reads one event from JSON text, strictly (see the [`Deserialize`] impl): unknown
    /// fields, text after the document and numbers outside the grammar are refused.
    ///
    /// ```
    /// use loyalty::{AccountError, Event};
    /// let e = Event::from_json(r#"{"id": "e1", "occurred_at": "2024-05-01T10:00:00Z",
    ///     "type": "order_placed", "order_id": "A-1", "amount": "25.90"}"#).unwrap();
    /// assert_eq!(e.id, "e1");
    /// let err = Event::from_json(r#"{"id": "e1", "occurred_at": "2024-05-01T10:00:00Z",
    ///     "type": "order_placed", "order_id": "A-1", "amount": "25.90", "chanel": "app"}"#).unwrap_err();
    /// assert!(matches!(err, AccountError::InvalidField { ref field, .. } if field == "chanel"));
    /// ```
    ///
    /// # Errors
    /// [`crate::AccountError::InvalidField`] naming the field (its path), its value and why.
    pub fn from_json(json: &str) -> Result<Event, crate::AccountError> {
        if json.len() > MAX_EVENT_JSON_BYTES {
            return Err(crate::AccountError::invalid(
                "event",
                format!("{} bytes", json.len()),
                format!("must be at most {MAX_EVENT_JSON_BYTES} bytes of JSON"),
            ));
        }
        Event::from_value(crate::json::parse_value("event", json)?)
    }

    /// Reads a JSON array of events, strictly, as [`Event::from_json`] reads one; an error's
    /// field starts with the event's index (`events[3].amount`).
    ///
    /// # Errors
    /// [`crate::AccountError::InvalidField`] naming the first bad field.
    pub fn list_from_json(json: &str) -> Result<Vec<Event>, crate::AccountError> {
        if json.len() > MAX_EVENTS_JSON_BYTES {
            return Err(crate::AccountError::invalid(
                "events",
                format!("{} bytes", json.len()),
                format!("must be at most {MAX_EVENTS_JSON_BYTES} bytes of JSON"),
            ));
        }
        let value = crate::json::parse_value("events", json)?;
        let serde_json::Value::Array(items) = value else {
            return Err(crate::AccountError::invalid("events", crate::json::show(&value), "must be a JSON array"));
        };
        if items.len() > MAX_EVENTS_PER_CALL {
            return Err(crate::AccountError::invalid(
                "events",
                items.len(),
                format!("must have at most {MAX_EVENTS_PER_CALL} events"),
            ));
        }
        items.into_iter().enumerate().map(|(i, v)| Event::from_value(v).map_err(|e| e.at_index(i))).collect()
    }

    /// An event from a parsed JSON value.
    fn from_value(value: serde_json::Value) -> Result<Event, crate::AccountError> {
        use crate::AccountError;
        let serde_json::Value::Object(mut map) = value else {
            return Err(AccountError::invalid("event", crate::json::show(&value), "must be a JSON object"));
        };
        let id = match map.remove("id") {
            Some(serde_json::Value::String(id)) => id,
            Some(other) => return Err(AccountError::invalid("id", crate::json::show(&other), "must be a string")),
            None => return Err(AccountError::invalid("id", "null", "is missing")),
        };
        let occurred_at = match map.remove("occurred_at") {
            Some(serde_json::Value::String(text)) => DateTime::parse_from_rfc3339(&text)
                .map_err(|e| {
                    AccountError::invalid(
                        "occurred_at",
                        format!("{text:?}"),
                        format!("is not an RFC 3339 instant: {e}"),
                    )
                })?
                .with_timezone(&Utc),
            Some(other) => {
                return Err(AccountError::invalid(
                    "occurred_at",
                    crate::json::show(&other),
                    "must be an RFC 3339 string",
                ))
            }
            None => return Err(AccountError::invalid("occurred_at", "null", "is missing")),
        };
        let rest = serde_json::Value::Object(map);
        let kind: EventKind = crate::json::from_value(&rest).map_err(|e| match e {
            // The lists of an event hold structs of their own: name the element's field.
            AccountError::InvalidField { ref field, .. } if field == "lines" || field == "lots" => {
                let items = rest.get(field).and_then(serde_json::Value::as_array).map_or(&[][..], Vec::as_slice);
                let inner = items.iter().enumerate().find_map(|(i, item)| {
                    let err = if field == "lines" {
                        crate::json::from_value::<OrderLine>(item).err()
                    } else {
                        crate::json::from_value::<ReceivedLot>(item).err()
                    };
                    match err {
                        Some(AccountError::InvalidField { field: f, value, reason }) => {
                            Some(AccountError::InvalidField { field: format!("{field}[{i}].{f}"), value, reason })
                        }
                        _ => None,
                    }
                });
                inner.unwrap_or(e)
            }
            other => other,
        })?;
        // serde lets a kind without fields ignore any it is given: refuse them here.
        if matches!(kind, EventKind::CheckedIn | EventKind::BirthdayReached | EventKind::StoredValueCashedOut) {
            if let Some((key, value)) = rest.as_object().and_then(|m| m.iter().find(|(k, _)| k.as_str() != "type")) {
                return Err(AccountError::invalid(
                    key.as_str(),
                    crate::json::show(value),
                    format!("unknown field `{key}`: {} has no fields", kind.name()),
                ));
            }
        }
        Ok(Event { id, occurred_at, kind })
    }

    /// Whether the host may apply this kind of event itself. The two halves of a transfer
    /// (`points_sent`, `points_received`) are written only by [`crate::transfer`], which
    /// applies both sides together: a host that passed one through could mint points from
    /// nobody or destroy points nobody receives.
    ///
    /// ```
    /// use loyalty::EventKind;
    /// assert!(EventKind::CheckedIn.is_external());
    /// assert!(!EventKind::PointsSent { to_member_id: "b".into(), points: 5 }.is_external());
    /// ```
    pub fn is_external(&self) -> bool {
        self.kind.is_external()
    }

    /// Creates an event.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use loyalty::{Event, EventKind};
    /// let e = Event::new("c-1", Utc.with_ymd_and_hms(2024, 1, 2, 8, 0, 0).unwrap(), EventKind::CheckedIn);
    /// assert_eq!(e.id, "c-1");
    /// ```
    pub fn new(id: impl Into<String>, occurred_at: DateTime<Utc>, kind: EventKind) -> Event {
        Event { id: id.into(), occurred_at, kind }
    }

    /// A stable 64-bit fingerprint of the whole event, used to tell a replay (same id, same
    /// payload) from a conflict (same id, different payload). Equal events have equal
    /// fingerprints on every platform and version; amounts are compared by value, so `"10.0"`
    /// and `"10.00"` are the same payload.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use loyalty::{Event, EventKind};
    /// let t = Utc.with_ymd_and_hms(2024, 1, 2, 8, 0, 0).unwrap();
    /// let a = Event::new("r", t, EventKind::OrderRefunded { order_id: "o".into(), amount: "10.0".parse().unwrap(), returned: None });
    /// let b = Event::new("r", t, EventKind::OrderRefunded { order_id: "o".into(), amount: "10.00".parse().unwrap(), returned: None });
    /// let c = Event::new("r", t, EventKind::OrderRefunded { order_id: "o".into(), amount: "10.01".parse().unwrap(), returned: None });
    /// assert_eq!(a.fingerprint(), b.fingerprint());
    /// assert_ne!(a.fingerprint(), c.fingerprint());
    /// ```
    pub fn fingerprint(&self) -> u64 {
        let mut h = Fnv::new();
        h.str(&self.id);
        h.i64(self.occurred_at.timestamp());
        h.i64(i64::from(self.occurred_at.timestamp_subsec_nanos()));
        match &self.kind {
            EventKind::Joined { birthday } => {
                h.tag(1);
                h.date(*birthday);
            }
            EventKind::ProfileCompleted { birthday } => {
                h.tag(2);
                h.date(*birthday);
            }
            EventKind::OrderPlaced { order_id, amount, channel, lines, stored_value, coupons, reservation_key } => {
                h.tag(3);
                h.str(order_id);
                h.decimal(*amount);
                h.opt_str(channel.as_deref());
                h.i64(lines.len() as i64);
                for line in lines {
                    h.str(&line.sku);
                    h.opt_str(line.category.as_deref());
                    h.decimal(line.amount);
                    h.decimal(line.discount);
                }
                // Hashed only when given, so orders without it keep the fingerprints their
                // snapshots hold.
                if let Some(x) = stored_value {
                    h.tag(16);
                    h.decimal(*x);
                }
                if !coupons.is_empty() || reservation_key.is_some() {
                    h.tag(21);
                    h.i64(coupons.len() as i64);
                    for c in coupons {
                        h.str(c);
                    }
                    h.opt_str(reservation_key.as_deref());
                }
            }
            EventKind::OrderRefunded { order_id, amount, returned } => {
                h.tag(4);
                h.str(order_id);
                h.decimal(*amount);
                if let Some(r) = returned {
                    h.tag(22);
                    h.decimal(*r);
                }
            }
            EventKind::OrderCancelled { order_id } => {
                h.tag(23);
                h.str(order_id);
            }
            EventKind::CouponGranted { definition, reason } => {
                h.tag(24);
                h.str(definition);
                h.str(reason);
            }
            EventKind::CouponBought { definition } => {
                h.tag(25);
                h.str(definition);
            }
            EventKind::CouponReserved { coupon_id, key } => {
                h.tag(26);
                h.str(coupon_id);
                h.str(key);
            }
            EventKind::CouponReleased { coupon_id, key } => {
                h.tag(27);
                h.str(coupon_id);
                h.str(key);
            }
            EventKind::RewardRedeemed { reward_id, points } => {
                h.tag(5);
                h.str(reward_id);
                h.i64(*points);
            }
            EventKind::PointsPaid { order_id, order_amount, points } => {
                h.tag(6);
                h.str(order_id);
                h.decimal(*order_amount);
                h.i64(*points);
            }
            EventKind::RedemptionCancelled { redemption_id } => {
                h.tag(7);
                h.str(redemption_id);
            }
            EventKind::CheckedIn => h.tag(8),
            EventKind::ReferralCompleted { referred_member_id } => {
                h.tag(9);
                h.str(referred_member_id);
            }
            EventKind::BirthdayReached => h.tag(10),
            EventKind::BonusClaimed { name } => {
                h.tag(11);
                h.str(name);
            }
            EventKind::PointsAdjusted { points, reason } => {
                h.tag(12);
                h.i64(*points);
                h.str(reason);
            }
            EventKind::PointsSent { to_member_id, points } => {
                h.tag(14);
                h.str(to_member_id);
                h.i64(*points);
            }
            EventKind::PointsReceived { from_member_id, lots } => {
                h.tag(15);
                h.str(from_member_id);
                h.i64(lots.len() as i64);
                for lot in lots {
                    h.i64(lot.points);
                    h.i64(lot.earned_at.timestamp());
                    h.i64(lot.expires_at.map_or(i64::MIN, |e| e.timestamp()));
                }
            }
            EventKind::StoredValueLoaded { paid, payment_ref } => {
                h.tag(17);
                h.decimal(*paid);
                h.opt_str(payment_ref.as_deref());
            }
            EventKind::StoredValueCashedOut => h.tag(18),
            EventKind::AccountFrozen { reason } => {
                h.tag(19);
                h.str(reason);
            }
            EventKind::AccountUnfrozen { reason } => {
                h.tag(20);
                h.str(reason);
            }
            EventKind::TierAssigned { tier, until, reason } => {
                h.tag(13);
                h.str(tier);
                h.i64(until.timestamp());
                h.i64(i64::from(until.timestamp_subsec_nanos()));
                h.str(reason);
            }
        }
        h.0
    }
}

/// The kinds of things that happen to a member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum EventKind {
    /// The member joined the program: the sign-up bonus, and the birthday if told.
    Joined {
        /// The member's birthday, for birthday-month multipliers.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        birthday: Option<NaiveDate>,
    },
    /// The member completed their profile (once ever).
    ProfileCompleted {
        /// The birthday, if the profile gave one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        birthday: Option<NaiveDate>,
    },
    /// An order was placed and paid: earns purchase points.
    OrderPlaced {
        /// The order's id, unique per member.
        order_id: String,
        /// The order's amount in the program's currency: what the member paid, or, with
        /// `coupons`, the amount before them (the engine works out their discounts).
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        amount: Decimal,
        /// The sales channel, for scoped rules.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<String>,
        /// The order lines, for category and SKU rules (their amounts may not exceed the order's).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        lines: Vec<OrderLine>,
        /// The part of `amount` paid from the member's stored value (a tender, applied after
        /// any discount; the rest is paid outside the engine).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[serde(deserialize_with = "crate::money::strict::option")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::optional_decimal_schema"))]
        stored_value: Option<Decimal>,
        /// The member's coupons used on the order (by coupon id), applied in this order, each
        /// on what the ones before it left.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        coupons: Vec<String>,
        /// The checkout key the coupons were reserved under, if they were.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reservation_key: Option<String>,
    },
    /// Part or all of an earlier order was refunded: claws back its points in proportion.
    OrderRefunded {
        /// The refunded order.
        order_id: String,
        /// The refunded amount (this refund only).
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        amount: Decimal,
        /// The list value of the goods returned (this refund only), required for an order
        /// that used coupons: `amount` must then be what the program's `partial_return`
        /// policy refunds (`Account::quote_return` works it out).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[serde(deserialize_with = "crate::money::strict::option")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::optional_decimal_schema"))]
        returned: Option<Decimal>,
    },
    /// An order was cancelled (before fulfilment, or its payment failed): everything not yet
    /// refunded is refunded, and its coupons come back (or expire, if their validity ended).
    OrderCancelled {
        /// The cancelled order.
        order_id: String,
    },
    /// Points were exchanged for a reward.
    RewardRedeemed {
        /// The reward.
        reward_id: String,
        /// Its price in points.
        points: i64,
    },
    /// Points paid part of an order (points plus cash).
    PointsPaid {
        /// The order they paid.
        order_id: String,
        /// The order's full amount, for the share limit.
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        order_amount: Decimal,
        /// The points used.
        points: i64,
    },
    /// An earlier redemption was cancelled: its points go back to the lots they came from.
    RedemptionCancelled {
        /// The id of the `reward_redeemed` or `points_paid` event.
        redemption_id: String,
    },
    /// The member checked in (once per local day).
    CheckedIn,
    /// A member the member referred has joined (once per referred member).
    ReferralCompleted {
        /// The referred member.
        referred_member_id: String,
    },
    /// It is the member's birthday (the bonus is paid once per local calendar year).
    BirthdayReached,
    /// A custom bonus was claimed by name.
    BonusClaimed {
        /// The bonus name in the program's `bonuses.custom`.
        name: String,
    },
    /// Points sent to another member (see [`crate::transfer`], which writes this event and
    /// the matching `points_received` together). Only usable points move, in spend order.
    PointsSent {
        /// The receiving member.
        to_member_id: String,
        /// Points sent.
        points: i64,
    },
    /// Points received from another member, lot by lot with their original dates.
    PointsReceived {
        /// The sending member.
        from_member_id: String,
        /// The lots as they left the sender.
        lots: Vec<ReceivedLot>,
    },
    /// Staff assigned a tier as a floor until a date: the member holds at least that tier
    /// until then, whatever the metrics say. No entry reward is granted.
    TierAssigned {
        /// The tier's name.
        tier: String,
        /// The end of the floor.
        until: DateTime<Utc>,
        /// Why, for the statement.
        reason: String,
    },
    /// Staff adjusted the balance: positive points add a lot, negative points are taken from
    /// the available balance in spend order.
    PointsAdjusted {
        /// Points to add (positive) or remove (negative).
        points: i64,
        /// Why, for the statement.
        reason: String,
    },
    /// Money was loaded onto the member's stored value (a top-up; the event id is the
    /// top-up's id). It earns the program's top-up bonus, and no points. It cannot be paid
    /// from the stored value itself: it has no stored-value tender.
    StoredValueLoaded {
        /// The amount paid in.
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        paid: Decimal,
        /// The payment's reference at the host (for reconciliation).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payment_ref: Option<String>,
    },
    /// The member cashed out the stored value: the engine says what the host must pay back
    /// (never the bonus) and empties the balance.
    StoredValueCashedOut,
    /// The host froze the account (suspected fraud, a dispute): it keeps its assets, which
    /// keep expiring, but cannot spend them; whether it earns is the program's
    /// `frozen_accounts_earn`.
    AccountFrozen {
        /// Why, for the statement.
        reason: String,
    },
    /// The host unfroze the account.
    AccountUnfrozen {
        /// Why, for the statement.
        reason: String,
    },
    /// The host granted the member a coupon of the program's; its id is the event's id.
    CouponGranted {
        /// The coupon's definition.
        definition: String,
        /// Why, for the statement.
        reason: String,
    },
    /// The member bought a coupon with points (its `price_points`): the points are
    /// redeemed and the coupon issued together; its id, and the redemption's, is the event's
    /// id. `redemption_cancelled` with that id gives the points back while it is unused.
    CouponBought {
        /// The coupon's definition.
        definition: String,
    },
    /// A coupon is held for one checkout, under the checkout's key, for the program's
    /// `reservation_minutes` (reserving again under the same key extends the hold).
    CouponReserved {
        /// The coupon.
        coupon_id: String,
        /// The checkout's key.
        key: String,
    },
    /// A checkout let go of a coupon it held.
    CouponReleased {
        /// The coupon.
        coupon_id: String,
        /// The checkout's key.
        key: String,
    },
}

impl EventKind {
    /// Whether the host may apply this kind of event with [`crate::Account::apply`]: every
    /// kind but the two halves of a transfer (see [`Event::is_external`]).
    pub fn is_external(&self) -> bool {
        !matches!(self, EventKind::PointsSent { .. } | EventKind::PointsReceived { .. })
    }

    /// The kind's name as it is written in JSON (`order_placed`).
    ///
    /// ```
    /// assert_eq!(loyalty::EventKind::CheckedIn.name(), "checked_in");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Joined { .. } => "joined",
            EventKind::ProfileCompleted { .. } => "profile_completed",
            EventKind::OrderPlaced { .. } => "order_placed",
            EventKind::OrderRefunded { .. } => "order_refunded",
            EventKind::RewardRedeemed { .. } => "reward_redeemed",
            EventKind::PointsPaid { .. } => "points_paid",
            EventKind::RedemptionCancelled { .. } => "redemption_cancelled",
            EventKind::CheckedIn => "checked_in",
            EventKind::ReferralCompleted { .. } => "referral_completed",
            EventKind::BirthdayReached => "birthday_reached",
            EventKind::BonusClaimed { .. } => "bonus_claimed",
            EventKind::PointsSent { .. } => "points_sent",
            EventKind::PointsReceived { .. } => "points_received",
            EventKind::TierAssigned { .. } => "tier_assigned",
            EventKind::PointsAdjusted { .. } => "points_adjusted",
            EventKind::StoredValueLoaded { .. } => "stored_value_loaded",
            EventKind::StoredValueCashedOut => "stored_value_cashed_out",
            EventKind::AccountFrozen { .. } => "account_frozen",
            EventKind::AccountUnfrozen { .. } => "account_unfrozen",
            EventKind::OrderCancelled { .. } => "order_cancelled",
            EventKind::CouponGranted { .. } => "coupon_granted",
            EventKind::CouponBought { .. } => "coupon_bought",
            EventKind::CouponReserved { .. } => "coupon_reserved",
            EventKind::CouponReleased { .. } => "coupon_released",
        }
    }
}

/// A lot as it arrives from another member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReceivedLot {
    /// Points in it.
    pub points: i64,
    /// When the sender earned them.
    pub earned_at: DateTime<Utc>,
    /// When they expire at the sender (kept unless the program resets transferred expiry).
    pub expires_at: Option<DateTime<Utc>>,
}

/// One line of an order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    /// The product's stock-keeping unit.
    pub sku: String,
    /// The product's category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// What the member paid for the line, after discounts.
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub amount: Decimal,
    /// The discount given on the line (for analytics; points are earned on `amount`).
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub discount: Decimal,
}

/// A small stable hash: 8-byte words folded with a multiply and shift (in the manner of
/// FxHash), fixed so fingerprints are the same on every platform and version.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn word(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 ^= self.0 >> 32;
    }
    fn bytes(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.word(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.word(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }
    fn tag(&mut self, tag: u8) {
        self.word(0xfe00 | u64::from(tag));
    }
    fn i64(&mut self, v: i64) {
        self.word(v as u64);
    }
    fn str(&mut self, s: &str) {
        self.i64(s.len() as i64);
        self.bytes(s.as_bytes());
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.tag(0),
            Some(s) => {
                self.tag(1);
                self.str(s);
            }
        }
    }
    fn decimal(&mut self, d: Decimal) {
        self.bytes(&d.normalize().serialize());
    }
    fn date(&mut self, d: Option<NaiveDate>) {
        match d {
            None => self.tag(0),
            Some(d) => {
                self.tag(1);
                self.i64(i64::from(chrono::Datelike::num_days_from_ce(&d)));
            }
        }
    }
}
