//! The points ledger: lots, the spend order, activation, expiry, warnings and debt.
//!
//! The ledger is the mechanism; it has no business rules of its own beyond the spend order.
//! The account decides what to credit or draw; the ledger does it.

mod consume;
mod lot;

pub use lot::{Lot, LotId, LotKind};

use crate::calendar;
use crate::effect::{Draw, Effect, Entry};
use crate::points::Points;
use crate::program::{ExpiryPolicy, Program};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The lots of one member, the debt, and the instant the ledger was last brought up to.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Ledger {
    /// Every lot ever credited; index = id.
    pub lots: Vec<Lot>,
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
    /// No boundary (activation, expiry, warning) falls before this: derived, a lower bound.
    #[serde(skip)]
    pub hint: Option<DateTime<Utc>>,
}

impl PartialEq for Ledger {
    fn eq(&self, other: &Ledger) -> bool {
        self.lots == other.lots
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

impl Rules<'_> {
    fn warn_at(
        &self,
        expires_at: Option<DateTime<Utc>>,
        available_at: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let days = self.program.config().expiring_soon_days;
        let expires_at = expires_at?;
        if days == 0 {
            return None;
        }
        let tz = self.program.time_zone();
        let warn = calendar::start_of_day(
            calendar::sub_days(calendar::local_date(expires_at, tz), days),
            tz,
        );
        Some(warn.max(available_at))
    }
}

/// A new credit.
pub(crate) struct Credit<'a> {
    pub points: Points,
    pub earned_at: DateTime<Utc>,
    pub available_at: DateTime<Utc>,
    /// Overrides the program's expiry (reinstated points).
    pub expires_at: Option<Option<DateTime<Utc>>>,
    pub kind: LotKind,
    pub event_id: &'a str,
    pub rule: &'a str,
}

impl Ledger {
    pub fn new(clock: DateTime<Utc>) -> Ledger {
        Ledger {
            lots: Vec::new(),
            debt: Points::ZERO,
            clock,
            last_activity: None,
            inactivity_expired_at: None,
            live: Vec::new(),
            hint: None,
        }
    }

    /// Rebuilds the derived fields after deserialization.
    pub fn rebuild(&mut self) {
        self.live = self
            .lots
            .iter()
            .filter(|l| l.remaining.is_positive())
            .map(|l| l.id)
            .collect();
        self.hint = self.exact_next_boundary();
    }

    pub fn lot(&self, id: LotId) -> Option<&Lot> {
        self.lots.get(id.0 as usize)
    }

    fn lot_mut(&mut self, id: LotId) -> Option<&mut Lot> {
        self.lots.get_mut(id.0 as usize)
    }

    fn live_lots(&self) -> impl Iterator<Item = &Lot> {
        self.live
            .iter()
            .filter_map(|id| self.lots.get(id.0 as usize))
    }

    /// Usable points at the ledger's clock.
    pub fn available(&self) -> Points {
        let t = self.clock;
        self.live_lots().map(|l| l.available(t)).sum()
    }

    /// Pending points at the ledger's clock.
    pub fn pending(&self) -> Points {
        let t = self.clock;
        self.live_lots()
            .filter(|l| l.is_pending(t))
            .map(|l| l.remaining)
            .sum()
    }

    /// Credits a new lot and returns its id and the effect.
    pub fn credit(
        &mut self,
        rules: Rules<'_>,
        c: Credit<'_>,
        mut names: Vec<String>,
    ) -> (LotId, Effect) {
        let id = LotId(self.lots.len() as u32);
        let tz = rules.program.time_zone();
        let policy = &rules.program.config().expiry;
        let expires_at = match c.expires_at {
            Some(explicit) => explicit,
            None => match policy {
                ExpiryPolicy::Inactivity { .. } => self
                    .last_activity
                    .and_then(|a| policy.inactivity_deadline(a, tz)),
                _ => policy.expires_at(c.available_at, tz),
            },
        };
        let warn_at = rules.warn_at(expires_at, c.available_at);
        let lot = Lot {
            id,
            points: c.points,
            remaining: c.points,
            earned_at: c.earned_at,
            available_at: c.available_at,
            expires_at,
            warn_at,
            kind: c.kind,
            event_id: c.event_id.to_string(),
            rule: c.rule.to_string(),
            expired: Points::ZERO,
            cancelled: Points::ZERO,
        };
        let pending = lot.is_pending(self.clock);
        self.lower_hint(&lot);
        self.lots.push(lot);
        self.live.push(id);
        if names.is_empty() {
            names.push(c.rule.to_string());
        }
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

    fn lower_hint(&mut self, lot: &Lot) {
        if let Some(b) = boundary(lot, self.clock) {
            self.hint = Some(self.hint.map_or(b, |h| h.min(b)));
        }
    }

    /// Records a qualifying activity; under an inactivity policy every live lot's expiry moves.
    pub fn touch(&mut self, rules: Rules<'_>, at: DateTime<Utc>) {
        self.last_activity = Some(at);
        let policy = &rules.program.config().expiry;
        let Some(deadline) = policy.inactivity_deadline(at, rules.program.time_zone()) else {
            return;
        };
        for i in 0..self.live.len() {
            let id = self.live[i];
            let Some(lot) = self.lots.get_mut(id.0 as usize) else {
                continue;
            };
            if lot.expires_at != Some(deadline) {
                lot.expires_at = Some(deadline);
                lot.warn_at = rules.warn_at(Some(deadline), lot.available_at);
            }
        }
        self.hint = self.exact_next_boundary();
    }

    /// The earliest activation, expiry or warning after the clock, computed exactly.
    fn exact_next_boundary(&self) -> Option<DateTime<Utc>> {
        self.live_lots()
            .filter_map(|l| boundary(l, self.clock))
            .min()
    }

    /// Brings the ledger to `t`: at each boundary instant in time order, activate pending
    /// lots (and repay debt from them), then expire lots, then warn. Returns one statement
    /// entry per instant that did something. An earlier `t` than the clock does nothing.
    pub fn advance(&mut self, rules: Rules<'_>, t: DateTime<Utc>) -> Vec<Entry> {
        let mut entries = Vec::new();
        loop {
            match self.hint {
                Some(h) if h <= t => {}
                _ => break,
            }
            let Some(b) = self.exact_next_boundary() else {
                self.hint = None;
                break;
            };
            if b > t {
                self.hint = Some(b);
                break;
            }
            let b = b.max(self.clock);
            let effects = self.process(rules, b);
            self.clock = b;
            if !effects.is_empty() {
                entries.push(Entry {
                    at: b,
                    event_id: None,
                    effects,
                });
            }
            self.hint = self.exact_next_boundary();
        }
        if t > self.clock {
            self.clock = t;
        }
        entries
    }

    fn process(&mut self, rules: Rules<'_>, b: DateTime<Utc>) -> Vec<Effect> {
        let mut effects = Vec::new();
        let before = self.clock;
        // 1. Activation.
        for id in self.live.clone() {
            let Some(lot) = self.lot(id) else { continue };
            if lot.available_at > before && lot.available_at <= b {
                effects.push(Effect::PendingActivated {
                    lot: id,
                    points: lot.remaining,
                    expires_at: lot.expires_at,
                });
            }
        }
        if !effects.is_empty() {
            self.clock = b;
            if let Some(e) = self.repay_debt() {
                effects.push(e);
            }
        }
        // 2. Expiry.
        let mut expired = Points::ZERO;
        let mut lots = Vec::new();
        for id in self.live.clone() {
            let Some(lot) = self.lot_mut(id) else {
                continue;
            };
            if lot.available_at <= b && lot.is_expired(b) && lot.remaining.is_positive() {
                expired += lot.remaining;
                lot.expired += lot.remaining;
                lot.remaining = Points::ZERO;
                lot.warn_at = None;
                lots.push(id);
            }
        }
        if !lots.is_empty() {
            if matches!(
                rules.program.config().expiry,
                ExpiryPolicy::Inactivity { .. }
            ) {
                self.inactivity_expired_at = Some(b);
            }
            effects.push(Effect::PointsExpired {
                points: expired,
                lots,
                at: b,
            });
        }
        // 3. Warnings, one per expiry instant.
        let mut warnings: Vec<(DateTime<Utc>, Points, Vec<LotId>)> = Vec::new();
        for id in self.live.clone() {
            let Some(lot) = self.lot_mut(id) else {
                continue;
            };
            let due = lot.warn_at.is_some_and(|w| w <= b) && lot.available_at <= b;
            if !due {
                continue;
            }
            lot.warn_at = None;
            let (Some(expires_at), true) = (lot.expires_at, lot.remaining.is_positive()) else {
                continue;
            };
            match warnings.iter_mut().find(|w| w.0 == expires_at) {
                Some(w) => {
                    w.1 += lot.remaining;
                    w.2.push(id);
                }
                None => warnings.push((expires_at, lot.remaining, vec![id])),
            }
        }
        warnings.sort_by_key(|w| w.0);
        for (expires_at, points, lots) in warnings {
            effects.push(Effect::PointsExpiringSoon {
                points,
                lots,
                expires_at,
            });
        }
        self.prune();
        effects
    }

    /// Drops lots with nothing left from the live list.
    pub fn prune(&mut self) {
        let lots = &self.lots;
        self.live.retain(|id| {
            lots.get(id.0 as usize)
                .is_some_and(|l| l.remaining.is_positive())
        });
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
        Some(Effect::DebtRepaid {
            points: paid,
            debt: self.debt,
            draws,
        })
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

    /// Takes up to `points` available points from one lot.
    pub fn take_from(&mut self, id: LotId, points: Points) -> Points {
        let clock = self.clock;
        let Some(lot) = self.lot_mut(id) else {
            return Points::ZERO;
        };
        let n = points.min(lot.available(clock));
        lot.remaining -= n;
        self.prune();
        n
    }

    /// Points of a lot that expired.
    pub fn expired_in(&self, id: LotId) -> Points {
        self.lot(id).map_or(Points::ZERO, |l| l.expired)
    }

    /// Gives points back to a lot drawn at `drawn_at`, unless they have expired since: a
    /// lot past its expiry, or, under an inactivity policy, a balance that expired as a whole
    /// after the draw. Returns false (and changes nothing) when they have.
    pub fn give_back(
        &mut self,
        rules: Rules<'_>,
        id: LotId,
        points: Points,
        drawn_at: DateTime<Utc>,
    ) -> bool {
        let clock = self.clock;
        let policy = &rules.program.config().expiry;
        let inactivity = matches!(policy, ExpiryPolicy::Inactivity { .. });
        let deadline = self
            .last_activity
            .and_then(|a| policy.inactivity_deadline(a, rules.program.time_zone()));
        let swept_since = self.inactivity_expired_at.is_some_and(|s| s > drawn_at);
        let Some(lot) = self.lots.get_mut(id.0 as usize) else {
            return false;
        };
        let expired = if inactivity {
            swept_since
        } else {
            lot.is_expired(clock)
        };
        if expired {
            return false;
        }
        if inactivity {
            lot.expires_at = deadline;
        }
        let was_dead = !lot.remaining.is_positive();
        lot.remaining += points;
        if was_dead {
            lot.warn_at = rules.warn_at(lot.expires_at, lot.available_at);
        }
        let lot = lot.clone();
        if was_dead {
            self.live.push(id);
            self.live.sort();
        }
        self.lower_hint(&lot);
        true
    }
}

/// The next instant after `clock` at which something happens to this lot.
fn boundary(lot: &Lot, clock: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if !lot.remaining.is_positive() {
        return None;
    }
    if lot.available_at > clock {
        return Some(lot.available_at);
    }
    match (lot.expires_at, lot.warn_at) {
        (Some(e), Some(w)) => Some(e.min(w)),
        (e, w) => e.or(w),
    }
}

/// Draw helper re-exported for the account.
pub(crate) fn total(draws: &[Draw]) -> Points {
    draws.iter().map(|d| d.points).sum()
}
