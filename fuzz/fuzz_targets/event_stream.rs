//! Replays an arbitrary event stream against an arbitrary program and checks, after every
//! step: refused events change nothing, balances never go below zero, the effects add up to
//! what the lots hold (conservation), stored value is conserved to the cent, replays are
//! no-ops, and snapshots round-trip.
#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, Duration, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use loyalty::{Account, Event, EventKind, Program, StoredValueTotals, Totals};
use rust_decimal::Decimal;

#[derive(Debug, Arbitrary)]
struct Knobs {
    pending_days: u8,
    expiry: u8,
    expiry_n: u8,
    warn_days: u8,
    within_balance: bool,
    reinstate: bool,
    cap_per_order: Option<u16>,
    new_york: bool,
    tiers: u8,
}

#[derive(Debug, Arbitrary)]
enum Op {
    Order { cents: u32, hours: u16 },
    Refund { order: u8, cents: u32, hours: u16 },
    Redeem { points: u16, hours: u16 },
    Pay { points: u16, order_cents: u32, hours: u16 },
    Cancel { redemption: u8, hours: u16 },
    CheckIn { hours: u16 },
    Adjust { points: i16, hours: u16 },
    Assign { tier: u8, days: u8, hours: u16 },
    Advance { hours: u16 },
    Replay { index: u8 },
    TopUp { cents: u32, hours: u16 },
    CardOrder { cents: u32, card_cents: u32, hours: u16 },
    CashOut { hours: u16 },
    Freeze { unfreeze: bool, hours: u16 },
    Join { birthday: Option<(u8, u8)>, hours: u16 },
    Grant { def: u8, hours: u16 },
    BuyCoupon { hours: u16 },
    Reserve { coupon: u8, key: bool, release: bool, hours: u16 },
    CouponOrder { cents: u32, coupons: (u8, Option<u8>), key: Option<bool>, hours: u16 },
    CancelOrder { order: u8, hours: u16 },
    Return { order: u8, cents: u32, hours: u16 },
}

fn program(k: &Knobs) -> Option<Program> {
    let n = u32::from(k.expiry_n % 40) + 1;
    let expiry = match k.expiry % 5 {
        0 => serde_json::json!({"kind": "never"}),
        1 => serde_json::json!({"kind": "rolling_days", "days": n * 3}),
        2 => serde_json::json!({"kind": "rolling_months", "months": n % 13 + 1, "round_up_to": "month"}),
        3 => serde_json::json!({"kind": "calendar", "years_after": n % 2, "month": 12, "day": 31}),
        _ => serde_json::json!({"kind": "inactivity", "days": n * 5}),
    };
    let mut caps = serde_json::json!({});
    if let Some(c) = k.cap_per_order {
        caps = serde_json::json!({"per_order": c});
    }
    let after = if k.reinstate {
        serde_json::json!({"kind": "reinstate", "days": 10})
    } else {
        serde_json::json!({"kind": "stay_expired"})
    };
    let period = match k.tiers % 6 {
        1 => serde_json::json!({"kind": "calendar_year"}),
        2 => serde_json::json!({"kind": "rolling_days", "days": 30}),
        3 => serde_json::json!({"kind": "anniversary", "of": "tier_reached"}),
        4 => serde_json::json!({"kind": "fixed", "start": "2024-02-29", "months": 1}),
        _ => serde_json::json!({"kind": "rolling_months", "months": 2}),
    };
    let downgrade = ["requalify", "one_level", "to_base", "none"][usize::from(k.tiers / 6 % 4)];
    // Upgrades at the next period's start need a period with a start (not a rolling one).
    let upgrade = if k.tiers / 24 % 2 == 1 && matches!(k.tiers % 6, 1 | 3 | 4) { "next_period" } else { "immediately" };
    let tiers = (k.tiers % 6 != 0).then(|| {
        serde_json::json!({
            "period": period, "downgrade": downgrade, "upgrade": upgrade,
            "grace_days": k.expiry_n % 3 * 4, "warn_days": k.warn_days % 9,
            "refunds": if k.within_balance { "immediately" } else { "period_end" },
            "levels": [
                {"name": "Member"},
                {"name": "Silver", "entry": {"spend": "100", "orders": 3}, "retain": {"spend": "50"}, "earn_multiplier": "1.25"},
                {"name": "Gold", "entry": {"points": 600, "orders": 5, "combine": "all"}, "entry_reward": {"points": 40}},
                {"name": "Platinum", "entry": {"spend": "3000"}, "earn_multiplier": "2"}
            ]
        })
    });
    let spend = ["proportional", "principal_first", "bonus_first"][usize::from(k.expiry % 3)];
    let json = serde_json::json!({
        "name": "fuzz", "version": 1, "currency": "USD",
        "time_zone": if k.new_york { "America/New_York" } else { "UTC" },
        "earning": {"rules": [{"name": "base", "points_per_unit": "1.5"}], "caps": caps},
        "bonuses": {"daily_check_in": 5},
        "pending_days": k.pending_days % 30,
        "expiry": expiry,
        "expiring_soon_days": k.warn_days % 40,
        "redemption": {"point_value": "0.01", "step": 10, "max_order_share": "0.5", "after_expiry": after},
        "clawback_shortfall": if k.within_balance { "within_balance" } else { "debt" },
        "tiers": tiers,
        "frozen_accounts_earn": k.within_balance,
        "stored_value": {
            "bonus_tiers": [{"min_paid": "10", "bonus": "0.33"}, {"min_paid": "100", "bonus": "10"}],
            "bonus_expiry": {"kind": "rolling_days", "days": u32::from(k.expiry_n % 60) + 1},
            "bonus_warn_days": k.warn_days % 5,
            "cap": "2000",
            "cap_counts_bonus": k.reinstate,
            "spend": spend,
            "cash_out": if k.new_york { "face_value" } else { "proportional" }
        },
        "coupons": {
            "reservation_minutes": u32::from(k.warn_days % 60) + 1,
            "partial_return": if k.reinstate { "claw_back" } else { "keep" },
            "definitions": [
                {"id": "PCT", "discount": {"kind": "percent_off", "percent": "12.5", "max_discount": "30"}, "min_spend": "20",
                 "validity": {"kind": "days", "days": u32::from(k.expiry_n % 20)}, "remind_days": u32::from(k.warn_days % 4)},
                {"id": "OFF", "discount": {"kind": "amount_off", "amount": "7.77"}, "per_member_limit": 2,
                 "min_spend_on": "order_amount", "min_spend": "10", "validity": {"kind": "days", "days": 3}},
                {"id": "SOLO", "discount": {"kind": "amount_off", "amount": "1"}, "exclusive": true,
                 "validity": {"kind": "window", "from": "2024-01-10", "through": "2024-03-01"}, "remind_days": 5},
                {"id": "BOUGHT", "discount": {"kind": "amount_off", "amount": "3"}, "price_points": 50,
                 "validity": {"kind": "days", "days": 10}},
                {"id": "HELLO", "discount": {"kind": "amount_off", "amount": "2"}, "issue": {"on": "joined"},
                 "validity": {"kind": "days", "days": 2}},
                {"id": "BDAY", "discount": {"kind": "percent_off", "percent": "100"}, "remind_days": 1,
                 "issue": {"on": "birthday", "days_before": u32::from(k.expiry_n % 10)}, "validity": {"kind": "days", "days": 5}}
            ]
        }
    });
    Program::from_json(&json.to_string()).ok()
}

fuzz_target!(|input: (Knobs, Vec<Op>)| {
    let (knobs, ops) = input;
    let Some(p) = program(&knobs) else { return };
    let mut account = Account::new("fuzz");
    let mut t: DateTime<Utc> = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single().expect("valid start");
    let mut totals = Totals::default();
    let mut wallet = StoredValueTotals::default();
    let mut applied: Vec<Event> = Vec::new();
    let mut orders = 0u32;
    let mut redemptions: Vec<String> = Vec::new();
    let mut coupons: Vec<String> = vec!["joined:HELLO".into()];
    for (i, op) in ops.iter().take(200).enumerate() {
        let id = format!("e{i}");
        let step = |h: &u16| Duration::hours(i64::from(*h % 2000));
        let event = match op {
            Op::Order { cents, hours } => {
                t += step(hours);
                orders += 1;
                Event::new(
                    id,
                    t,
                    EventKind::OrderPlaced {
                        order_id: format!("o{}", orders - 1),
                        amount: Decimal::new(i64::from(*cents % 1_000_000), 2),
                        channel: None,
                        lines: vec![],
                        stored_value: None,
                        coupons: vec![],
                        reservation_key: None,
                    },
                )
            }
            Op::Refund { order, cents, hours } => {
                t += step(hours);
                let o = if orders == 0 { 0 } else { u32::from(*order) % orders };
                Event::new(
                    id,
                    t,
                    EventKind::OrderRefunded {
                        order_id: format!("o{o}"),
                        amount: Decimal::new(i64::from(*cents % 1_000_000), 2),
                        returned: None,
                    },
                )
            }
            Op::Redeem { points, hours } => {
                t += step(hours);
                redemptions.push(id.clone());
                Event::new(id, t, EventKind::RewardRedeemed { reward_id: "r".into(), points: i64::from(*points) })
            }
            Op::Pay { points, order_cents, hours } => {
                t += step(hours);
                redemptions.push(id.clone());
                Event::new(
                    id,
                    t,
                    EventKind::PointsPaid {
                        order_id: "p".into(),
                        order_amount: Decimal::new(i64::from(*order_cents % 10_000_000), 2),
                        points: i64::from(*points),
                    },
                )
            }
            Op::Cancel { redemption, hours } => {
                t += step(hours);
                let r = redemptions
                    .get(usize::from(*redemption) % redemptions.len().max(1))
                    .cloned()
                    .unwrap_or_else(|| "none".into());
                Event::new(id, t, EventKind::RedemptionCancelled { redemption_id: r })
            }
            Op::CheckIn { hours } => {
                t += step(hours);
                Event::new(id, t, EventKind::CheckedIn)
            }
            Op::Adjust { points, hours } => {
                t += step(hours);
                Event::new(id, t, EventKind::PointsAdjusted { points: i64::from(*points), reason: "fuzz".into() })
            }
            Op::Assign { tier, days, hours } => {
                t += step(hours);
                let name = ["Member", "Silver", "Gold", "Platinum", "Nope"][usize::from(*tier % 5)];
                let until = t + Duration::days(i64::from(*days % 90));
                Event::new(id, t, EventKind::TierAssigned { tier: name.into(), until, reason: "fuzz".into() })
            }
            Op::Advance { hours } => {
                t += step(hours);
                let effects = account.advance_to(&p, t).expect("instants stay far before 9000");
                effects.iter().for_each(|e| {
                    totals.record(e);
                    wallet.record(e);
                });
                check(&account, &p, t, &totals, &wallet);
                continue;
            }
            Op::TopUp { cents, hours } => {
                t += step(hours);
                Event::new(
                    id,
                    t,
                    EventKind::StoredValueLoaded {
                        paid: Decimal::new(i64::from(*cents % 300_000), 2),
                        payment_ref: None,
                    },
                )
            }
            Op::CardOrder { cents, card_cents, hours } => {
                t += step(hours);
                orders += 1;
                let amount = Decimal::new(i64::from(*cents % 1_000_000), 2);
                let card = Decimal::new(i64::from(*card_cents % 1_000_000), 2);
                Event::new(
                    id,
                    t,
                    EventKind::OrderPlaced {
                        order_id: format!("o{}", orders - 1),
                        amount,
                        channel: None,
                        lines: vec![],
                        stored_value: Some(card),
                        coupons: vec![],
                        reservation_key: None,
                    },
                )
            }
            Op::CashOut { hours } => {
                t += step(hours);
                Event::new(id, t, EventKind::StoredValueCashedOut)
            }
            Op::Freeze { unfreeze, hours } => {
                t += step(hours);
                let reason = "fuzz".to_string();
                Event::new(
                    id,
                    t,
                    if *unfreeze { EventKind::AccountUnfrozen { reason } } else { EventKind::AccountFrozen { reason } },
                )
            }
            Op::Join { birthday, hours } => {
                t += step(hours);
                let birthday = birthday.and_then(|(m, d)| {
                    chrono::NaiveDate::from_ymd_opt(2000, u32::from(m % 12) + 1, u32::from(d % 31) + 1)
                });
                Event::new(id, t, EventKind::Joined { birthday })
            }
            Op::Grant { def, hours } => {
                t += step(hours);
                coupons.push(id.clone());
                let definition = ["PCT", "OFF", "SOLO", "BOUGHT", "NOPE"][usize::from(*def % 5)];
                Event::new(id, t, EventKind::CouponGranted { definition: definition.into(), reason: "fuzz".into() })
            }
            Op::BuyCoupon { hours } => {
                t += step(hours);
                coupons.push(id.clone());
                redemptions.push(id.clone());
                Event::new(id, t, EventKind::CouponBought { definition: "BOUGHT".into() })
            }
            Op::Reserve { coupon, key, release, hours } => {
                t += Duration::minutes(i64::from(*hours % 120));
                let coupon_id = coupons[usize::from(*coupon) % coupons.len()].clone();
                let key = if *key { "K1" } else { "K2" }.to_string();
                let kind = if *release {
                    EventKind::CouponReleased { coupon_id, key }
                } else {
                    EventKind::CouponReserved { coupon_id, key }
                };
                Event::new(id, t, kind)
            }
            Op::CouponOrder { cents, coupons: (a, b), key, hours } => {
                t += Duration::minutes(i64::from(*hours % 600));
                orders += 1;
                let mut list = vec![coupons[usize::from(*a) % coupons.len()].clone()];
                if let Some(b) = b {
                    list.push(coupons[usize::from(*b) % coupons.len()].clone());
                }
                Event::new(
                    id,
                    t,
                    EventKind::OrderPlaced {
                        order_id: format!("o{}", orders - 1),
                        amount: Decimal::new(i64::from(*cents % 1_000_000), 2),
                        channel: None,
                        lines: vec![],
                        stored_value: None,
                        coupons: list,
                        reservation_key: key.map(|k| if k { "K1" } else { "K2" }.to_string()),
                    },
                )
            }
            Op::CancelOrder { order, hours } => {
                t += step(hours);
                let o = if orders == 0 { 0 } else { u32::from(*order) % orders };
                Event::new(id, t, EventKind::OrderCancelled { order_id: format!("o{o}") })
            }
            Op::Return { order, cents, hours } => {
                t += step(hours);
                let o = if orders == 0 { 0 } else { u32::from(*order) % orders };
                let order_id = format!("o{o}");
                let returned = Decimal::new(i64::from(*cents % 1_000_000), 2);
                // The refund the program's policy gives, when the quote has one.
                let amount = account.quote_return(&p, &order_id, returned, t).map(|q| q.refund).unwrap_or(returned);
                Event::new(id, t, EventKind::OrderRefunded { order_id, amount, returned: Some(returned) })
            }
            Op::Replay { index } => {
                if applied.is_empty() {
                    continue;
                }
                let e = applied[usize::from(*index) % applied.len()].clone();
                let before = account.to_json();
                match account.apply(&p, &e) {
                    Ok(outcome) => assert!(outcome.duplicate),
                    // Past the idempotency horizon the id is forgotten, and the time-order
                    // rule refuses the repeat: never applied twice.
                    Err(err) => {
                        assert_eq!(err.kind(), "out_of_order", "a replay refused as {err:?}");
                        assert!(e.occurred_at < account.clock());
                    }
                }
                assert_eq!(account.to_json(), before);
                continue;
            }
        };
        let before = account.to_json();
        match account.apply(&p, &event) {
            Ok(outcome) => {
                outcome.effects.iter().for_each(|e| {
                    totals.record(e);
                    wallet.record(e);
                });
                applied.push(event);
            }
            Err(_) => assert_eq!(account.to_json(), before, "a refused event changed the account"),
        }
        check(&account, &p, t, &totals, &wallet);
    }
    let json = account.to_json();
    let loaded = Account::from_json(&json).expect("a snapshot loads");
    assert_eq!(loaded, account);
    if p.config().tiers.is_some() {
        let progress = account.tier_progress(&p, account.clock()).expect("as of the clock").expect("tiers");
        assert!(p.config().tiers.as_ref().is_some_and(|t| t.position(&progress.tier).is_some()));
    }
});

fn check(account: &Account, p: &Program, t: DateTime<Utc>, totals: &Totals, wallet: &StoredValueTotals) {
    account.verify().expect("invariants hold");
    // Balances as of a later instant may include expiries not yet emitted as effects.
    assert!(account.balances(p, t).is_ok());
    let b = account.balances(p, account.clock()).expect("as of the clock");
    assert!(b.available.get() >= 0 && b.pending.get() >= 0 && b.debt.get() >= 0);
    assert!(b.debt.get() == 0 || b.available.get() == 0);
    assert_eq!(totals.held(), b.available + b.pending, "conservation");
    assert_eq!(totals.debt(), b.debt, "debt conservation");
    let sv = account.stored_value(p, account.clock()).expect("as of the clock");
    assert_eq!(wallet.held(), sv.available, "stored value conservation");
    assert!(sv.liability >= Decimal::ZERO && sv.liability <= sv.available);
}
