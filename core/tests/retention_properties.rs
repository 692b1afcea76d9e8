//! Forgetting changes no answer. Random streams of orders, refunds, cancellations, point
//! payments, their cancellations and check-ins, days to months apart, go to two accounts: one
//! under a short return window (20 days) and idempotency horizon (5 days), one keeping
//! everything (ten years). Whatever the forgetting one accepts, the other accepts with the
//! same effects; what it refuses and the other accepts is only a return after its window
//! (`return_window_closed`, or `unknown_order` / `unknown_redemption` once the record itself
//! has gone after window + horizon); a refusal changes nothing; the journal it handed out is
//! the other's whole statement; the balances agree and the snapshot reads back equal.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use loyalty::{Account, Event, EventKind, JournalEntry, Program};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Order { dollars: u16 },
    Refund { order: u8, cents: u16 },
    Cancel { order: u8 },
    Pay { points: u16 },
    CancelPay { pay: u8 },
    CheckIn,
    Repeat { back: u8 },
    Wait { hours: u16 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1u16..300).prop_map(|dollars| Op::Order { dollars }),
        2 => (any::<u8>(), 1u16..5_000).prop_map(|(order, cents)| Op::Refund { order, cents }),
        1 => any::<u8>().prop_map(|order| Op::Cancel { order }),
        1 => (1u16..6).prop_map(|n| Op::Pay { points: n * 100 }),
        1 => any::<u8>().prop_map(|pay| Op::CancelPay { pay }),
        2 => Just(Op::CheckIn),
        1 => any::<u8>().prop_map(|back| Op::Repeat { back }),
        4 => (1u16..1_500).prop_map(|hours| Op::Wait { hours }),
    ]
}

fn program(window_days: u32, horizon_days: u32) -> Program {
    Program::from_json(
        &serde_json::json!({
            "name": "p", "version": 1, "currency": "USD", "time_zone": "UTC",
            "earning": {"rules": [{"name": "base", "points_per_unit": "2"}]},
            "bonuses": {"daily_check_in": 5},
            "pending_days": 3,
            "expiry": {"kind": "rolling_months", "months": 2},
            "redemption": {"point_value": "0.01"},
            "returns": {"window_days": window_days},
            "idempotency": {"horizon_days": horizon_days}
        })
        .to_string(),
    )
    .unwrap()
}

fn events(ops: &[Op]) -> Vec<Event> {
    let mut t: DateTime<Utc> = Utc.with_ymd_and_hms(2025, 1, 1, 9, 0, 0).unwrap();
    let (mut orders, mut pays, mut out): (u32, u32, Vec<Event>) = (0, 0, Vec::new());
    for (i, op) in ops.iter().enumerate() {
        let id = format!("e{i}");
        let kind = match op {
            Op::Wait { hours } => {
                t += Duration::hours(i64::from(*hours));
                continue;
            }
            Op::Repeat { back } => {
                if let Some(e) = out.len().checked_sub(1 + *back as usize % 8).and_then(|k| out.get(k)).cloned() {
                    out.push(e);
                }
                continue;
            }
            Op::Order { dollars } => {
                orders += 1;
                EventKind::OrderPlaced {
                    order_id: format!("o{orders}"),
                    amount: (*dollars).into(),
                    channel: None,
                    lines: vec![],
                    stored_value: None,
                    coupons: vec![],
                    reservation_key: None,
                }
            }
            Op::Refund { order, cents } => EventKind::OrderRefunded {
                order_id: format!("o{}", 1 + u32::from(*order) % orders.max(1)),
                amount: rust_decimal::Decimal::new(i64::from(*cents), 2),
                returned: None,
            },
            Op::Cancel { order } => {
                EventKind::OrderCancelled { order_id: format!("o{}", 1 + u32::from(*order) % orders.max(1)) }
            }
            Op::Pay { points } => {
                pays += 1;
                EventKind::PointsPaid {
                    order_id: format!("q{pays}"),
                    order_amount: 100.into(),
                    points: i64::from(*points),
                }
            }
            Op::CancelPay { pay } => {
                // Point payments are redemptions named by their event id.
                let Some(e) = out
                    .iter()
                    .filter(|e| matches!(e.kind, EventKind::PointsPaid { .. }))
                    .nth(*pay as usize % pays.max(1) as usize)
                else {
                    continue;
                };
                EventKind::RedemptionCancelled { redemption_id: e.id.clone() }
            }
            Op::CheckIn => EventKind::CheckedIn,
        };
        out.push(Event::new(id, t, kind));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn forgetting_changes_no_answer(ops in prop::collection::vec(op(), 1..120)) {
        let (short, whole) = (program(20, 5), program(3650, 3650));
        let (mut a, mut b) = (Account::new("m"), Account::new("m"));
        let mut journal: Vec<JournalEntry> = Vec::new();
        for e in events(&ops) {
            let before = a.to_json();
            match a.apply(&short, &e) {
                Ok(out) => {
                    let other = b.apply(&whole, &e).unwrap();
                    prop_assert_eq!(&out.effects, &other.effects, "{:?}", e);
                    prop_assert_eq!(out.duplicate, other.duplicate);
                    journal.extend(out.journal);
                }
                Err(err) => {
                    prop_assert_eq!(a.to_json(), before, "a refusal changed the account");
                    let other = b.clone().apply(&whole, &e);
                    match (err.kind(), other) {
                        // Refused by both: alike, or first for the window (it comes first in the
                        // errors' precedence).
                        (kind, Err(o)) => prop_assert!(
                            kind == o.kind() || matches!(kind, "return_window_closed" | "unknown_order" | "unknown_redemption"),
                            "{:?}: {} against {}", e, kind, o.kind()
                        ),
                        // Only a return after the window, or a repeat older than the horizon
                        // (refused as out of order, where the other answers it as a duplicate).
                        ("return_window_closed" | "unknown_order" | "unknown_redemption", Ok(_)) => {}
                        ("out_of_order", Ok(o)) => prop_assert!(o.duplicate, "{:?}", e),
                        (kind, Ok(_)) => prop_assert!(false, "only the short window refused {:?}: {}", e, kind),
                    }
                }
            }
        }
        let end = a.clock().max(b.clock()) + Duration::days(400);
        let out = a.advance(&short, end).unwrap();
        prop_assert_eq!(&out.effects, &b.advance_to(&whole, end).unwrap());
        journal.extend(out.journal);
        prop_assert_eq!(a.balances(&short, end).unwrap(), b.balances(&whole, end).unwrap());
        prop_assert_eq!(journal.len(), b.statement().len());
        for (j, e) in journal.iter().zip(b.statement()) {
            prop_assert!(j.at == e.at && j.effects[..] == e.effects[..] && j.event_id.as_deref() == e.event_id.as_deref());
        }
        prop_assert_eq!(Account::from_json(&a.to_json()).unwrap(), a);
    }
}
