//! Reads arbitrary text as a JSON snapshot (as a host that stores snapshots where users can
//! touch them would): nothing may panic while loading, and an account that loads must take
//! the next events without panicking either. Every order is refunded in full, every
//! redemption cancelled, points redeemed and the clock advanced a year: the arithmetic a
//! tampered lot, order or draw would break. A refused event changes nothing, and what loads
//! writes back to an equal account.
#![no_main]

use chrono::Duration;
use libfuzzer_sys::fuzz_target;
use loyalty::{Account, Event, EventKind, Program};

const PROGRAM: &str = r#"{"name": "Fuzz", "version": 1, "currency": "USD", "time_zone": "America/New_York",
    "earning": {"rules": [{"name": "base", "points_per_unit": "2"}]}, "pending_days": 1,
    "expiry": {"kind": "rolling_months", "months": 6}, "expiring_soon_days": 30,
    "redemption": {"point_value": "0.000001", "after_expiry": {"kind": "reinstate", "days": 10}},
    "tiers": {"period": {"kind": "calendar_year"}, "levels": [{"name": "Member"},
        {"name": "Gold", "entry": {"spend": "100"}, "earn_multiplier": "1.5"}]}}"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(mut account) = Account::from_json(text) else { return };
    let again = Account::from_json(&account.to_json()).expect("a loaded snapshot writes back");
    assert_eq!(again, account);
    let program = Program::from_json(PROGRAM).expect("the fuzz program is valid");
    let t = account.clock();
    let json: serde_json::Value = serde_json::from_str(text).expect("it parsed once");
    let orders: Vec<(String, String)> = json["orders"]
        .as_object()
        .map(|o| o.iter().map(|(k, v)| (k.clone(), v["amount"].as_str().unwrap_or("1").to_string())).collect())
        .unwrap_or_default();
    let redemptions: Vec<String> =
        json["redemptions"].as_object().map(|r| r.keys().cloned().collect()).unwrap_or_default();
    let mut events = Vec::new();
    for (i, (order_id, amount)) in orders.into_iter().enumerate() {
        if let Ok(amount) = loyalty::parse_decimal(&amount) {
            events.push(Event::new(
                format!("fz-r{i}"),
                t,
                EventKind::OrderRefunded { order_id, amount, returned: None },
            ));
        }
    }
    for (i, redemption_id) in redemptions.into_iter().enumerate() {
        events.push(Event::new(format!("fz-c{i}"), t, EventKind::RedemptionCancelled { redemption_id }));
    }
    events.push(Event::new(
        "fz-redeem",
        t,
        EventKind::PointsPaid { order_id: "fz".into(), order_amount: loyalty::MAX_AMOUNT, points: 1_000_000_000_000 },
    ));
    events.push(Event::new(
        "fz-order",
        t,
        EventKind::OrderPlaced {
            order_id: "fz-o".into(),
            amount: loyalty::MAX_AMOUNT,
            channel: None,
            lines: vec![],
            stored_value: None,
            coupons: vec![],
            reservation_key: None,
        },
    ));
    for event in &events {
        let before = account.to_json();
        if account.apply(&program, event).is_err() {
            assert_eq!(account.to_json(), before, "a refused event changed the account");
        }
    }
    let later = t + Duration::days(366);
    let _ = account.advance_to(&program, later);
    let _ = account.balances(&program, later);
    let _ = account.quote_payment(&program, loyalty::MAX_AMOUNT, None, later);
    let _ = account.tier_progress(&program, later);
    account.verify().expect("an account that loaded and took events keeps its invariants");
});
