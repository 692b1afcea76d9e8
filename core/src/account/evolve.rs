//! Evolve: carry out a decided command. No rule lives here and nothing here can fail.

use super::decide::{purchase_points, Claim, Command, Purchase};
use super::{Account, OrderRecord, RedemptionRecord};
use crate::effect::{Draw, Effect};
use crate::event::{Event, EventKind};
use crate::ledger::{total, Credit, LotKind, Rules};
use crate::points::Points;
use crate::program::expiry::{self, LotDates};
use crate::tier::{Contribution, Ctx};
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

pub(crate) fn evolve(
    account: &mut Account,
    rules: Rules<'_>,
    event: &Event,
    source: &Arc<str>,
    command: Command,
    effects: &mut Vec<Effect>,
) {
    let t = event.occurred_at;
    match command {
        Command::Join { birthday, points } => {
            account.facts.joined = true;
            account.tier.joined = Some(rules.program.local_date(t));
            if birthday.is_some() {
                account.facts.birthday = birthday;
            }
            account.ledger.touch(rules, t);
            if let Some(points) = points {
                credit_now(account, rules, event, source, points, LotKind::Bonus, "sign_up", effects);
            }
            account.coupons.welcome(rules.program, t, effects);
        }
        Command::CompleteProfile { birthday, points } => {
            account.facts.profile_completed = true;
            if birthday.is_some() {
                account.facts.birthday = birthday;
            }
            account.ledger.touch(rules, t);
            if let Some(points) = points {
                credit_now(account, rules, event, source, points, LotKind::Bonus, "profile_completed", effects);
            }
        }
        Command::Load { paid, bonus, bonus_expires_at, payment_ref } => {
            account.purse.load(Arc::clone(source), t, paid, bonus, bonus_expires_at);
            let available = account.purse.principal() + account.purse.bonus();
            let mut warning = Vec::new();
            // A bonus whose warning falls at or before the top-up is announced with it.
            account.purse.expire_and_warn(rules.program.config().stored_value.as_ref(), rules.program, t, &mut warning);
            effects.push(Effect::StoredValueLoaded {
                topup_id: Arc::clone(source),
                paid,
                bonus,
                bonus_expires_at: bonus_expires_at.filter(|_| !bonus.is_zero()),
                payment_ref,
                available,
            });
            effects.extend(warning);
        }
        Command::Freeze { reason } => {
            account.status.frozen = Some(crate::status::Freeze { at: t, reason: reason.clone() });
            effects.push(Effect::AccountFrozen { reason });
        }
        Command::Unfreeze { reason } => {
            account.status.frozen = None;
            effects.push(Effect::AccountUnfrozen { reason });
        }
        Command::CashOut => {
            let mode = rules.program.config().stored_value.as_ref().map(|sv| sv.cash_out).unwrap_or_default();
            let plan = account.purse.plan_cash_out(mode, rules.program.minor_units());
            account.purse.cash_out(&plan);
            effects.push(Effect::StoredValueRefundDue {
                amount: plan.refund,
                mode,
                principal_retained: plan.principal_retained,
                bonus_forfeited: plan.bonus_forfeited,
            });
        }
        Command::Purchase(p) => purchase(account, rules, event, source, p, effects),
        Command::Refund { order_id, amount, due, target, returned } => {
            refund(account, rules, &order_id, due, effects);
            let mut closed = false;
            let mut seq = 0;
            if let Some(order) = account.orders.get_mut(&order_id) {
                order.refunded += amount;
                order.returned += returned.filter(|_| !order.coupons.is_empty()).unwrap_or_default();
                order.clawed = target;
                closed = order.refunded == order.amount;
                seq = order.seq;
                refill(&mut account.purse, rules, &order_id, order.refunded, t, effects);
            }
            if let Some(ctx) = Ctx::of(rules.program) {
                account.tier.refund(&ctx, seq, amount, due, closed, t, effects);
            }
        }
        Command::Cancel { order_id, amount, due, target } => {
            refund(account, rules, &order_id, due, effects);
            let mut seq = 0;
            let mut used = Vec::new();
            if let Some(order) = account.orders.get_mut(&order_id) {
                order.refunded += amount;
                order.clawed = target;
                order.cancelled = true;
                order.returned = order.gross();
                seq = order.seq;
                used = order.coupons.iter().map(|c| c.coupon_id.clone()).collect();
                refill(&mut account.purse, rules, &order_id, order.refunded, t, effects);
            }
            if let Some(ctx) = Ctx::of(rules.program) {
                account.tier.refund(&ctx, seq, amount, due, true, t, effects);
            }
            for coupon_id in used {
                account.coupons.give_back(rules.program, &coupon_id, &order_id, t, effects);
            }
        }
        Command::GrantCoupon { definition, reason } => {
            if let Some(def) = rules.program.config().coupons.as_ref().and_then(|c| c.definition(&definition)) {
                let origin = crate::coupon::Origin::Granted(reason);
                account.coupons.issue(rules.program, def, event.id.clone(), origin, t, effects);
            }
        }
        Command::BuyCoupon { definition, points } => {
            account.ledger.touch(rules, t);
            let draws = account.ledger.draw(points);
            account
                .redemptions
                .insert(event.id.clone(), RedemptionRecord { at: t, points, draws: draws.clone(), cancelled: false });
            effects.push(Effect::PointsRedeemed {
                reward_id: Some(format!("coupon:{definition}")),
                order_id: None,
                points,
                value: rust_decimal::Decimal::ZERO,
                draws,
            });
            if let Some(def) = rules.program.config().coupons.as_ref().and_then(|c| c.definition(&definition)) {
                let origin = crate::coupon::Origin::Bought;
                account.coupons.issue(rules.program, def, event.id.clone(), origin, t, effects);
            }
        }
        Command::Reserve { coupon_id, key, until } => account.coupons.reserve(&coupon_id, key, until, effects),
        Command::Release { coupon_id } => account.coupons.release(&coupon_id, effects),
        Command::Redeem { points, reward_id, order_id, value } => {
            account.ledger.touch(rules, t);
            let draws = account.ledger.draw(points);
            account
                .redemptions
                .insert(event.id.clone(), RedemptionRecord { at: t, points, draws: draws.clone(), cancelled: false });
            effects.push(Effect::PointsRedeemed { reward_id, order_id, points, value, draws });
        }
        Command::CancelRedemption { redemption_id } => {
            cancel_redemption(account, rules, event, source, &redemption_id, effects)
        }
        Command::Bonus { points, rule, claim } => {
            match claim {
                Claim::CheckIn(day) => account.facts.last_check_in = Some(day),
                Claim::Referral(id) => {
                    account.facts.referrals.insert(id);
                }
                Claim::Birthday(year) => account.facts.birthday_year = Some(year),
                Claim::Custom { name, key } => {
                    let slot = account.facts.custom.entry(name).or_insert((key, 0));
                    if slot.0 != key {
                        *slot = (key, 0);
                    }
                    slot.1 = slot.1.saturating_add(1);
                }
            }
            account.ledger.touch(rules, t);
            credit_now(account, rules, event, source, points, LotKind::Bonus, &rule, effects);
        }
        Command::Send { to_member_id, points } => {
            let draws = account.ledger.draw(points);
            effects.push(Effect::PointsSent { to_member_id, points, draws });
        }
        Command::Receive { from_member_id } => {
            let EventKind::PointsReceived { lots, .. } = &event.kind else { return };
            let program = rules.program;
            let available_day = program.local_date(t);
            let mut ids = Vec::with_capacity(lots.len());
            let mut total = Points::ZERO;
            for lot in lots {
                let points = Points::new(lot.points);
                let explicit = program.config().transfers.received_expiry(lot.expires_at);
                let credit = Credit {
                    points,
                    earned_at: lot.earned_at,
                    available_at: t,
                    dates: dates(account, rules, explicit, t, available_day),
                    kind: LotKind::Transfer,
                    rule: "transfer",
                    source: Some(Arc::clone(source)),
                };
                let (id, _) = account.ledger.credit(credit, None);
                ids.push(id);
                total += points;
            }
            effects.push(Effect::PointsReceived { from_member_id, points: total, lots: ids });
            repay(account, effects);
        }
        Command::AssignTier { tier, until, reason } => {
            if let Some(ctx) = Ctx::of(rules.program) {
                account.tier.assign(&ctx, tier, until, &reason, t, effects);
            }
        }
        Command::Adjust { points, reason } => {
            let draws = if points.is_positive() {
                let credit = Credit {
                    points,
                    earned_at: t,
                    available_at: t,
                    dates: dates(account, rules, None, t, rules.program.local_date(t)),
                    kind: LotKind::Adjustment,
                    rule: "adjustment",
                    source: Some(Arc::clone(source)),
                };
                let (lot, _) = account.ledger.credit(credit, None);
                vec![Draw { lot, points }]
            } else {
                account.ledger.draw(-points)
            };
            effects.push(Effect::PointsAdjusted { points, reason, draws });
            repay(account, effects);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn credit_now(
    account: &mut Account,
    rules: Rules<'_>,
    event: &Event,
    source: &Arc<str>,
    points: Points,
    kind: LotKind,
    rule: &str,
    effects: &mut Vec<Effect>,
) {
    let t = event.occurred_at;
    if rules.program.config().tiers.is_some() {
        account.tier.contribute(Contribution { at: t, spend: Default::default(), points, orders: 0, order: None });
    }
    let available_day = rules.program.local_date(t);
    let source = Some(Arc::clone(source));
    let dates = dates(account, rules, None, t, available_day);
    let credit = Credit { points, earned_at: t, available_at: t, dates, kind, rule, source };
    let (_, effect) = account.ledger.credit(credit, None);
    effects.push(effect);
    repay(account, effects);
}

/// The dates the expiry rules (`program/expiry.rs`) give a lot credited now.
fn dates(
    account: &Account,
    rules: Rules<'_>,
    explicit: Option<Option<DateTime<Utc>>>,
    available_at: DateTime<Utc>,
    available_day: NaiveDate,
) -> LotDates {
    expiry::lot_dates(rules.program, explicit, available_at, available_day, account.ledger.last_activity)
}

fn repay(account: &mut Account, effects: &mut Vec<Effect>) {
    if let Some(e) = account.ledger.repay_debt() {
        effects.push(e);
    }
}

/// Gives stored value back to the funds that paid an order, as the purse plans it.
fn refill(
    purse: &mut crate::purse::Purse,
    rules: Rules<'_>,
    order_id: &str,
    refunded: rust_decimal::Decimal,
    t: DateTime<Utc>,
    effects: &mut Vec<Effect>,
) {
    let plan = purse.plan_refill(order_id, refunded, rules.program.minor_units());
    if plan.iter().all(|r| r.is_zero()) {
        return;
    }
    let (principal, bonus, forfeited) = purse.refill(order_id, &plan, t);
    effects.push(Effect::StoredValueRefilled { order_id: order_id.to_string(), principal, bonus, forfeited });
}

fn purchase(
    account: &mut Account,
    rules: Rules<'_>,
    event: &Event,
    source: &Arc<str>,
    p: Purchase,
    effects: &mut Vec<Effect>,
) {
    let t = event.occurred_at;
    let program = rules.program;
    // Coupons first, then stored value (a tender, after the discounts), then the points on
    // what was paid.
    let paid = p.paid();
    for c in &p.coupons {
        account.coupons.redeem(&c.coupon_id, &p.order_id, c.discount, effects);
    }
    let base = crate::checkout::points_base(&account.purse, program, &p);
    if let (Some(amount), Some(sv)) = (p.stored_value, program.config().stored_value.as_ref()) {
        if let Some(payment) = account.purse.plan_payment(sv.spend, amount, program.minor_units()) {
            account.purse.pay(&p.order_id, paid, amount, &payment);
            let grants = &account.purse.grants;
            let draws = payment
                .draws
                .iter()
                .map(|&(i, fund, amount)| crate::purse::FundDraw {
                    topup_id: Arc::clone(&grants[i as usize].id),
                    fund,
                    amount,
                })
                .collect();
            effects.push(Effect::StoredValueSpent {
                order_id: p.order_id.clone(),
                amount,
                principal: payment.principal,
                bonus: payment.bonus,
                draws,
            });
        }
    }
    let mut lists = std::mem::take(&mut account.ledger.rule_lists);
    let earned = purchase_points(account, program, event, p.today, base, &mut lists);
    account.ledger.rule_lists = lists;
    account.ledger.touch(rules, t);
    let (available_at, available_day) = expiry::pending_until(program, t, p.today);
    let mut lot = None;
    if earned.points.is_positive() {
        let credit = Credit {
            points: earned.points,
            earned_at: t,
            available_at,
            dates: dates(account, rules, None, available_at, available_day),
            kind: LotKind::Purchase,
            rule: "",
            source: Some(Arc::clone(source)),
        };
        let (id, effect) = account.ledger.credit(credit, Some(earned.rules));
        lot = Some(id);
        effects.push(effect);
        repay(account, effects);
        let facts = &mut account.facts;
        let (day, period, points) = (earned.day_key, earned.period_key, earned.points);
        facts.day_earned = crate::program::Caps::counted(facts.day_earned, day, points);
        facts.period_earned = crate::program::Caps::counted(facts.period_earned, period, points);
    } else if let Some(reason) = earned.nothing_because {
        effects.push(Effect::NoPointsEarned { order_id: p.order_id.clone(), reason: reason.to_string() });
    }
    let seq = account.retired.orders.saturating_add(account.orders.len() as u32);
    // An order of a frozen account that may not earn counts toward no tier either (an
    // upgrade would pay its entry reward).
    if program.config().tiers.is_some() && account.status.earns(program) {
        account.tier.contribute(Contribution {
            at: available_at,
            spend: paid,
            points: earned.points,
            orders: 1,
            order: Some(seq),
        });
    }
    if account.orders.is_empty() {
        account.orders.reserve(super::FIRST_CAPACITY);
    }
    account.orders.insert(
        p.order_id,
        OrderRecord {
            at: t,
            amount: paid,
            points: earned.points,
            lot,
            refunded: Default::default(),
            clawed: Points::ZERO,
            forgiven: Points::ZERO,
            seq,
            coupons: p.coupons,
            returned: Default::default(),
            cancelled: false,
        },
    );
}

/// Carries out the clawback [`crate::refund::plan`] returns for a refund of `order_id`.
fn refund(account: &mut Account, rules: Rules<'_>, order_id: &str, due: Points, effects: &mut Vec<Effect>) {
    let Some(order) = account.orders.get(order_id) else {
        return;
    };
    let shortfall = rules.program.config().clawback_shortfall;
    let plan = crate::refund::plan(&account.ledger, order.lot, order.forgiven, due, shortfall);
    let forgiven = claw_back(&mut account.ledger, order_id, plan, effects);
    if let Some(order) = account.orders.get_mut(order_id) {
        order.forgiven += forgiven;
    }
}

/// Takes a clawback plan's points from the ledger and pushes its effects (pending points
/// cancelled, points clawed back, debt created); returns the points it forgave.
pub(crate) fn claw_back(
    ledger: &mut crate::ledger::Ledger,
    order_id: &str,
    plan: crate::refund::Clawback,
    effects: &mut Vec<Effect>,
) -> Points {
    let mut draws = Vec::new();
    if let Some(lot) = plan.lot {
        if plan.cancelled.is_positive() {
            ledger.cancel_pending(lot, plan.cancelled);
            effects.push(Effect::PendingCancelled { order_id: order_id.to_string(), lot, points: plan.cancelled });
        }
        if plan.own.is_positive() {
            ledger.take(&[Draw { lot, points: plan.own }]);
            draws.push(Draw { lot, points: plan.own });
        }
    }
    ledger.take(&plan.others);
    draws.extend_from_slice(&plan.others);
    if !draws.is_empty() || plan.forgiven.is_positive() || plan.waived.is_positive() || plan.debt.is_positive() {
        effects.push(Effect::PointsClawedBack {
            order_id: order_id.to_string(),
            points: total(&draws),
            draws,
            forgiven: plan.forgiven,
            waived: plan.waived,
        });
    }
    if plan.debt.is_positive() {
        ledger.add_debt(plan.debt);
        effects.push(Effect::DebtCreated { order_id: order_id.to_string(), points: plan.debt, debt: ledger.debt });
    }
    plan.forgiven
}

fn cancel_redemption(
    account: &mut Account,
    rules: Rules<'_>,
    event: &Event,
    source: &Arc<str>,
    redemption_id: &str,
    effects: &mut Vec<Effect>,
) {
    let Some(record) = account.redemptions.get_mut(redemption_id) else {
        return;
    };
    record.cancelled = true;
    let (at, draws) = (record.at, record.draws.clone());
    if account.coupons.held.get(redemption_id).is_some_and(|c| c.bought) {
        account.coupons.cancel(redemption_id, effects);
    }
    give_back(&mut account.ledger, rules, redemption_id, at, &draws, event.occurred_at, source, effects);
}

/// Gives a redemption's draws (made at `drawn_at`) back to their lots at `t`: what expired
/// since stays expired or comes back as a reinstated lot, as the program's `after_expiry`
/// says (`RestorePolicy::reinstated_until`); then repays debt.
#[allow(clippy::too_many_arguments)]
pub(crate) fn give_back(
    ledger: &mut crate::ledger::Ledger,
    rules: Rules<'_>,
    redemption_id: &str,
    drawn_at: DateTime<Utc>,
    draws: &[Draw],
    t: DateTime<Utc>,
    source: &Arc<str>,
    effects: &mut Vec<Effect>,
) {
    let mut restored = Vec::new();
    let mut lapsed = Points::ZERO;
    for d in draws {
        if ledger.give_back(rules, d.lot, d.points, drawn_at) {
            restored.push(*d);
        } else {
            lapsed += d.points;
        }
    }
    let mut expired = lapsed;
    if lapsed.is_positive() {
        if let Some(expires_at) = rules.program.config().redemption.after_expiry.reinstated_until(rules.program, t) {
            let today = rules.program.local_date(t);
            let dates = expiry::lot_dates(rules.program, Some(Some(expires_at)), t, today, ledger.last_activity);
            let credit = Credit {
                points: lapsed,
                earned_at: t,
                available_at: t,
                dates,
                kind: LotKind::Reinstated,
                rule: "reinstated",
                source: Some(Arc::clone(source)),
            };
            let (lot, _) = ledger.credit(credit, None);
            restored.push(Draw { lot, points: lapsed });
            expired = Points::ZERO;
        }
    }
    effects.push(Effect::RedemptionReversed {
        redemption_id: redemption_id.to_string(),
        restored: total(&restored),
        expired,
        draws: restored,
    });
    if let Some(e) = ledger.repay_debt() {
        effects.push(e);
    }
}

/// Credits a tier's entry-reward points (the tier decided them) as a bonus lot, and repays
/// debt from them, and issues its coupon: the effects follow the upgrade's.
pub(crate) fn pay_entry_points(
    ledger: &mut crate::ledger::Ledger,
    coupons: &mut crate::coupon::Wallet,
    program: &crate::program::Program,
    reward: crate::tier::EntryPoints,
    effects: &mut Vec<Effect>,
) {
    let crate::tier::EntryPoints { points, coupon, tier, rule, at, day } = reward;
    if let Some((definition, id)) = coupon {
        if let Some(def) = program.config().coupons.as_ref().and_then(|c| c.definition(&definition)) {
            coupons.issue(program, def, id, crate::coupon::Origin::Tier(tier), at, effects);
        }
    }
    let Some(points) = points else { return };
    let dates = expiry::lot_dates(program, None, at, day, ledger.last_activity);
    let credit =
        Credit { points, earned_at: at, available_at: at, dates, kind: LotKind::Bonus, rule: &rule, source: None };
    let (_, earned) = ledger.credit(credit, None);
    effects.push(earned);
    if let Some(e) = ledger.repay_debt() {
        effects.push(e);
    }
}
