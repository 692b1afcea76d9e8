//! Ravi's account is stored as JSON between events, as a backend would, and goes on exactly
//! as if it had stayed in memory.
use super::common::*;
use loyalty::{Account, SnapshotError};

#[test]
fn a_stored_account_continues_identically() {
    let p = program(
        serde_json::json!({"pending_days": 2, "expiry": {"kind": "rolling_days", "days": 10}, "expiring_soon_days": 3}),
    );
    let events = [
        order("e1", "2024-03-01T10:00:00Z", "o1", "100.00"),
        order("e2", "2024-03-02T10:00:00Z", "o2", "30.00"),
        redeem("e3", "2024-03-05T10:00:00Z", "mug", 50),
        refund("e4", "2024-03-06T10:00:00Z", "o2", "30.00"),
        order("e5", "2024-03-20T10:00:00Z", "o3", "10.00"),
    ];
    let mut in_memory = Account::new("ravi");
    let mut stored = Account::new("ravi").to_json();
    for e in &events {
        let a = in_memory.apply(&p, e).unwrap();
        let mut loaded = Account::from_json(&stored).unwrap();
        let b = loaded.apply(&p, e).unwrap();
        assert_eq!(a, b);
        stored = loaded.to_json();
        assert_eq!(Account::from_json(&stored).unwrap(), in_memory);
    }
    assert_eq!(stored, in_memory.to_json());
    // o1: 100 usable 03-03, expiring after 03-13 (03-03 + 10 days). 50 redeemed from it
    // (soonest expiry first), the remaining 50 expire 03-14 00:00; o2's 30 are clawed back;
    // o3's 10 are pending until 03-22.
    assert_eq!(balance(&in_memory, &p, "2024-03-20T10:00:00Z"), (0, 10, 0));
}

#[test]
fn snapshots_from_another_format_or_corrupted_are_refused() {
    let json = Account::new("ravi").to_json().replace("\"format\":2", "\"format\":99");
    assert_eq!(Account::from_json(&json).unwrap_err(), SnapshotError::Format { found: 99, supported: 2 });
    let err = Account::from_json("{\"format\":2}").unwrap_err();
    assert!(matches!(err, SnapshotError::Parse { .. }), "{err:?}");
}
