//! Issue 30's goal: a member with daily check-ins and three orders a week under the retail
//! program (examples/programs/retail.json) keeps a snapshot that does not grow with the years,
//! and one event costs load + apply + save of that snapshot. Prints the JSON snapshot's size
//! after one, two and five years, then times load + apply + save (JSON) after five.
//!
//! ```text
//! cargo bench -p loyalty --bench bounded_state
//! ```
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use loyalty::{Account, Event, EventKind, Program};

fn retail() -> Program {
    Program::from_json(include_str!("../../examples/programs/retail.json")).unwrap()
}

/// The same program keeping everything for ten years: what format 1 kept for life.
fn retail_keeping_everything() -> Program {
    let mut config: serde_json::Value =
        serde_json::from_str(include_str!("../../examples/programs/retail.json")).unwrap();
    config["returns"] = serde_json::json!({"window_days": 3650});
    config["idempotency"] = serde_json::json!({"horizon_days": 3650});
    Program::from_json(&config.to_string()).unwrap()
}

fn order(id: &str, t: DateTime<Utc>) -> Event {
    let kind = EventKind::OrderPlaced {
        order_id: id.into(),
        amount: "20.00".parse().unwrap(),
        channel: None,
        lines: vec![],
        stored_value: None,
        coupons: vec![],
        reservation_key: None,
    };
    Event::new(id, t, kind)
}

/// The member after `days` days from 2025-01-01: a check-in at noon UTC every day, an order of
/// $20.00 at 18:00 UTC on Mondays, Wednesdays and Fridays.
fn member(p: &Program, days: i64) -> (Account, DateTime<Utc>) {
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let mut a = Account::new("member-0001");
    a.apply(p, &Event::new("join", start + Duration::hours(9), EventKind::Joined { birthday: None })).unwrap();
    for n in 0..days {
        let day = start + Duration::days(n);
        a.apply(p, &Event::new(format!("in-{n}"), day + Duration::hours(12), EventKind::CheckedIn)).unwrap();
        // 2025-01-01 is a Wednesday: n % 7 in {0, 2, 5} are Wednesday, Friday, Monday.
        if matches!(n % 7, 0 | 2 | 5) {
            a.apply(p, &order(&format!("o-{n}"), day + Duration::hours(18))).unwrap();
        }
    }
    (a, start + Duration::days(days))
}

fn bench(c: &mut Criterion) {
    let p = retail();
    for years in [1, 2, 5] {
        let (a, _) = member(&p, 365 * years);
        let json = a.to_json();
        println!(
            "after {years} year(s): snapshot {} bytes of JSON, {} compact; {} lots, {} statement entries kept",
            json.len(),
            a.to_compact().len(),
            a.lots().len(),
            a.statement().len()
        );
    }
    let whole = retail_keeping_everything();
    let (kept, _) = member(&whole, 365 * 5);
    let kept_json = kept.to_json();
    println!("after 5 years keeping everything (as format 1 did): snapshot {} bytes of JSON", kept_json.len());
    let (a, next) = member(&p, 365 * 5);
    let json = a.to_json();
    let check_in = Event::new("in-next", next + Duration::hours(12), EventKind::CheckedIn);
    let an_order = order("o-next", next + Duration::hours(18));
    c.bench_function("five years: load + apply a check-in + save (JSON)", |b| {
        b.iter_batched(
            || json.clone(),
            |s| {
                let mut a = Account::from_json(&s).unwrap();
                a.apply(&p, &check_in).unwrap();
                a.to_json()
            },
            BatchSize::SmallInput,
        )
    });
    c.bench_function("five years kept whole: load + apply a check-in + save (JSON)", |b| {
        b.iter_batched(
            || kept_json.clone(),
            |s| {
                let mut a = Account::from_json(&s).unwrap();
                a.apply(&whole, &check_in).unwrap();
                a.to_json()
            },
            BatchSize::SmallInput,
        )
    });
    c.bench_function("five years: load + apply an order + save (JSON)", |b| {
        b.iter_batched(
            || json.clone(),
            |s| {
                let mut a = Account::from_json(&s).unwrap();
                a.apply(&p, &an_order).unwrap();
                a.to_json()
            },
            BatchSize::SmallInput,
        )
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
