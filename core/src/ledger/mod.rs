//! The points ledger: lots, the spend order, activation, expiry, warnings and debt.
//!
//! The ledger is the mechanism; it has no business rules of its own beyond the spend order.
//! The account decides what to credit or draw; the ledger does it.

mod consume;
mod lot;

pub use lot::{Lot, LotId, LotKind};

use crate::draw::Draw;
use crate::effect::Effect;
use crate::points::Points;
use crate::program::expiry::{self, LotDates};
use crate::program::{ExpiryPolicy, Program};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The lots of one member, the debt, and the instant the ledger was last brought up to.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct Ledger {
    /// The lots kept: every lot credited since the first kept one, in id order (index =
    /// id - `first_lot`). Lots before it were spent or expired and nothing can refer to them
    /// any more (`account/retire.rs`); the journal tells their story.
    pub lots: Vec<Lot>,
    /// The id of the first lot kept.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub first_lot: u32,
    /// Points owed after a clawback exceeded the balance.
    #[serde(default, skip_serializing_if = "Points::is_zero")]
    pub debt: Points,
    /// Everything at or before this instant has been processed.
    pub clock: DateTime<Utc>,
    /// The last qualifying activity (for inactivity expiry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_activity: Option<DateTime<Utc>>,
    /// The last time an inactivity deadline expired the balance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactivity_expired_at: Option<DateTime<Utc>>,
    /// Ids of lots with points left: derived, rebuilt on load.
    #[serde(skip)]
    pub live: Vec<LotId>,
    /// Ids of lots still pending at the clock: derived, rebuilt on load.
    #[serde(skip)]
    pub pending_lots: Vec<LotId>,
    /// No expiry or warning of a usable lot falls before this: derived, a lower bound.
    #[serde(skip)]
    pub due: Option<DateTime<Utc>>,
    /// Lists of rule names purchases earned by lately: a memo, never serialized or compared.
    #[serde(skip)]
    pub rule_lists: crate::program::RuleLists,
}

impl PartialEq for Ledger {
    fn eq(&self, other: &Ledger) -> bool {
        self.lots == other.lots
            && self.first_lot == other.first_lot
            && self.debt == other.debt
            && self.clock == other.clock
            && self.last_activity == other.last_activity
            && self.inactivity_expired_at == other.inactivity_expired_at
    }
}

/// What the ledger needs from the program.
#[derive(Clone, Copy)]
pub(crate) struct Rules<'a> {
    pub program: &'a Program,
}

/// A new credit, with its dates decided by the expiry rules (`program/expiry.rs`).
pub(crate) struct Credit<'a> {
    pub points: Points,
    pub earned_at: DateTime<Utc>,
    pub available_at: DateTime<Utc>,
    pub dates: LotDates,
    pub kind: LotKind,
    pub rule: &'a str,
    pub source: Option<std::sync::Arc<str>>,
}

impl Ledger {
    pub fn new(clock: DateTime<Utc>) -> Ledger {
        Ledger {
            lots: Vec::new(),
            first_lot: 0,
            debt: Points::ZERO,
            clock,
            last_activity: None,
            inactivity_expired_at: None,
            live: Vec::new(),
            pending_lots: Vec::new(),
            due: None,
            rule_lists: crate::program::RuleLists::default(),
        }
    }

    /// Rebuilds the derived fields after deserialization.
    pub fn rebuild(&mut self) {
        self.live = self.lots.iter().filter(|l| l.remaining.is_positive()).map(|l| l.id).collect();
        let clock = self.clock;
        self.pending_lots = self.live_lots().filter(|l| l.is_pending(clock)).map(|l| l.id).collect();
        self.due = self.exact_due();
    }

    pub fn lot(&self, id: LotId) -> Option<&Lot> {
        self.lots.get(index(self.first_lot, id)?)
    }

    pub fn lot_mut(&mut self, id: LotId) -> Option<&mut Lot> {
        self.lots.get_mut(index(self.first_lot, id)?)
    }

    /// The id the next credit gets.
    pub fn next_id(&self) -> LotId {
        LotId(self.first_lot.saturating_add(self.lots.len() as u32))
    }

    /// Drops the oldest lots while they hold nothing and `keep` does not need them; returns
    /// how many went.
    pub fn retire(&mut self, keep: impl Fn(&Lot) -> bool) -> usize {
        let n = self.lots.iter().take_while(|l| l.remaining.is_zero() && !keep(l)).count();
        if n > 0 {
            self.lots.drain(..n);
            self.first_lot = self.first_lot.saturating_add(n as u32);
        }
        n
    }

    fn live_lots(&self) -> impl Iterator<Item = &Lot> {
        self.live.iter().filter_map(|id| self.lot(*id))
    }

    /// Usable points at the ledger's clock.
    pub fn available(&self) -> Points {
        let t = self.clock;
        self.live_lots().map(|l| l.available(t)).sum()
    }

    /// Pending points at the ledger's clock.
    pub fn pending(&self) -> Points {
        let t = self.clock;
        self.live_lots().filter(|l| l.is_pending(t)).map(|l| l.remaining).sum()
    }

    /// Credits a new lot and returns its id and the effect, naming the rules that earned it
    /// (`None`: the credit's own rule).
    pub fn credit(&mut self, c: Credit<'_>, names: Option<std::sync::Arc<[std::sync::Arc<str>]>>) -> (LotId, Effect) {
        let id = self.next_id();
        let LotDates { expires_at, warn_at } = c.dates;
        // Without names of its own (a bonus, an adjustment), a lot is named by its rule.
        let names = match names {
            Some(names) if !names.is_empty() => names,
            _ if c.rule.is_empty() => std::sync::Arc::new([]),
            _ => std::sync::Arc::new([c.rule.into()]),
        };
        let lot = Lot {
            id,
            points: c.points,
            remaining: c.points,
            earned_at: c.earned_at,
            available_at: c.available_at,
            expires_at,
            warn_at,
            kind: c.kind,
            rule: if c.rule.is_empty() { String::new() } else { c.rule.to_string() },
            source_event: c.source,
            rules: std::sync::Arc::clone(&names),
            expired: Points::ZERO,
            cancelled: Points::ZERO,
        };
        let pending = lot.is_pending(self.clock);
        self.schedule(&lot);
        self.lots.push(lot);
        self.live.push(id);
        let effect = Effect::PointsEarned {
            lot: id,
            points: c.points,
            rules: names,
            available_at: c.available_at,
            expires_at,
            pending,
        };
        (id, effect)
    }

    /// Takes note of a lot's coming activation, expiry or warning.
    fn schedule(&mut self, lot: &Lot) {
        if lot.is_pending(self.clock) {
            if !self.pending_lots.contains(&lot.id) {
                self.pending_lots.push(lot.id);
            }
        } else if let Some(b) = due_at(lot) {
            self.due = Some(self.due.map_or(b, |d| d.min(b)));
        }
    }

    /// Records a qualifying activity; under an inactivity policy every live lot's expiry moves
    /// to the new deadline if that is later.
    pub fn touch(&mut self, rules: Rules<'_>, at: DateTime<Utc>) {
        self.last_activity = Some(at);
        let policy = &rules.program.config().expiry;
        let Some(deadline) = policy.inactivity_deadline(at, rules.program.time_zone()) else {
            return;
        };
        for i in 0..self.live.len() {
            let id = self.live[i];
            let Some(lot) = self.lot_mut(id) else {
                continue;
            };
            // Activity only ever postpones expiry (a lot credited after an older deadline
            // keeps its own, later one).
            if lot.expires_at.is_some_and(|e| e < deadline) {
                lot.expires_at = Some(deadline);
                lot.warn_at = expiry::warn_at(rules.program, Some(deadline), lot.available_at);
            }
        }
        self.due = self.exact_due();
    }

    /// The earliest expiry or warning of a usable lot, computed exactly.
    fn exact_due(&self) -> Option<DateTime<Utc>> {
        let clock = self.clock;
        self.live_lots().filter(|l| !l.is_pending(clock)).filter_map(due_at).min()
    }

    /// The earliest instant something is due: an activation, an expiry or a warning.
    pub fn next_boundary(&self) -> Option<DateTime<Utc>> {
        let activation = self
            .pending_lots
            .iter()
            .filter_map(|id| self.lot(*id))
            .filter(|l| l.remaining.is_positive())
            .map(|l| l.available_at)
            .min();
        match (activation, self.due) {
            (Some(a), Some(d)) => Some(a.min(d)),
            (a, d) => a.or(d),
        }
    }

    /// Moves the clock to `b` and activates pending lots that become usable by then, repaying
    /// debt from them, and pushes what it did to `effects`. Pending lots are few; no other lot
    /// is looked at.
    pub fn activate(&mut self, b: DateTime<Utc>, effects: &mut Vec<Effect>) {
        let before = effects.len();
        self.clock = self.clock.max(b);
        // 1. Activation: pending lots are few; no other lot needs looking at.
        let (lots, first, due) = (&self.lots, self.first_lot, &mut self.due);
        self.pending_lots.retain(|&id| {
            let Some(lot) = index(first, id).and_then(|i| lots.get(i)) else { return false };
            if !lot.remaining.is_positive() {
                return false;
            }
            if lot.available_at > b {
                return true;
            }
            effects.push(Effect::PendingActivated { lot: id, points: lot.remaining, expires_at: lot.expires_at });
            if let Some(d) = due_at(lot) {
                *due = Some(due.map_or(d, |due| due.min(d)));
            }
            false
        });
        if effects.len() > before {
            if let Some(e) = self.repay_debt() {
                effects.push(e);
            }
        }
    }

    /// Expires lots and sends warnings due at `b` (the clock must be at `b`). Scans the usable
    /// lots only when one may be due.
    pub fn expire_and_warn(&mut self, rules: Rules<'_>, b: DateTime<Utc>) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.due.is_none_or(|d| d > b) {
            return effects;
        }
        // 2. Expiry and 3. warnings (one per expiry instant) in one pass over usable lots,
        // which also finds the next one due.
        let mut expired = Points::ZERO;
        let mut expired_lots = Vec::new();
        let mut warnings: Vec<(DateTime<Utc>, Points, Vec<LotId>)> = Vec::new();
        let mut next: Option<DateTime<Utc>> = None;
        let first = self.first_lot;
        for &id in &self.live {
            let Some(lot) = index(first, id).and_then(|i| self.lots.get_mut(i)) else { continue };
            if lot.available_at > b || !lot.remaining.is_positive() {
                continue;
            }
            if lot.is_expired(b) {
                expired += lot.remaining;
                lot.expired += lot.remaining;
                lot.remaining = Points::ZERO;
                lot.warn_at = None;
                expired_lots.push(id);
                continue;
            }
            if lot.warn_at.is_some_and(|w| w <= b) {
                lot.warn_at = None;
                if let Some(expires_at) = lot.expires_at {
                    match warnings.iter_mut().find(|w| w.0 == expires_at) {
                        Some(w) => {
                            w.1 += lot.remaining;
                            w.2.push(id);
                        }
                        None => warnings.push((expires_at, lot.remaining, vec![id])),
                    }
                }
            }
            if let Some(n) = due_at(lot) {
                next = Some(next.map_or(n, |m| m.min(n)));
            }
        }
        self.due = next;
        if !expired_lots.is_empty() {
            if matches!(rules.program.config().expiry, ExpiryPolicy::Inactivity { .. }) {
                self.inactivity_expired_at = Some(b);
            }
            effects.push(Effect::PointsExpired { points: expired, lots: expired_lots, at: b });
        }
        warnings.sort_by_key(|w| w.0);
        for (expires_at, points, lots) in warnings {
            effects.push(Effect::PointsExpiringSoon { points, lots, expires_at });
        }
        self.prune();
        effects
    }

    /// Drops lots with nothing left from the live list.
    pub fn prune(&mut self) {
        let (lots, first) = (&self.lots, self.first_lot);
        self.live.retain(|&id| index(first, id).and_then(|i| lots.get(i)).is_some_and(|l| l.remaining.is_positive()));
    }

    /// Uses available points to repay debt, in spend order.
    pub fn repay_debt(&mut self) -> Option<Effect> {
        if !self.debt.is_positive() {
            return None;
        }
        let draws = self.draw(self.debt);
        let paid: Points = draws.iter().map(|d| d.points).sum();
        if paid.is_zero() {
            return None;
        }
        self.debt -= paid;
        Some(Effect::DebtRepaid { points: paid, debt: self.debt, draws })
    }

    /// Adds debt.
    pub fn add_debt(&mut self, points: Points) {
        self.debt += points;
    }

    /// Cancels pending points of a lot; returns what was cancelled.
    pub fn cancel_pending(&mut self, id: LotId, points: Points) -> Points {
        let clock = self.clock;
        let Some(lot) = self.lot_mut(id) else {
            return Points::ZERO;
        };
        if !lot.is_pending(clock) {
            return Points::ZERO;
        }
        let n = points.min(lot.remaining);
        lot.remaining -= n;
        lot.cancelled += n;
        self.prune();
        n
    }

    /// Points of a lot still pending at the clock (zero once it is usable).
    pub fn pending_in(&self, id: LotId) -> Points {
        let clock = self.clock;
        self.lot(id).filter(|l| l.is_pending(clock)).map_or(Points::ZERO, |l| l.remaining)
    }

    /// Points of a lot usable at the clock.
    pub fn available_in(&self, id: LotId) -> Points {
        self.lot(id).map_or(Points::ZERO, |l| l.available(self.clock))
    }

    /// Points of a lot that expired.
    pub fn expired_in(&self, id: LotId) -> Points {
        self.lot(id).map_or(Points::ZERO, |l| l.expired)
    }

    /// Gives points back to a lot drawn at `drawn_at`, unless they have expired since: a
    /// lot past its expiry, or, under an inactivity policy, a balance that expired as a whole
    /// after the draw. Returns false (and changes nothing) when they have.
    pub fn give_back(&mut self, rules: Rules<'_>, id: LotId, points: Points, drawn_at: DateTime<Utc>) -> bool {
        let clock = self.clock;
        let policy = &rules.program.config().expiry;
        let inactivity = matches!(policy, ExpiryPolicy::Inactivity { .. });
        let deadline = self.last_activity.and_then(|a| policy.inactivity_deadline(a, rules.program.time_zone()));
        let swept_since = self.inactivity_expired_at.is_some_and(|s| s > drawn_at);
        let Some(lot) = self.lot_mut(id) else {
            return false;
        };
        let lapsed = deadline.is_some_and(|d| d <= clock);
        let expired = if inactivity { swept_since || lapsed } else { lot.is_expired(clock) };
        if expired {
            return false;
        }
        // The balance's deadline, when there is one (never none for want of an activity).
        if let (true, Some(deadline)) = (inactivity, deadline) {
            lot.expires_at = Some(deadline);
        }
        let was_dead = !lot.remaining.is_positive();
        lot.remaining += points;
        if was_dead {
            lot.warn_at = expiry::warn_at(rules.program, lot.expires_at, lot.available_at);
        }
        let lot = lot.clone();
        if was_dead {
            self.live.push(id);
            self.live.sort();
        }
        self.schedule(&lot);
        true
    }
}

/// Where lot `id` sits in a list that starts at `first`.
fn index(first: u32, id: LotId) -> Option<usize> {
    id.0.checked_sub(first).map(|i| i as usize)
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// When a usable lot next expires or is warned about.
fn due_at(lot: &Lot) -> Option<DateTime<Utc>> {
    if !lot.remaining.is_positive() {
        return None;
    }
    match (lot.expires_at, lot.warn_at) {
        (Some(e), Some(w)) => Some(e.min(w)),
        (e, w) => e.or(w),
    }
}

/// The points of some draws together.
pub(crate) fn total(draws: &[Draw]) -> Points {
    draws.iter().map(|d| d.points).sum()
}
