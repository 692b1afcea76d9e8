//! Why an account refused an event or a query.

use crate::points::Points;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// Why an account refused an event or a query. A refused event changes nothing.
///
/// When several rules reject an event, the first in this order is reported:
/// 1. the id: [`AccountError::IdConflict`] (a replay of the same payload is not an error);
/// 2. the payload on its own: [`AccountError::InvalidField`];
/// 3. time order: [`AccountError::OutOfOrder`];
/// 4. references to earlier events: unknown or duplicate orders, redemptions, rewards,
///    bonuses not offered, and [`AccountError::TooMany`];
/// 5. limits and the balance: [`AccountError::LimitReached`], refunds beyond the order,
///    [`AccountError::DebtOutstanding`], [`AccountError::InsufficientPoints`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccountError {
    /// The event id was applied before with a different payload.
    #[error("id: {event_id:?} was already applied with a different payload")]
    IdConflict {
        /// The event id.
        event_id: String,
    },
    /// A field of the event is not acceptable on its own.
    #[error("{field}: {value} {reason}")]
    InvalidField {
        /// The field, e.g. `amount` or `lines[2].sku`.
        field: String,
        /// The offending value.
        value: String,
        /// The rule it breaks.
        reason: String,
    },
    /// The event is earlier than what the account has already processed. Events must arrive
    /// in time order (equal instants are fine); the host sorts or rejects late events.
    #[error("occurred_at: {occurred_at} is before the account's clock {clock}; events must arrive in time order")]
    OutOfOrder {
        /// The event id.
        event_id: String,
        /// When the event says it happened.
        occurred_at: DateTime<Utc>,
        /// The account's clock.
        clock: DateTime<Utc>,
    },
    /// A refund names an order this account never placed.
    #[error("order_id: {order_id:?} is not an order of this member")]
    UnknownOrder {
        /// The order id.
        order_id: String,
    },
    /// An order id was placed twice under different event ids.
    #[error("order_id: {order_id:?} was already placed")]
    DuplicateOrder {
        /// The order id.
        order_id: String,
    },
    /// Refunds would add up to more than the order's amount.
    #[error(
        "amount: {amount} would refund more than order {order_id:?} of {order_amount} ({refunded} refunded before)"
    )]
    RefundExceedsOrder {
        /// The order id.
        order_id: String,
        /// This refund's amount.
        amount: Decimal,
        /// Refunded before this one.
        refunded: Decimal,
        /// The order's amount.
        order_amount: Decimal,
    },
    /// A cancellation names no redemption of this account.
    #[error("redemption_id: {redemption_id:?} is not a redemption of this member")]
    UnknownRedemption {
        /// The redemption's event id.
        redemption_id: String,
    },
    /// A refund or cancellation of an order, or a cancellation of a redemption, came after
    /// the program's return window (`returns.window_days`) closed.
    #[error("{field}: {id:?} was made at {at}, more than {window_days} days before; its return window is closed")]
    ReturnWindowClosed {
        /// `order_id` or `redemption_id`.
        field: &'static str,
        /// The order or redemption id.
        id: String,
        /// When the order was placed or the redemption made.
        at: DateTime<Utc>,
        /// The program's window.
        window_days: u32,
    },
    /// A redemption was cancelled twice.
    #[error("redemption_id: {redemption_id:?} was already cancelled")]
    AlreadyCancelled {
        /// The redemption's event id.
        redemption_id: String,
    },
    /// A reward is not in the program's catalog.
    #[error("reward_id: {reward_id:?} is not in the program's reward catalog")]
    UnknownReward {
        /// The reward id.
        reward_id: String,
    },
    /// The program offers no such bonus.
    #[error("type: the program offers no {bonus:?} bonus")]
    NoSuchBonus {
        /// The bonus, e.g. `daily_check_in` or a custom name.
        bonus: String,
    },
    /// A bonus or a one-time action was already used up for its period.
    #[error("{bonus}: already claimed {limit}")]
    LimitReached {
        /// The bonus or action, e.g. `daily_check_in`.
        bonus: String,
        /// The limit, e.g. `once per day`.
        limit: String,
    },
    /// Redemption is refused while the member owes points.
    #[error("points: redemption refused while the member owes {debt} points")]
    DebtOutstanding {
        /// The debt.
        debt: Points,
    },
    /// Not enough usable points.
    #[error("points: {requested} requested but {available} available")]
    InsufficientPoints {
        /// Points asked for.
        requested: Points,
        /// Points usable at the event's time.
        available: Points,
    },
    /// The account reached one of its size limits.
    #[error("account: at most {limit} {what}")]
    TooMany {
        /// What, e.g. `lots`.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// Not enough stored value for a payment.
    #[error("stored_value: {needed} needed but {available} available")]
    InsufficientFunds {
        /// The amount asked for.
        needed: rust_decimal::Decimal,
        /// Principal and bonus usable at the event's time.
        available: rust_decimal::Decimal,
    },
    /// A top-up would take the stored value above the program's cap.
    #[error("paid: {paid} would take the stored value to {would_hold}, above the cap of {cap}")]
    CapExceeded {
        /// The top-up's amount.
        paid: rust_decimal::Decimal,
        /// What would count toward the cap after it.
        would_hold: rust_decimal::Decimal,
        /// The cap.
        cap: rust_decimal::Decimal,
    },
    /// The account is frozen, and the event would spend (or earn) while it is.
    #[error("type: {event} refused: the account is frozen ({reason})")]
    AccountFrozen {
        /// The event's type.
        event: &'static str,
        /// Why the account was frozen.
        reason: String,
    },
    /// The account holds no coupon with this id.
    #[error("coupon_id: {coupon_id:?} is not a coupon of the member's")]
    UnknownCoupon {
        /// The coupon id given.
        coupon_id: String,
    },
    /// A coupon cannot be used, reserved or cancelled now, and why (its state, its validity,
    /// its minimum spend, scope, combinability or per-member limit).
    #[error("coupons: {coupon_id:?} {reason}")]
    CouponNotApplicable {
        /// The coupon.
        coupon_id: String,
        /// Why.
        reason: String,
    },
    /// A query asked about an instant the account has already moved past.
    #[error("as_of: {as_of} is before the account's clock {clock}")]
    AsOfBeforeClock {
        /// The instant asked about.
        as_of: DateTime<Utc>,
        /// The account's clock.
        clock: DateTime<Utc>,
    },
}

impl AccountError {
    /// The error's kind: a stable snake_case name every binding maps to its own class or
    /// code (`invalid_field`, `insufficient_points`, ...).
    ///
    /// ```
    /// let e = loyalty::AccountError::UnknownOrder { order_id: "o-9".into() };
    /// assert_eq!((e.kind(), e.field(), e.value()), ("unknown_order", "order_id".to_string(), "o-9".to_string()));
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            AccountError::IdConflict { .. } => "id_conflict",
            AccountError::InvalidField { .. } => "invalid_field",
            AccountError::OutOfOrder { .. } => "out_of_order",
            AccountError::UnknownOrder { .. } => "unknown_order",
            AccountError::DuplicateOrder { .. } => "duplicate_order",
            AccountError::RefundExceedsOrder { .. } => "refund_exceeds_order",
            AccountError::UnknownRedemption { .. } => "unknown_redemption",
            AccountError::AlreadyCancelled { .. } => "already_cancelled",
            AccountError::UnknownReward { .. } => "unknown_reward",
            AccountError::NoSuchBonus { .. } => "no_such_bonus",
            AccountError::LimitReached { .. } => "limit_reached",
            AccountError::DebtOutstanding { .. } => "debt_outstanding",
            AccountError::InsufficientPoints { .. } => "insufficient_points",
            AccountError::TooMany { .. } => "too_many",
            AccountError::AsOfBeforeClock { .. } => "as_of_before_clock",
            AccountError::InsufficientFunds { .. } => "insufficient_funds",
            AccountError::CapExceeded { .. } => "cap_exceeded",
            AccountError::AccountFrozen { .. } => "account_frozen",
            AccountError::UnknownCoupon { .. } => "unknown_coupon",
            AccountError::CouponNotApplicable { .. } => "coupon_not_applicable",
            AccountError::ReturnWindowClosed { .. } => "return_window_closed",
        }
    }

    /// The field the error is about, as the core's JSON spells it (`amount`, `lines[0].sku`,
    /// `order_id`; for a limit, the bonus or the thing counted).
    pub fn field(&self) -> String {
        match self {
            AccountError::IdConflict { .. } => "id".into(),
            AccountError::InvalidField { field, .. } => field.clone(),
            AccountError::OutOfOrder { .. } => "occurred_at".into(),
            AccountError::UnknownOrder { .. } | AccountError::DuplicateOrder { .. } => "order_id".into(),
            AccountError::RefundExceedsOrder { .. } => "amount".into(),
            AccountError::UnknownRedemption { .. } | AccountError::AlreadyCancelled { .. } => "redemption_id".into(),
            AccountError::UnknownReward { .. } => "reward_id".into(),
            AccountError::NoSuchBonus { .. } => "type".into(),
            AccountError::LimitReached { bonus, .. } => bonus.clone(),
            AccountError::DebtOutstanding { .. } | AccountError::InsufficientPoints { .. } => "points".into(),
            AccountError::TooMany { what, .. } => (*what).to_string(),
            AccountError::AsOfBeforeClock { .. } => "as_of".into(),
            AccountError::InsufficientFunds { .. } => "stored_value".into(),
            AccountError::CapExceeded { .. } => "paid".into(),
            AccountError::AccountFrozen { .. } => "type".into(),
            AccountError::UnknownCoupon { .. } => "coupon_id".into(),
            AccountError::CouponNotApplicable { .. } => "coupons".into(),
            AccountError::ReturnWindowClosed { field, .. } => (*field).to_string(),
        }
    }

    /// The offending value, as text (an instant in RFC 3339; for a limit, the limit).
    pub fn value(&self) -> String {
        match self {
            AccountError::IdConflict { event_id } => event_id.clone(),
            AccountError::InvalidField { value, .. } => value.clone(),
            AccountError::OutOfOrder { occurred_at, .. } => occurred_at.to_rfc3339(),
            AccountError::UnknownOrder { order_id } | AccountError::DuplicateOrder { order_id } => order_id.clone(),
            AccountError::RefundExceedsOrder { amount, .. } => amount.to_string(),
            AccountError::UnknownRedemption { redemption_id } | AccountError::AlreadyCancelled { redemption_id } => {
                redemption_id.clone()
            }
            AccountError::UnknownReward { reward_id } => reward_id.clone(),
            AccountError::NoSuchBonus { bonus } => bonus.clone(),
            AccountError::LimitReached { limit, .. } => limit.clone(),
            AccountError::DebtOutstanding { debt } => debt.to_string(),
            AccountError::InsufficientPoints { requested, .. } => requested.to_string(),
            AccountError::TooMany { limit, .. } => limit.to_string(),
            AccountError::AsOfBeforeClock { as_of, .. } => as_of.to_rfc3339(),
            AccountError::InsufficientFunds { needed, .. } => needed.to_string(),
            AccountError::CapExceeded { paid, .. } => paid.to_string(),
            AccountError::AccountFrozen { event, .. } => (*event).to_string(),
            AccountError::UnknownCoupon { coupon_id } | AccountError::CouponNotApplicable { coupon_id, .. } => {
                coupon_id.clone()
            }
            AccountError::ReturnWindowClosed { id, .. } => id.clone(),
        }
    }

    /// The error of the event at `index` of a list: an invalid field's path is prefixed
    /// `events[index].`; other errors are unchanged.
    ///
    /// ```
    /// use loyalty::AccountError;
    /// let e = AccountError::InvalidField { field: "amount".into(), value: "x".into(), reason: "bad".into() };
    /// assert_eq!(e.at_index(3).to_string(), "events[3].amount: x bad");
    /// ```
    #[must_use]
    pub fn at_index(self, index: usize) -> AccountError {
        match self {
            AccountError::InvalidField { field, value, reason } => {
                AccountError::InvalidField { field: format!("events[{index}].{field}"), value, reason }
            }
            other => other,
        }
    }

    pub(crate) fn invalid(
        field: impl Into<String>,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> AccountError {
        AccountError::InvalidField { field: field.into(), value: value.to_string(), reason: reason.into() }
    }
}

impl SnapshotError {
    /// The error's kind: `parse`, `format`, `too_large` or `corrupt`.
    pub fn kind(&self) -> &'static str {
        match self {
            SnapshotError::Parse { .. } => "parse",
            SnapshotError::Format { .. } => "format",
            SnapshotError::TooLarge { .. } => "too_large",
            SnapshotError::Corrupt { .. } => "corrupt",
        }
    }

    /// Where in the snapshot (`ledger.lots`, `orders.o-1`, `format`; `.` for the whole).
    pub fn field(&self) -> String {
        match self {
            SnapshotError::Parse { path, .. } => path.clone(),
            SnapshotError::Format { .. } => "format".into(),
            SnapshotError::TooLarge { .. } => "snapshot".into(),
            SnapshotError::Corrupt { field, .. } => field.clone(),
        }
    }

    /// What was found there: the parser's message, the format number, the size, or what
    /// is wrong.
    pub fn value(&self) -> String {
        match self {
            SnapshotError::Parse { message, .. } => message.clone(),
            SnapshotError::Format { found, .. } => found.to_string(),
            SnapshotError::TooLarge { bytes, .. } => bytes.to_string(),
            SnapshotError::Corrupt { reason, .. } => reason.clone(),
        }
    }
}

/// Why a snapshot could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// Not JSON of an account's shape.
    #[error("{path}: {message}")]
    Parse {
        /// Where in the document.
        path: String,
        /// What the parser found wrong.
        message: String,
    },
    /// Written by a format this version cannot read.
    #[error("format: {found} is not a supported snapshot format (this version reads {supported}; Account::migrate reads format 1)")]
    Format {
        /// The snapshot's format.
        found: u32,
        /// The format this version reads.
        supported: u32,
    },
    /// The snapshot is larger than [`crate::MAX_SNAPSHOT_BYTES`].
    #[error("snapshot: {bytes} bytes is more than the {limit} a snapshot may have")]
    TooLarge {
        /// Its size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The snapshot parsed but its contents contradict each other.
    #[error("{field}: {reason}")]
    Corrupt {
        /// Where.
        field: String,
        /// What is wrong.
        reason: String,
    },
}
