//! A lot: one credit of points, with its own dates.

pub use crate::draw::LotId;
use crate::points::Points;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a lot's points came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LotKind {
    /// Earned by an order.
    Purchase,
    /// Awarded by a bonus (sign-up, check-in, ...).
    Bonus,
    /// Added by staff.
    Adjustment,
    /// Redeemed points given back after their lot expired, under the `reinstate` policy.
    Reinstated,
    /// Received from another member.
    Transfer,
}

/// One credit of points and what became of it.
///
/// The source of truth of a balance: available, pending and expiring points are sums over
/// lots as of an instant. `points = remaining + expired + cancelled + drawn`, where drawn
/// points went to redemptions, clawbacks, debt repayment or negative adjustments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Lot {
    /// The lot's id.
    pub id: LotId,
    /// What it was credited with.
    pub points: Points,
    /// What is left in it.
    pub remaining: Points,
    /// When it was earned.
    pub earned_at: DateTime<Utc>,
    /// When it becomes (or became) usable.
    pub available_at: DateTime<Utc>,
    /// When it expires, if it does.
    pub expires_at: Option<DateTime<Utc>>,
    /// When to warn that it expires soon; `None` once warned or when there is nothing to warn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_at: Option<DateTime<Utc>>,
    /// Where it came from.
    pub kind: LotKind,
    /// The bonus or adjustment that produced it; empty for purchases (see `rules`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rule: String,
    /// The id of the event that credited it (none for tier entry rewards granted by the
    /// clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_event: Option<std::sync::Arc<str>>,
    /// The earning rules and multipliers that produced it (a purchase's, shared with its
    /// `points_earned` effect; the bonus or adjustment name otherwise).
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub rules: std::sync::Arc<[std::sync::Arc<str>]>,
    /// Points that expired in it.
    #[serde(default, skip_serializing_if = "Points::is_zero")]
    pub expired: Points,
    /// Pending points cancelled by a refund.
    #[serde(default, skip_serializing_if = "Points::is_zero")]
    pub cancelled: Points,
}

impl Lot {
    /// True when the lot is still pending at `t`.
    pub fn is_pending(&self, t: DateTime<Utc>) -> bool {
        self.available_at > t
    }

    /// True when the lot has expired at `t`.
    pub fn is_expired(&self, t: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|e| e <= t)
    }

    /// Points of this lot usable at `t`.
    pub fn available(&self, t: DateTime<Utc>) -> Points {
        if self.is_pending(t) || self.is_expired(t) {
            Points::ZERO
        } else {
            self.remaining
        }
    }

    /// The spend order key: soonest expiry first (never-expiring last), then oldest, then id.
    pub(crate) fn spend_key(&self) -> (bool, Option<DateTime<Utc>>, DateTime<Utc>, LotId) {
        (self.expires_at.is_none(), self.expires_at, self.earned_at, self.id)
    }
}
