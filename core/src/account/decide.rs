//! Decide: every rule that can refuse an event, with no mutation. What it returns is a
//! [`Command`] that [`super::evolve`] carries out without any further checks.

use super::{Account, AccountError, MAX_EVENTS, MAX_LOTS};
use crate::event::{Event, EventKind, OrderLine};
use crate::money;
use crate::points::Points;
use crate::program::{Program, RuleLists, MAX_NAME_CHARS};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;

const MAX_LINES: usize = 1_000;
/// The most coupons one order uses.
const MAX_ORDER_COUPONS: usize = 16;
/// 1970-01-01T00:00:00Z and 9000-01-01T00:00:00Z as Unix seconds (a test checks them): events
/// and clock advances stay inside.
pub(crate) const EARLIEST: i64 = 0;
pub(crate) const LATEST: i64 = 221_845_392_000;
pub(crate) const MAX_REASON_CHARS: usize = 512;

/// A validated instruction.
#[derive(Debug)]
pub(crate) enum Command {
    Join { birthday: Option<NaiveDate>, points: Option<Points> },
    Load { paid: Decimal, bonus: Decimal, bonus_expires_at: Option<DateTime<Utc>>, payment_ref: Option<String> },
    CashOut,
    Freeze { reason: String },
    Unfreeze { reason: String },
    CompleteProfile { birthday: Option<NaiveDate>, points: Option<Points> },
    Purchase(Purchase),
    Refund { order_id: String, amount: Decimal, due: Points, target: Points, returned: Option<Decimal> },
    Cancel { order_id: String, amount: Decimal, due: Points, target: Points },
    GrantCoupon { definition: String, reason: String },
    BuyCoupon { definition: String, points: Points },
    Reserve { coupon_id: String, key: String, until: DateTime<Utc> },
    Release { coupon_id: String },
    Redeem { points: Points, reward_id: Option<String>, order_id: Option<String>, value: Decimal },
    CancelRedemption { redemption_id: String },
    Bonus { points: Points, rule: String, claim: Claim },
    Adjust { points: Points, reason: String },
    AssignTier { tier: usize, until: DateTime<Utc>, reason: String },
    Send { to_member_id: String, points: Points },
    Receive { from_member_id: String },
}

#[derive(Debug)]
pub(crate) struct Purchase {
    pub order_id: String,
    pub amount: Decimal,
    /// The part paid from stored value (checked to be there at the event's time).
    pub stored_value: Option<Decimal>,
    /// The coupons it uses and what each takes off, in order.
    pub coupons: Vec<super::UsedCoupon>,
    /// The order's local day.
    pub today: NaiveDate,
}

impl Purchase {
    /// What the member paid: the amount less the coupons' discounts.
    pub fn paid(&self) -> Decimal {
        // Without coupons, the amount as given (subtracting zero would drop its scale).
        if self.coupons.is_empty() {
            return self.amount;
        }
        self.amount - self.coupons.iter().map(|c| c.discount).sum::<Decimal>()
    }
}

/// The points of a purchase at the event's time, after the clock caught up.
pub(crate) struct Earned {
    pub points: Points,
    pub rules: std::sync::Arc<[std::sync::Arc<str>]>,
    pub nothing_because: Option<&'static str>,
    pub day_key: i64,
    pub period_key: i64,
}

/// The earning rules applied to an order: rate, multipliers (the member's tier included),
/// rounding, then the caps per order, day and period.
pub(crate) fn purchase_points(
    account: &Account,
    program: &Program,
    event: &Event,
    today: NaiveDate,
    base: Option<Decimal>,
    lists: &mut RuleLists,
) -> Earned {
    let c = program.config();
    let facts = &account.facts;
    if !account.status.earns(program) {
        return Earned {
            points: Points::ZERO,
            rules: std::sync::Arc::from([]),
            nothing_because: Some("account_frozen"),
            day_key: 0,
            period_key: 0,
        };
    }
    let EventKind::OrderPlaced { amount, channel, lines, .. } = &event.kind else {
        return Earned {
            points: Points::ZERO,
            rules: std::sync::Arc::from([]),
            nothing_because: Some("no_matching_rule"),
            day_key: 0,
            period_key: 0,
        };
    };
    let tier = crate::tier::Ctx::of(program).and_then(|ctx| {
        let index = account.tier.effective(&ctx, event.occurred_at);
        Some((program.tier_name(index)?, ctx.tiers.levels[index].multiplier()))
    });
    // With a base below the amount (the bonus that paid part of it taken off), each line is
    // scaled by base / amount too: line rules earn on what was paid for the line.
    let scaled: Vec<OrderLine>;
    let lines = match base {
        Some(base) if !lines.is_empty() && !amount.is_zero() => {
            scaled = lines.iter().map(|l| OrderLine { amount: l.amount * base / *amount, ..l.clone() }).collect();
            &scaled
        }
        _ => lines,
    };
    let quote = c.earning.quote(
        program.earning_names(),
        base.unwrap_or(*amount),
        channel.as_deref(),
        lines,
        today,
        facts.birthday,
        tier.filter(|t| crate::money::cmp(t.1, Decimal::ONE).is_ne()),
        lists,
    );
    let (raw, rules) = match quote {
        Some(q) => (q.points, q.rules),
        None => (Points::MAX_PER_EVENT, std::sync::Arc::from([])),
    };
    let (day_key, period_key) = c.earning.caps.keys(today);
    let today_so_far = crate::program::Caps::so_far(facts.day_earned, day_key);
    let period_so_far = crate::program::Caps::so_far(facts.period_earned, period_key);
    let points = c.earning.caps.cap(raw, today_so_far, period_so_far);
    let nothing_because = c.earning.why_nothing(*amount, raw, points);
    Earned { points, rules, nothing_because, day_key, period_key }
}

/// What a bonus uses up.
#[derive(Debug)]
pub(crate) enum Claim {
    CheckIn(NaiveDate),
    Referral(String),
    Birthday(i32),
    Custom { name: String, key: i64 },
}

pub(crate) fn decide(account: &Account, program: &Program, event: &Event) -> Result<Command, AccountError> {
    // 2. The payload on its own.
    check_text("id", &event.id, MAX_NAME_CHARS)?;
    if !(EARLIEST..LATEST).contains(&event.occurred_at.timestamp()) {
        return Err(AccountError::invalid("occurred_at", event.occurred_at, "must be from 1970 to 8999"));
    }
    check_payload(&event.kind, program.minor_units())?;
    // 3. Time order.
    let clock = account.ledger.clock;
    if event.occurred_at < clock {
        return Err(AccountError::OutOfOrder { event_id: event.id.clone(), occurred_at: event.occurred_at, clock });
    }
    // 4 and 5. References, limits and the balance.
    if account.keys.len() >= MAX_EVENTS {
        return Err(AccountError::TooMany { what: "events", limit: MAX_EVENTS });
    }
    if account.ledger.lots.len() >= MAX_LOTS {
        return Err(AccountError::TooMany { what: "lots", limit: MAX_LOTS });
    }
    let c = program.config();
    let t = event.occurred_at;
    let today = program.local_date(t);
    let facts = &account.facts;
    // 5. What a frozen account may not do (status.rs).
    if let Some(freeze) = &account.status.frozen {
        if account.status.refuses(&event.kind, program) {
            return Err(AccountError::AccountFrozen { event: event.kind.name(), reason: freeze.reason.clone() });
        }
    }
    match &event.kind {
        EventKind::Joined { birthday } => {
            if facts.joined {
                return Err(AccountError::LimitReached { bonus: "joined".into(), limit: "once".into() });
            }
            Ok(Command::Join { birthday: *birthday, points: c.bonuses.sign_up })
        }
        EventKind::ProfileCompleted { birthday } => {
            if facts.profile_completed {
                return Err(AccountError::LimitReached { bonus: "profile_completed".into(), limit: "once".into() });
            }
            Ok(Command::CompleteProfile { birthday: *birthday, points: c.bonuses.profile_completed })
        }
        EventKind::OrderPlaced { order_id, amount, channel, lines, stored_value, coupons, reservation_key } => {
            if account.orders.contains_key(order_id) {
                return Err(AccountError::DuplicateOrder { order_id: order_id.clone() });
            }
            let used = if coupons.is_empty() {
                Vec::new()
            } else {
                order_coupons(account, program, t, *amount, channel.as_deref(), lines, coupons, reservation_key)?
            };
            let paid =
                if used.is_empty() { *amount } else { *amount - used.iter().map(|c| c.discount).sum::<Decimal>() };
            if let Some(x) = stored_value {
                stored_value_section(program, "stored_value", &x.to_string())?;
                if *x > paid {
                    return Err(AccountError::invalid(
                        "stored_value",
                        x,
                        format!("must be at most the amount after coupons, {paid}"),
                    ));
                }
                let available = account.purse.balance(program.minor_units(), t).available;
                if *x > available {
                    return Err(AccountError::InsufficientFunds { needed: *x, available });
                }
            }
            // The points depend on the tier at the event's time, known only once the clock
            // has caught up: evolve computes them with `purchase_points`. Here, refuse an
            // order whose points could not fit under the highest tier multiplier.
            // Most orders are far below the limit under the program's earning bound (rounding
            // adds at most one point); only the others are quoted exactly.
            let spent = lines.iter().fold(*amount, |sum, l| sum.saturating_add(l.amount));
            if program.may_exceed_event_limit(spent) {
                let highest = program.highest_tier_multiplier();
                c.earning
                    .points(*amount, channel.as_deref(), lines, today, facts.birthday, Some(highest), &mut |_| {})
                    .ok_or_else(|| AccountError::invalid("amount", amount, "earns more than 1000000000000 points"))?;
            }
            Ok(Command::Purchase(Purchase {
                order_id: order_id.clone(),
                amount: *amount,
                stored_value: *stored_value,
                coupons: used,
                today,
            }))
        }
        EventKind::OrderRefunded { order_id, amount, returned } => {
            let order = account
                .orders
                .get(order_id)
                .ok_or_else(|| AccountError::UnknownOrder { order_id: order_id.clone() })?;
            program.config().returns.check("order_id", order_id, order.at, event.occurred_at)?;
            if order.cancelled {
                return Err(AccountError::invalid(
                    "order_id",
                    format!("{order_id:?}"),
                    "is cancelled: nothing left to refund",
                ));
            }
            check_return(program, order, *amount, *returned)?;
            let crate::refund::Due { due, target } = crate::refund::due(order_id, order, *amount)?;
            Ok(Command::Refund { order_id: order_id.clone(), amount: *amount, due, target, returned: *returned })
        }
        EventKind::OrderCancelled { order_id } => {
            let order = account
                .orders
                .get(order_id)
                .ok_or_else(|| AccountError::UnknownOrder { order_id: order_id.clone() })?;
            program.config().returns.check("order_id", order_id, order.at, event.occurred_at)?;
            if order.cancelled {
                return Err(AccountError::invalid("order_id", format!("{order_id:?}"), "is already cancelled"));
            }
            if order.refunded == order.amount && !order.amount.is_zero() {
                return Err(AccountError::invalid(
                    "order_id",
                    format!("{order_id:?}"),
                    "is fully refunded: there is nothing to cancel",
                ));
            }
            let amount = order.amount - order.refunded;
            let crate::refund::Due { due, target } = crate::refund::due(order_id, order, amount)?;
            Ok(Command::Cancel { order_id: order_id.clone(), amount, due, target })
        }
        EventKind::CouponGranted { definition, reason } => {
            let def = coupon_definition(program, definition)?;
            check_new_coupon(account, program, event, def)?;
            Ok(Command::GrantCoupon { definition: definition.clone(), reason: reason.clone() })
        }
        EventKind::CouponBought { definition } => {
            let def = coupon_definition(program, definition)?;
            let points = def.price_points.ok_or_else(|| {
                AccountError::invalid("definition", format!("{definition:?}"), "cannot be bought with points")
            })?;
            check_new_coupon(account, program, event, def)?;
            check_balance(account, program, t, points)?;
            Ok(Command::BuyCoupon { definition: definition.clone(), points })
        }
        EventKind::CouponReserved { coupon_id, key } => {
            let section = coupon_section(program, "type", "\"coupon_reserved\"")?;
            account.coupons_at(program, t).usable(coupon_id, Some(key), t).map_err(|r| r.into_error(coupon_id))?;
            let until = t + chrono::Duration::minutes(i64::from(section.reservation_minutes));
            Ok(Command::Reserve { coupon_id: coupon_id.clone(), key: key.clone(), until })
        }
        EventKind::CouponReleased { coupon_id, key } => {
            let wallet = account.coupons_at(program, t);
            let c = wallet
                .held
                .get(coupon_id)
                .ok_or_else(|| AccountError::UnknownCoupon { coupon_id: coupon_id.clone() })?;
            match crate::coupon::Wallet::state_at(c, t) {
                crate::coupon::CouponState::Reserved { key: k, .. } if k == *key => {
                    Ok(Command::Release { coupon_id: coupon_id.clone() })
                }
                _ => Err(AccountError::CouponNotApplicable {
                    coupon_id: coupon_id.clone(),
                    reason: format!("is not reserved under key {key:?}"),
                }),
            }
        }
        EventKind::RewardRedeemed { reward_id, points } => {
            let points = Points::new(*points);
            let catalog = &c.redemption.rewards;
            if !catalog.is_empty() {
                let reward = catalog
                    .iter()
                    .find(|r| &r.id == reward_id)
                    .ok_or_else(|| AccountError::UnknownReward { reward_id: reward_id.clone() })?;
                if reward.points != points {
                    return Err(AccountError::invalid(
                        "points",
                        points,
                        format!("must equal the price of {reward_id:?}, {}", reward.points),
                    ));
                }
            }
            check_min(program, points)?;
            check_balance(account, program, t, points)?;
            Ok(Command::Redeem { points, reward_id: Some(reward_id.clone()), order_id: None, value: Decimal::ZERO })
        }
        EventKind::PointsPaid { order_id, order_amount, points } => {
            let points = Points::new(*points);
            let r = &c.redemption;
            if points.get() % r.step.get() != 0 {
                return Err(AccountError::invalid("points", points, format!("must be a multiple of {}", r.step)));
            }
            let max = r.max_points_for_order(*order_amount);
            if points > max {
                return Err(AccountError::invalid(
                    "points",
                    points,
                    format!("exceeds the {max} points allowed for an order of {order_amount}"),
                ));
            }
            check_min(program, points)?;
            check_balance(account, program, t, points)?;
            Ok(Command::Redeem { points, reward_id: None, order_id: Some(order_id.clone()), value: r.value_of(points) })
        }
        EventKind::RedemptionCancelled { redemption_id } => {
            let r = account
                .redemptions
                .get(redemption_id)
                .ok_or_else(|| AccountError::UnknownRedemption { redemption_id: redemption_id.clone() })?;
            program.config().returns.check("redemption_id", redemption_id, r.at, event.occurred_at)?;
            if r.cancelled {
                return Err(AccountError::AlreadyCancelled { redemption_id: redemption_id.clone() });
            }
            // A bought coupon gives its points back only while it is unused.
            let wallet = account.coupons_at(program, t);
            if let Some(c) = wallet.held.get(redemption_id).filter(|c| c.bought) {
                if let Some(why) = match crate::coupon::Wallet::state_at(c, t) {
                    crate::coupon::CouponState::Issued => None,
                    crate::coupon::CouponState::Reserved { .. } => Some("is reserved for a checkout".to_string()),
                    crate::coupon::CouponState::Redeemed { order_id, .. } => {
                        Some(format!("was redeemed on order {order_id:?}: a used coupon cannot be cancelled"))
                    }
                    crate::coupon::CouponState::Expired => Some(format!("expired at {}", c.valid_until.to_rfc3339())),
                    crate::coupon::CouponState::Cancelled => Some("was cancelled".to_string()),
                } {
                    return Err(AccountError::CouponNotApplicable { coupon_id: redemption_id.clone(), reason: why });
                }
            }
            Ok(Command::CancelRedemption { redemption_id: redemption_id.clone() })
        }
        EventKind::CheckedIn => {
            let points = c.bonuses.daily_check_in.ok_or_else(|| no_bonus("daily_check_in"))?;
            if facts.last_check_in == Some(today) {
                return Err(AccountError::LimitReached {
                    bonus: "daily_check_in".into(),
                    limit: "once per day".into(),
                });
            }
            Ok(Command::Bonus { points, rule: "daily_check_in".into(), claim: Claim::CheckIn(today) })
        }
        EventKind::ReferralCompleted { referred_member_id } => {
            let points = c.bonuses.referral.ok_or_else(|| no_bonus("referral"))?;
            if facts.referrals.contains(referred_member_id) {
                return Err(AccountError::LimitReached {
                    bonus: "referral".into(),
                    limit: format!("once for {referred_member_id:?}"),
                });
            }
            Ok(Command::Bonus { points, rule: "referral".into(), claim: Claim::Referral(referred_member_id.clone()) })
        }
        EventKind::BirthdayReached => {
            let points = c.bonuses.birthday.ok_or_else(|| no_bonus("birthday"))?;
            if facts.birthday_year == Some(today.year()) {
                return Err(AccountError::LimitReached { bonus: "birthday".into(), limit: "once per year".into() });
            }
            Ok(Command::Bonus { points, rule: "birthday".into(), claim: Claim::Birthday(today.year()) })
        }
        EventKind::BonusClaimed { name } => {
            let bonus = c.bonuses.custom(name).ok_or_else(|| no_bonus(name))?;
            let mut key = 0;
            if let Some(limit) = bonus.limit {
                key = limit.per.key(today);
                let used = facts.custom.get(name).filter(|(k, _)| *k == key).map_or(0, |(_, n)| *n);
                if used >= limit.count {
                    return Err(AccountError::LimitReached {
                        bonus: name.clone(),
                        limit: format!("{} times per {}", limit.count, limit.per.name()),
                    });
                }
            }
            Ok(Command::Bonus {
                points: bonus.points,
                rule: name.clone(),
                claim: Claim::Custom { name: name.clone(), key },
            })
        }
        EventKind::PointsAdjusted { points, reason } => {
            let points = Points::new(*points);
            if points.get() < 0 {
                check_balance(account, program, t, -points)?;
            }
            Ok(Command::Adjust { points, reason: reason.clone() })
        }
        EventKind::PointsSent { to_member_id, points } => {
            if *to_member_id == account.member_id {
                return Err(AccountError::invalid(
                    "to_member_id",
                    format!("{to_member_id:?}"),
                    "must be another member",
                ));
            }
            let points = Points::new(*points);
            check_balance(account, program, t, points)?;
            Ok(Command::Send { to_member_id: to_member_id.clone(), points })
        }
        EventKind::PointsReceived { from_member_id, lots } => {
            if *from_member_id == account.member_id {
                return Err(AccountError::invalid(
                    "from_member_id",
                    format!("{from_member_id:?}"),
                    "must be another member",
                ));
            }
            for (i, lot) in lots.iter().enumerate() {
                if lot.earned_at > t {
                    return Err(AccountError::invalid(
                        format!("lots[{i}].earned_at"),
                        lot.earned_at,
                        "must not be after occurred_at",
                    ));
                }
                if let Some(e) = lot.expires_at.filter(|e| *e <= t) {
                    return Err(AccountError::invalid(format!("lots[{i}].expires_at"), e, "must be after occurred_at"));
                }
            }
            if account.ledger.lots.len() + lots.len() > MAX_LOTS {
                return Err(AccountError::TooMany { what: "lots", limit: MAX_LOTS });
            }
            Ok(Command::Receive { from_member_id: from_member_id.clone() })
        }
        EventKind::StoredValueLoaded { paid, payment_ref } => {
            let sv = stored_value_section(program, "type", "\"stored_value_loaded\"")?;
            let bonus = sv.bonus_for(*paid);
            if let Some(cap) = sv.cap {
                let held = account.purse.balance(program.minor_units(), t);
                let would_hold = sv.toward_cap(held.principal, held.bonus, *paid, bonus);
                if would_hold > cap {
                    return Err(AccountError::CapExceeded { paid: *paid, would_hold, cap });
                }
            }
            Ok(Command::Load {
                paid: *paid,
                bonus,
                bonus_expires_at: sv.bonus_expires_at(program, t),
                payment_ref: payment_ref.clone(),
            })
        }
        EventKind::StoredValueCashedOut => {
            stored_value_section(program, "type", "\"stored_value_cashed_out\"")?;
            if account.purse.balance(program.minor_units(), t).available.is_zero() {
                return Err(AccountError::invalid("type", "\"stored_value_cashed_out\"", "has nothing to cash out"));
            }
            Ok(Command::CashOut)
        }
        EventKind::AccountFrozen { reason } => Ok(Command::Freeze { reason: reason.clone() }),
        EventKind::AccountUnfrozen { reason } => {
            if account.status.is_active() {
                return Err(AccountError::invalid(
                    "type",
                    "\"account_unfrozen\"",
                    "refused: the account is not frozen",
                ));
            }
            Ok(Command::Unfreeze { reason: reason.clone() })
        }
        EventKind::TierAssigned { tier, until, reason } => {
            let tiers = c.tiers.as_ref().ok_or_else(|| {
                AccountError::invalid("tier", format!("{tier:?}"), "cannot be assigned: the program has no tiers")
            })?;
            let index = tiers
                .position(tier)
                .ok_or_else(|| AccountError::invalid("tier", format!("{tier:?}"), "is not a tier of the program"))?;
            if *until <= t {
                return Err(AccountError::invalid("until", until, "must be after occurred_at"));
            }
            Ok(Command::AssignTier { tier: index, until: *until, reason: reason.clone() })
        }
    }
}

/// The program's coupons section, or an error naming `field` and its `value` when it has
/// none.
fn coupon_section<'p>(
    program: &'p Program,
    field: &str,
    value: &str,
) -> Result<&'p crate::program::Coupons, AccountError> {
    program
        .config()
        .coupons
        .as_ref()
        .ok_or_else(|| AccountError::invalid(field, value, "refused: the program has no coupons section"))
}

fn coupon_definition<'p>(program: &'p Program, id: &str) -> Result<&'p crate::program::CouponDefinition, AccountError> {
    coupon_section(program, "definition", &format!("{id:?}"))?
        .definition(id)
        .ok_or_else(|| AccountError::invalid("definition", format!("{id:?}"), "is not a coupon of the program"))
}

/// A coupon the host grants or the member buys: its id (the event's) is free, the account
/// has room, and the definition's window has not ended.
fn check_new_coupon(
    account: &Account,
    program: &Program,
    event: &Event,
    def: &crate::program::CouponDefinition,
) -> Result<(), AccountError> {
    // The engine's own coupon ids say why they exist: a host's id may not take one.
    if ["joined:", "birthday:", "tier:"].iter().any(|p| event.id.starts_with(p)) {
        return Err(AccountError::invalid(
            "id",
            format!("{:?}", event.id),
            "must not start with joined:, birthday: or tier: (the ids of coupons the engine issues)",
        ));
    }
    let wallet = account.coupons_at(program, event.occurred_at);
    if wallet.held.contains_key(&event.id) {
        return Err(AccountError::invalid(
            "id",
            format!("{:?}", event.id),
            "is already the id of a coupon of the member's",
        ));
    }
    if wallet.held.len() >= crate::coupon::MAX_COUPONS {
        return Err(AccountError::TooMany { what: "coupons", limit: crate::coupon::MAX_COUPONS });
    }
    if def.validity_at(program, event.occurred_at).is_none() {
        return Err(AccountError::invalid("definition", format!("{:?}", def.id), "is past its validity window"));
    }
    Ok(())
}

/// The coupons of an order: each the member's and usable now (under the order's
/// reservation key), within its per-member limit, listed once, and each taking something
/// off (`program/coupons.rs` prices them).
#[allow(clippy::too_many_arguments)]
fn order_coupons(
    account: &Account,
    program: &Program,
    t: DateTime<Utc>,
    amount: Decimal,
    channel: Option<&str>,
    lines: &[OrderLine],
    coupons: &[String],
    key: &Option<String>,
) -> Result<Vec<super::UsedCoupon>, AccountError> {
    let section = coupon_section(program, "coupons", &format!("{:?}", coupons.first().map_or("", String::as_str)))?;
    let wallet = account.coupons_at(program, t);
    let mut definitions = Vec::with_capacity(coupons.len());
    for (i, id) in coupons.iter().enumerate() {
        if coupons[..i].contains(id) {
            return Err(AccountError::CouponNotApplicable { coupon_id: id.clone(), reason: "is listed twice".into() });
        }
        let c = wallet.usable(id, key.as_deref(), t).map_err(|r| r.into_error(id))?;
        let def = crate::coupon::definition(section, c).ok_or_else(|| AccountError::CouponNotApplicable {
            coupon_id: id.clone(),
            reason: format!("is of {:?}, which the program no longer defines", c.definition),
        })?;
        let already = definitions.iter().filter(|d: &&&crate::program::CouponDefinition| d.id == def.id).count() as u32;
        if let Some(why) = wallet.over_limit(def, already) {
            return Err(AccountError::CouponNotApplicable { coupon_id: id.clone(), reason: why });
        }
        definitions.push(def);
    }
    let ids: Vec<&str> = definitions.iter().map(|d| d.id.as_str()).collect();
    let priced = section.discounts(&ids, amount, channel, lines, program.minor_units());
    coupons
        .iter()
        .zip(priced)
        .zip(&ids)
        .map(|((id, d), def)| match d {
            Ok(discount) => Ok(super::UsedCoupon { coupon_id: id.clone(), definition: def.to_string(), discount }),
            Err(reason) => Err(AccountError::CouponNotApplicable { coupon_id: id.clone(), reason }),
        })
        .collect()
}

/// A refund of an order that used coupons names the goods returned (their list value), and
/// its amount is what the program's partial-return policy refunds for them.
fn check_return(
    program: &Program,
    order: &super::OrderRecord,
    amount: Decimal,
    returned: Option<Decimal>,
) -> Result<(), AccountError> {
    let gross = order.gross();
    let Some(returned) = returned else {
        if order.coupons.is_empty() {
            return Ok(());
        }
        return Err(AccountError::invalid(
            "returned",
            "null",
            "is required for an order that used coupons: the list value of the goods returned",
        ));
    };
    if order.returned + returned > gross {
        return Err(AccountError::invalid(
            "returned",
            returned,
            format!("takes the goods returned above the order's {gross} ({} returned before)", order.returned),
        ));
    }
    let due = match program.config().coupons.as_ref() {
        Some(section) if !order.coupons.is_empty() => {
            let used: Vec<(&str, Decimal)> =
                order.coupons.iter().map(|c| (c.definition.as_str(), c.discount)).collect();
            section.refund_for_return(
                gross,
                &used,
                order.amount,
                order.refunded,
                order.returned + returned,
                program.minor_units(),
            )
        }
        _ => returned,
    };
    if amount != due {
        return Err(AccountError::invalid(
            "amount",
            amount,
            format!("must be {due}: the refund for goods worth {returned} returned"),
        ));
    }
    Ok(())
}

/// The program's stored-value section, or an error naming `field` and its `value` when it
/// has none.
fn stored_value_section<'p>(
    program: &'p Program,
    field: &str,
    value: &str,
) -> Result<&'p crate::program::StoredValue, AccountError> {
    program
        .config()
        .stored_value
        .as_ref()
        .ok_or_else(|| AccountError::invalid(field, value, "refused: the program has no stored_value section"))
}

fn no_bonus(name: &str) -> AccountError {
    AccountError::NoSuchBonus { bonus: name.to_string() }
}

fn check_min(program: &Program, points: Points) -> Result<(), AccountError> {
    let min = program.config().redemption.min_points;
    if !program.config().redemption.meets_minimum(points) {
        return Err(AccountError::invalid("points", points, format!("is below the minimum redemption of {min}")));
    }
    Ok(())
}

/// Debt and balance as they will be at `t`, after the clock has caught up.
fn check_balance(account: &Account, program: &Program, t: DateTime<Utc>, points: Points) -> Result<(), AccountError> {
    let (ledger, _) = account.project(program, t);
    if ledger.debt.is_positive() {
        return Err(AccountError::DebtOutstanding { debt: ledger.debt });
    }
    let available = ledger.available();
    if points > available {
        return Err(AccountError::InsufficientPoints { requested: points, available });
    }
    Ok(())
}

pub(crate) fn check_text(field: &str, value: &str, max_chars: usize) -> Result<(), AccountError> {
    // Most ids are printable ASCII: a pass over the bytes, eight at a time, says so; anything
    // else is checked for blanks (only invisible characters) and control characters.
    let bytes = value.as_bytes();
    if !printable_ascii(bytes) || bytes.first() == Some(&b' ') {
        if let Some(reason) = crate::program::unprintable(value) {
            let head: String = value.chars().take(40).collect();
            return Err(AccountError::invalid(field, format!("{head:?}"), reason));
        }
    }
    // Counting characters is only needed when the bytes could be too many.
    if value.len() > max_chars && value.chars().count() > max_chars {
        let head: String = value.chars().take(16).collect();
        return Err(AccountError::invalid(
            field,
            format!("{head:?}..."),
            format!("must be at most {max_chars} characters"),
        ));
    }
    Ok(())
}

/// Whether `bytes` is not empty and every byte is printable ASCII (0x20 to 0x7e), eight
/// bytes at a time: a byte below 0x20 borrows into its high bit when 0x20 is subtracted, and
/// one above 0x7e (or any non-ASCII byte) has it set after adding 1.
fn printable_ascii(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word_ok = |w: u64| (w.wrapping_sub(ONES * 0x20) & !w & HIGH) == 0 && ((w.wrapping_add(ONES) | w) & HIGH) == 0;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        if !word_ok(u64::from_le_bytes(w)) {
            return false;
        }
    }
    !bytes.is_empty() && chunks.remainder().iter().all(|b| (0x20..0x7f).contains(b))
}

#[inline]
fn check_money(field: &str, amount: Decimal, minor_units: u32) -> Result<(), AccountError> {
    // Nearly every amount: a mantissa from 0 to 10^12 is at most 10^12 whatever its scale.
    if (0..=1_000_000_000_000).contains(&amount.mantissa()) && amount.scale() <= minor_units {
        return Ok(());
    }
    money::check_amount(amount).map_err(|reason| AccountError::invalid(field, amount, reason))?;
    money::check_minor_units(amount, minor_units).map_err(|reason| AccountError::invalid(field, amount, reason))
}

fn check_points(field: &str, points: i64, allow_negative: bool) -> Result<(), AccountError> {
    let max = Points::MAX_PER_EVENT.get();
    let ok = if allow_negative { points != 0 && points.abs() <= max } else { (1..=max).contains(&points) };
    if !ok {
        let reason = if allow_negative {
            "must be non-zero and at most 1000000000000 either way"
        } else {
            "must be from 1 to 1000000000000"
        };
        return Err(AccountError::invalid(field, points, reason));
    }
    Ok(())
}

pub(crate) fn check_payload(kind: &EventKind, minor_units: u32) -> Result<(), AccountError> {
    match kind {
        EventKind::Joined { .. }
        | EventKind::ProfileCompleted { .. }
        | EventKind::CheckedIn
        | EventKind::BirthdayReached => Ok(()),
        EventKind::OrderPlaced { order_id, amount, channel, lines, stored_value, coupons, reservation_key } => {
            check_text("order_id", order_id, MAX_NAME_CHARS)?;
            if coupons.len() > MAX_ORDER_COUPONS {
                return Err(AccountError::invalid(
                    "coupons",
                    coupons.len(),
                    format!("must have at most {MAX_ORDER_COUPONS} coupons"),
                ));
            }
            for (i, c) in coupons.iter().enumerate() {
                check_text(&format!("coupons[{i}]"), c, MAX_NAME_CHARS)?;
            }
            if let Some(k) = reservation_key {
                check_text("reservation_key", k, MAX_NAME_CHARS)?;
            }
            check_money("amount", *amount, minor_units)?;
            if let Some(channel) = channel {
                check_text("channel", channel, MAX_NAME_CHARS)?;
            }
            if let Some(x) = stored_value {
                check_money("stored_value", *x, minor_units)?;
                if x.is_zero() || x > amount {
                    return Err(AccountError::invalid(
                        "stored_value",
                        x,
                        format!("must be more than zero and at most the amount, {amount}"),
                    ));
                }
            }
            check_lines(lines, *amount, minor_units)
        }
        EventKind::StoredValueLoaded { paid, payment_ref } => {
            check_money("paid", *paid, minor_units)?;
            if paid.is_zero() || *paid > crate::program::stored_value::MAX_AMOUNT {
                return Err(AccountError::invalid("paid", paid, "must be more than zero and at most 100000000"));
            }
            if let Some(r) = payment_ref {
                check_text("payment_ref", r, MAX_NAME_CHARS)?;
            }
            Ok(())
        }
        EventKind::StoredValueCashedOut => Ok(()),
        EventKind::AccountFrozen { reason } | EventKind::AccountUnfrozen { reason } => {
            check_text("reason", reason, MAX_REASON_CHARS)
        }
        EventKind::OrderRefunded { order_id, amount, returned } => {
            check_text("order_id", order_id, MAX_NAME_CHARS)?;
            check_money("amount", *amount, minor_units)?;
            // Zero only for goods returned whose refund the policy makes zero (the kept
            // goods now cost what was paid): the return is still recorded.
            if amount.is_zero() && returned.is_none() {
                return Err(AccountError::invalid("amount", amount, "must be more than zero"));
            }
            if let Some(r) = returned {
                check_money("returned", *r, minor_units)?;
                if r.is_zero() {
                    return Err(AccountError::invalid("returned", r, "must be more than zero"));
                }
            }
            Ok(())
        }
        EventKind::OrderCancelled { order_id } => check_text("order_id", order_id, MAX_NAME_CHARS),
        EventKind::CouponGranted { definition, reason } => {
            check_text("definition", definition, MAX_NAME_CHARS)?;
            check_text("reason", reason, MAX_REASON_CHARS)
        }
        EventKind::CouponBought { definition } => check_text("definition", definition, MAX_NAME_CHARS),
        EventKind::CouponReserved { coupon_id, key } | EventKind::CouponReleased { coupon_id, key } => {
            check_text("coupon_id", coupon_id, MAX_NAME_CHARS)?;
            check_text("key", key, MAX_NAME_CHARS)
        }
        EventKind::RewardRedeemed { reward_id, points } => {
            check_text("reward_id", reward_id, MAX_NAME_CHARS)?;
            check_points("points", *points, false)
        }
        EventKind::PointsPaid { order_id, order_amount, points } => {
            check_text("order_id", order_id, MAX_NAME_CHARS)?;
            check_money("order_amount", *order_amount, minor_units)?;
            check_points("points", *points, false)
        }
        EventKind::RedemptionCancelled { redemption_id } => check_text("redemption_id", redemption_id, MAX_NAME_CHARS),
        EventKind::ReferralCompleted { referred_member_id } => {
            check_text("referred_member_id", referred_member_id, MAX_NAME_CHARS)
        }
        EventKind::BonusClaimed { name } => check_text("name", name, MAX_NAME_CHARS),
        EventKind::PointsAdjusted { points, reason } => {
            check_points("points", *points, true)?;
            check_text("reason", reason, MAX_REASON_CHARS)
        }
        EventKind::TierAssigned { tier, reason, .. } => {
            check_text("tier", tier, MAX_NAME_CHARS)?;
            check_text("reason", reason, MAX_REASON_CHARS)
        }
        EventKind::PointsSent { to_member_id, points } => {
            check_text("to_member_id", to_member_id, MAX_NAME_CHARS)?;
            check_points("points", *points, false)
        }
        EventKind::PointsReceived { from_member_id, lots } => {
            check_text("from_member_id", from_member_id, MAX_NAME_CHARS)?;
            if lots.is_empty() || lots.len() > MAX_LINES {
                return Err(AccountError::invalid("lots", lots.len(), format!("must have 1 to {MAX_LINES} lots")));
            }
            let mut total: i64 = 0;
            for (i, lot) in lots.iter().enumerate() {
                check_points(&format!("lots[{i}].points"), lot.points, false)?;
                total = total.saturating_add(lot.points);
            }
            check_points("lots", total, false)
        }
    }
}

fn check_lines(lines: &[OrderLine], amount: Decimal, minor_units: u32) -> Result<(), AccountError> {
    if lines.len() > MAX_LINES {
        return Err(AccountError::invalid("lines", lines.len(), format!("must have at most {MAX_LINES} lines")));
    }
    let mut sum = Decimal::ZERO;
    for (i, line) in lines.iter().enumerate() {
        check_text(&format!("lines[{i}].sku"), &line.sku, MAX_NAME_CHARS)?;
        if let Some(category) = &line.category {
            check_text(&format!("lines[{i}].category"), category, MAX_NAME_CHARS)?;
        }
        check_money(&format!("lines[{i}].amount"), line.amount, minor_units)?;
        check_money(&format!("lines[{i}].discount"), line.discount, minor_units)?;
        // At most 1,000 lines of at most 10^12 each: the sum fits easily.
        sum = sum.saturating_add(line.amount);
    }
    if sum > amount {
        return Err(AccountError::invalid("lines", sum, format!("add up to more than the order amount {amount}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::printable_ascii;

    #[test]
    fn eight_at_a_time_agrees_with_byte_by_byte() {
        let slow = |b: &[u8]| !b.is_empty() && b.iter().all(|c| (0x20..0x7f).contains(c));
        let mut cases: Vec<Vec<u8>> = vec![vec![], b"a".to_vec(), b"order-000123".to_vec(), b"        ".to_vec()];
        for bad in [0u8, 0x1f, 0x7f, 0x80, 0xff, b'\n', 0xc3] {
            for at in 0..17 {
                let mut v = vec![b'x'; 17];
                v[at] = bad;
                cases.push(v);
            }
        }
        for edge in [0x20u8, 0x7e] {
            cases.push(vec![edge; 16]);
        }
        for c in cases {
            assert_eq!(printable_ascii(&c), slow(&c), "{c:?}");
        }
    }
}
