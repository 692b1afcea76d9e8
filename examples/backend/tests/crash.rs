//! The CDNOW master log (69,659 orders of 23,570 members, 1997-01 to 1998-06) plus generated
//! refunds and point payments, sent through the server one event at a time while the harness
//! kills it with SIGKILL at six random points and starts it again; after each kill the event
//! in flight is sent again (it may or may not have committed). At the end every member's
//! balances and journal in the database equal a clean in-memory replay of the same events:
//! nothing lost, nothing doubled.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
mod common;
use common::*;
use loyalty::{Account, Event, JournalEntry, Program};
use std::collections::HashMap;

const CDNOW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/CDNOW_master.txt");

/// The log's orders and the generated events, in time order (ties in log order).
fn events() -> Vec<(String, Event)> {
    let text = std::fs::read_to_string(CDNOW).unwrap();
    let mut out: Vec<(String, String)> = Vec::new();
    for (n, line) in text.lines().skip(1).enumerate() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (id, date, amount) = (f[0], f[1], f[3]);
        let member = format!("c{id}");
        let day = format!("{}-{}-{}", &date[..4], &date[4..6], &date[6..8]);
        out.push((
            member.clone(),
            format!(r#"{{"id": "o{n}", "occurred_at": "{day}T17:00:00Z", "type": "order_placed", "order_id": "o{n}", "amount": "{amount}"}}"#),
        ));
        let cents: i64 = amount.replace('.', "").parse().unwrap();
        let later = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").unwrap();
        if n % 9 == 4 && cents * 3 / 10 > 0 {
            let refund = cents * 3 / 10;
            let on = later + chrono::Duration::days(10);
            out.push((
                member.clone(),
                format!(r#"{{"id": "r{n}", "occurred_at": "{on}T15:00:00Z", "type": "order_refunded", "order_id": "o{n}", "amount": "{}.{:02}"}}"#, refund / 100, refund % 100),
            ));
        }
        if n % 13 == 6 {
            let on = later + chrono::Duration::days(30);
            out.push((
                member,
                format!(r#"{{"id": "p{n}", "occurred_at": "{on}T18:00:00Z", "type": "points_paid", "order_id": "q{n}", "order_amount": "40.00", "points": 500}}"#),
            ));
        }
    }
    let mut events: Vec<(String, Event, String)> =
        out.into_iter().map(|(m, body)| (m, Event::from_json(&body).unwrap(), body)).collect();
    events.sort_by_key(|(_, e, _)| e.occurred_at);
    events.into_iter().map(|(m, _, body)| (m, Event::from_json(&body).unwrap())).collect()
}

#[test]
fn killed_six_times_while_importing_cdnow_nothing_is_lost_or_doubled() {
    let program = Program::from_json(&std::fs::read_to_string(RETAIL).unwrap()).unwrap();
    let events = events();
    assert!(events.len() > 69_659);
    // The clean replay, in memory.
    let mut accounts: HashMap<&str, Account> = HashMap::new();
    let mut journals: HashMap<&str, Vec<JournalEntry>> = HashMap::new();
    for (member, e) in &events {
        let a = accounts.entry(member.as_str()).or_insert_with(|| Account::new(member.as_str()));
        if let Ok(out) = a.apply(&program, e) {
            journals.entry(member.as_str()).or_default().extend(out.journal);
        }
    }
    // Members whose first event was refused have no account in the store: keep those that do.
    accounts.retain(|m, _| journals.contains_key(m));

    let db = temp_db("crash");
    let mut server = Server::start(&db);
    let mut client = Client::new(&server.addr);
    // Six kill points spread over the log, from a fixed seed.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut kills: Vec<usize> = (0..6)
        .map(|k| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            k * events.len() / 6 + (seed >> 33) as usize % (events.len() / 6)
        })
        .collect();
    kills.reverse();
    let mut killed = 0;
    let (mut resent, mut committed_before_kill) = (0, 0);
    let mut killer: Option<std::thread::JoinHandle<()>> = None;
    for (i, (member, e)) in events.iter().enumerate() {
        let body = serde_json::to_string(e).unwrap();
        let path = format!("/members/{member}/events");
        if kills.last() == Some(&i) {
            kills.pop();
            // The sending goes on; the kill lands a few milliseconds later, almost always
            // while a request is in flight: before it is read, mid-transaction, or after it
            // committed and before the answer.
            let pid = server.pid();
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let delay = std::time::Duration::from_micros((seed >> 40) % 5_000);
            killer = Some(std::thread::spawn(move || {
                std::thread::sleep(delay);
                std::process::Command::new("kill").args(["-9", &pid.to_string()]).status().unwrap();
            }));
        }
        let mut retried = false;
        loop {
            match client.request("POST", &path, &body, &[]) {
                Ok((status, text)) => {
                    assert!(status == 200 || (400..500).contains(&status), "{status} {text}");
                    if retried && status == 200 && json(&text)["duplicate"] == true {
                        committed_before_kill += 1;
                    }
                    break;
                }
                Err(_) => {
                    if let Some(k) = killer.take() {
                        k.join().unwrap();
                    }
                    server.wait();
                    killed += 1;
                    resent += 1;
                    retried = true;
                    server = Server::start(&db);
                    client = Client::new(&server.addr);
                }
            }
        }
    }
    if let Some(k) = killer.take() {
        k.join().unwrap();
    }
    assert!(killed >= 6, "killed {killed} times");
    drop(server);

    // The database against the replay, member by member.
    let store = loyalty_backend::Store::open(
        &db,
        &std::fs::read_to_string(RETAIL).unwrap(),
        loyalty_backend::store::Durability::Process,
    )
    .unwrap();
    let (members, entries, _) = store.counts().unwrap();
    assert_eq!(members as usize, accounts.len());
    assert_eq!(entries as usize, journals.values().map(Vec::len).sum::<usize>());
    let as_of = chrono::DateTime::parse_from_rfc3339("1999-01-01T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
    for (member, account) in &accounts {
        let stored = store.balances(member, Some(as_of)).unwrap();
        let replayed = serde_json::to_string(&account.balances(&program, as_of).unwrap()).unwrap();
        assert_eq!(stored, replayed, "{member}");
        assert!(store.journal(member).unwrap() == journals[member], "{member}'s journal differs");
    }
    println!(
        "{} events, killed {killed} times, {resent} sent again after a kill ({committed_before_kill} had committed before it)",
        events.len()
    );
}
