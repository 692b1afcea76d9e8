//! Jo shops on the monthly member day (the 8th, double points) with a cap of 150 points per
//! order and 250 per day.
//!
//! - 2024-05-08 order 100.00: 100 x 2 = 200, capped at 150 per order.
//! - same day order 80.00: 160, but only 250 - 150 = 100 left today: 100.
//! - same day order 10.00: 20, nothing left today: no points (capped).
//! - 2024-05-09 order 100.00: no multiplier: 100.
use super::common::*;
use loyalty::{Account, Effect};

#[test]
fn member_day_doubles_points_within_the_caps() {
    let p = program(serde_json::json!({"earning": {
        "rules": [{"name": "base", "points_per_unit": "1"}],
        "multipliers": [{"name": "member_day", "factor": "2", "when": {"kind": "month_days", "days": [8]}}],
        "caps": {"per_order": 150, "per_day": 250}
    }}));
    let mut jo = Account::new("jo");
    let e = apply(&mut jo, &p, &order("e1", "2024-05-08T09:00:00Z", "o1", "100.00"));
    assert!(matches!(&e[0], Effect::PointsEarned { points, rules, .. }
        if points.get() == 150 && **rules == ["base".into(), "member_day".into()] as [std::sync::Arc<str>; 2]));
    assert_eq!(earned(&apply(&mut jo, &p, &order("e2", "2024-05-08T12:00:00Z", "o2", "80.00"))[0]), 100);
    let e = apply(&mut jo, &p, &order("e3", "2024-05-08T18:00:00Z", "o3", "10.00"));
    assert_eq!(e, vec![Effect::NoPointsEarned { order_id: "o3".into(), reason: "capped".into() }]);
    assert_eq!(earned(&apply(&mut jo, &p, &order("e4", "2024-05-09T09:00:00Z", "o4", "100.00"))[0]), 100);
    assert_eq!(balance(&jo, &p, "2024-05-09T09:00:00Z"), (350, 0, 0));
}

#[test]
fn multipliers_combine_by_policy() {
    // Tuesday 2024-05-14 is also in a 1.5x campaign: multiply gives 3x, max 2x, add 2.5x.
    for (combine, expected) in [("multiply", 300), ("max", 200), ("add", 250)] {
        let p = program(serde_json::json!({"earning": {
            "rules": [{"name": "base", "points_per_unit": "1"}],
            "multipliers": [
                {"name": "tuesday", "factor": "2", "when": {"kind": "weekdays", "days": ["Tue"]}},
                {"name": "spring", "factor": "1.5", "when": {"kind": "date_range", "from": "2024-05-01", "to": "2024-05-31"}}
            ],
            "combine": combine
        }}));
        let mut jo = Account::new("jo");
        assert_eq!(
            earned(&apply(&mut jo, &p, &order("e1", "2024-05-14T09:00:00Z", "o1", "100.00"))[0]),
            expected,
            "{combine}"
        );
    }
}
