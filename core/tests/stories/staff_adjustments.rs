//! Tom's points are adjusted by staff: a goodwill credit and a correction.
//!
//! Order 40.00 -> 40. Goodwill +25 -> 65. Correction -30 takes from the lot that expires
//! first (the order's, rolling 12 months, before the adjustment's which was credited later):
//! lot 0 keeps 10. Removing 100 is refused: only 35 available.
use super::common::*;
use loyalty::{Account, AccountError, Draw, Effect, EventKind, LotId};

#[test]
fn adjustments_add_lots_or_draw_in_spend_order() {
    let p = program(serde_json::json!({"expiry": {"kind": "rolling_months", "months": 12}}));
    let mut tom = Account::new("tom");
    apply(&mut tom, &p, &order("e1", "2024-01-10T10:00:00Z", "o1", "40.00"));
    let adjust = |id: &str, points: i64| {
        event(id, "2024-02-10T10:00:00Z", EventKind::PointsAdjusted { points, reason: "support ticket 812".into() })
    };
    let effects = apply(&mut tom, &p, &adjust("a1", 25));
    assert_eq!(
        effects,
        vec![Effect::PointsAdjusted {
            points: pts(25),
            reason: "support ticket 812".into(),
            draws: vec![Draw { lot: LotId(1), points: pts(25) }]
        }]
    );
    let effects = apply(&mut tom, &p, &adjust("a2", -30));
    assert_eq!(
        effects,
        vec![Effect::PointsAdjusted {
            points: pts(-30),
            reason: "support ticket 812".into(),
            draws: vec![Draw { lot: LotId(0), points: pts(30) }]
        }]
    );
    let err = tom.apply(&p, &adjust("a3", -100)).unwrap_err();
    assert_eq!(err, AccountError::InsufficientPoints { requested: pts(100), available: pts(35) });
    assert_eq!(balance(&tom, &p, "2024-02-10T10:00:00Z"), (35, 0, 0));
}
