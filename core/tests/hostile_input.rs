//! The bad-input catalogue of the core, by class (DESIGN.md, "Bad input"): each case gets a
//! typed error naming the field (and the value), and a refused event leaves the account's
//! snapshot byte for byte as it was.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use chrono::{DateTime, TimeZone, Utc};
use loyalty::{transfer, Account, AccountError, Event, EventKind, Program, ProgramError, SnapshotError};
use serde_json::{json, Value};

const BASE: &str = r#"{"name": "Shop", "version": 1, "currency": "USD", "time_zone": "UTC",
    "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
    "redemption": {"point_value": "0.01"}}"#;

fn program() -> Program {
    Program::from_json(BASE).unwrap()
}

/// The base program with `patch` merged in at the top level.
fn patched(patch: Value) -> Result<Program, ProgramError> {
    let mut doc: Value = serde_json::from_str(BASE).unwrap();
    for (k, v) in patch.as_object().unwrap() {
        doc[k] = v.clone();
    }
    Program::from_json(&doc.to_string())
}

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, day, 12, 0, 0).unwrap()
}

/// An account with an order of 80.00 (80 points) on 1 May and a 30-point redemption on 2 May.
fn member() -> Account {
    let p = program();
    let mut a = Account::new("m-1");
    let order = EventKind::OrderPlaced {
        order_id: "o1".into(),
        amount: "80.00".parse().unwrap(),
        channel: None,
        lines: vec![],
        stored_value: None,
        coupons: vec![],
        reservation_key: None,
    };
    a.apply(&p, &Event::new("e1", at(1), order)).unwrap();
    a.apply(&p, &Event::new("e2", at(2), EventKind::RewardRedeemed { reward_id: "mug".into(), points: 30 })).unwrap();
    a
}

/// Applies `event`, expects a refusal, checks the snapshot is unchanged byte for byte, and
/// returns the error.
fn refused(account: &mut Account, program: &Program, event: &Event) -> AccountError {
    let before = account.to_json();
    let err = account.apply(program, event).unwrap_err();
    assert_eq!(account.to_json(), before, "a refused event changed the account");
    err
}

fn field_of(err: &AccountError) -> (&str, &str) {
    match err {
        AccountError::InvalidField { field, value, .. } => (field.as_str(), value.as_str()),
        other => panic!("expected InvalidField, got {other:?}"),
    }
}

fn event_json(extra: Value) -> String {
    let mut doc = json!({"id": "e9", "occurred_at": "2024-05-03T10:00:00Z", "type": "order_placed",
        "order_id": "o9", "amount": "10.00"});
    for (k, v) in extra.as_object().unwrap() {
        doc[k] = v.clone();
    }
    doc.to_string()
}

fn invalid_program(patch: Value) -> (String, String) {
    match patched(patch).unwrap_err() {
        ProgramError::Invalid { path, value, .. } => (path, value),
        ProgramError::Parse { path, message } => (path, message),
        other => panic!("{other:?}"),
    }
}

// Class 1: events only the engine writes.

#[test]
fn the_halves_of_a_transfer_are_refused_from_outside() {
    let p = program();
    let mut a = member();
    let mint = Event::from_json(
        r#"{"id": "x", "occurred_at": "2024-05-03T10:00:00Z", "type": "points_received",
            "from_member_id": "nobody", "lots": [{"points": 1000000000000, "earned_at": "2024-05-03T10:00:00Z", "expires_at": null}]}"#,
    )
    .unwrap();
    let err = refused(&mut a, &p, &mint);
    assert_eq!(field_of(&err), ("type", "\"points_received\""));
    let burn = Event::new("y", at(3), EventKind::PointsSent { to_member_id: "nobody".into(), points: 10 });
    assert_eq!(field_of(&refused(&mut a, &p, &burn)), ("type", "\"points_sent\""));
    // apply_all refuses them too, with the index, and changes nothing.
    let before = a.to_json();
    assert!(matches!(a.apply_all(&p, &[burn]), Err((0, AccountError::InvalidField { .. }))));
    assert_eq!(a.to_json(), before);
    // The transfer call still writes both halves.
    let mut b = Account::new("m-2");
    transfer(&p, &mut a, &mut b, "t1", at(3), 20).unwrap();
    assert_eq!(b.balances(&p, at(3)).unwrap().available.get(), 20);
}

// Class 2: inputs that passed validation and later panicked.

#[test]
fn a_point_value_too_small_to_divide_by_is_refused_and_the_smallest_allowed_quotes_exactly() {
    let (path, value) = invalid_program(json!({"redemption": {"point_value": "0.0000000000000000000000000001"}}));
    assert_eq!((path.as_str(), value.as_str()), ("redemption.point_value", "0.0000000000000000000000000001"));
    let p = patched(json!({"redemption": {"point_value": "0.000001"}})).unwrap();
    let mut a = Account::new("m");
    let order = EventKind::OrderPlaced {
        order_id: "o".into(),
        amount: "1000000000000".parse().unwrap(),
        channel: None,
        lines: vec![],
        stored_value: None,
        coupons: vec![],
        reservation_key: None,
    };
    a.apply(&p, &Event::new("e", at(1), order)).unwrap();
    // 10^12 spent earns 10^12 points; an order of 10^12 could take 10^18 at a millionth each,
    // and the balance caps it at 10^12, worth 1,000,000.00.
    let q = a.quote_payment(&p, "1000000000000".parse().unwrap(), None, at(1)).unwrap();
    assert_eq!((q.points.get(), q.value.to_string()), (1_000_000_000_000, "1000000.000000".to_string()));
}

#[test]
fn a_snapshot_with_an_impossible_refund_is_refused_on_load() {
    let mut doc: Value = serde_json::from_str(&member().to_json()).unwrap();
    doc["orders"]["o1"]["refunded"] = json!("79228162514264337593543950335");
    match Account::from_json(&doc.to_string()).unwrap_err() {
        SnapshotError::Corrupt { field, reason } => {
            assert_eq!(field, "orders.o1");
            assert!(reason.contains("79228162514264337593543950335"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

// Class 3: text silently ignored or reinterpreted.

#[test]
fn text_after_a_document_is_refused_everywhere() {
    assert!(matches!(Program::from_json(&format!("{BASE}{{\"junk\": 1}}")), Err(ProgramError::Parse { .. })));
    let snapshot = member().to_json();
    let two = format!("{snapshot}{}", Account::new("other").to_json());
    assert!(matches!(Account::from_json(&two), Err(SnapshotError::Parse { ref path, .. }) if path == "."));
    let err = Event::from_json(&format!("{}}}{{", event_json(json!({})))).unwrap_err();
    assert_eq!(field_of(&err).0, "event");
}

#[test]
fn unknown_and_misspelt_fields_are_refused_by_name() {
    let err = Event::from_json(&event_json(json!({"chanel": "app"}))).unwrap_err();
    assert_eq!(field_of(&err), ("chanel", "\"app\""));
    let err = Event::from_json(&event_json(json!({"lines": [{"sku": "a", "amount": "1.00", "qty": 2}]}))).unwrap_err();
    assert_eq!(field_of(&err), ("lines[0].qty", "2"));
    let err =
        Event::from_json(r#"{"id": "c", "occurred_at": "2024-05-03T10:00:00Z", "type": "checked_in", "points": 500}"#)
            .unwrap_err();
    assert_eq!(field_of(&err).0, "points");
    let err =
        Event::from_json(r#"{"id": "c", "occurred_at": "2024-05-03T10:00:00Z", "type": "order_place"}"#).unwrap_err();
    assert_eq!(field_of(&err).0, "type");
    // Snapshots: a field at the top and one inside a lot.
    let mut doc: Value = serde_json::from_str(&member().to_json()).unwrap();
    doc["bonus_points"] = json!(1000);
    assert!(
        matches!(Account::from_json(&doc.to_string()), Err(SnapshotError::Parse { ref message, .. }) if message.contains("bonus_points"))
    );
    let mut doc: Value = serde_json::from_str(&member().to_json()).unwrap();
    doc["ledger"]["lots"][0]["bonus"] = json!(1);
    assert!(
        matches!(Account::from_json(&doc.to_string()), Err(SnapshotError::Parse { ref path, .. }) if path.starts_with("ledger.lots[0]"))
    );
    // Programs (already strict): a misspelt nested field.
    let (path, _) = invalid_program(json!({"redemption": {"point_value": "0.01", "min_point": 5}}));
    assert_eq!(path, "redemption.min_point");
}

#[test]
fn amounts_follow_the_decimal_grammar_and_the_currency_minor_units() {
    for (amount, reason) in [
        (json!("5_000"), "is not a decimal number"),
        (json!("1e3"), "is not a decimal number"),
        (json!(" 10"), "is not a decimal number"),
        (json!(42.5), "is a JSON float"),
    ] {
        let err = Event::from_json(&event_json(json!({"amount": amount}))).unwrap_err();
        let AccountError::InvalidField { field, reason: why, .. } = &err else { panic!("{err:?}") };
        assert_eq!(field, "amount");
        assert!(why.contains(reason), "{amount}: {why}");
    }
    // An integer is exact and taken.
    assert!(Event::from_json(&event_json(json!({"amount": 12}))).is_ok());
    let p = program();
    let mut a = member();
    let cents = Event::from_json(&event_json(json!({"amount": "10.001"}))).unwrap();
    assert_eq!(field_of(&refused(&mut a, &p, &cents)), ("amount", "10.001"));
    let line = Event::from_json(&event_json(json!({"lines": [{"sku": "a", "amount": "1.005"}]}))).unwrap();
    assert_eq!(field_of(&refused(&mut a, &p, &line)).0, "lines[0].amount");
    // Trailing zeros are not places: 10.100 USD is 10.10.
    a.apply(&p, &Event::from_json(&event_json(json!({"amount": "10.100"}))).unwrap()).unwrap();
    // Yen have no minor unit.
    let yen = patched(json!({"currency": "JPY"})).unwrap();
    let mut b = Account::new("y");
    let half = Event::from_json(&event_json(json!({"amount": "100.5"}))).unwrap();
    assert_eq!(field_of(&refused(&mut b, &yen, &half)), ("amount", "100.5"));
    let err = a.quote_payment(&p, "10.005".parse().unwrap(), None, at(4)).unwrap_err();
    assert_eq!(field_of(&err).0, "order_amount");
    let (path, value) = invalid_program(
        json!({"earning": {"min_order_amount": "0.001", "rules": [{"name": "b", "points_per_unit": "1"}]}}),
    );
    assert_eq!((path.as_str(), value.as_str()), ("earning.min_order_amount", "0.001"));
}

#[test]
fn program_values_that_would_mislead_are_refused() {
    let rules = |names: [&str; 2]| json!({"rules": [{"name": names[0], "points_per_unit": "1"}, {"name": names[1], "points_per_unit": "2"}]});
    assert_eq!(
        invalid_program(json!({"earning": rules(["base", "base"])})),
        ("earning.rules[1].name".into(), "\"base\"".into())
    );
    let multipliers = json!({"rules": [{"name": "base", "points_per_unit": "1"}],
        "multipliers": [{"name": "base", "factor": "2", "when": {"kind": "always"}}]});
    assert_eq!(invalid_program(json!({"earning": multipliers})).0, "earning.multipliers[0].name");
    assert_eq!(invalid_program(json!({"earning": rules(["a\u{0}b", "c"])})).0, "earning.rules[0].name");
    assert_eq!(invalid_program(json!({"earning": rules(["\u{200b}\u{200d}", "c"])})).0, "earning.rules[0].name");
    assert_eq!(invalid_program(json!({"name": "line\nbreak"})).0, "name");
    assert_eq!(invalid_program(json!({"currency": "ABC"})), ("currency".into(), "\"ABC\"".into()));
    assert_eq!(invalid_program(json!({"currency": "XAU"})).0, "currency");
    // combine: add with two factors of 0.5 and 0.4: 1 - 0.5 - 0.6 = -0.1.
    let add = json!({"combine": "add", "rules": [{"name": "base", "points_per_unit": "1"}], "multipliers": [
        {"name": "slow", "factor": "0.5", "when": {"kind": "always"}},
        {"name": "slower", "factor": "0.4", "when": {"kind": "always"}}]});
    assert_eq!(invalid_program(json!({"earning": add})), ("earning.combine".into(), "\"add\"".into()));
    // A visible name with a combining mark or an emoji is fine.
    assert!(patched(json!({"name": "Café ☕"})).is_ok());
}

#[test]
fn ids_with_control_or_only_invisible_characters_are_refused() {
    let p = program();
    let mut a = member();
    let nul = Event::new("e\u{0}1", at(3), EventKind::CheckedIn);
    assert_eq!(field_of(&refused(&mut a, &p, &nul)).0, "id");
    let zw = Event::new("\u{feff}", at(3), EventKind::BonusClaimed { name: "x".into() });
    assert_eq!(field_of(&refused(&mut a, &p, &zw)).0, "id");
    let order = EventKind::OrderPlaced {
        order_id: "o\u{1b}[2J".into(),
        amount: "1".parse().unwrap(),
        channel: None,
        lines: vec![],
        stored_value: None,
        coupons: vec![],
        reservation_key: None,
    };
    assert_eq!(field_of(&refused(&mut a, &p, &Event::new("e5", at(3), order))).0, "order_id");
    assert_eq!(field_of(&Account::try_new("").unwrap_err()).0, "member_id");
    assert_eq!(field_of(&Account::try_new("x".repeat(129)).unwrap_err()).0, "member_id");
}

// Class 4: numbers narrowed without a word.

#[test]
fn points_that_are_not_whole_or_out_of_range_are_refused() {
    let redeem = |points: Value| {
        json!({"id": "r", "occurred_at": "2024-05-03T10:00:00Z", "type": "reward_redeemed", "reward_id": "mug", "points": points})
            .to_string()
    };
    for bad in [json!(1.5), json!("10"), json!(null), json!(1e300), json!(18446744073709551616u128 as f64)] {
        let err = Event::from_json(&redeem(bad.clone())).unwrap_err();
        assert_eq!(field_of(&err).0, "points", "{bad}");
    }
    let p = program();
    let mut a = member();
    let negative = Event::from_json(&redeem(json!(-5))).unwrap();
    assert_eq!(field_of(&refused(&mut a, &p, &negative)), ("points", "-5"));
    let err = a.quote_payment(&p, "10.00".parse().unwrap(), Some(loyalty::Points::new(-500)), at(4)).unwrap_err();
    assert_eq!(field_of(&err), ("requested", "-500"));
    let mut b = Account::new("m-2");
    let err = transfer(&p, &mut a, &mut b, "t", at(3), 0).unwrap_err();
    assert_eq!(field_of(&err), ("points", "0"));
}

// Class 5: the clock.

#[test]
fn the_clock_stops_where_events_stop_and_every_change_counts_a_revision() {
    let p = program();
    let mut a = member();
    let before = a.to_json();
    let err = a.advance_to(&p, Utc.with_ymd_and_hms(9999, 1, 1, 0, 0, 0).unwrap()).unwrap_err();
    assert_eq!(field_of(&err).0, "t");
    assert_eq!(a.to_json(), before);
    // The last instant events may have is fine, and the account still takes an event there.
    let last = Utc.with_ymd_and_hms(8999, 12, 31, 23, 59, 59).unwrap();
    let revision = a.revision();
    assert!(a.advance_to(&p, last).unwrap().is_empty());
    // No effects, but the clock moved: the snapshot changed, so the revision did.
    assert_eq!(a.revision(), revision + 1);
    a.apply(&p, &Event::new("late", last, EventKind::CheckedIn)).unwrap_err();
    // Advancing to where the clock is changes nothing and counts nothing.
    assert!(a.advance_to(&p, last).unwrap().is_empty());
    assert_eq!(a.revision(), revision + 1);
}

#[test]
fn an_advance_with_effects_counts_a_revision_and_one_to_where_the_clock_is_does_not() {
    // Pending one day: the order's points activate at the next UTC midnight.
    let p = patched(json!({"pending_days": 1})).unwrap();
    let mut a = Account::new("m");
    let order = EventKind::OrderPlaced {
        order_id: "o".into(),
        amount: "10".parse().unwrap(),
        channel: None,
        lines: vec![],
        stored_value: None,
        coupons: vec![],
        reservation_key: None,
    };
    a.apply(&p, &Event::new("e", at(1), order)).unwrap();
    let effects = a.advance_to(&p, at(2)).unwrap();
    assert!(matches!(effects[..], [loyalty::Effect::PendingActivated { .. }]), "{effects:?}");
    assert_eq!(a.revision(), 2);
    assert!(a.advance_to(&p, at(2)).unwrap().is_empty());
    assert_eq!(a.revision(), 2);
}

// Class 6: snapshots from storage a user can touch.

fn corrupt(doc: &Value) -> (String, String) {
    match Account::from_json(&doc.to_string()).unwrap_err() {
        SnapshotError::Corrupt { field, reason } => (field, reason),
        other => panic!("{other:?}"),
    }
}

#[test]
fn tampered_snapshots_are_refused_on_load() {
    let good: Value = serde_json::from_str(&member().to_json()).unwrap();
    // A lot of 4.6 x 10^18 points with as many remaining.
    let mut doc = good.clone();
    doc["ledger"]["lots"][0]["points"] = json!(4_611_686_018_427_387_904i64);
    doc["ledger"]["lots"][0]["remaining"] = json!(4_611_686_018_427_387_904i64);
    assert_eq!(corrupt(&doc).0, "ledger.lots");
    // Debt beyond what any lots could owe.
    let mut doc = good.clone();
    doc["ledger"]["debt"] = json!(4_611_686_018_427_387_904i64);
    assert_eq!(corrupt(&doc).0, "ledger.debt");
    // A redemption whose draw would restore more than its lot ever held.
    let mut doc = good.clone();
    doc["redemptions"]["e2"]["draws"][0]["points"] = json!(4_611_686_018_427_387_904i64);
    assert_eq!(corrupt(&doc).0, "redemptions.e2");
    let mut doc = good.clone();
    doc["redemptions"]["e2"]["draws"][0]["lot"] = json!(7);
    assert_eq!(corrupt(&doc).0, "redemptions.e2");
    // An order pointing at a lot that does not exist; clawed more than earned.
    let mut doc = good.clone();
    doc["orders"]["o1"]["lot"] = json!(99);
    assert_eq!(corrupt(&doc).0, "orders.o1");
    let mut doc = good.clone();
    doc["orders"]["o1"]["clawed"] = json!(81);
    assert_eq!(corrupt(&doc).0, "orders.o1");
    // A clock past the year events end; a member id no event could carry.
    let mut doc = good.clone();
    doc["ledger"]["clock"] = json!("9500-01-01T00:00:00Z");
    assert_eq!(corrupt(&doc).0, "ledger.clock");
    let mut doc = good.clone();
    doc["member_id"] = json!("m".repeat(1000));
    assert_eq!(corrupt(&doc).0, "member_id");
    // The instant events end at: no event could follow, so it does not load either.
    let mut doc = good.clone();
    doc["ledger"]["clock"] = json!("9000-01-01T00:00:00Z");
    assert_eq!(corrupt(&doc).0, "ledger.clock");
    // A lot whose remainder and expired points add up to more than it was credited.
    let mut doc = good.clone();
    doc["ledger"]["lots"][0]["expired"] = json!(60);
    assert_eq!(corrupt(&doc).0, "ledger.lots");
    // The untouched snapshot still loads, equal.
    assert_eq!(Account::from_json(&good.to_string()).unwrap(), member());
}

#[test]
fn a_compact_snapshot_cannot_inflate_far_beyond_its_size() {
    // A snapshot with a 16 MiB member id deflates to about 16 KiB: it would inflate a
    // thousand times over, and is refused before the JSON is read.
    let mut doc: Value = serde_json::from_str(&member().to_json()).unwrap();
    doc["member_id"] = json!("m".repeat(16 << 20));
    let json = doc.to_string();
    let mut plain = vec![1u8];
    plain.extend(deflate_with_dictionary(json.as_bytes()));
    assert!(plain.len() < 64 << 10, "{}", plain.len());
    match Account::from_compact(&plain).unwrap_err() {
        SnapshotError::Corrupt { field, reason } => {
            assert_eq!(field, "compact");
            assert!(reason.starts_with("inflates to more than"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // Too large as JSON: refused before parsing.
    let huge = " ".repeat(loyalty::MAX_SNAPSHOT_BYTES + 1);
    assert!(matches!(Account::from_json(&huge), Err(SnapshotError::TooLarge { .. })));
}

/// Deflates like `Account::to_compact` does, with the public API only: the compact form of
/// a real account whose JSON is replaced. (Encoding 1 is raw DEFLATE primed with the
/// dictionary; a stream without the dictionary's back-references is still valid for it.)
fn deflate_with_dictionary(json: &[u8]) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let mut c = Compress::new(Compression::best(), false);
    let mut out = Vec::with_capacity(json.len() / 100 + 1024);
    loop {
        let done = c.total_in() as usize;
        let status = c.compress_vec(&json[done..], &mut out, FlushCompress::Finish).unwrap();
        if status == flate2::Status::StreamEnd {
            return out;
        }
        out.reserve(out.capacity());
    }
}

// Coupons: each bad field of a coupon event or a checkout is refused by name, with its
// value, and the account is left as it was.

#[test]
fn bad_coupon_fields_are_refused_by_name() {
    let p = patched(json!({"coupons": {"definitions": [
        {"id": "FIVE", "discount": {"kind": "amount_off", "amount": "5"}, "validity": {"kind": "days", "days": 9}}]}}))
    .unwrap();
    let mut a = member();
    a.apply(&p, &Event::new("g", at(3), EventKind::CouponGranted { definition: "FIVE".into(), reason: "r".into() }))
        .unwrap();
    let order = |coupons: Vec<String>, key: Option<String>| EventKind::OrderPlaced {
        order_id: "o7".into(),
        amount: "20".parse().unwrap(),
        channel: None,
        lines: vec![],
        stored_value: None,
        coupons,
        reservation_key: key,
    };
    let cases: Vec<(EventKind, &str, &str)> = vec![
        (order(vec!["g".into(); 17], None), "coupons", "17"),
        (order(vec!["\u{200b}".into()], None), "coupons[0]", "\"\\u{200b}\""),
        (order(vec!["g".into()], Some("k\n".into())), "reservation_key", "\"k\\n\""),
        (EventKind::CouponGranted { definition: "NOPE".into(), reason: "r".into() }, "definition", "\"NOPE\""),
        (EventKind::CouponBought { definition: "FIVE".into() }, "definition", "\"FIVE\""),
        (EventKind::CouponReserved { coupon_id: "g".into(), key: "".into() }, "key", "\"\""),
        (
            EventKind::OrderRefunded {
                order_id: "o1".into(),
                amount: "1".parse().unwrap(),
                returned: Some("-1".parse().unwrap()),
            },
            "returned",
            "-1",
        ),
        (EventKind::OrderCancelled { order_id: "o1\u{7}".into() }, "order_id", "\"o1\\u{7}\""),
    ];
    for (kind, field, value) in cases {
        let err = refused(&mut a, &p, &Event::new("bad", at(4), kind.clone()));
        assert_eq!((err.field().as_str(), err.value().as_str()), (field, value), "{kind:?}: {err}");
    }
    // A program without coupons refuses coupon events naming what it lacks.
    let plain = program();
    let err = refused(
        &mut a,
        &plain,
        &Event::new("bad", at(4), EventKind::CouponReserved { coupon_id: "g".into(), key: "k".into() }),
    );
    assert_eq!((err.field().as_str(), err.value().as_str()), ("type", "\"coupon_reserved\""));
    // A checkout's JSON is read as strictly as an event's.
    let err = loyalty::Checkout::from_json(r#"{"amount": "10", "coupon": ["g"]}"#).unwrap_err();
    assert_eq!(err.field(), "coupon");
    let err = a
        .quote_checkout(&p, &loyalty::Checkout { amount: "1.001".parse().unwrap(), ..Default::default() }, at(4))
        .unwrap_err();
    assert_eq!((err.field().as_str(), err.value().as_str()), ("amount", "1.001"));
}
