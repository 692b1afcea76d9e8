//! Merging two accounts of one person (the same phone under two member ids) into one.
//!
//! The merged ledger is the one replaying both members' events into one account would have
//! built: both statements are walked in time order as one, every credit made again and every
//! spend drawn again from the lots of *both* in spend order (redemptions, payments with points,
//! transfers out, negative adjustments, refunds' clawbacks by the refund rules, debt repaid by
//! whatever is credited next), with the clock's activations, expiries and warnings between.
//! So a redemption in one account takes the points expiring soonest in either, as it would
//! have in one account, and the person does not later lose more points to expiry than one
//! account would have. What is not the ledger's (tiers, facts, orders, ids) is joined.

use super::{evolve, Account, AccountError, Key, Outcome, RedemptionRecord};
use crate::draw::{Draw, LotId};
use crate::effect::{Effect, Entry};
use crate::ledger::{Credit, Ledger, Rules};
use crate::points::Points;
use crate::program::expiry::{self, LotDates};
use crate::program::Program;
use crate::tier::{Ctx, TierState};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;

impl Account {
    /// Merges `other`, another account of the same person (the same phone under two ids),
    /// into a copy of this one, at `at`. The result keeps this account's member id; its
    /// ledger is the one replaying both members' events into one account builds (see the
    /// module's docs): every lot of both with its original dates, every spend drawn again
    /// from the lots of both in spend order, debts and clawbacks worked out on the combined
    /// balance. Its statement tells that combined history in time order (this account's
    /// entries first at equal instants), with both sets of idempotency keys. The higher tier
    /// with its expiry and the union of qualifying history are kept. Neither input changes.
    ///
    /// Where both members' events could have been applied to one account (no order id or
    /// event id in both, no once-only bonus claimed twice, no daily or per-period earning cap
    /// reached, every event accepted by that one account, no tiers and no inactivity expiry,
    /// which both depend on the combined history in ways the two accounts did not see), the
    /// result has the balances and lots that replaying them into one account gives (a
    /// property test checks it with orders, refunds, redemptions, cancellations and
    /// adjustments in both). Caps count per account: what each earned under its own caps is
    /// kept, never clawed back by the merge.
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
        // A frozen account's points would become spendable in the merged one (or another's
        // frozen by it): neither side may be frozen.
        if let Some(freeze) = self.status.frozen.as_ref().or(other.status.frozen.as_ref()) {
            return Err(AccountError::AccountFrozen { event: "merge", reason: freeze.reason.clone() });
        }
        // The replay needs both whole histories: once part of one has left for the host's
        // journal (`retire.rs`), the accounts do not merge.
        for account in [self, other] {
            if account.retired.any() || account.ledger.first_lot > 0 {
                return Err(AccountError::invalid(
                    "merge",
                    format!("{:?}", account.member_id),
                    "cannot be merged: part of its history has left the snapshot for the journal",
                ));
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
        // Stored value is money held for one member under their card's terms (a cap, a
        // cash-out), and its card payments can still be refunded to it: an account with any
        // stored value, even spent, does not merge.
        // Coupons belong to the member they were issued to (a welcome coupon, a birthday
        // coupon) and may be held by a checkout: an account with any does not merge.
        if !other.coupons.is_empty() {
            return Err(other_has_coupons(other));
        }
        if !other.purse.is_empty() {
            return Err(AccountError::invalid(
                "other",
                format!("{:?}", other.member_id),
                "cannot be merged: it has stored value (its card payments can still be refunded to it)",
            ));
        }
        // Each account is brought to the later of the two clocks on its own first (its
        // tiers judged and warnings sent as they were); the replay then works out the ledger
        // of both as one.
        let common = self.ledger.clock.max(other.ledger.clock);
        let (mut a, mut b) = (self.clone(), other.clone());
        for account in [&mut a, &mut b] {
            super::catch_up(
                &mut account.ledger,
                &mut account.tier,
                &mut account.purse,
                &mut account.coupons,
                account.facts.birthday,
                program,
                common,
                &mut account.statement,
                &mut Vec::new(),
            );
        }
        // Catching up may have issued the other member a coupon (a birthday's): still no merge.
        if !b.coupons.is_empty() {
            return Err(other_has_coupons(other));
        }
        // What the other member brings, as it stood on its own.
        let b_points = b.ledger.available() + b.ledger.pending() - b.ledger.debt;
        let b_live: Vec<LotId> = b.ledger.lots.iter().filter(|l| l.remaining.is_positive()).map(|l| l.id).collect();
        let replay = Replay::run(program, [&a, &b], common);

        // Orders: their lots as the replay numbered them, b's after a's in sequence.
        let order_offset = a.orders.len() as u32;
        let mut orders = HashMap::new();
        for (side, account) in [&a, &b].into_iter().enumerate() {
            for (order_id, o) in &account.orders {
                let mut o = o.clone();
                o.lot = o.lot.and_then(|l| replay.lot(side, l));
                o.forgiven = replay.forgiven.get(&(side, order_id.clone())).copied().unwrap_or(Points::ZERO);
                if side == 1 {
                    o.seq += order_offset;
                }
                orders.insert(order_id.clone(), o);
            }
        }
        // Redemptions: the draws the replay made for them.
        let mut redemptions = HashMap::new();
        for (side, account) in [&a, &b].into_iter().enumerate() {
            for (rid, r) in &account.redemptions {
                let draws = replay.draws.get(&(side, rid.clone())).cloned().unwrap_or_default();
                redemptions.insert(rid.clone(), RedemptionRecord { draws, ..r.clone() });
            }
        }
        // Keys: pointed at their entries in the combined statement.
        let mut keys = HashMap::new();
        for (side, account) in [&a, &b].into_iter().enumerate() {
            for (k, key) in &account.keys {
                // Every key names an event entry, and the replay keeps every event entry.
                let entry = replay.entry(side, key.entry).ok_or_else(|| {
                    AccountError::invalid("merge", format!("{k:?}"), "names no entry of its statement")
                })?;
                keys.insert(Arc::clone(k), Key { fingerprint: key.fingerprint, entry });
            }
        }
        a.orders.clear();
        a.orders.extend(orders);
        a.redemptions.clear();
        a.redemptions.extend(redemptions);
        a.keys.clear();
        a.keys.extend(keys);
        for c in &mut b.tier.history {
            c.order = c.order.map(|s| s + order_offset);
        }

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
                slot.1 = slot.1.saturating_add(*count);
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
            a.tier = merge_tiers(&ctx, std::mem::take(&mut a.tier), std::mem::take(&mut b.tier), at);
        }

        // Ledger: the replay's, one activity date.
        a.ledger = replay.ledger;
        a.statement = replay.statement;
        a.ledger.last_activity = self.ledger.last_activity.max(b.ledger.last_activity);
        a.ledger.inactivity_expired_at = self.ledger.inactivity_expired_at.max(b.ledger.inactivity_expired_at);
        a.ledger.rebuild();
        if let Some(last) = a.ledger.last_activity {
            a.ledger.touch(Rules { program }, last);
        }
        let birthday = a.facts.birthday;
        super::catch_up(
            &mut a.ledger,
            &mut a.tier,
            &mut a.purse,
            &mut a.coupons,
            birthday,
            program,
            at,
            &mut a.statement,
            &mut Vec::new(),
        );
        let lots = b_live.iter().filter_map(|l| replay.lots[1].get(l.0 as usize).copied().flatten()).collect();
        let mut effects =
            vec![Effect::AccountsMerged { merged_member_id: other.member_id.clone(), points: b_points, lots }];
        if let Some(e) = a.ledger.repay_debt() {
            effects.push(e);
        }
        // Together, the person may qualify for more than either account did.
        if let Some(ctx) = Ctx::of(program) {
            let (ledger, wallet) = (&mut a.ledger, &mut a.coupons);
            let pay = &mut |reward, effects: &mut Vec<Effect>| {
                evolve::pay_entry_points(ledger, wallet, program, reward, effects)
            };
            a.tier.check_upgrade(&ctx, pay, at, &mut effects);
        }
        let fingerprint = crate::event::Event::new(
            id,
            at,
            crate::event::EventKind::PointsSent { to_member_id: other.member_id.clone(), points: 0 },
        )
        .fingerprint();
        let shared: Arc<str> = id.into();
        a.keys.insert(Arc::clone(&shared), Key { fingerprint, entry: a.statement.len() as u32 });
        a.statement.push(Entry { at, event_id: Some(shared), effects: effects.clone().into() });
        a.revision = self.revision.max(other.revision) + 1;
        a.verify().map_err(|e| AccountError::invalid("merge", other.member_id.clone(), e.to_string()))?;
        // The merged member's journal is the combined statement, numbered afresh: it replaces
        // the journal of this account.
        let journal = a.journal_from(0);
        a.retire(program);
        let outcome = Outcome { effects, duplicate: false, revision: a.revision, journal };
        Ok((a, outcome))
    }
}

/// Both ledgers replayed as one, from both statements.
struct Replay {
    ledger: Ledger,
    statement: Vec<Entry>,
    /// Per side, an old lot id's new one.
    lots: [Vec<Option<LotId>>; 2],
    /// Per side, an old statement entry's new place.
    entries: [Vec<Option<u32>>; 2],
    /// The draws each redemption made in the replay, by (side, redemption id).
    draws: HashMap<(usize, String), Vec<Draw>>,
    /// Points each order's refunds forgave in the replay, by (side, order id).
    forgiven: HashMap<(usize, String), Points>,
}

impl Replay {
    fn lot(&self, side: usize, old: LotId) -> Option<LotId> {
        self.lots[side].get(old.0 as usize).copied().flatten()
    }

    fn entry(&self, side: usize, old: u32) -> Option<u32> {
        self.entries[side].get(old as usize).copied().flatten()
    }

    /// Walks both statements in time order (the first account's first at equal instants),
    /// skipping what the clock did (the replay's own clock does it again between entries),
    /// and carries out each entry's ledger changes on one ledger, up to `until`.
    fn run(program: &Program, accounts: [&Account; 2], until: DateTime<Utc>) -> Replay {
        let rules = Rules { program };
        let shortfall = program.config().clawback_shortfall;
        let mut r = Replay {
            ledger: Ledger::new(DateTime::<Utc>::UNIX_EPOCH),
            statement: Vec::new(),
            lots: [vec![None; accounts[0].ledger.lots.len()], vec![None; accounts[1].ledger.lots.len()]],
            entries: [vec![None; accounts[0].statement.len()], vec![None; accounts[1].statement.len()]],
            draws: HashMap::new(),
            forgiven: HashMap::new(),
        };
        let mut order: Vec<(DateTime<Utc>, usize, usize)> = Vec::new();
        for (side, account) in accounts.iter().enumerate() {
            order.extend(account.statement.iter().enumerate().map(|(i, e)| (e.at, side, i)));
        }
        order.sort_unstable();
        for (at, side, index) in order {
            let account = accounts[side];
            let Some(entry) = account.statement.get(index) else { continue };
            super::catch_up_ledger(&mut r.ledger, program, at, &mut r.statement);
            let source = entry.event_id.clone().unwrap_or_else(|| Arc::from(""));
            // Earning and redeeming were activity: the replay's inactivity deadline follows them.
            let active = entry.event_id.is_some()
                && entry.effects.iter().any(|e| {
                    matches!(e, Effect::NoPointsEarned { .. } | Effect::PointsRedeemed { .. })
                        || matches!(e, Effect::PointsEarned { lot, .. } if account
                            .ledger
                            .lots
                            .get(lot.0 as usize)
                            .is_some_and(|l| matches!(l.kind, crate::ledger::LotKind::Purchase | crate::ledger::LotKind::Bonus)))
                });
            if active {
                r.ledger.touch(rules, at);
            }
            let mut effects = Vec::new();
            let mut refunded = false;
            for effect in entry.effects.iter() {
                match effect {
                    Effect::PointsEarned { lot, .. } => {
                        if let Some(e) = r.credit(program, account, side, *lot) {
                            effects.push(e);
                        }
                        r.repay(&mut effects);
                    }
                    Effect::PointsReceived { from_member_id, points, lots } => {
                        let mut new_lots = Vec::with_capacity(lots.len());
                        for l in lots {
                            r.credit(program, account, side, *l);
                            new_lots.extend(r.lot(side, *l));
                        }
                        effects.push(Effect::PointsReceived {
                            from_member_id: from_member_id.clone(),
                            points: *points,
                            lots: new_lots,
                        });
                        r.repay(&mut effects);
                    }
                    Effect::PointsAdjusted { points, reason, draws } => {
                        let draws = if points.is_positive() {
                            let mut credited = Vec::new();
                            if let Some(d) = draws.first() {
                                r.credit(program, account, side, d.lot);
                                credited.extend(r.lot(side, d.lot).map(|lot| Draw { lot, points: *points }));
                            }
                            credited
                        } else {
                            r.ledger.draw(-*points)
                        };
                        let points = if points.is_positive() { *points } else { -crate::ledger::total(&draws) };
                        effects.push(Effect::PointsAdjusted { points, reason: reason.clone(), draws });
                        r.repay(&mut effects);
                    }
                    // A spend the combined balance cannot cover (one account would have
                    // refused it: outside what the merge promises) takes what there is, and
                    // its effect says so, so the statement still adds up.
                    Effect::PointsRedeemed { reward_id, order_id, points, value, .. } => {
                        let draws = r.ledger.draw(*points);
                        let points = &crate::ledger::total(&draws);
                        if let Some(id) = &entry.event_id {
                            r.draws.insert((side, id.to_string()), draws.clone());
                        }
                        effects.push(Effect::PointsRedeemed {
                            reward_id: reward_id.clone(),
                            order_id: order_id.clone(),
                            points: *points,
                            value: *value,
                            draws,
                        });
                    }
                    Effect::PointsSent { to_member_id, points, .. } => {
                        let draws = r.ledger.draw(*points);
                        let points = &crate::ledger::total(&draws);
                        effects.push(Effect::PointsSent { to_member_id: to_member_id.clone(), points: *points, draws });
                    }
                    Effect::PendingCancelled { order_id, .. }
                    | Effect::PointsClawedBack { order_id, .. }
                    | Effect::DebtCreated { order_id, .. } => {
                        // One refund: what it claws in all, planned again on the combined ledger.
                        if refunded {
                            continue;
                        }
                        refunded = true;
                        let due = entry.effects.iter().map(|e| refund_share(e, order_id)).sum();
                        let record = account.orders.get(order_id);
                        let own = record.and_then(|o| o.lot).and_then(|l| r.lot(side, l));
                        let key = (side, order_id.clone());
                        let before = r.forgiven.get(&key).copied().unwrap_or(Points::ZERO);
                        let plan = crate::refund::plan(&r.ledger, own, before, due, shortfall);
                        let forgiven = evolve::claw_back(&mut r.ledger, order_id, plan, &mut effects);
                        r.forgiven.insert(key, before + forgiven);
                    }
                    Effect::RedemptionReversed { redemption_id, .. } => {
                        let draws = r.draws.get(&(side, redemption_id.clone())).cloned().unwrap_or_default();
                        let drawn_at = account.redemptions.get(redemption_id).map_or(at, |rec| rec.at);
                        evolve::give_back(
                            &mut r.ledger,
                            rules,
                            redemption_id,
                            drawn_at,
                            &draws,
                            at,
                            &source,
                            &mut effects,
                        );
                    }
                    Effect::AccountsMerged { merged_member_id, points, lots } => {
                        let lots = lots.iter().filter_map(|l| r.lot(side, *l)).collect();
                        effects.push(Effect::AccountsMerged {
                            merged_member_id: merged_member_id.clone(),
                            points: *points,
                            lots,
                        });
                    }
                    // What the clock did, and debt repaid, the replay does again itself.
                    Effect::PendingActivated { .. }
                    | Effect::PointsExpired { .. }
                    | Effect::PointsExpiringSoon { .. }
                    | Effect::DebtRepaid { .. } => {}
                    other => effects.push(other.clone()),
                }
            }
            if entry.event_id.is_some() || !effects.is_empty() {
                if entry.event_id.is_some() {
                    r.entries[side][index] = Some(r.statement.len() as u32);
                }
                r.statement.push(Entry { at, event_id: entry.event_id.clone(), effects: effects.into() });
            }
        }
        super::catch_up_ledger(&mut r.ledger, program, until, &mut r.statement);
        r
    }

    /// Credits again the lot `old` of `account` (side `side`) as it was credited, with its
    /// points, dates and names, and maps it; the effect it makes (`None` if already done).
    fn credit(&mut self, program: &Program, account: &Account, side: usize, old: LotId) -> Option<Effect> {
        if self.lot(side, old).is_some() {
            return None;
        }
        let lot = account.ledger.lots.get(old.0 as usize)?;
        // A warning already sent was cleared from the lot: its instant comes from the rule.
        let warn_at = expiry::warn_at(program, lot.expires_at, lot.available_at);
        let credit = Credit {
            points: lot.points,
            earned_at: lot.earned_at,
            available_at: lot.available_at,
            dates: LotDates { expires_at: lot.expires_at, warn_at },
            kind: lot.kind,
            rule: &lot.rule,
            source: lot.source_event.clone(),
        };
        let (id, effect) = self.ledger.credit(credit, Some(Arc::clone(&lot.rules)));
        if let Some(slot) = self.lots[side].get_mut(old.0 as usize) {
            *slot = Some(id);
        }
        Some(effect)
    }

    fn repay(&mut self, effects: &mut Vec<Effect>) {
        if let Some(e) = self.ledger.repay_debt() {
            effects.push(e);
        }
    }
}

/// What an effect of a refund of `order_id` counts toward its clawback: pending points
/// cancelled, points clawed back, forgiven or waived, and debt created.
fn refund_share(effect: &Effect, order_id: &str) -> Points {
    match effect {
        Effect::PendingCancelled { order_id: o, points, .. } | Effect::DebtCreated { order_id: o, points, .. }
            if o == order_id =>
        {
            *points
        }
        Effect::PointsClawedBack { order_id: o, points, forgiven, waived, .. } if o == order_id => {
            *points + *forgiven + *waived
        }
        _ => Points::ZERO,
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

fn other_has_coupons(other: &Account) -> AccountError {
    AccountError::invalid(
        "other",
        format!("{:?}", other.member_id),
        "cannot be merged: it has coupons (issued to that member, and possibly held by a checkout)",
    )
}
