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
    /// points, pay with points or stored value, send points, cash out); it may still receive
    /// orders, refunds, top-ups and the clock (its assets keep expiring on schedule).
    pub(crate) fn refuses(&self, kind: &EventKind) -> bool {
        self.frozen.is_some()
            && match kind {
                EventKind::RewardRedeemed { .. }
                | EventKind::PointsPaid { .. }
                | EventKind::PointsSent { .. }
                | EventKind::StoredValueCashedOut => true,
                EventKind::OrderPlaced { stored_value, .. } => stored_value.is_some(),
                _ => false,
            }
    }

    /// Whether a frozen account earns purchase points and bonuses: as the program says.
    pub(crate) fn earns(&self, program: &crate::Program) -> bool {
        self.frozen.is_none() || program.config().frozen_accounts_earn
    }
}
