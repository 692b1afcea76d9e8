//! Events in and effects out as typed records: Kotlin sealed classes and data classes, Swift
//! enums and structs. Each type renders one core type field for field, and crosses to and
//! from the core through the core's own JSON, so the core stays the one source:
//!
//! - an event is written as the core's JSON and read by the core's strict reader
//!   ([`loyalty::Event::from_json`]), so a bad amount or instant is the core's typed error
//!   naming the field (`lines[0].amount`) and its value, never a silent default;
//! - an effect is the core's JSON read back with `deny_unknown_fields`, so a field or a
//!   variant the core gains and this file lacks fails the binding's tests (and the schema
//!   test in `tests/surface.rs` compares the generated Swift with `schema/` name by name).
//!
//! Money crosses as [`Money`] (Kotlin `BigDecimal`, Swift `Decimal`), instants as
//! `SystemTime` (Kotlin `Instant`, Swift `Date`), days as [`Day`] (Kotlin `LocalDate`, Swift
//! an ISO `String`).

use crate::uniffi_support::{to_system_time, Money};
use crate::LoyaltyError;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::time::SystemTime;

/// A calendar day, `YYYY-MM-DD` (Kotlin `LocalDate`); the core reads it strictly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Day(pub String);

uniffi::custom_newtype!(Day, String);

/// Something that happened to a member, with the id that makes it idempotent (the core's
/// `Event`).
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct Event {
    /// The idempotency key: the same id is applied once.
    pub id: String,
    /// When it happened.
    #[serde(serialize_with = "instant::write")]
    pub occurred_at: SystemTime,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// The kinds of things that happen to a member (the core's `EventKind`; its docs say what
/// each one does).
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Enum)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    Joined {
        #[serde(skip_serializing_if = "Option::is_none")]
        birthday: Option<Day>,
    },
    ProfileCompleted {
        #[serde(skip_serializing_if = "Option::is_none")]
        birthday: Option<Day>,
    },
    OrderPlaced {
        order_id: String,
        amount: Money,
        #[serde(skip_serializing_if = "Option::is_none")]
        channel: Option<String>,
        lines: Vec<OrderLine>,
        /// The part of `amount` paid from the member's stored value.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[uniffi(default = None)]
        stored_value: Option<Money>,
        /// The member's coupons used (ids, in stacking order); `amount` is then before them.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        #[uniffi(default = [])]
        coupons: Vec<String>,
        /// The checkout key the coupons were reserved under.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[uniffi(default = None)]
        reservation_key: Option<String>,
    },
    OrderRefunded {
        order_id: String,
        amount: Money,
        /// The list value of the goods returned (required for an order that used coupons).
        #[serde(skip_serializing_if = "Option::is_none")]
        #[uniffi(default = None)]
        returned: Option<Money>,
    },
    /// An order was cancelled: refunded in full, its coupons given back (or expired).
    OrderCancelled {
        order_id: String,
    },
    RewardRedeemed {
        reward_id: String,
        points: i64,
    },
    PointsPaid {
        order_id: String,
        order_amount: Money,
        points: i64,
    },
    RedemptionCancelled {
        redemption_id: String,
    },
    CheckedIn,
    ReferralCompleted {
        referred_member_id: String,
    },
    BirthdayReached,
    BonusClaimed {
        name: String,
    },
    /// Written only by a transfer on the server; `apply` refuses it.
    PointsSent {
        to_member_id: String,
        points: i64,
    },
    /// Written only by a transfer on the server; `apply` refuses it.
    PointsReceived {
        from_member_id: String,
        lots: Vec<ReceivedLot>,
    },
    TierAssigned {
        tier: String,
        #[serde(serialize_with = "instant::write")]
        until: SystemTime,
        reason: String,
    },
    PointsAdjusted {
        points: i64,
        reason: String,
    },
    /// A top-up of the member's stored value; the event id is its id.
    StoredValueLoaded {
        paid: Money,
        #[serde(skip_serializing_if = "Option::is_none")]
        payment_ref: Option<String>,
    },
    /// The member cashed out the stored value.
    StoredValueCashedOut,
    /// The host froze the account: it keeps its assets but cannot spend them.
    AccountFrozen {
        reason: String,
    },
    /// The host unfroze the account.
    AccountUnfrozen {
        reason: String,
    },
    /// The host granted a coupon (its id is the event's id).
    CouponGranted {
        definition: String,
        reason: String,
    },
    /// The member bought a coupon with points.
    CouponBought {
        definition: String,
    },
    /// A checkout holds a coupon under its key.
    CouponReserved {
        coupon_id: String,
        key: String,
    },
    /// A checkout let go of a coupon it held.
    CouponReleased {
        coupon_id: String,
        key: String,
    },
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct OrderLine {
    pub sku: String,
    pub category: Option<String>,
    pub amount: Money,
    /// The discount given on the line (for analytics), `0` for none.
    pub discount: Money,
}

/// A lot as it arrives from another member.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct ReceivedLot {
    pub points: i64,
    #[serde(serialize_with = "instant::write")]
    pub earned_at: SystemTime,
    #[serde(serialize_with = "instant::write_opt")]
    pub expires_at: Option<SystemTime>,
}

/// Points taken from (or given back to) one lot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, uniffi::Record)]
#[serde(deny_unknown_fields)]
pub struct Draw {
    pub lot: u32,
    pub points: i64,
}

/// Principal (paid in) or bonus (given with a top-up).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum Fund {
    Principal,
    Bonus,
}

/// How a cash-out was worked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum CashOutMode {
    FaceValue,
    Proportional,
}

/// Stored value taken from (or given back to) one top-up's principal or bonus.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, uniffi::Record)]
#[serde(deny_unknown_fields)]
pub struct FundDraw {
    pub topup_id: String,
    pub fund: Fund,
    pub amount: Money,
}

/// What is still missing on one tier metric (`spend`, `points` or `orders`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, uniffi::Record)]
#[serde(deny_unknown_fields)]
pub struct MissingMetric {
    pub metric: String,
    pub needed: Money,
}

/// What the host should do or tell the member (the core's `Effect`; its docs say what each
/// field means).
#[derive(Debug, Clone, PartialEq, Deserialize, uniffi::Enum)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Effect {
    PointsEarned {
        lot: u32,
        points: i64,
        rules: Vec<String>,
        #[serde(deserialize_with = "instant::read")]
        available_at: SystemTime,
        #[serde(default, deserialize_with = "instant::read_opt")]
        expires_at: Option<SystemTime>,
        pending: bool,
    },
    NoPointsEarned {
        order_id: String,
        reason: String,
    },
    PendingActivated {
        lot: u32,
        points: i64,
        #[serde(default, deserialize_with = "instant::read_opt")]
        expires_at: Option<SystemTime>,
    },
    PendingCancelled {
        order_id: String,
        lot: u32,
        points: i64,
    },
    PointsRedeemed {
        #[serde(default)]
        reward_id: Option<String>,
        #[serde(default)]
        order_id: Option<String>,
        points: i64,
        value: Money,
        draws: Vec<Draw>,
    },
    PointsClawedBack {
        order_id: String,
        points: i64,
        draws: Vec<Draw>,
        forgiven: i64,
        waived: i64,
    },
    DebtCreated {
        order_id: String,
        points: i64,
        debt: i64,
    },
    DebtRepaid {
        points: i64,
        debt: i64,
        draws: Vec<Draw>,
    },
    PointsExpired {
        points: i64,
        lots: Vec<u32>,
        #[serde(deserialize_with = "instant::read")]
        at: SystemTime,
    },
    PointsExpiringSoon {
        points: i64,
        lots: Vec<u32>,
        #[serde(deserialize_with = "instant::read")]
        expires_at: SystemTime,
    },
    RedemptionReversed {
        redemption_id: String,
        restored: i64,
        expired: i64,
        draws: Vec<Draw>,
    },
    TierUpgraded {
        from: String,
        to: String,
        #[serde(default, deserialize_with = "instant::read_opt")]
        valid_until: Option<SystemTime>,
        reason: String,
        #[serde(default)]
        reward_points: Option<i64>,
        #[serde(default)]
        reward_id: Option<String>,
    },
    TierRetained {
        tier: String,
        #[serde(default, deserialize_with = "instant::read_opt")]
        valid_until: Option<SystemTime>,
    },
    TierDowngraded {
        from: String,
        to: String,
        reason: String,
        #[serde(default, deserialize_with = "instant::read_opt")]
        valid_until: Option<SystemTime>,
    },
    TierWillDowngrade {
        tier: String,
        #[serde(deserialize_with = "instant::read")]
        on: SystemTime,
        missing: Vec<MissingMetric>,
    },
    PointsSent {
        to_member_id: String,
        points: i64,
        draws: Vec<Draw>,
    },
    PointsReceived {
        from_member_id: String,
        points: i64,
        lots: Vec<u32>,
    },
    AccountsMerged {
        merged_member_id: String,
        points: i64,
        lots: Vec<u32>,
    },
    PointsAdjusted {
        points: i64,
        reason: String,
        draws: Vec<Draw>,
    },
    StoredValueLoaded {
        topup_id: String,
        paid: Money,
        bonus: Money,
        #[serde(default, deserialize_with = "instant::read_opt")]
        bonus_expires_at: Option<SystemTime>,
        #[serde(default)]
        payment_ref: Option<String>,
        available: Money,
    },
    StoredValueSpent {
        order_id: String,
        amount: Money,
        principal: Money,
        bonus: Money,
        draws: Vec<FundDraw>,
    },
    StoredValueRefilled {
        order_id: String,
        principal: Money,
        bonus: Money,
        forfeited: Money,
    },
    StoredValueBonusExpiring {
        topup_id: String,
        amount: Money,
        #[serde(deserialize_with = "instant::read")]
        expires_at: SystemTime,
    },
    StoredValueBonusExpired {
        topup_id: String,
        amount: Money,
        #[serde(deserialize_with = "instant::read")]
        at: SystemTime,
    },
    StoredValueRefundDue {
        amount: Money,
        mode: CashOutMode,
        principal_retained: Money,
        bonus_forfeited: Money,
    },
    AccountFrozen {
        reason: String,
    },
    AccountUnfrozen {
        reason: String,
    },
    CouponIssued {
        coupon_id: String,
        definition: String,
        source: String,
        #[serde(default)]
        reason: Option<String>,
        #[serde(deserialize_with = "instant::read")]
        valid_from: SystemTime,
        #[serde(deserialize_with = "instant::read")]
        valid_until: SystemTime,
    },
    CouponExpiringSoon {
        coupon_id: String,
        definition: String,
        #[serde(deserialize_with = "instant::read")]
        valid_until: SystemTime,
    },
    CouponReserved {
        coupon_id: String,
        key: String,
        #[serde(deserialize_with = "instant::read")]
        until: SystemTime,
    },
    CouponReleased {
        coupon_id: String,
        key: String,
        timed_out: bool,
    },
    CouponRedeemed {
        coupon_id: String,
        definition: String,
        order_id: String,
        discount: Money,
    },
    CouponReturned {
        coupon_id: String,
        order_id: String,
    },
    CouponExpired {
        coupon_id: String,
        definition: String,
        #[serde(deserialize_with = "instant::read")]
        valid_until: SystemTime,
    },
    CouponCancelled {
        coupon_id: String,
    },
}

impl Event {
    /// The core's event: this record as the core's JSON, read by the core's strict reader.
    pub(crate) fn to_core(&self) -> Result<loyalty::Event, LoyaltyError> {
        let json = serde_json::to_string(self).map_err(|e| {
            LoyaltyError::input("event", &self.id, format!("event: {:?} could not be written: {e}", self.id))
        })?;
        loyalty::Event::from_json(&json).map_err(LoyaltyError::from)
    }
}

impl Effect {
    /// The typed rendering of a core effect.
    pub(crate) fn from_core(effect: &loyalty::Effect) -> Result<Effect, LoyaltyError> {
        let value = serde_json::to_value(effect).map_err(|e| internal(&e))?;
        serde_json::from_value(value).map_err(|e| internal(&e))
    }

    /// The typed rendering of a list of core effects.
    pub(crate) fn list(effects: &[loyalty::Effect]) -> Result<Vec<Effect>, LoyaltyError> {
        effects.iter().map(Effect::from_core).collect()
    }
}

/// A core effect this file cannot render is a bug of the binding, not the caller's input.
fn internal(e: &serde_json::Error) -> LoyaltyError {
    let reason = format!("internal error (a bug in loyalty, please report it): an effect did not render: {e}");
    LoyaltyError::Internal { kind: "internal".into(), field: "effect".into(), value: e.to_string(), reason }
}

/// Instants as the core writes them (RFC 3339, UTC).
pub(crate) mod instant {
    use super::*;

    /// An instant a `DateTime` cannot hold is written as text the core's reader refuses, so
    /// the error names the field and shows the value.
    fn text(t: SystemTime) -> String {
        match crate::uniffi_support::from_system_time("", t) {
            Ok(at) => at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            Err(_) => format!("{t:?} (out of range)"),
        }
    }

    pub(crate) fn write<S: Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&text(*t))
    }

    pub(super) fn write_opt<S: Serializer>(t: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&text(*t)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn read<'de, D: Deserializer<'de>>(d: D) -> Result<SystemTime, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| to_system_time(t.with_timezone(&Utc)))
            .map_err(serde::de::Error::custom)
    }

    pub(super) fn read_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SystemTime>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => DateTime::parse_from_rfc3339(&text)
                .map(|t| Some(to_system_time(t.with_timezone(&Utc))))
                .map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn a_typed_order_is_the_cores_order_field_for_field() {
        let e = Event {
            id: "e1".into(),
            occurred_at: at(1_714_564_800),
            kind: EventKind::OrderPlaced {
                order_id: "A-1".into(),
                amount: Money("25.90".into()),
                channel: Some("app".into()),
                lines: vec![OrderLine {
                    sku: "tea".into(),
                    category: None,
                    amount: Money("25.90".into()),
                    discount: Money("0".into()),
                }],
                stored_value: None,
                coupons: vec![],
                reservation_key: None,
            },
        };
        let core = e.to_core().unwrap();
        let expected = loyalty::Event::from_json(
            r#"{"id":"e1","occurred_at":"2024-05-01T12:00:00Z","type":"order_placed","order_id":"A-1",
                "amount":"25.90","channel":"app","lines":[{"sku":"tea","amount":"25.90"}]}"#,
        )
        .unwrap();
        assert_eq!(core, expected);
    }

    #[test]
    fn a_bad_amount_in_a_line_is_the_cores_error_naming_the_line() {
        let e = Event {
            id: "e1".into(),
            occurred_at: at(0),
            kind: EventKind::OrderPlaced {
                order_id: "A-1".into(),
                amount: Money("5".into()),
                channel: None,
                lines: vec![OrderLine {
                    sku: "tea".into(),
                    category: None,
                    amount: Money("1e3".into()),
                    discount: Money("0".into()),
                }],
                stored_value: None,
                coupons: vec![],
                reservation_key: None,
            },
        };
        match e.to_core() {
            Err(LoyaltyError::InvalidField { field, value, .. }) => {
                assert_eq!((field.as_str(), value.as_str()), ("lines[0].amount", "\"1e3\""));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_instant_outside_the_engines_range_is_an_error_naming_the_field() {
        let e = Event {
            id: "t".into(),
            occurred_at: UNIX_EPOCH + Duration::from_secs(u64::MAX / 2),
            kind: EventKind::CheckedIn,
        };
        assert!(matches!(e.to_core(), Err(LoyaltyError::InvalidField { field, .. }) if field == "occurred_at"));
    }

    #[test]
    fn every_effect_of_a_core_story_renders() {
        let program = loyalty::Program::from_json(include_str!("../../examples/programs/retail.json")).unwrap();
        let mut account = loyalty::Account::new("m");
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let order = loyalty::Event::from_json(
            r#"{"id":"e1","occurred_at":"2024-05-08T16:00:00Z","type":"order_placed","order_id":"o1","amount":"42.50"}"#,
        )
        .unwrap();
        let out = account.apply(&program, &order).unwrap();
        let typed = Effect::list(&out.effects).unwrap();
        match &typed[..] {
            [Effect::PointsEarned { lot: 0, points: 85, pending: true, available_at, .. }] => {
                assert_eq!(*available_at, to_system_time(t("2024-05-22T04:00:00Z")));
            }
            other => panic!("{other:?}"),
        }
    }
}
