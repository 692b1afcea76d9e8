//! Finn spends all his points, then returns the order that earned them: he owes them back,
//! cannot redeem while he owes, and his next purchases repay the debt first.
//!
//! - Order 100.00 -> 100. Redeem 100 -> 0.
//! - Full refund -> 100 due, nothing to take: debt 100.
//! - Redeeming 10 is refused: debt outstanding.
//! - Order 60.00 -> 60, all repay debt: debt 40.
//! - Order 70.00 -> 70, 40 repay the rest: 30 available.
use super::common::*;
use loyalty::{Account, AccountError, Draw, Effect, LotId};

#[test]
fn debt_blocks_redemption_and_is_repaid_first() {
    let p = program(serde_json::json!({}));
    let mut finn = Account::new("finn");
    apply(&mut finn, &p, &order("e1", "2024-06-01T10:00:00Z", "o1", "100.00"));
    apply(&mut finn, &p, &redeem("e2", "2024-06-02T10:00:00Z", "headphones", 100));
    let effects = apply(&mut finn, &p, &refund("e3", "2024-06-03T10:00:00Z", "o1", "100.00"));
    assert_eq!(
        effects,
        vec![
            Effect::PointsClawedBack {
                order_id: "o1".into(),
                points: pts(0),
                draws: vec![],
                forgiven: pts(0),
                waived: pts(0)
            },
            Effect::DebtCreated { order_id: "o1".into(), points: pts(100), debt: pts(100) },
        ]
    );
    let before = finn.to_json();
    let err = finn.apply(&p, &redeem("e4", "2024-06-04T10:00:00Z", "sticker", 10)).unwrap_err();
    assert_eq!(err, AccountError::DebtOutstanding { debt: pts(100) });
    assert_eq!(finn.to_json(), before, "a refused event changes nothing");

    let effects = apply(&mut finn, &p, &order("e5", "2024-06-05T10:00:00Z", "o2", "60.00"));
    assert_eq!(
        effects[1],
        Effect::DebtRepaid { points: pts(60), debt: pts(40), draws: vec![Draw { lot: LotId(1), points: pts(60) }] }
    );
    assert_eq!(balance(&finn, &p, "2024-06-05T10:00:00Z"), (0, 0, 40));
    apply(&mut finn, &p, &order("e6", "2024-06-06T10:00:00Z", "o3", "70.00"));
    assert_eq!(balance(&finn, &p, "2024-06-06T10:00:00Z"), (30, 0, 0));
}
