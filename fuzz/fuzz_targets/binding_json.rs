//! The bindings' inputs, through the core's JSON path: the Python and Node layers hand the
//! core an event (or a list of events, or a program) as JSON text built from whatever the
//! caller passed, and the core alone decides. Arbitrary text must never panic; an event that
//! reads must print and read back to an equal event, and applying it (or a list of them) to
//! an account either changes it or leaves it byte for byte as it was.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loyalty::{Account, Event, Program};

const PROGRAM: &str = r#"{"name": "Fuzz", "version": 1, "currency": "USD", "time_zone": "Europe/Paris",
    "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
    "bonuses": {"daily_check_in": 5, "sign_up": 100, "custom": [{"name": "survey", "points": 20}]},
    "redemption": {"point_value": "0.01", "rewards": [{"id": "mug", "points": 100}]},
    "tiers": {"period": {"kind": "calendar_year"}, "levels": [{"name": "Member"}, {"name": "Gold", "entry": {"points": 500}}]}}"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = Program::from_json(text);
    let program = Program::from_json(PROGRAM).expect("the fuzz program is valid");
    let mut account = Account::new("fuzz");
    let seed = Event::from_json(
        r#"{"id": "seed", "occurred_at": "2024-01-01T00:00:00Z", "type": "order_placed", "order_id": "o", "amount": "500"}"#,
    )
    .expect("the seed event reads");
    account.apply(&program, &seed).expect("the seed order applies");
    if let Ok(event) = Event::from_json(text) {
        let printed = serde_json::to_string(&event).expect("an event prints");
        assert_eq!(Event::from_json(&printed).expect("a printed event reads back"), event);
        let before = account.to_json();
        if account.apply(&program, &event).is_err() {
            assert_eq!(account.to_json(), before, "a refused event changed the account");
        }
    }
    if let Ok(events) = Event::list_from_json(text) {
        let before = account.to_json();
        if account.apply_all(&program, &events).is_err() {
            assert_eq!(account.to_json(), before, "a refused list changed the account");
        }
    }
    account.verify().expect("the account keeps its invariants");
});
