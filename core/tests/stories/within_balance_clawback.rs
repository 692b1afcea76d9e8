//! Uma's program never puts members in debt: a clawback stops at zero and the rest is
//! waived.
//!
//! Order 100.00 -> 100; she redeems 80; full refund: 100 due, 20 taken from the order's own
//! lot, 80 waived. Balance 0, no debt.
use super::common::*;
use loyalty::{Account, Draw, Effect, LotId};

#[test]
fn clawback_stops_at_zero() {
    let p = program(serde_json::json!({"clawback_shortfall": "within_balance"}));
    let mut uma = Account::new("uma");
    apply(&mut uma, &p, &order("e1", "2024-12-01T10:00:00Z", "o1", "100.00"));
    apply(&mut uma, &p, &redeem("e2", "2024-12-02T10:00:00Z", "scarf", 80));
    let effects = apply(&mut uma, &p, &refund("e3", "2024-12-03T10:00:00Z", "o1", "100.00"));
    assert_eq!(
        effects,
        vec![Effect::PointsClawedBack {
            order_id: "o1".into(),
            points: pts(20),
            draws: vec![Draw { lot: LotId(0), points: pts(20) }],
            forgiven: pts(0),
            waived: pts(80)
        }]
    );
    assert_eq!(balance(&uma, &p, "2024-12-03T10:00:00Z"), (0, 0, 0));
}
