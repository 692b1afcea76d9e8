//! Earning limits and expiry dates the other stories leave out: a minimum order amount, a
//! rule scoped to one SKU, a cap per month, an expiry clock that starts when points become
//! usable, and rolling expiry rounded to the day or the year. UTC throughout.
use super::common::*;
use loyalty::{Account, Effect, Event, EventKind, OrderLine};

#[test]
fn orders_below_the_minimum_earn_nothing_and_say_why() {
    // Minimum 10.00: 9.99 earns nothing ("below_minimum"), 10.00 earns 10.
    let p = program(serde_json::json!({
        "earning": {"rules": [{"name": "base", "points_per_unit": "1"}], "min_order_amount": "10.00"},
        "bonuses": {"sign_up": 100}
    }));
    let mut ivy = Account::new("ivy");
    assert_eq!(
        apply(&mut ivy, &p, &order("e1", "2024-05-01T10:00:00Z", "o1", "9.99")),
        vec![Effect::NoPointsEarned { order_id: "o1".into(), reason: "below_minimum".into() }]
    );
    assert_eq!(earned(&apply(&mut ivy, &p, &order("e2", "2024-05-01T11:00:00Z", "o2", "10.00"))[0]), 10);
    // A bonus lot is named by its bonus and its event.
    apply(&mut ivy, &p, &event("j1", "2024-05-02T10:00:00Z", loyalty::EventKind::Joined { birthday: None }));
    let lots = ivy.lots();
    assert_eq!((lots[0].source_event.as_deref(), lots[1].source_event.as_deref()), (Some("e2"), Some("j1")));
    let bonus_rules: Vec<&str> = lots[1].rules.iter().map(|r| &**r).collect();
    assert_eq!((lots[1].rule.as_str(), bonus_rules), ("sign_up", vec!["sign_up"]));
}

#[test]
fn a_rule_scoped_to_a_sku_earns_on_that_line_only() {
    // LP-1 earns 3 per unit (20.00 -> 60), anything else 1 (CD-9 10.00 -> 10): 70.
    let p = program(serde_json::json!({"earning": {"rules": [
        {"name": "lp1_triple", "points_per_unit": "3", "scope": {"skus": ["LP-1"]}},
        {"name": "base", "points_per_unit": "1"}
    ]}}));
    let line = |sku: &str, amount: &str| OrderLine {
        sku: sku.into(),
        category: None,
        amount: dec(amount),
        discount: dec("0"),
    };
    let e = Event::new(
        "e1",
        at("2024-05-01T10:00:00Z"),
        EventKind::OrderPlaced {
            order_id: "o1".into(),
            amount: dec("30.00"),
            channel: None,
            lines: vec![line("LP-1", "20.00"), line("CD-9", "10.00")],
            stored_value: None,
            coupons: vec![],
            reservation_key: None,
        },
    );
    let mut max = Account::new("max");
    let effects = apply(&mut max, &p, &e);
    assert!(matches!(&effects[0], Effect::PointsEarned { points, rules, .. }
        if points.get() == 70 && **rules == ["lp1_triple".into(), "base".into()] as [std::sync::Arc<str>; 2]));
    // The lot itself names its source event and the rules that produced it.
    let lot = &max.lots()[0];
    assert_eq!(lot.source_event.as_deref(), Some("e1"));
    assert_eq!(lot.rules.iter().map(|r| &**r).collect::<Vec<_>>(), ["lp1_triple", "base"]);
}

#[test]
fn a_monthly_cap_stops_earning_until_the_next_month() {
    // At most 150 purchase points a month: 100 + 100 in May earn 100 + 50, a third May order
    // nothing ("capped"), and June starts again.
    let p = program(serde_json::json!({"earning": {
        "rules": [{"name": "base", "points_per_unit": "1"}],
        "caps": {"per_period": {"points": 150, "period": "month"}}
    }}));
    let mut kai = Account::new("kai");
    assert_eq!(earned(&apply(&mut kai, &p, &order("e1", "2024-05-02T10:00:00Z", "o1", "100.00"))[0]), 100);
    assert_eq!(earned(&apply(&mut kai, &p, &order("e2", "2024-05-20T10:00:00Z", "o2", "100.00"))[0]), 50);
    assert_eq!(
        apply(&mut kai, &p, &order("e3", "2024-05-31T23:00:00Z", "o3", "40.00")),
        vec![Effect::NoPointsEarned { order_id: "o3".into(), reason: "capped".into() }]
    );
    assert_eq!(earned(&apply(&mut kai, &p, &order("e4", "2024-06-01T00:00:00Z", "o4", "100.00"))[0]), 100);
    assert_eq!(balance(&kai, &p, "2024-06-01T00:00:00Z"), (250, 0, 0));
}

#[test]
fn the_expiry_clock_starts_when_points_become_usable() {
    // Pending 14 days, valid 30 days: an order on 2024-01-31 is usable from 2024-02-14, so
    // its last valid day is 2024-03-15 (not 2024-03-01, 30 days after the order), and it
    // expires at the start of 2024-03-16.
    let p = program(serde_json::json!({"pending_days": 14, "expiry": {"kind": "rolling_days", "days": 30}}));
    let mut lee = Account::new("lee");
    let effects = apply(&mut lee, &p, &order("e1", "2024-01-31T10:00:00Z", "o1", "50.00"));
    assert!(matches!(&effects[0], Effect::PointsEarned { available_at, expires_at: Some(exp), .. }
        if *available_at == at("2024-02-14T00:00:00Z") && *exp == at("2024-03-16T00:00:00Z")));
    assert_eq!(balance(&lee, &p, "2024-03-15T23:59:59Z"), (50, 0, 0));
    assert_eq!(balance(&lee, &p, "2024-03-16T00:00:00Z"), (0, 0, 0));
}

#[test]
fn rolling_expiry_rounds_up_to_the_day_or_the_year() {
    // Usable 2024-05-10. Ten days rounded to the day: last valid 2024-05-20, expiring
    // 2024-05-21 (the same as no rounding). One month rounded to the year: 2024-06-10 rounds
    // to 2024-12-31, expiring 2025-01-01.
    for (expiry, expected) in [
        (serde_json::json!({"kind": "rolling_days", "days": 10, "round_up_to": "day"}), "2024-05-21T00:00:00Z"),
        (serde_json::json!({"kind": "rolling_days", "days": 10}), "2024-05-21T00:00:00Z"),
        (serde_json::json!({"kind": "rolling_months", "months": 1, "round_up_to": "year"}), "2025-01-01T00:00:00Z"),
    ] {
        let p = program(serde_json::json!({"expiry": expiry}));
        let effects = apply(&mut Account::new("mo"), &p, &order("e1", "2024-05-10T10:00:00Z", "o1", "5.00"));
        assert!(
            matches!(&effects[0], Effect::PointsEarned { expires_at: Some(exp), .. } if *exp == at(expected)),
            "{expiry}: {effects:?}"
        );
    }
}
