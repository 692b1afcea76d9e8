//! Quinn's events arrive late: the engine refuses to rewrite history silently.
use super::common::*;
use loyalty::{Account, AccountError};

#[test]
fn an_event_before_the_clock_is_refused_and_equal_instants_are_fine() {
    let p = program(serde_json::json!({}));
    let mut quinn = Account::new("quinn");
    apply(&mut quinn, &p, &order("e2", "2024-02-02T10:00:00Z", "o2", "20.00"));
    let err = quinn.apply(&p, &order("e1", "2024-02-01T10:00:00Z", "o1", "10.00")).unwrap_err();
    assert_eq!(
        err,
        AccountError::OutOfOrder {
            event_id: "e1".into(),
            occurred_at: at("2024-02-01T10:00:00Z"),
            clock: at("2024-02-02T10:00:00Z")
        }
    );
    apply(&mut quinn, &p, &order("e3", "2024-02-02T10:00:00Z", "o3", "5.00"));
    // Advancing the clock also closes the past.
    quinn.advance_to(&p, at("2024-03-01T00:00:00Z")).unwrap();
    assert!(matches!(
        quinn.apply(&p, &order("e4", "2024-02-15T00:00:00Z", "o4", "1.00")),
        Err(AccountError::OutOfOrder { .. })
    ));
    assert!(matches!(quinn.balances(&p, at("2024-02-15T00:00:00Z")), Err(AccountError::AsOfBeforeClock { .. })));
    assert_eq!(balance(&quinn, &p, "2024-03-01T00:00:00Z"), (25, 0, 0));
}

#[test]
fn invalid_fields_are_named_with_their_values() {
    let p = program(serde_json::json!({}));
    let mut quinn = Account::new("quinn");
    let err = quinn.apply(&p, &order("e1", "2024-02-02T10:00:00Z", "o1", "-5.00")).unwrap_err();
    assert_eq!(err.to_string(), "amount: -5.00 must not be negative");
    let err = quinn.apply(&p, &order("", "2024-02-02T10:00:00Z", "o1", "5.00")).unwrap_err();
    assert_eq!(err.to_string(), r#"id: "" must not be empty"#);
    let err = quinn.apply(&p, &refund("r1", "2024-02-02T10:00:00Z", "o9", "1.00")).unwrap_err();
    assert_eq!(err.to_string(), r#"order_id: "o9" is not an order of this member"#);
    let err = quinn.apply(&p, &redeem("r2", "2024-02-02T10:00:00Z", "x", 0)).unwrap_err();
    assert_eq!(err.to_string(), "points: 0 must be from 1 to 1000000000000");
    assert_eq!(quinn.revision(), 0);
}

#[test]
fn an_order_earning_more_than_the_event_limit_is_refused_only_when_it_would() {
    // Rate 1 and a 2x member day on the 8th: 600 billion earns 600 billion points on the 2nd
    // (above the program's bound of 2 points a unit, so it is quoted exactly, and fits) but
    // would earn 1.2 trillion on the 8th, over the limit of 10^12 per event.
    let p = program(serde_json::json!({
        "earning": {
            "rules": [{"name": "base", "points_per_unit": "1"}],
            "multipliers": [{"name": "member_day", "factor": "2", "when": {"kind": "month_days", "days": [8]}}]
        }
    }));
    let mut quinn = Account::new("quinn");
    apply(&mut quinn, &p, &order("e1", "2024-02-02T10:00:00Z", "o1", "600000000000"));
    assert_eq!(balance(&quinn, &p, "2024-02-02T10:00:00Z"), (600_000_000_000, 0, 0));
    let err = quinn.apply(&p, &order("e2", "2024-02-08T10:00:00Z", "o2", "600000000000")).unwrap_err();
    assert_eq!(err.to_string(), "amount: 600000000000 earns more than 1000000000000 points");
    assert_eq!(quinn.revision(), 1);
}
