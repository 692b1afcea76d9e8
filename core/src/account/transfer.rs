//! Points moving between accounts: transfers between members, and merging two accounts of
//! one person.

use super::{catch_up, decide, Account, AccountError, Key, Outcome};
use crate::effect::{Effect, Entry};
use crate::event::{Event, EventKind, ReceivedLot};
use crate::ledger::{LotId, Rules};
use crate::points::Points;
use crate::program::Program;
use crate::tier::{Ctx, TierState};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// What a transfer did to each side.
#[derive(Clone, Debug, PartialEq)]
pub struct Transfer {
    /// The sender's outcome.
    pub sent: Outcome,
    /// The receiver's outcome.
    pub received: Outcome,
}

/// Moves `points` usable points from one member to another, atomically: either both accounts
/// change or neither does. The sender's lots are drawn in spend order; the receiver gets one
/// lot per lot drawn, with its original earning date and (unless the program's
/// `transfers.reset_expiry` is set) its original expiry. Both statements record it, and `id`
/// makes it idempotent on both sides. Transfers count toward no one's tier.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use loyalty::{transfer, Account, Event, EventKind, Program};
/// let program = Program::from_json(r#"{"name": "Family", "version": 1, "currency": "USD",
///     "time_zone": "UTC", "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
///     "redemption": {"point_value": "0.01"}}"#).unwrap();
/// let t = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
/// let (mut mum, mut kid) = (Account::new("mum"), Account::new("kid"));
/// mum.apply(&program, &Event::new("o1", t, EventKind::OrderPlaced {
///     order_id: "o1".into(), amount: "80".parse().unwrap(), channel: None, lines: vec![] })).unwrap();
/// transfer(&program, &mut mum, &mut kid, "tr-1", t, 30).unwrap();
/// assert_eq!(mum.balances(&program, t).unwrap().available.get(), 50);
/// assert_eq!(kid.balances(&program, t).unwrap().available.get(), 30);
/// // The same transfer again changes nothing.
/// assert!(transfer(&program, &mut mum, &mut kid, "tr-1", t, 30).unwrap().sent.duplicate);
/// ```
///
/// # Errors
/// The sender's or the receiver's [`AccountError`] (the sender's first); neither account
/// changes.
pub fn transfer(
    program: &Program,
    from: &mut Account,
    to: &mut Account,
    id: &str,
    at: DateTime<Utc>,
    points: i64,
) -> Result<Transfer, AccountError> {
    let sent = Event::new(id, at, EventKind::PointsSent { to_member_id: to.member_id.clone(), points });
    if from.keys.contains_key(id) || to.keys.contains_key(id) {
        // A replay: both sides must know it, with the same sending payload.
        let (Some(key), Some(_)) = (from.keys.get(id), to.keys.get(id)) else {
            return Err(AccountError::IdConflict { event_id: id.to_string() });
        };
        if key.fingerprint != sent.fingerprint() {
            return Err(AccountError::IdConflict { event_id: id.to_string() });
        }
        let (Some(s), Some(r)) = (from.outcome_of(id), to.outcome_of(id)) else {
            return Err(AccountError::IdConflict { event_id: id.to_string() });
        };
        return Ok(Transfer { sent: s, received: r });
    }
    decide::decide(from, program, &sent)?;
    // Which lots will move: the sender as it will be at `at`, drawn in spend order.
    let (mut ledger, _) = from.project(program, at);
    let draws = ledger.draw(Points::new(points));
    let lots: Vec<ReceivedLot> = draws
        .iter()
        .filter_map(|d| {
            ledger.lot(d.lot).map(|l| ReceivedLot {
                points: d.points.get(),
                earned_at: l.earned_at,
                expires_at: l.expires_at,
            })
        })
        .collect();
    let received = Event::new(id, at, EventKind::PointsReceived { from_member_id: from.member_id.clone(), lots });
    decide::decide(to, program, &received)?;
    // Both sides decided: neither can fail now.
    let sent = from.apply_any(program, &sent)?;
    let received = to.apply_any(program, &received)?;
    Ok(Transfer { sent, received })
}

impl Account {
    /// The outcome of an applied event, as a replay would return it.
    pub(crate) fn outcome_of(&self, id: &str) -> Option<Outcome> {
        let key = self.keys.get(id)?;
        let effects = self.statement.get(key.entry as usize).map(|e| e.effects.to_vec()).unwrap_or_default();
        Some(Outcome { effects, duplicate: true, revision: self.revision })
    }

    /// Merges `other`, another account of the same person (the same phone under two ids),
    /// into a copy of this one, at `at`. Both are first brought to the later of their two
    /// clocks, each on its own (what expired there stays expired), then together to `at`. The
    /// result keeps this
    /// account's member id and takes every lot of both with its original dates, the higher
    /// tier with its expiry, the union of qualifying history, both statements in time order
    /// and both sets of idempotency keys; debts are netted against the combined balance.
    /// Neither input changes.
    ///
    /// Where both members' events could have been applied to one account (no order id or
    /// event id in both, no once-only bonus claimed twice, no daily or per-period earning cap
    /// reached), the result has the balances and lots that replaying them into one account
    /// gives. Caps count per account: what each earned under its own caps is kept, never
    /// clawed back by the merge.
    ///
    /// # Errors
    /// [`AccountError::AsOfBeforeClock`] if `at` is before either clock;
    /// [`AccountError::IdConflict`] if an event id (or `id`) is in both accounts;
    /// [`AccountError::DuplicateOrder`] if an order id is in both.
    pub fn merge(
        &self,
        program: &Program,
        other: &Account,
        id: &str,
        at: DateTime<Utc>,
    ) -> Result<(Account, Outcome), AccountError> {
        for clock in [self.ledger.clock, other.ledger.clock] {
            if at < clock {
                return Err(AccountError::AsOfBeforeClock { as_of: at, clock });
            }
        }
        if let Some(dup) = other.keys.keys().find(|k| self.keys.contains_key(*k)) {
            return Err(AccountError::IdConflict { event_id: dup.to_string() });
        }
        if self.keys.contains_key(id) || other.keys.contains_key(id) {
            return Err(AccountError::IdConflict { event_id: id.to_string() });
        }
        if let Some(order_id) = other.orders.keys().find(|k| self.orders.contains_key(*k)) {
            return Err(AccountError::DuplicateOrder { order_id: order_id.clone() });
        }
        // Each account is brought to the later of the two clocks on its own; from there on the
        // person's activity is one (an inactivity deadline follows either account's activity).
        let mut a = self.clone();
        let mut b = other.clone();
        let common = self.ledger.clock.max(other.ledger.clock);
        for account in [&mut a, &mut b] {
            catch_up(&mut account.ledger, &mut account.tier, program, common, &mut account.statement, &mut Vec::new());
        }
        let b_points = b.ledger.available() + b.ledger.pending() - b.ledger.debt;

        // Lots: b's after a's, renumbered.
        let offset = a.ledger.lots.len() as u32;
        let shift = |l: LotId| LotId(l.0 + offset);
        let b_live: Vec<LotId> =
            b.ledger.lots.iter().filter(|l| l.remaining.is_positive()).map(|l| shift(l.id)).collect();
        for mut lot in std::mem::take(&mut b.ledger.lots) {
            lot.id = shift(lot.id);
            a.ledger.lots.push(lot);
        }
        for entry in &mut b.statement {
            entry.effects.iter_mut().for_each(|e| e.map_lots(shift));
        }
        for r in b.redemptions.values_mut() {
            r.draws.iter_mut().for_each(|d| d.lot = shift(d.lot));
        }
        let order_offset = a.orders.len() as u32;
        for o in b.orders.values_mut() {
            o.lot = o.lot.map(shift);
            o.seq += order_offset;
        }
        for c in &mut b.tier.history {
            c.order = c.order.map(|s| s + order_offset);
        }

        // Statements in time order (this account first at equal instants), keys re-pointed.
        let mut entries: Vec<(usize, usize, Entry)> = Vec::with_capacity(a.statement.len() + b.statement.len());
        entries.extend(std::mem::take(&mut a.statement).into_iter().enumerate().map(|(i, e)| (0, i, e)));
        entries.extend(std::mem::take(&mut b.statement).into_iter().enumerate().map(|(i, e)| (1, i, e)));
        entries.sort_by_key(|(side, i, e)| (e.at, *side, *i));
        let mut new_index: [HashMap<usize, u32>; 2] = [HashMap::new(), HashMap::new()];
        for (n, (side, i, _)) in entries.iter().enumerate() {
            new_index[*side].insert(*i, n as u32);
        }
        a.statement = entries.into_iter().map(|(_, _, e)| e).collect();
        for key in a.keys.values_mut() {
            key.entry = new_index[0].get(&(key.entry as usize)).copied().unwrap_or(key.entry);
        }
        for (k, key) in std::mem::take(&mut b.keys) {
            let entry = new_index[1].get(&(key.entry as usize)).copied().unwrap_or(key.entry);
            a.keys.insert(k, Key { fingerprint: key.fingerprint, entry });
        }
        a.orders.extend(std::mem::take(&mut b.orders));
        a.redemptions.extend(std::mem::take(&mut b.redemptions));

        // Facts: what either member did counts once for the person.
        let (fa, fb) = (&mut a.facts, &b.facts);
        fa.joined |= fb.joined;
        fa.profile_completed |= fb.profile_completed;
        fa.birthday = fa.birthday.or(fb.birthday);
        fa.last_check_in = fa.last_check_in.max(fb.last_check_in);
        fa.birthday_year = fa.birthday_year.max(fb.birthday_year);
        fa.referrals.extend(fb.referrals.iter().cloned());
        for (name, (key, count)) in &fb.custom {
            let slot = fa.custom.entry(name.clone()).or_insert((*key, 0));
            if slot.0 == *key {
                slot.1 += count;
            } else if *key > slot.0 {
                *slot = (*key, *count);
            }
        }
        for (mine, theirs) in [(&mut fa.day_earned, fb.day_earned), (&mut fa.period_earned, fb.period_earned)] {
            if mine.0 == theirs.0 {
                mine.1 += theirs.1;
            } else if theirs.0 > mine.0 {
                *mine = theirs;
            }
        }

        // Tiers: the higher one with its expiry, the union of the history.
        if let Some(ctx) = Ctx::of(program) {
            a.tier = merge_tiers(&ctx, a.tier, std::mem::take(&mut b.tier), at);
        }

        // Ledger: one clock, one activity date, debts netted.
        a.ledger.clock = common;
        a.ledger.debt += b.ledger.debt;
        a.ledger.last_activity = a.ledger.last_activity.max(b.ledger.last_activity);
        a.ledger.inactivity_expired_at = a.ledger.inactivity_expired_at.max(b.ledger.inactivity_expired_at);
        a.ledger.rebuild();
        if let Some(last) = a.ledger.last_activity {
            a.ledger.touch(Rules { program }, last);
        }
        catch_up(&mut a.ledger, &mut a.tier, program, at, &mut a.statement, &mut Vec::new());
        let mut effects =
            vec![Effect::AccountsMerged { merged_member_id: other.member_id.clone(), points: b_points, lots: b_live }];
        if let Some(e) = a.ledger.repay_debt() {
            effects.push(e);
        }
        // Together, the person may qualify for more than either account did.
        if let Some(ctx) = Ctx::of(program) {
            let ledger = &mut a.ledger;
            let pay = &mut |reward, effects: &mut Vec<Effect>| {
                super::evolve::pay_entry_points(ledger, program, reward, effects)
            };
            a.tier.check_upgrade(&ctx, pay, at, &mut effects);
        }
        let fingerprint =
            Event::new(id, at, EventKind::PointsSent { to_member_id: other.member_id.clone(), points: 0 })
                .fingerprint();
        let shared: std::sync::Arc<str> = id.into();
        a.keys.insert(std::sync::Arc::clone(&shared), Key { fingerprint, entry: a.statement.len() as u32 });
        a.statement.push(Entry { at, event_id: Some(shared), effects: effects.clone().into() });
        a.revision = self.revision.max(other.revision) + 1;
        a.verify().map_err(|e| AccountError::invalid("merge", other.member_id.clone(), e.to_string()))?;
        let outcome = Outcome { effects, duplicate: false, revision: a.revision };
        Ok((a, outcome))
    }
}

fn merge_tiers(ctx: &Ctx<'_>, a: TierState, b: TierState, at: DateTime<Utc>) -> TierState {
    let (mut keep, other) = if b.effective(ctx, at) > a.effective(ctx, at) { (b, a) } else { (a, b) };
    for c in other.history {
        keep.contribute(c);
    }
    for r in other.rewarded {
        if !keep.rewarded.contains(&r) {
            keep.rewarded.push(r);
        }
    }
    keep.joined = match (keep.joined, other.joined) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    let floor_rank = |f: &Option<crate::tier::Floor>| {
        f.as_ref().filter(|f| f.until > at).and_then(|f| ctx.tiers.position(&f.tier)).unwrap_or(0)
    };
    if floor_rank(&other.floor) > floor_rank(&keep.floor) {
        keep.floor = other.floor;
    }
    keep
}
