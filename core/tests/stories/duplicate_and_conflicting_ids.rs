//! Hana's shop retries webhooks: the same event arrives twice, and once a buggy client
//! reuses an id for a different order.
use super::common::*;
use loyalty::{Account, AccountError};

#[test]
fn a_replayed_event_returns_the_original_outcome_and_changes_nothing() {
    let p = program(serde_json::json!({"pending_days": 3}));
    let mut hana = Account::new("hana");
    let e = order("evt-1", "2024-08-01T10:00:00Z", "o1", "42.00");
    let first = hana.apply(&p, &e).unwrap();
    let snapshot = hana.to_json();
    let again = hana.apply(&p, &e).unwrap();
    assert!(again.duplicate && !first.duplicate);
    assert_eq!(again.effects, first.effects);
    assert_eq!(again.revision, first.revision);
    assert_eq!(hana.to_json(), snapshot);
    // Even much later, after the clock moved on, the replay is still a no-op.
    hana.advance_to(&p, at("2024-09-01T00:00:00Z")).unwrap();
    assert!(hana.apply(&p, &e).unwrap().duplicate);
    assert_eq!(balance(&hana, &p, "2024-09-01T00:00:00Z"), (42, 0, 0));
}

#[test]
fn the_same_id_with_another_payload_is_a_conflict() {
    let p = program(serde_json::json!({}));
    let mut hana = Account::new("hana");
    hana.apply(&p, &order("evt-1", "2024-08-01T10:00:00Z", "o1", "42.00")).unwrap();
    let snapshot = hana.to_json();
    let err = hana.apply(&p, &order("evt-1", "2024-08-01T10:00:00Z", "o1", "42.01")).unwrap_err();
    assert_eq!(err, AccountError::IdConflict { event_id: "evt-1".into() });
    assert_eq!(err.to_string(), r#"id: "evt-1" was already applied with a different payload"#);
    assert_eq!(hana.to_json(), snapshot);
    // The same amount written with another scale is the same payload.
    assert!(hana.apply(&p, &order("evt-1", "2024-08-01T10:00:00Z", "o1", "42.0")).unwrap().duplicate);
}

#[test]
fn an_order_id_is_earned_on_once() {
    let p = program(serde_json::json!({}));
    let mut hana = Account::new("hana");
    hana.apply(&p, &order("evt-1", "2024-08-01T10:00:00Z", "o1", "42.00")).unwrap();
    let err = hana.apply(&p, &order("evt-2", "2024-08-01T11:00:00Z", "o1", "42.00")).unwrap_err();
    assert_eq!(err, AccountError::DuplicateOrder { order_id: "o1".into() });
}
