//! The checkout: what an order will cost a member before it is placed. Coupons come off
//! first (in the order given, each on what the ones before it left), then points pay what
//! the program allows, then stored value pays what it can of the rest; whatever remains is
//! due in other tenders. A coupon that does not apply says why and is left out.

use crate::account::{Account, AccountError};
use crate::event::OrderLine;
use crate::points::Points;
use crate::program::Program;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A checkout to quote.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Checkout {
    /// The order's amount before coupons.
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub amount: Decimal,
    /// The sales channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The order lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<OrderLine>,
    /// The member's coupons to use, in stacking order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupons: Vec<String>,
    /// The key the coupons are reserved under, if they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation_key: Option<String>,
    /// The most points to pay with (none: pay no points).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Points>,
    /// Whether stored value pays what it can of the rest.
    #[serde(default)]
    pub stored_value: bool,
}

impl Checkout {
    /// Reads a checkout from JSON, strictly: unknown fields and amounts outside the decimal
    /// grammar are refused, naming the field.
    ///
    /// ```
    /// let c = loyalty::Checkout::from_json(r#"{"amount": "30", "coupons": ["c-1"], "stored_value": true}"#).unwrap();
    /// assert_eq!(c.coupons, vec!["c-1".to_string()]);
    /// let err = loyalty::Checkout::from_json(r#"{"amount": 30.5}"#).unwrap_err();
    /// assert_eq!(err.field(), "amount");
    /// ```
    ///
    /// # Errors
    /// [`AccountError::InvalidField`] naming the field and its value.
    pub fn from_json(json: &str) -> Result<Checkout, AccountError> {
        if json.len() > crate::event::MAX_EVENT_JSON_BYTES {
            return Err(AccountError::invalid(
                "checkout",
                format!("{} bytes", json.len()),
                "must be at most 1048576 bytes of JSON",
            ));
        }
        crate::json::from_value(&crate::json::parse_value("checkout", json)?)
    }
}

/// What a checkout will cost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CheckoutQuote {
    /// The order's amount before coupons.
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub amount: Decimal,
    /// Each coupon asked for: what it takes off, or why it does not apply.
    pub coupons: Vec<CouponQuote>,
    /// The amount after the coupons that apply.
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub after_coupons: Decimal,
    /// The points that pay part of it, and what they pay.
    pub points: Points,
    /// What the points pay.
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub points_value: Decimal,
    /// What stored value pays.
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub stored_value: Decimal,
    /// What is left for other tenders.
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub due: Decimal,
    /// The purchase points the order would earn (placed with the coupons that apply and the
    /// stored value quoted).
    pub points_earned: Points,
}

/// One coupon of a checkout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CouponQuote {
    /// The coupon.
    pub coupon_id: String,
    /// What it takes off (zero when it does not apply).
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub discount: Decimal,
    /// Why it does not apply, if it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applied: Option<String>,
}

/// What a return from an order will refund.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReturnQuote {
    /// The refund (the `amount` of the `order_refunded` to send, with `returned`).
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub refund: Decimal,
    /// The points the refund claws back.
    pub points: Points,
}

impl Account {
    /// Quotes a checkout at `at` without changing the account: coupons first, then points,
    /// then stored value.
    ///
    /// ```
    /// use loyalty::{Account, Checkout, Event, EventKind, Program};
    /// let p = Program::from_json(r#"{"name": "Shop", "version": 1, "currency": "EUR", "time_zone": "UTC",
    ///     "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]}, "redemption": {"point_value": "0.01"},
    ///     "coupons": {"definitions": [{"id": "FIVE", "discount": {"kind": "amount_off", "amount": "5"},
    ///        "min_spend": "20", "validity": {"kind": "days", "days": 30}, "issue": {"on": "joined"}}]}}"#).unwrap();
    /// let t = "2025-05-01T10:00:00Z".parse().unwrap();
    /// let mut a = Account::new("m");
    /// a.apply(&p, &Event::new("j", t, EventKind::Joined { birthday: None })).unwrap();
    /// let q = a.quote_checkout(&p, &Checkout { amount: "30".parse().unwrap(), coupons: vec!["joined:FIVE".into()], ..Default::default() }, t).unwrap();
    /// assert_eq!((q.after_coupons, q.due, q.points_earned.get()), ("25".parse().unwrap(), "25".parse().unwrap(), 25));
    /// // Below the minimum spend, the coupon says why it does not apply.
    /// let q = a.quote_checkout(&p, &Checkout { amount: "15".parse().unwrap(), coupons: vec!["joined:FIVE".into()], ..Default::default() }, t).unwrap();
    /// assert_eq!(q.coupons[0].not_applied.as_deref(), Some("needs a spend of at least 20; the order comes to 15"));
    /// ```
    ///
    /// # Errors
    /// What an `order_placed` with this amount and these lines at `at` would get (an invalid
    /// amount or line, an instant before the account's clock); a coupon that does not apply
    /// is not an error.
    pub fn quote_checkout(
        &self,
        program: &Program,
        checkout: &Checkout,
        at: DateTime<Utc>,
    ) -> Result<CheckoutQuote, AccountError> {
        // The order's own fields first, checked as an order's are (the amount's range before
        // any arithmetic on it); the preview at the end applies it.
        let order = crate::event::EventKind::OrderPlaced {
            order_id: "checkout".into(),
            amount: checkout.amount,
            channel: checkout.channel.clone(),
            lines: checkout.lines.clone(),
            stored_value: None,
            coupons: checkout.coupons.clone(),
            reservation_key: checkout.reservation_key.clone(),
        };
        crate::account::check_payload(&order, program.minor_units())?;
        let section = program.config().coupons.as_ref();
        let wallet = self.coupons_at(program, at);
        let mut quotes: Vec<CouponQuote> = Vec::with_capacity(checkout.coupons.len());
        let mut candidates: Vec<(usize, &str)> = Vec::new();
        for (i, id) in checkout.coupons.iter().enumerate() {
            let refusal = if checkout.coupons[..i].contains(id) {
                Some("is listed twice".to_string())
            } else if !self.status.is_active() {
                Some("cannot be used: the account is frozen".to_string())
            } else {
                match (section, wallet.usable(id, checkout.reservation_key.as_deref(), at)) {
                    (None, _) => Some("cannot be used: the program has no coupons".to_string()),
                    (_, Err(crate::coupon::Refusal::Unknown)) => Some("is not a coupon of the member's".to_string()),
                    (_, Err(crate::coupon::Refusal::Not(why))) => Some(why),
                    (Some(s), Ok(held)) => match s.definition(&held.definition) {
                        None => Some(format!("is of {:?}, which the program no longer defines", held.definition)),
                        Some(d) => {
                            let already = candidates.iter().filter(|(_, c)| *c == d.id).count() as u32;
                            let refused = wallet.over_limit(d, already);
                            if refused.is_none() {
                                candidates.push((i, d.id.as_str()));
                            }
                            refused
                        }
                    },
                }
            };
            quotes.push(CouponQuote { coupon_id: id.clone(), discount: Decimal::ZERO, not_applied: refusal });
        }
        let mut after = checkout.amount;
        let mut applied = Vec::new();
        if let Some(section) = section {
            let defs: Vec<&str> = candidates.iter().map(|(_, d)| *d).collect();
            let priced = section.discounts(
                &defs,
                checkout.amount,
                checkout.channel.as_deref(),
                &checkout.lines,
                program.minor_units(),
            );
            for ((i, _), d) in candidates.iter().zip(priced) {
                match d {
                    Ok(d) => {
                        quotes[*i].discount = d;
                        after -= d;
                        applied.push(checkout.coupons[*i].clone());
                    }
                    Err(why) => quotes[*i].not_applied = Some(why),
                }
            }
        }
        let (points, points_value) = match checkout.points {
            Some(most) if !after.is_zero() => {
                let q = self.quote_payment(program, after, Some(most), at)?;
                (q.points, q.value)
            }
            _ => (Points::ZERO, Decimal::ZERO),
        };
        let mut stored_value = Decimal::ZERO;
        if checkout.stored_value && program.config().stored_value.is_some() && self.status.is_active() {
            stored_value = self.stored_value(program, at)?.available.min(after - points_value).max(Decimal::ZERO);
        }
        let mut kind = order;
        if let crate::event::EventKind::OrderPlaced { stored_value: sv, coupons, .. } = &mut kind {
            *sv = (!stored_value.is_zero()).then_some(stored_value);
            *coupons = applied;
        }
        let points_earned = self.preview(program, kind, at)?;
        Ok(CheckoutQuote {
            amount: checkout.amount,
            coupons: quotes,
            after_coupons: after,
            points,
            points_value,
            stored_value,
            due: after - points_value - stored_value,
            points_earned,
        })
    }
}

impl Account {
    /// What returning goods worth `returned` (list value) from `order_id` refunds at `at`,
    /// under the program's `partial_return` policy, and the points the refund claws back:
    /// the `amount` to send in the `order_refunded` with `returned`.
    ///
    /// # Errors
    /// [`AccountError::UnknownOrder`], or what that `order_refunded` would get.
    pub fn quote_return(
        &self,
        program: &Program,
        order_id: &str,
        returned: Decimal,
        at: DateTime<Utc>,
    ) -> Result<ReturnQuote, AccountError> {
        let order =
            self.orders.get(order_id).ok_or_else(|| AccountError::UnknownOrder { order_id: order_id.to_string() })?;
        program.config().returns.check("order_id", order_id, order.at, at)?;
        if returned.is_sign_negative() || returned.is_zero() || returned > order.gross() - order.returned {
            return Err(AccountError::invalid(
                "returned",
                returned,
                format!("must be more than zero and at most the {} not yet returned", order.gross() - order.returned),
            ));
        }
        let refund = match program.config().coupons.as_ref() {
            Some(section) if !order.coupons.is_empty() => {
                let used: Vec<(&str, Decimal)> =
                    order.coupons.iter().map(|c| (c.definition.as_str(), c.discount)).collect();
                section.refund_for_return(
                    order.gross(),
                    &used,
                    order.amount,
                    order.refunded,
                    order.returned + returned,
                    program.minor_units(),
                )
            }
            _ => returned,
        };
        if refund.is_zero() {
            return Ok(ReturnQuote { refund, points: Points::ZERO });
        }
        let kind = crate::event::EventKind::OrderRefunded {
            order_id: order_id.to_string(),
            amount: refund,
            returned: Some(returned),
        };
        let mut copy = self.clone();
        copy.apply(program, &crate::event::Event::new(self.free_event_id(), at, kind))?;
        let points = copy.orders.get(order_id).map_or(Points::ZERO, |o| o.clawed - order.clawed);
        Ok(ReturnQuote { refund, points })
    }
}

/// The amount an order earns points on, when it is not the order's amount: what was paid
/// after coupons, less the bonus funds stored value pays with (under the program's
/// `points_base`; DESIGN.md says why), as the purse would pay now.
pub(crate) fn points_base(
    purse: &crate::purse::Purse,
    program: &Program,
    p: &crate::account::Purchase,
) -> Option<Decimal> {
    let paid = p.paid();
    let mut base = (!p.coupons.is_empty()).then_some(paid);
    if let (Some(amount), Some(sv)) = (p.stored_value, program.config().stored_value.as_ref()) {
        if let Some(payment) = purse.plan_payment(sv.spend, amount, program.minor_units()) {
            if sv.points_base == crate::program::PointsBase::ExcludingBonus && !payment.bonus.is_zero() {
                base = Some(paid - payment.bonus);
            }
        }
    }
    base
}
