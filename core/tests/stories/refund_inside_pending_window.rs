//! Dev returns part of an order inside its 14-day return window, and the rest after it.
//!
//! - 2024-05-01 12:00Z order 100.00 -> 100 pending, usable from 2024-05-15 00:00 UTC.
//! - 2024-05-05 refund 40.00: 40 of the pending lot are cancelled (not a clawback).
//! - 2024-05-15 the remaining 60 activate.
//! - 2024-05-20 refund 60.00: now the lot is usable, so 60 are clawed back from it.
use super::common::*;
use loyalty::{Account, Draw, Effect, LotId};

#[test]
fn refund_in_the_window_cancels_pending_points() {
    let p = program(serde_json::json!({"pending_days": 14}));
    let mut dev = Account::new("dev");
    let effects = apply(&mut dev, &p, &order("e1", "2024-05-01T12:00:00Z", "o1", "100.00"));
    assert!(
        matches!(effects[0], Effect::PointsEarned { pending: true, available_at, .. } if available_at == at("2024-05-15T00:00:00Z"))
    );
    assert_eq!(balance(&dev, &p, "2024-05-01T12:00:00Z"), (0, 100, 0));

    let effects = apply(&mut dev, &p, &refund("e2", "2024-05-05T09:00:00Z", "o1", "40.00"));
    assert_eq!(effects, vec![Effect::PendingCancelled { order_id: "o1".into(), lot: LotId(0), points: pts(40) }]);
    assert_eq!(balance(&dev, &p, "2024-05-05T09:00:00Z"), (0, 60, 0));

    let effects = dev.advance_to(&p, at("2024-05-15T00:00:00Z")).unwrap();
    assert_eq!(effects, vec![Effect::PendingActivated { lot: LotId(0), points: pts(60), expires_at: None }]);
    assert_eq!(balance(&dev, &p, "2024-05-15T00:00:00Z"), (60, 0, 0));

    let effects = apply(&mut dev, &p, &refund("e3", "2024-05-20T09:00:00Z", "o1", "60.00"));
    assert_eq!(
        effects,
        vec![Effect::PointsClawedBack {
            order_id: "o1".into(),
            points: pts(60),
            draws: vec![Draw { lot: LotId(0), points: pts(60) }],
            forgiven: pts(0),
            waived: pts(0)
        }]
    );
    assert_eq!(balance(&dev, &p, "2024-05-20T09:00:00Z"), (0, 0, 0));
}
