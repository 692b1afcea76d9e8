//! The member's coupons and the checkout quote as typed records (Kotlin data classes, Swift
//! structs), crossing to and from the core through its own JSON as the events do: a checkout
//! is read by the core's strict reader, so a bad amount is the core's error naming the field.

use crate::surface::{instant, OrderLine};
use crate::uniffi_support::Money;
use crate::LoyaltyError;
use serde::{Deserialize, Serialize};
use std::time::SystemTime;

/// A coupon as the member sees it (the core's `MemberCoupon`; its state's fields sit beside
/// the others in the core's JSON, so unknown fields cannot be refused here).
#[derive(Debug, Clone, PartialEq, Deserialize, uniffi::Record)]
pub struct MemberCoupon {
    pub coupon_id: String,
    pub definition: String,
    #[serde(deserialize_with = "instant::read")]
    pub issued_at: SystemTime,
    #[serde(deserialize_with = "instant::read")]
    pub valid_from: SystemTime,
    #[serde(deserialize_with = "instant::read")]
    pub valid_until: SystemTime,
    #[serde(flatten)]
    pub state: CouponState,
}

/// Where a coupon is in its lifecycle.
#[derive(Debug, Clone, PartialEq, Deserialize, uniffi::Enum)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CouponState {
    Issued,
    Reserved {
        key: String,
        #[serde(deserialize_with = "instant::read")]
        until: SystemTime,
    },
    Redeemed {
        order_id: String,
        discount: Money,
    },
    Expired,
    Cancelled,
}

/// A checkout to quote: coupons first, then at most `points` points, then stored value when
/// `stored_value`.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct Checkout {
    pub amount: Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[uniffi(default = None)]
    pub channel: Option<String>,
    #[uniffi(default = [])]
    pub lines: Vec<OrderLine>,
    #[uniffi(default = [])]
    pub coupons: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[uniffi(default = None)]
    pub reservation_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[uniffi(default = None)]
    pub points: Option<i64>,
    #[uniffi(default = false)]
    pub stored_value: bool,
}

/// What a checkout will cost (the core's `CheckoutQuote`).
#[derive(Debug, Clone, PartialEq, Deserialize, uniffi::Record)]
#[serde(deny_unknown_fields)]
pub struct CheckoutQuote {
    pub amount: Money,
    pub coupons: Vec<CouponQuote>,
    pub after_coupons: Money,
    pub points: i64,
    pub points_value: Money,
    pub stored_value: Money,
    pub due: Money,
    pub points_earned: i64,
}

/// One coupon of a checkout: what it takes off, or why it does not apply.
#[derive(Debug, Clone, PartialEq, Deserialize, uniffi::Record)]
#[serde(deny_unknown_fields)]
pub struct CouponQuote {
    pub coupon_id: String,
    pub discount: Money,
    #[serde(default)]
    pub not_applied: Option<String>,
}

impl Checkout {
    /// The core's checkout, read from this record's JSON by the core's strict reader.
    pub(crate) fn to_core(&self) -> Result<loyalty::Checkout, LoyaltyError> {
        let json = serde_json::to_string(self)
            .map_err(|e| LoyaltyError::input("checkout", "", format!("checkout: could not be written: {e}")))?;
        loyalty::Checkout::from_json(&json).map_err(LoyaltyError::from)
    }
}

/// A core value rendered as this crate's record through its JSON.
pub(crate) fn render<T: Serialize, R: for<'de> Deserialize<'de>>(what: &str, value: &T) -> Result<R, LoyaltyError> {
    let fail = |e: serde_json::Error| LoyaltyError::Internal {
        kind: "internal".into(),
        field: what.into(),
        value: e.to_string(),
        reason: format!("internal error (a bug in loyalty, please report it): {what} did not render: {e}"),
    };
    serde_json::from_value(serde_json::to_value(value).map_err(fail)?).map_err(fail)
}
