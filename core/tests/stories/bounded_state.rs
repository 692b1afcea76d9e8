//! Dana shops at Harbor Records (examples/programs/retail.json) for five years: she checks in
//! every day at noon UTC, orders $20.00 on Mondays, Wednesdays and Fridays at 18:00 UTC, returns
//! half of every tenth order a week later and pays 500 points toward an order whenever she has
//! 1,000. The same story runs under the same program with a ten-year window and horizon, where
//! nothing leaves the snapshot: every answer is the same, the journal Dana's outcomes carried is
//! that account's whole statement, and Dana's own snapshot stops growing after year two.
use super::common::*;
use loyalty::{Account, Event, EventKind, JournalEntry, Program};

fn retail(keep_everything: bool) -> Program {
    let mut config: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/programs/retail.json")).unwrap(),
    )
    .unwrap();
    if keep_everything {
        config["returns"] = serde_json::json!({"window_days": 3650});
        config["idempotency"] = serde_json::json!({"horizon_days": 3650});
    }
    Program::from_json(&config.to_string()).unwrap()
}

fn danas_events(days: i64) -> Vec<Event> {
    let start = at("2025-01-01T00:00:00Z");
    let mut out = vec![Event::new("join", at("2025-01-01T09:00:00Z"), EventKind::Joined { birthday: None })];
    let mut orders = 0;
    for n in 0..days {
        let day = start + chrono::Duration::days(n);
        out.push(Event::new(format!("in-{n}"), day + chrono::Duration::hours(12), EventKind::CheckedIn));
        if n % 7 == 0 || n % 7 == 2 || n % 7 == 4 {
            let t = (day + chrono::Duration::hours(18)).to_rfc3339();
            out.push(order(&format!("e-{n}"), &t, &format!("o-{n}"), "20.00"));
            orders += 1;
            if orders % 10 == 0 {
                let later = (day + chrono::Duration::days(7) + chrono::Duration::hours(15)).to_rfc3339();
                out.push(refund(&format!("r-{n}"), &later, &format!("o-{n}"), "10.00"));
            }
        }
    }
    out.sort_by_key(|e| e.occurred_at);
    out
}

/// Runs the story on both programs; returns Dana, the kept-everything account, and Dana's journal.
fn run(days: i64) -> (Account, Account, Vec<JournalEntry>, Program) {
    let (bounded, whole) = (retail(false), retail(true));
    let (mut dana, mut all) = (Account::new("dana"), Account::new("dana"));
    let mut journal = Vec::new();
    let mut paid = 0;
    for e in danas_events(days) {
        let a = dana.apply(&bounded, &e).unwrap();
        let b = all.apply(&whole, &e).unwrap();
        assert_eq!(a.effects, b.effects, "{}", e.id);
        journal.extend(a.journal);
        if dana.balances(&bounded, e.occurred_at).unwrap().available.get() >= 1_000 {
            paid += 1;
            let pay = EventKind::PointsPaid { order_id: format!("p-{paid}"), order_amount: dec("20.00"), points: 500 };
            let pay = Event::new(format!("pay-{paid}"), e.occurred_at, pay);
            let a = dana.apply(&bounded, &pay).unwrap();
            assert_eq!(a.effects, all.apply(&whole, &pay).unwrap().effects);
            journal.extend(a.journal);
        }
    }
    (dana, all, journal, bounded)
}

#[test]
fn five_years_give_the_same_answers_and_the_journal_is_the_whole_statement() {
    let (mut dana, mut all, mut journal, p) = run(5 * 365);
    let end = at("2030-01-15T00:00:00Z");
    let out = dana.advance(&p, end).unwrap();
    assert_eq!(out.effects, all.advance_to(&retail(true), end).unwrap());
    journal.extend(out.journal);
    assert_eq!(dana.balances(&p, end).unwrap(), all.balances(&retail(true), end).unwrap());
    let whole: Vec<(u64, Option<String>)> =
        all.statement().iter().enumerate().map(|(i, e)| (i as u64, e.event_id.as_deref().map(String::from))).collect();
    let told: Vec<(u64, Option<String>)> = journal.iter().map(|j| (j.seq, j.event_id.clone())).collect();
    assert_eq!(told.len(), whole.len());
    assert!(told == whole, "the journal differs from the whole statement");
    assert!(journal.iter().zip(all.statement()).all(|(j, e)| j.effects[..] == e.effects[..] && j.at == e.at));
    // Dana keeps the last 90 days of entries only, and reloads to the same account.
    assert_eq!(dana.statement_start() as usize + dana.statement().len(), journal.len());
    assert!(dana.statement().iter().all(|e| e.at >= at("2029-10-17T00:00:00Z")));
    assert_eq!(Account::from_json(&dana.to_json()).unwrap(), dana);
    // The statement page from the journal ends at her balance.
    let b = dana.balances(&p, end).unwrap();
    let page = loyalty::journal::statement_page(&journal, pts(0), 0, 10).unwrap();
    assert_eq!(page.balance, b.available + b.pending - b.debt);
}

#[test]
fn after_the_second_year_danas_snapshot_stops_growing() {
    let two = run(2 * 365).0.to_json().len();
    let five = run(5 * 365).0.to_json().len();
    assert!(five as f64 <= two as f64 * 1.10, "two years {two} bytes, five years {five}");
}

#[test]
fn a_late_return_and_an_old_repeat_are_refused_and_change_nothing() {
    let p = retail(false);
    let mut ed = Account::new("ed");
    let placed = order("e1", "2025-01-06T18:00:00Z", "o1", "50.00");
    ed.apply(&p, &placed).unwrap();
    ed.apply(&p, &Event::new("c1", at("2025-04-05T12:00:00Z"), EventKind::CheckedIn)).unwrap();
    let before = ed.to_json();
    // 365 days and a second after the order.
    let err = ed.apply(&p, &refund("r1", "2026-01-06T18:00:01Z", "o1", "10.00")).unwrap_err();
    assert_eq!((err.kind(), err.field(), err.value()), ("return_window_closed", "order_id".into(), "o1".into()));
    assert_eq!(
        err.to_string(),
        "order_id: \"o1\" was made at 2025-01-06 18:00:00 UTC, more than 365 days before; its return window is closed"
    );
    assert_eq!(ed.to_json(), before);
    // The clock is 2025-04-05: e1 (2025-01-06) is 89 days back, inside the horizon.
    assert!(ed.apply(&p, &placed).unwrap().duplicate);
    ed.apply(&p, &Event::new("c2", at("2025-04-07T12:00:00Z"), EventKind::CheckedIn)).unwrap();
    // Now 91 days: the id has left, and the repeat is older than the clock.
    let before = ed.to_json();
    assert_eq!(ed.apply(&p, &placed).unwrap_err().kind(), "out_of_order");
    assert_eq!(ed.to_json(), before);
}

/// Snapshots edited by hand around what forgetting keeps are refused on load, naming the field,
/// before any later event could overflow on them.
#[test]
fn snapshots_with_impossible_retirement_are_refused() {
    let p = retail(false);
    let mut ed = Account::new("ed");
    ed.apply(&p, &order("e1", "2025-01-06T18:00:00Z", "o1", "50.00")).unwrap();
    let json = ed.to_json();
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["orders"]["o1"]["at"] = serde_json::json!("+262142-06-01T00:00:00Z");
    let err = Account::from_json(&v.to_string()).unwrap_err();
    assert_eq!((err.kind(), err.field()), ("corrupt", "orders.o1".to_string()));
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["retired"] = serde_json::json!({"entries": 4_294_967_295u64, "points": 0, "orders": 0});
    assert_eq!(Account::from_json(&v.to_string()).unwrap_err().field(), "retired.entries");
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["ledger"]["first_lot"] = serde_json::json!(4_294_967_000u64);
    v["ledger"]["lots"][0]["id"] = serde_json::json!(4_294_967_000u64);
    v["orders"]["o1"]["lot"] = serde_json::json!(4_294_967_000u64);
    assert_eq!(Account::from_json(&v.to_string()).unwrap_err().field(), "ledger.first_lot");
    // A statement entry after the clock (found by the snapshot_json fuzz target: the next
    // clock entry would have come before it).
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["statement"][0]["at"] = serde_json::json!("2026-06-01T04:00:00Z");
    assert_eq!(Account::from_json(&v.to_string()).unwrap_err().field(), "statement");
}
