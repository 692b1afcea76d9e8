//! Stored value over random streams of top-ups, card payments, returns, cash-outs and clock
//! moves, under each spend policy and cash-out mode:
//! - money is conserved to the cent: loaded = spent (net of returns) + expired + cashed out
//!   + held, and what the effects say is held is what the member can spend;
//! - no balance, part or liability is ever negative, the liability never exceeds what is
//!   held, and a top-up never takes principal past the cap;
//! - a refused event changes nothing, and a snapshot reads back equal;
//! - advancing the clock day by day leaves the same account as advancing once.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use loyalty::{Account, Event, EventKind, Program, StoredValueTotals};
use proptest::prelude::*;
use rust_decimal::Decimal;

#[derive(Clone, Debug)]
enum Op {
    TopUp { yuan: u32 },
    Pay { cents: u32, card_share: u8 },
    Return { order: u8, cents: u32 },
    CashOut,
    Wait { hours: u16 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1u32..3000).prop_map(|yuan| Op::TopUp { yuan }),
        4 => (1u32..150_000, 0u8..=100).prop_map(|(cents, card_share)| Op::Pay { cents, card_share }),
        2 => (any::<u8>(), 1u32..150_000).prop_map(|(order, cents)| Op::Return { order, cents }),
        1 => Just(Op::CashOut),
        3 => (1u16..2000).prop_map(|hours| Op::Wait { hours }),
    ]
}

fn tea_house(policy: usize, mode: usize, bonus_days: u32) -> Program {
    let spend = ["proportional", "principal_first", "bonus_first"][policy];
    let cash_out = ["face_value", "proportional"][mode];
    let json = serde_json::json!({
        "name": "Tea", "version": 1, "currency": "CNY", "time_zone": "Asia/Shanghai",
        "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
        "redemption": {"point_value": "0.01"},
        "stored_value": {
            "bonus_tiers": [{"min_paid": "100", "bonus": "3.33"}, {"min_paid": "500", "bonus": "30"},
                            {"min_paid": "1000", "bonus": "100"}],
            "bonus_expiry": {"kind": "rolling_days", "days": bonus_days},
            "bonus_warn_days": 2,
            "cap": "5000",
            "spend": spend,
            "cash_out": cash_out
        }
    });
    Program::from_json(&json.to_string()).unwrap()
}

/// The events of a stream, with the clock moves between them.
fn events(ops: &[Op]) -> Vec<(Option<Event>, DateTime<Utc>)> {
    let mut t = Utc.with_ymd_and_hms(2025, 1, 1, 2, 0, 0).unwrap();
    let mut orders = 0u32;
    let mut out = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        t += Duration::minutes(7);
        let id = format!("e{i}");
        let kind = match op {
            Op::TopUp { yuan } => EventKind::StoredValueLoaded { paid: Decimal::from(*yuan), payment_ref: None },
            Op::Pay { cents, card_share } => {
                orders += 1;
                let amount = Decimal::new(i64::from(*cents), 2);
                let card = (amount * Decimal::from(*card_share) / Decimal::from(100)).round_dp(2);
                EventKind::OrderPlaced {
                    order_id: format!("o{}", orders - 1),
                    amount,
                    channel: None,
                    lines: vec![],
                    stored_value: (!card.is_zero()).then_some(card),
                    coupons: vec![],
                    reservation_key: None,
                }
            }
            Op::Return { order, cents } => EventKind::OrderRefunded {
                order_id: format!("o{}", u32::from(*order) % orders.max(1)),
                amount: Decimal::new(i64::from(*cents), 2),
                returned: None,
            },
            Op::CashOut => EventKind::StoredValueCashedOut,
            Op::Wait { hours } => {
                t += Duration::hours(i64::from(*hours));
                out.push((None, t));
                continue;
            }
        };
        out.push((Some(Event::new(id, t, kind)), t));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn money_is_conserved_and_nothing_goes_negative(
        ops in prop::collection::vec(op(), 1..60),
        policy in 0usize..3,
        mode in 0usize..2,
        bonus_days in 1u32..40,
    ) {
        let p = tea_house(policy, mode, bonus_days);
        let mut account = Account::new("m");
        let mut totals = StoredValueTotals::default();
        for (event, t) in events(&ops) {
            let top_up = matches!(event.as_ref().map(|e| &e.kind), Some(EventKind::StoredValueLoaded { .. }));
            let effects = match event {
                None => account.advance_to(&p, t).unwrap(),
                Some(e) => {
                    let before = account.to_json();
                    match account.apply(&p, &e) {
                        Ok(o) => o.effects,
                        Err(_) => {
                            prop_assert_eq!(account.to_json(), before, "a refused event changed the account");
                            continue;
                        }
                    }
                }
            };
            effects.iter().for_each(|e| totals.record(e));
            let b = account.stored_value(&p, account.clock()).unwrap();
            prop_assert_eq!(totals.held(), b.available, "conservation: {:?}", totals);
            prop_assert!(b.principal >= Decimal::ZERO && b.bonus >= Decimal::ZERO);
            prop_assert!(b.liability >= Decimal::ZERO && b.liability <= b.available, "{:?}", b);
            // The cap bounds top-ups (a return may refill past it: it gives back what was there).
            prop_assert!(!top_up || b.principal <= Decimal::from(5000));
            prop_assert!(totals.refund_due <= totals.paid, "never more paid back than paid in");
            account.verify().unwrap();
        }
        let loaded = Account::from_json(&account.to_json()).unwrap();
        prop_assert_eq!(loaded, account);
    }

    #[test]
    fn advancing_day_by_day_is_advancing_once(
        ops in prop::collection::vec(op(), 1..40),
        policy in 0usize..3,
        bonus_days in 1u32..20,
    ) {
        let p = tea_house(policy, 0, bonus_days);
        let mut account = Account::new("m");
        for (event, t) in events(&ops) {
            match event {
                None => { account.advance_to(&p, t).unwrap(); }
                Some(e) => { let _ = account.apply(&p, &e); }
            }
        }
        let end = account.clock() + Duration::days(60);
        let mut once = account.clone();
        let once_effects = once.advance_to(&p, end).unwrap();
        let mut daily = account.clone();
        let mut daily_effects = Vec::new();
        let mut t = account.clock();
        while t < end {
            t = (t + Duration::days(1)).min(end);
            daily_effects.extend(daily.advance_to(&p, t).unwrap());
        }
        prop_assert_eq!(once.stored_value(&p, end).unwrap(), daily.stored_value(&p, end).unwrap());
        prop_assert_eq!(once_effects, daily_effects);
    }
}
