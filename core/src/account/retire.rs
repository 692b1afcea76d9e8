//! Forgetting what no later decision needs, so that a member's snapshot stays the size of
//! the recent past however long they stay. What may go, and when, is the program's rule
//! (`program/retention.rs`); this module carries it out and decides nothing. The journal
//! entries that leave were handed to the host in the outcome that made them.

use super::Account;
use crate::draw::LotId;
use crate::effect::Effect;
use crate::points::Points;
use crate::program::retention;
use crate::program::Program;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// What has left the snapshot.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct Retired {
    /// Statement entries that left: the `seq` of the first one kept.
    pub entries: u64,
    /// What they changed the balance by, so the kept statement still adds up.
    pub points: Points,
    /// Orders forgotten (the next order's sequence number counts them).
    pub orders: u32,
    /// Redemptions and coupons forgotten.
    #[serde(default)]
    pub others: u32,
    /// The records cut last carried out: orders, redemptions and lots are looked at again
    /// only when it moves (once a day at most).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records_cut: Option<DateTime<Utc>>,
}

impl Retired {
    pub fn is_empty(&self) -> bool {
        *self == Retired::default()
    }

    /// Whether anything at all has left: entries, orders, redemptions, coupons.
    pub fn any(&self) -> bool {
        self.entries > 0 || self.orders > 0 || self.others > 0
    }
}

impl Account {
    /// Forgets what the program's retention rules let go at the account's clock.
    pub(crate) fn retire(&mut self, program: &Program) {
        let cuts = retention::cuts(program, self.ledger.clock);
        // Statement entries are in time order: the old ones are a prefix.
        let n = self.statement.partition_point(|e| e.at < cuts.entries);
        if n > 0 {
            let change: Points =
                self.statement[..n].iter().flat_map(|e| e.effects.iter()).map(Effect::balance_change).sum();
            self.retired.points += change;
            self.retired.entries += n as u64;
            let first = self.retired.entries;
            self.keys.retain(|_, k| u64::from(k.entry) >= first);
            self.statement.drain(..n);
        }
        if self.retired.records_cut.is_some_and(|c| c >= cuts.records) {
            return;
        }
        self.retired.records_cut = Some(cuts.records);
        let before = self.orders.len();
        self.orders.retain(|_, o| o.at >= cuts.records);
        self.retired.orders = self.retired.orders.saturating_add((before - self.orders.len()) as u32);
        let before = self.redemptions.len() + self.coupons.held.len();
        self.redemptions.retain(|_, r| r.at >= cuts.records);
        let orders = &self.orders;
        self.purse.spends.retain(|order_id, _| orders.contains_key(order_id));
        self.coupons.forget(cuts.records, |order_id| orders.contains_key(order_id));
        let gone = before - self.redemptions.len() - self.coupons.held.len();
        self.retired.others = self.retired.others.saturating_add(gone as u32);
        let open = cuts.returns;
        let named: HashSet<LotId> = self
            .orders
            .values()
            .filter(|o| o.at >= open)
            .filter_map(|o| o.lot)
            .chain(self.redemptions.values().filter(|r| r.at >= open).flat_map(|r| r.draws.iter().map(|d| d.lot)))
            .collect();
        // A lot leaves with the statement entries that told of it, never before.
        self.ledger.retire(|lot| named.contains(&lot.id) || lot.earned_at >= cuts.entries);
    }
}
