//! Vic returns an order whose points partly expired: the expired part is gone already and
//! is not taken again from his newer points.
//!
//! Rolling 30 days, UTC.
//! - 2024-01-05 order A 100.00 -> lot 0, valid through 2024-02-04, expiring 02-05 00:00.
//! - 2024-01-20 he redeems 40 from lot 0. On 2024-02-05 the other 60 expire.
//! - 2024-02-10 order B 200.00 -> lot 1.
//! - 2024-02-12 A is refunded in full: 100 due. Lot 0 has nothing left; 60 of A's points
//!   expired and are forgiven; the 40 he spent come from lot 1. Balance 160.
use super::common::*;
use loyalty::{Account, Draw, Effect, LotId};

#[test]
fn the_expired_part_of_an_order_is_not_clawed_back_twice() {
    let p = program(serde_json::json!({"expiry": {"kind": "rolling_days", "days": 30}}));
    let mut vic = Account::new("vic");
    apply(&mut vic, &p, &order("e1", "2024-01-05T10:00:00Z", "A", "100.00"));
    apply(&mut vic, &p, &redeem("e2", "2024-01-20T10:00:00Z", "tee", 40));
    apply(&mut vic, &p, &order("e3", "2024-02-10T10:00:00Z", "B", "200.00"));
    let effects = apply(&mut vic, &p, &refund("e4", "2024-02-12T10:00:00Z", "A", "100.00"));
    assert_eq!(
        effects,
        vec![Effect::PointsClawedBack {
            order_id: "A".into(),
            points: pts(40),
            draws: vec![Draw { lot: LotId(1), points: pts(40) }],
            forgiven: pts(60),
            waived: pts(0)
        }]
    );
    assert_eq!(balance(&vic, &p, "2024-02-12T10:00:00Z"), (160, 0, 0));
}
