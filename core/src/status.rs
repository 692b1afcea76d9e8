//! Account status: the host freezes an account (suspected fraud, a dispute) and unfreezes it.
//! A frozen account keeps its points and stored value, and they keep expiring on schedule;
//! what it may not do while frozen is decided here, in one place.

use crate::event::EventKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Whether the account is frozen, since when and why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct Status {
    /// When the account was frozen, and why; `None` when it is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frozen: Option<Freeze>,
}

/// A freeze.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct Freeze {
    pub at: DateTime<Utc>,
    pub reason: String,
}

impl Status {
    /// True when the account is active (what snapshots leave out).
    pub(crate) fn is_active(&self) -> bool {
        self.frozen.is_none()
    }

    /// Whether a frozen account refuses `kind`: it may not spend anything of value (redeem
    /// points, pay with points or stored value, send points, cash out, buy, reserve or use
    /// coupons), be frozen again, or
    /// claim a bonus (sign-up included) unless the program lets frozen accounts earn; it may
    /// still receive orders, refunds, top-ups and the clock (its assets keep expiring).
    pub(crate) fn refuses(&self, kind: &EventKind, program: &crate::Program) -> bool {
        if self.frozen.is_none() {
            return false;
        }
        let bonus = match kind {
            EventKind::CheckedIn
            | EventKind::ReferralCompleted { .. }
            | EventKind::BirthdayReached
            | EventKind::BonusClaimed { .. }
            | EventKind::ProfileCompleted { .. } => true,
            EventKind::Joined { .. } => program.config().bonuses.sign_up.is_some(),
            _ => false,
        };
        match kind {
            EventKind::RewardRedeemed { .. }
            | EventKind::PointsPaid { .. }
            | EventKind::PointsSent { .. }
            | EventKind::StoredValueCashedOut
            | EventKind::AccountFrozen { .. }
            | EventKind::CouponBought { .. }
            | EventKind::CouponReserved { .. } => true,
            EventKind::OrderPlaced { stored_value, coupons, .. } => stored_value.is_some() || !coupons.is_empty(),
            _ => bonus && !self.earns(program),
        }
    }

    /// Whether a frozen account earns purchase points and bonuses: as the program says.
    pub(crate) fn earns(&self, program: &crate::Program) -> bool {
        self.frozen.is_none() || program.config().frozen_accounts_earn
    }
}
