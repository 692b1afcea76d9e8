//! Kai pays part of an 80.00 order with points. 100 points = 1.00, at least 500 points, in
//! steps of 100, at most half of the order.
//!
//! - He holds 2,345 points (order 2,345.00).
//! - Quote for 80.00: half is 40.00 = 4,000 points; his balance rounded to the step is
//!   2,300: 2,300 points pay 23.00, 57.00 left in cash.
//! - Paying 2,350 is refused (not a multiple of 100); paying 4,100 is refused (over half);
//!   paying 2,300 leaves 45 points, and a new quote gives nothing (below the minimum).
use super::common::*;
use loyalty::{Account, AccountError, EventKind, Points};

#[test]
fn points_pay_part_of_an_order_within_the_limits() {
    let p = program(serde_json::json!({"redemption": {
        "point_value": "0.01", "min_points": 500, "step": 100, "max_order_share": "0.5"
    }}));
    let mut kai = Account::new("kai");
    apply(&mut kai, &p, &order("e1", "2024-09-01T10:00:00Z", "o1", "2345.00"));
    let t = at("2024-09-02T10:00:00Z");
    let q = kai.quote_payment(&p, dec("80.00"), None, t).unwrap();
    assert_eq!((q.points, q.value, q.cash, q.max_points), (pts(2300), dec("23.00"), dec("57.00"), pts(2300)));
    let q = kai.quote_payment(&p, dec("80.00"), Some(Points::new(1_050)), t).unwrap();
    assert_eq!((q.points, q.value), (pts(1000), dec("10.00")));

    let pay = |id: &str, points: i64| {
        event(
            id,
            "2024-09-02T10:00:00Z",
            EventKind::PointsPaid { order_id: "o2".into(), order_amount: dec("80.00"), points },
        )
    };
    let err = kai.apply(&p, &pay("p1", 2_350)).unwrap_err();
    assert_eq!(err.to_string(), "points: 2350 must be a multiple of 100");
    let err = kai.apply(&p, &pay("p2", 4_100)).unwrap_err();
    assert_eq!(err.to_string(), "points: 4100 exceeds the 4000 points allowed for an order of 80.00");
    let err = kai.apply(&p, &pay("p3", 2_400)).unwrap_err();
    assert_eq!(err, AccountError::InsufficientPoints { requested: pts(2400), available: pts(2345) });
    let err = kai.apply(&p, &pay("p4", 400)).unwrap_err();
    assert_eq!(err.to_string(), "points: 400 is below the minimum redemption of 500");

    let effects = apply(&mut kai, &p, &pay("p5", 2_300));
    assert!(matches!(&effects[0], loyalty::Effect::PointsRedeemed { points, value, order_id: Some(o), .. }
        if points.get() == 2300 && *value == dec("23.00") && o == "o2"));
    assert_eq!(balance(&kai, &p, "2024-09-02T10:00:00Z"), (45, 0, 0));
    assert_eq!(kai.quote_payment(&p, dec("80.00"), None, t).unwrap().points, pts(0));
}

#[test]
fn a_reward_catalog_fixes_prices() {
    let p = program(serde_json::json!({"redemption": {
        "point_value": "0.01", "rewards": [{"id": "tote", "points": 1500}]
    }}));
    let mut kai = Account::new("kai");
    apply(&mut kai, &p, &order("e1", "2024-09-01T10:00:00Z", "o1", "2000.00"));
    let err = kai.apply(&p, &redeem("r1", "2024-09-02T10:00:00Z", "tote", 1000)).unwrap_err();
    assert_eq!(err.to_string(), r#"points: 1000 must equal the price of "tote", 1500"#);
    let err = kai.apply(&p, &redeem("r2", "2024-09-02T10:00:00Z", "yacht", 1500)).unwrap_err();
    assert_eq!(err, AccountError::UnknownReward { reward_id: "yacht".into() });
    apply(&mut kai, &p, &redeem("r3", "2024-09-02T10:00:00Z", "tote", 1500));
    assert_eq!(balance(&kai, &p, "2024-09-02T10:00:00Z"), (500, 0, 0));
}
