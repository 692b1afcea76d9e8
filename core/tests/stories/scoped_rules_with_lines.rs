//! Sam buys vinyl and CDs in one order. Vinyl earns 2 points per dollar, everything else 1,
//! and store purchases earn an extra 10% through a channel rule.
//!
//! Web order 55.00 with lines: vinyl 30.00 (60 points), CD 20.00 (20 points), 5.00 shipping
//! not in the lines: 80 points. A line-less web order 10.00 earns on the whole amount under
//! the first rule without category or SKU scope: "base", 10 points. A store order 10.00
//! earns under "store" at 1.1: 11 points.
use super::common::*;
use loyalty::{Account, Event, EventKind, OrderLine};

fn line(sku: &str, category: &str, amount: &str) -> OrderLine {
    OrderLine { sku: sku.into(), category: Some(category.into()), amount: dec(amount), discount: dec("0") }
}

#[test]
fn each_line_earns_under_the_first_matching_rule() {
    let p = program(serde_json::json!({"earning": {"rules": [
        {"name": "vinyl", "points_per_unit": "2", "scope": {"categories": ["vinyl"]}},
        {"name": "store", "points_per_unit": "1.1", "scope": {"channels": ["store"]}},
        {"name": "base", "points_per_unit": "1"}
    ]}}));
    let mut sam = Account::new("sam");
    let e = Event::new(
        "e1",
        at("2024-11-01T10:00:00Z"),
        EventKind::OrderPlaced {
            order_id: "o1".into(),
            amount: dec("55.00"),
            channel: Some("web".into()),
            lines: vec![line("LP-1", "vinyl", "30.00"), line("CD-1", "cd", "20.00")],
            stored_value: None,
            coupons: vec![],
            reservation_key: None,
        },
    );
    let effects = apply(&mut sam, &p, &e);
    assert!(matches!(&effects[0], loyalty::Effect::PointsEarned { points, rules, .. }
        if points.get() == 80 && **rules == ["vinyl".into(), "base".into()] as [std::sync::Arc<str>; 2]));
    let web = Event::new(
        "e2",
        at("2024-11-01T11:00:00Z"),
        EventKind::OrderPlaced {
            order_id: "o2".into(),
            amount: dec("10.00"),
            channel: Some("web".into()),
            lines: vec![],
            stored_value: None,
            coupons: vec![],
            reservation_key: None,
        },
    );
    assert_eq!(earned(&apply(&mut sam, &p, &web)[0]), 10);
    let store = Event::new(
        "e3",
        at("2024-11-01T12:00:00Z"),
        EventKind::OrderPlaced {
            order_id: "o3".into(),
            amount: dec("10.00"),
            channel: Some("store".into()),
            lines: vec![],
            stored_value: None,
            coupons: vec![],
            reservation_key: None,
        },
    );
    assert_eq!(earned(&apply(&mut sam, &p, &store)[0]), 11);

    let too_much = Event::new(
        "e4",
        at("2024-11-01T13:00:00Z"),
        EventKind::OrderPlaced {
            order_id: "o4".into(),
            amount: dec("10.00"),
            channel: None,
            lines: vec![line("LP-2", "vinyl", "30.00")],
            stored_value: None,
            coupons: vec![],
            reservation_key: None,
        },
    );
    let err = sam.apply(&p, &too_much).unwrap_err();
    assert_eq!(err.to_string(), "lines: 30.00 add up to more than the order amount 10.00");
}
