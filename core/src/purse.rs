//! The stored-value purse: each top-up's principal (paid) and bonus (given) funds, what a
//! payment takes from them, what a return gives back, bonus expiry, cashing out, and the
//! liability the funds stand for. Every stored-value rule is here or in the program's
//! section ([`crate::program::StoredValue`]); the account applies the plans this module
//! makes and decides nothing.
//!
//! Amounts are exact decimals at the currency's minor unit. Money is conserved: for every
//! purse, principal and bonus loaded = spent + refunded in cash-outs + forfeited (expired
//! or cashed-out bonus, principal retained on a face-value cash-out) + outstanding, to the
//! cent (a property test checks it over random streams).

use crate::program::{CashOutMode, SpendPolicy, StoredValue};
use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Principal (money paid in) or bonus (money given with a top-up).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Fund {
    /// Paid by the member: refundable, never expires.
    Principal,
    /// Given with a top-up: never paid out, may expire.
    Bonus,
}

/// Funds taken from (or given back to) one top-up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FundDraw {
    /// The top-up (its event id).
    pub topup_id: Arc<str>,
    /// Which of its funds.
    pub fund: Fund,
    /// How much.
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub amount: Decimal,
}

/// One top-up: its principal and bonus, what is left of each, and what became of the rest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct Grant {
    pub id: Arc<str>,
    pub at: DateTime<Utc>,
    pub paid: Decimal,
    pub bonus: Decimal,
    pub principal_left: Decimal,
    pub bonus_left: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bonus_expires_at: Option<DateTime<Utc>>,
    /// Net of returns: spent by payments, less what returns gave back.
    #[serde(default)]
    pub spent: Decimal,
    /// Bonus that expired, or came back from a return after it had expired.
    #[serde(default)]
    pub bonus_expired: Decimal,
    /// Paid back to the member by cash-outs.
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    pub refunded: Decimal,
    /// Left with the business by cash-outs (principal retained, bonus forfeited).
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    pub retained: Decimal,
    /// Whether the bonus's expiry was announced.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub warned: bool,
}

impl Grant {
    fn left(&self) -> Decimal {
        self.principal_left + self.bonus_left
    }

    /// The liability what is left stands for, at the top-up's discount: each unit spent cost
    /// the member paid / (paid + bonus), so `paid - refunded - spent x paid / (paid + bonus)`
    /// of the principal is still owed (IFRS 15: a bonus is a discount on what the money
    /// buys), never more than what is left nor less than zero.
    fn blended(&self, minor_units: u32) -> Decimal {
        let loaded = self.paid + self.bonus;
        if loaded.is_zero() {
            return Decimal::ZERO;
        }
        let owed = self.paid - self.refunded - round(self.spent * self.paid / loaded, minor_units);
        owed.max(Decimal::ZERO).min(self.left())
    }
}

/// What one order paid from the purse, and what its returns gave back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct Spend {
    /// The order's full amount (stored value is part of it).
    pub order_amount: Decimal,
    pub amount: Decimal,
    pub draws: Vec<(u32, Fund, Decimal)>,
    /// Given back so far, draw by draw.
    pub refilled: Vec<Decimal>,
}

/// A member's stored value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct Purse {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub spends: BTreeMap<String, Spend>,
    /// Paid out in cash-outs, and left behind by them (principal retained, bonus forfeited).
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    pub refunded: Decimal,
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    pub retained: Decimal,
}

/// A purse's funds as of an instant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StoredValueBalance {
    /// Principal left (paid in, not yet spent or refunded).
    pub principal: Decimal,
    /// Bonus left and not expired.
    pub bonus: Decimal,
    /// What the member can spend: principal plus bonus.
    pub available: Decimal,
    /// The liability at each top-up's discount (see [`crate::program::CashOutMode::Proportional`]):
    /// the revenue still to be recognized as the funds are spent.
    pub liability: Decimal,
}

/// Stored-value money by what happened to it, summed from effects: what a business reports
/// as its prepaid float, and a check that nothing appears or vanishes (`held` equals what
/// the members can spend).
///
/// ```
/// use loyalty::{Effect, StoredValueTotals};
/// let mut t = StoredValueTotals::default();
/// t.record(&Effect::StoredValueLoaded { topup_id: "t1".into(), paid: 1000.into(), bonus: 100.into(),
///     bonus_expires_at: None, payment_ref: None, available: 1100.into() });
/// t.record(&Effect::StoredValueSpent { order_id: "o1".into(), amount: 550.into(), principal: 500.into(),
///     bonus: 50.into(), draws: vec![] });
/// assert_eq!(t.held(), 550.into());
/// let mut all = StoredValueTotals::default();
/// all.merge(&t);
/// all.merge(&t);
/// assert_eq!(all.held(), 1100.into());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredValueTotals {
    /// Principal paid in by top-ups.
    pub paid: Decimal,
    /// Bonus given with them.
    pub bonus_given: Decimal,
    /// Spent on orders (principal and bonus).
    pub spent: Decimal,
    /// Given back by returns (principal and bonus that had not expired).
    pub refilled: Decimal,
    /// Bonus that expired, or came back after it had.
    pub expired: Decimal,
    /// Owed to members who cashed out.
    pub refund_due: Decimal,
    /// Left with the business by cash-outs: principal retained and bonus forfeited.
    pub retained: Decimal,
}

impl StoredValueTotals {
    /// Adds one effect (effects that are not about stored value change nothing).
    pub fn record(&mut self, effect: &crate::Effect) {
        use crate::Effect;
        match effect {
            Effect::StoredValueLoaded { paid, bonus, .. } => {
                self.paid += *paid;
                self.bonus_given += *bonus;
            }
            Effect::StoredValueSpent { amount, .. } => self.spent += *amount,
            Effect::StoredValueRefilled { principal, bonus, forfeited, .. } => {
                self.refilled += *principal + *bonus;
                self.expired += *forfeited;
                // The forfeited part came back from the order too, and left at once.
                self.spent -= *forfeited;
            }
            Effect::StoredValueBonusExpired { amount, .. } => self.expired += *amount,
            Effect::StoredValueRefundDue { amount, principal_retained, bonus_forfeited, .. } => {
                self.refund_due += *amount;
                self.retained += *principal_retained + *bonus_forfeited;
            }
            _ => {}
        }
    }

    /// Adds another member's (or partition's) totals: the float across members.
    pub fn merge(&mut self, other: &StoredValueTotals) {
        self.paid += other.paid;
        self.bonus_given += other.bonus_given;
        self.spent += other.spent;
        self.refilled += other.refilled;
        self.expired += other.expired;
        self.refund_due += other.refund_due;
        self.retained += other.retained;
    }

    /// What members still hold: loaded, less spent net of returns, expired and cashed out.
    pub fn held(&self) -> Decimal {
        self.paid + self.bonus_given - self.spent + self.refilled - self.expired - self.refund_due - self.retained
    }
}

/// A planned payment: the draws from each grant and the principal and bonus they add up to.
#[derive(Debug, PartialEq)]
pub(crate) struct Payment {
    pub principal: Decimal,
    pub bonus: Decimal,
    pub draws: Vec<(u32, Fund, Decimal)>,
}

/// A planned cash-out.
#[derive(Debug, PartialEq)]
pub(crate) struct CashOut {
    /// Paid for each grant.
    pub refunds: Vec<Decimal>,
    pub refund: Decimal,
    pub principal_retained: Decimal,
    pub bonus_forfeited: Decimal,
}

/// `x` at the currency's minor unit, half to even.
fn round(x: Decimal, minor_units: u32) -> Decimal {
    x.round_dp_with_strategy(minor_units, RoundingStrategy::MidpointNearestEven)
}

impl Purse {
    /// True when the purse never held anything.
    pub(crate) fn is_empty(&self) -> bool {
        self.grants.is_empty() && self.spends.is_empty() && self.refunded.is_zero() && self.retained.is_zero()
    }

    /// Principal left.
    pub(crate) fn principal(&self) -> Decimal {
        self.grants.iter().map(|g| g.principal_left).sum()
    }

    /// Bonus left (expiries up to the clock applied).
    pub(crate) fn bonus(&self) -> Decimal {
        self.grants.iter().map(|g| g.bonus_left).sum()
    }

    /// The balance as of `as_of` (bonus expiring by then left out), without changing the purse.
    pub(crate) fn balance(&self, minor_units: u32, as_of: DateTime<Utc>) -> StoredValueBalance {
        let mut b = StoredValueBalance::default();
        for g in &self.grants {
            let mut g = g.clone();
            if g.bonus_expires_at.is_some_and(|e| e <= as_of) {
                g.bonus_expired += g.bonus_left;
                g.bonus_left = Decimal::ZERO;
            }
            b.principal += g.principal_left;
            b.bonus += g.bonus_left;
            b.liability += g.blended(minor_units);
        }
        b.available = b.principal + b.bonus;
        b
    }

    /// A top-up of `paid` with `bonus`, as grant `id` at `at`.
    pub(crate) fn load(
        &mut self,
        id: Arc<str>,
        at: DateTime<Utc>,
        paid: Decimal,
        bonus: Decimal,
        bonus_expires_at: Option<DateTime<Utc>>,
    ) {
        self.grants.push(Grant {
            id,
            at,
            paid,
            bonus,
            principal_left: paid,
            bonus_left: bonus,
            bonus_expires_at: bonus_expires_at.filter(|_| !bonus.is_zero()),
            spent: Decimal::ZERO,
            bonus_expired: Decimal::ZERO,
            refunded: Decimal::ZERO,
            retained: Decimal::ZERO,
            warned: false,
        });
    }

    /// How a payment of `amount` splits between principal and bonus under `policy`, and the
    /// draws that make it up: principal oldest top-up first; bonus soonest-expiring first
    /// (never-expiring last), then oldest. `None` when the purse holds less than `amount`.
    pub(crate) fn plan_payment(&self, policy: SpendPolicy, amount: Decimal, minor_units: u32) -> Option<Payment> {
        let (principal, bonus) = (self.principal(), self.bonus());
        if amount > principal + bonus {
            return None;
        }
        let from_principal = match policy {
            SpendPolicy::PrincipalFirst => amount.min(principal),
            SpendPolicy::BonusFirst => amount - amount.min(bonus),
            SpendPolicy::Proportional if (principal + bonus).is_zero() => Decimal::ZERO,
            // The rounded share, kept within what each fund holds (a rounding at the edge
            // could ask a cent more of one than it has).
            SpendPolicy::Proportional => {
                round(amount * principal / (principal + bonus), minor_units).min(principal).max(amount - bonus)
            }
        };
        let from_bonus = amount - from_principal;
        let mut draws = Vec::new();
        let mut take = |fund: Fund, mut need: Decimal, order: Vec<usize>| {
            for i in order {
                if need.is_zero() {
                    break;
                }
                let g = &self.grants[i];
                let have = if fund == Fund::Principal { g.principal_left } else { g.bonus_left };
                let t = have.min(need);
                if !t.is_zero() {
                    draws.push((i as u32, fund, t));
                    need -= t;
                }
            }
        };
        take(Fund::Principal, from_principal, (0..self.grants.len()).collect());
        let mut by_expiry: Vec<usize> = (0..self.grants.len()).collect();
        by_expiry.sort_by_key(|&i| (self.grants[i].bonus_expires_at.is_none(), self.grants[i].bonus_expires_at, i));
        take(Fund::Bonus, from_bonus, by_expiry);
        Some(Payment { principal: from_principal, bonus: from_bonus, draws })
    }

    /// Carries out a planned payment for `order_id`.
    pub(crate) fn pay(&mut self, order_id: &str, order_amount: Decimal, amount: Decimal, payment: &Payment) {
        for &(i, fund, t) in &payment.draws {
            let g = &mut self.grants[i as usize];
            match fund {
                Fund::Principal => g.principal_left -= t,
                Fund::Bonus => g.bonus_left -= t,
            }
            g.spent += t;
        }
        let refilled = vec![Decimal::ZERO; payment.draws.len()];
        self.spends
            .insert(order_id.to_string(), Spend { order_amount, amount, draws: payment.draws.clone(), refilled });
    }

    /// What a refund of an order gives back to the purse, draw by draw, when the order has
    /// now been refunded `refunded_total` of its amount: the stored value's share of the
    /// refund (stored value / order amount, cumulative so a full refund gives back exactly
    /// what was paid), spread over the draws in proportion to what each took, each draw's
    /// share rounded half to even and the rounding put right on the draws with room.
    pub(crate) fn plan_refill(&self, order_id: &str, refunded_total: Decimal, minor_units: u32) -> Vec<Decimal> {
        let Some(spend) = self.spends.get(order_id) else { return Vec::new() };
        if spend.order_amount.is_zero() {
            return vec![Decimal::ZERO; spend.draws.len()];
        }
        let share = refunded_total.min(spend.order_amount);
        let target = if share == spend.order_amount {
            spend.amount
        } else {
            round(share * spend.amount / spend.order_amount, minor_units)
        };
        let given: Decimal = spend.refilled.iter().sum();
        let now = (target - given).max(Decimal::ZERO);
        let room: Vec<Decimal> = spend.draws.iter().zip(&spend.refilled).map(|(d, r)| d.2 - r).collect();
        let mut out: Vec<Decimal> = spend
            .draws
            .iter()
            .zip(&spend.refilled)
            .zip(&room)
            .map(|((d, r), room)| {
                let want = if target == spend.amount { d.2 } else { round(target * d.2 / spend.amount, minor_units) };
                (want - r).max(Decimal::ZERO).min(*room)
            })
            .collect();
        // Put the rounding right: take the excess from the last draws, add the shortfall to
        // the first with room.
        let mut diff = now - out.iter().sum::<Decimal>();
        for o in out.iter_mut().rev() {
            if diff < Decimal::ZERO {
                let cut = (*o).min(-diff);
                *o -= cut;
                diff += cut;
            }
        }
        for (o, room) in out.iter_mut().zip(&room) {
            if diff > Decimal::ZERO {
                let add = (*room - *o).min(diff);
                *o += add;
                diff -= add;
            }
        }
        out
    }

    /// Gives back `refill` (from [`Purse::plan_refill`]) at `at`: principal to its grant,
    /// bonus to its grant with its original expiry, or forfeited when that has passed.
    /// Returns (principal, bonus, forfeited).
    pub(crate) fn refill(
        &mut self,
        order_id: &str,
        refill: &[Decimal],
        at: DateTime<Utc>,
    ) -> (Decimal, Decimal, Decimal) {
        let Some(spend) = self.spends.get_mut(order_id) else { return Default::default() };
        let mut out = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
        for ((draw, given), r) in spend.draws.iter().zip(spend.refilled.iter_mut()).zip(refill) {
            if r.is_zero() {
                continue;
            }
            *given += *r;
            let g = &mut self.grants[draw.0 as usize];
            g.spent -= *r;
            match draw.1 {
                Fund::Principal => {
                    g.principal_left += *r;
                    out.0 += *r;
                }
                Fund::Bonus if g.bonus_expires_at.is_some_and(|e| e <= at) => {
                    g.bonus_expired += *r;
                    out.2 += *r;
                }
                Fund::Bonus => {
                    g.bonus_left += *r;
                    out.1 += *r;
                }
            }
        }
        out
    }

    /// The next instant the purse has something to do after `clock`: a bonus expiry or its
    /// warning.
    pub(crate) fn next_boundary(&self, sv: Option<&StoredValue>, program: &crate::Program) -> Option<DateTime<Utc>> {
        let sv = sv?;
        self.grants
            .iter()
            .filter(|g| !g.bonus_left.is_zero())
            .filter_map(|g| {
                let expiry = g.bonus_expires_at?;
                let warn = (!g.warned).then(|| sv.bonus_warn_at(program, expiry)).flatten().filter(|w| *w < expiry);
                Some(warn.map_or(expiry, |w| w.min(expiry)))
            })
            .min()
    }

    /// Expires the bonus due by `at` and announces the bonus whose warning is due.
    pub(crate) fn expire_and_warn(
        &mut self,
        sv: Option<&StoredValue>,
        program: &crate::Program,
        at: DateTime<Utc>,
        effects: &mut Vec<crate::Effect>,
    ) {
        let Some(sv) = sv else { return };
        for g in &mut self.grants {
            let Some(expiry) = g.bonus_expires_at else { continue };
            if g.bonus_left.is_zero() {
                continue;
            }
            if expiry <= at {
                effects.push(crate::Effect::StoredValueBonusExpired {
                    topup_id: Arc::clone(&g.id),
                    amount: g.bonus_left,
                    at: expiry,
                });
                g.bonus_expired += g.bonus_left;
                g.bonus_left = Decimal::ZERO;
            } else if !g.warned && sv.bonus_warn_at(program, expiry).is_some_and(|w| w <= at) {
                g.warned = true;
                effects.push(crate::Effect::StoredValueBonusExpiring {
                    topup_id: Arc::clone(&g.id),
                    amount: g.bonus_left,
                    expires_at: expiry,
                });
            }
        }
    }

    /// What a cash-out pays under `mode`, top-up by top-up. At face value, what was
    /// consumed is valued at face across the whole purse: principal paid in (less earlier
    /// cash-outs) less everything spent, at most what is left (before any cash-out, at most
    /// the principal left), spread over the top-ups oldest first, each at most what it was
    /// paid less what it already paid back. Proportionally, each top-up's liability at its
    /// own discount. Either way a return after a cash-out cannot be cashed out twice, and no
    /// top-up pays back more than was paid into it.
    pub(crate) fn plan_cash_out(&self, mode: CashOutMode, minor_units: u32) -> CashOut {
        let refunds: Vec<Decimal> = match mode {
            CashOutMode::FaceValue => {
                let paid: Decimal = self.grants.iter().map(|g| g.paid - g.refunded).sum();
                let spent: Decimal = self.grants.iter().map(|g| g.spent).sum();
                let held: Decimal = self.grants.iter().map(Grant::left).sum();
                let mut due = (paid - spent).max(Decimal::ZERO).min(held);
                self.grants
                    .iter()
                    .map(|g| {
                        let r = due.min(g.paid - g.refunded).min(g.left()).max(Decimal::ZERO);
                        due -= r;
                        r
                    })
                    .collect()
            }
            CashOutMode::Proportional => self.grants.iter().map(|g| g.blended(minor_units)).collect(),
        };
        let refund: Decimal = refunds.iter().sum();
        let kept = self.principal() + self.bonus() - refund;
        let bonus_forfeited = self.bonus().min(kept);
        CashOut { refunds, refund, principal_retained: kept - bonus_forfeited, bonus_forfeited }
    }

    /// Empties the purse for a cash-out.
    pub(crate) fn cash_out(&mut self, plan: &CashOut) {
        for (g, r) in self.grants.iter_mut().zip(&plan.refunds) {
            g.retained += g.left() - *r;
            g.principal_left = Decimal::ZERO;
            g.bonus_left = Decimal::ZERO;
            g.refunded += *r;
        }
        self.refunded += plan.refund;
        self.retained += plan.principal_retained + plan.bonus_forfeited;
    }

    /// Checks the purse's own arithmetic (for loading snapshots): every figure from zero to
    /// the most a purse can hold, each top-up's money accounted for (paid + bonus = left +
    /// spent + expired + paid back + retained), each card payment's draws adding up to it
    /// and within what their top-ups gave, and the purse's totals the top-ups' sums. Together
    /// these bound every product later arithmetic forms far below `Decimal`'s range.
    pub(crate) fn verify(&self, instant_ok: impl Fn(DateTime<Utc>) -> bool) -> Result<(), (String, String)> {
        use crate::program::stored_value::MAX_AMOUNT;
        let fail = |field: String, reason: &str| Err((field, reason.to_string()));
        let in_range = |x: Decimal| !x.is_sign_negative() || x.is_zero();
        for (i, g) in self.grants.iter().enumerate() {
            let field = format!("purse.grants[{i}]");
            let figures =
                [g.paid, g.bonus, g.principal_left, g.bonus_left, g.spent, g.bonus_expired, g.refunded, g.retained];
            if !figures.iter().all(|f| in_range(*f) && *f <= MAX_AMOUNT) {
                return fail(field, "has a figure below zero or above 100000000");
            }
            if g.paid + g.bonus != g.principal_left + g.bonus_left + g.spent + g.bonus_expired + g.refunded + g.retained
                || g.principal_left > g.paid
                || g.bonus_left > g.bonus
                || g.refunded > g.paid
            {
                return fail(
                    field,
                    "does not add up: paid + bonus must be left + spent + expired + paid back + retained",
                );
            }
            if !instant_ok(g.at) || g.bonus_expires_at.is_some_and(|e| !instant_ok(e) || e < g.at) {
                return fail(field, "has an instant outside 1970 to 8999, or a bonus expiring before its top-up");
            }
        }
        for (order, s) in &self.spends {
            let field = format!("purse.spends.{order}");
            let drawn: Decimal = s.draws.iter().map(|d| d.2).sum();
            let bad_draw = s.draws.iter().zip(&s.refilled).any(|(d, r)| {
                let Some(g) = self.grants.get(d.0 as usize) else { return true };
                let gave = if d.1 == Fund::Principal { g.paid } else { g.bonus };
                !in_range(d.2) || d.2 > gave || !in_range(*r) || *r > d.2
            });
            if s.draws.len() != s.refilled.len()
                || bad_draw
                || drawn != s.amount
                || !in_range(s.amount)
                || s.amount > s.order_amount
                || s.order_amount > crate::MAX_AMOUNT
            {
                return fail(field, "has draws that do not match the payment or its top-ups");
            }
        }
        let refunded: Decimal = self.grants.iter().map(|g| g.refunded).sum();
        let retained: Decimal = self.grants.iter().map(|g| g.retained).sum();
        if refunded != self.refunded || retained != self.retained {
            return fail("purse".into(), "totals that are not the sums of the top-ups'");
        }
        Ok(())
    }

    /// Money in, money out: (loaded, spent, refunded, forfeited, outstanding). loaded always
    /// equals the sum of the other four.
    #[cfg(test)]
    pub(crate) fn totals(&self) -> (Decimal, Decimal, Decimal, Decimal, Decimal) {
        let loaded = self.grants.iter().map(|g| g.paid + g.bonus).sum();
        let spent = self.grants.iter().map(|g| g.spent).sum();
        let expired: Decimal = self.grants.iter().map(|g| g.bonus_expired).sum();
        let outstanding = self.grants.iter().map(Grant::left).sum();
        (loaded, spent, self.refunded, expired + self.retained, outstanding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn t(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, day, 4, 0, 0).unwrap()
    }

    fn loaded() -> Purse {
        let mut p = Purse::default();
        p.load("t1".into(), t(1), d("1000"), d("100"), Some(t(30)));
        p
    }

    #[test]
    fn a_proportional_payment_splits_exactly_to_the_cent() {
        // wallet.md 4.2: 550 of 1000 P + 100 B is 500 P + 50 B; 333.33 is
        // round(333.33 x 1000 / 1100) = round(303.027...) = 303.03 P and 30.30 B.
        let p = loaded();
        let pay = p.plan_payment(SpendPolicy::Proportional, d("550"), 2).unwrap();
        assert_eq!((pay.principal, pay.bonus), (d("500"), d("50")));
        let pay = p.plan_payment(SpendPolicy::Proportional, d("333.33"), 2).unwrap();
        assert_eq!((pay.principal, pay.bonus), (d("303.03"), d("30.30")));
        let first = p.plan_payment(SpendPolicy::PrincipalFirst, d("1050"), 2).unwrap();
        assert_eq!((first.principal, first.bonus), (d("1000"), d("50")));
        let bonus = p.plan_payment(SpendPolicy::BonusFirst, d("150"), 2).unwrap();
        assert_eq!((bonus.principal, bonus.bonus), (d("50"), d("100")));
        assert_eq!(p.plan_payment(SpendPolicy::Proportional, d("1100.01"), 2), None);
    }

    #[test]
    fn cashing_out_after_a_payment_in_both_modes() {
        // wallet.md 4.3: after 550 (500 P + 50 B), at face value 1000 - 550 = 450 is paid,
        // 50 P retained and 50 B forfeited; proportionally 1000 - 550 x 1000/1100 = 500.
        let mut p = loaded();
        let pay = p.plan_payment(SpendPolicy::Proportional, d("550"), 2).unwrap();
        p.pay("o1", d("550"), d("550"), &pay);
        let face = p.plan_cash_out(CashOutMode::FaceValue, 2);
        assert_eq!((face.refund, face.principal_retained, face.bonus_forfeited), (d("450"), d("50"), d("50")));
        let prop = p.plan_cash_out(CashOutMode::Proportional, 2);
        assert_eq!((prop.refund, prop.principal_retained, prop.bonus_forfeited), (d("500"), d("0"), d("50")));
        p.cash_out(&prop);
        assert_eq!(p.totals(), (d("1100"), d("550"), d("500"), d("50"), d("0")));
    }

    #[test]
    fn a_face_value_cash_out_counts_consumption_across_top_ups() {
        // Two top-ups of 1000 + 100; 1100 paid proportionally takes all of the first (principal
        // oldest first, bonus of equal expiry oldest first). At face value 2000 - 1100 = 900 is
        // due, all from the second top-up: the first's bonus is not paid out as cash.
        let mut p = loaded();
        p.load("t2".into(), t(1), d("1000"), d("100"), Some(t(30)));
        let pay = p.plan_payment(SpendPolicy::Proportional, d("1100"), 2).unwrap();
        assert_eq!(pay.draws, [(0, Fund::Principal, d("1000")), (0, Fund::Bonus, d("100"))]);
        p.pay("o1", d("1100"), d("1100"), &pay);
        let face = p.plan_cash_out(CashOutMode::FaceValue, 2);
        assert_eq!(
            (face.refunds.clone(), face.refund, face.bonus_forfeited),
            (vec![d("0"), d("900")], d("900"), d("100"))
        );
        p.cash_out(&face);
        assert_eq!(p.verify(|_| true), Ok(()));
        assert_eq!(p.totals(), (d("2200"), d("1100"), d("900"), d("200"), d("0")));
    }

    #[test]
    fn a_snapshot_whose_figures_do_not_add_up_is_refused() {
        let mut p = loaded();
        assert_eq!(p.verify(|_| true), Ok(()));
        p.grants[0].spent = Decimal::MAX;
        assert!(p.verify(|_| true).is_err());
        let mut p = loaded();
        p.grants[0].principal_left = d("999");
        assert_eq!(p.verify(|_| true).map_err(|e| e.0), Err("purse.grants[0]".to_string()));
        let mut p = loaded();
        let pay = p.plan_payment(SpendPolicy::Proportional, d("550"), 2).unwrap();
        p.pay("o1", d("550"), d("550"), &pay);
        p.spends.get_mut("o1").unwrap().amount = d("551");
        assert_eq!(p.verify(|_| true).map_err(|e| e.0), Err("purse.spends.o1".to_string()));
        let p = loaded();
        assert!(p.verify(|t| t.timestamp() < 0).is_err());
    }

    #[test]
    fn the_blended_liability_does_not_depend_on_the_spend_order() {
        // wallet.md 4.18: principal-first leaves 450 P + 100 B, yet the liability is 500.
        let mut p = loaded();
        let pay = p.plan_payment(SpendPolicy::PrincipalFirst, d("550"), 2).unwrap();
        p.pay("o1", d("550"), d("550"), &pay);
        let b = p.balance(2, t(2));
        assert_eq!((b.principal, b.bonus, b.liability), (d("450"), d("100"), d("500")));
    }

    #[test]
    fn a_return_refills_the_original_funds_and_expired_bonus_is_forfeited() {
        // wallet.md 4.4: 220 of a 550 order paid 500 P + 50 B comes back as 200 P + 20 B; if
        // the bonus had expired, 200 P and 20 forfeited.
        let mut p = loaded();
        let pay = p.plan_payment(SpendPolicy::Proportional, d("550"), 2).unwrap();
        p.pay("o1", d("550"), d("550"), &pay);
        let refill = p.plan_refill("o1", d("220"), 2);
        assert_eq!(refill, [d("200"), d("20")]);
        let mut late = p.clone();
        assert_eq!(p.refill("o1", &refill, t(2)), (d("200"), d("20"), d("0")));
        assert_eq!(late.refill("o1", &refill, t(30)), (d("200"), d("0"), d("20")));
        // The rest of the order later: exactly what was paid comes back in all.
        let rest = p.plan_refill("o1", d("550"), 2);
        assert_eq!(rest, [d("300"), d("30")]);
        p.refill("o1", &rest, t(3));
        assert_eq!((p.principal(), p.bonus()), (d("1000"), d("100")));
    }
}
