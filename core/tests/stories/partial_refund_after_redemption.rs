//! Cleo buys twice, spends part of her points, then returns the first order in three parts.
//!
//! - Order A 200.00 -> lot 0: 200. Order B 100.00 -> lot 1: 100. Balance 300.
//! - She redeems 150 for a reward: both lots never expire, so the older lot 0 goes first:
//!   lot 0 keeps 50. Balance 150.
//! - Refund 100.00 of A: cumulative 100/200 of the order -> floor(200 * 100/200) = 100 due.
//!   Lot 0's own 50 first, then 50 from lot 1. Balance 50.
//! - Refund 50.00 of A: cumulative 150/200 -> 150 due in total, 50 more: lot 0 is empty,
//!   50 from lot 1. Balance 0.
//! - Refund the last 50.00: the full order -> exactly 200 clawed in total, 50 more, nothing
//!   left: 50 debt.
//! - Order C 80.00 -> 80 points, 50 repay the debt: 30 available.
use super::common::*;
use loyalty::{Account, AccountError, Draw, Effect, LotId};

#[test]
fn refunds_claw_back_in_proportion_then_create_debt() {
    let p = program(serde_json::json!({}));
    let mut cleo = Account::new("cleo");
    apply(&mut cleo, &p, &order("e1", "2024-04-01T10:00:00Z", "A", "200.00"));
    apply(&mut cleo, &p, &order("e2", "2024-04-02T10:00:00Z", "B", "100.00"));
    let effects = apply(&mut cleo, &p, &redeem("e3", "2024-04-03T10:00:00Z", "mug", 150));
    assert_eq!(
        effects,
        vec![Effect::PointsRedeemed {
            reward_id: Some("mug".into()),
            order_id: None,
            points: pts(150),
            value: dec("0"),
            draws: vec![Draw { lot: LotId(0), points: pts(150) }]
        }]
    );

    let effects = apply(&mut cleo, &p, &refund("e4", "2024-04-04T10:00:00Z", "A", "100.00"));
    assert_eq!(
        effects,
        vec![Effect::PointsClawedBack {
            order_id: "A".into(),
            points: pts(100),
            draws: vec![Draw { lot: LotId(0), points: pts(50) }, Draw { lot: LotId(1), points: pts(50) }],
            forgiven: pts(0),
            waived: pts(0),
        }]
    );
    assert_eq!(balance(&cleo, &p, "2024-04-04T10:00:00Z"), (50, 0, 0));

    apply(&mut cleo, &p, &refund("e5", "2024-04-05T10:00:00Z", "A", "50.00"));
    assert_eq!(balance(&cleo, &p, "2024-04-05T10:00:00Z"), (0, 0, 0));

    let effects = apply(&mut cleo, &p, &refund("e6", "2024-04-06T10:00:00Z", "A", "50.00"));
    assert_eq!(effects[1], Effect::DebtCreated { order_id: "A".into(), points: pts(50), debt: pts(50) });
    assert_eq!(balance(&cleo, &p, "2024-04-06T10:00:00Z"), (0, 0, 50));

    // Nothing more to refund on A.
    let err = cleo.apply(&p, &refund("e7", "2024-04-06T11:00:00Z", "A", "0.01")).unwrap_err();
    assert_eq!(
        err,
        AccountError::RefundExceedsOrder {
            order_id: "A".into(),
            amount: dec("0.01"),
            refunded: dec("200.00"),
            order_amount: dec("200.00")
        }
    );

    let effects = apply(&mut cleo, &p, &order("e8", "2024-04-07T10:00:00Z", "C", "80.00"));
    assert_eq!(earned(&effects[0]), 80);
    assert_eq!(
        effects[1],
        Effect::DebtRepaid { points: pts(50), debt: pts(0), draws: vec![Draw { lot: LotId(2), points: pts(50) }] }
    );
    assert_eq!(balance(&cleo, &p, "2024-04-07T10:00:00Z"), (30, 0, 0));
}

#[test]
fn two_half_refunds_of_an_odd_award_claw_back_exactly_the_award() {
    // 15.00 earns 15 points. Half refunds: floor(15 * 7.5/15) = 7, then 15 - 7 = 8.
    let p = program(serde_json::json!({}));
    let mut cleo = Account::new("cleo");
    apply(&mut cleo, &p, &order("e1", "2024-04-01T10:00:00Z", "A", "15.00"));
    let first = apply(&mut cleo, &p, &refund("r1", "2024-04-02T10:00:00Z", "A", "7.50"));
    let second = apply(&mut cleo, &p, &refund("r2", "2024-04-03T10:00:00Z", "A", "7.50"));
    let clawed = |e: &[Effect]| match &e[0] {
        Effect::PointsClawedBack { points, .. } => points.get(),
        other => panic!("{other:?}"),
    };
    assert_eq!((clawed(&first), clawed(&second)), (7, 8));
    assert_eq!(balance(&cleo, &p, "2024-04-03T10:00:00Z"), (0, 0, 0));
}
