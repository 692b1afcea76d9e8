//! Throughput of applying purchase events to accounts under the shipped retail program
//! (14-day pending period, 12-month rolling expiry, multipliers and caps), and the size of a
//! typical account snapshot. `BENCH_TIERS=0` runs the same program without its tier ladder
//! (issue 2's ledger goal; the default, with four tiers, is issue 3's).
//!
//! With `LEDGER_ONCE=1` the binary instead applies the bench's 50,000 events once and exits
//! (`LEDGER_ONCE=n`: n timed runs, printing the minimum and median),
//! for instruction counts (BENCHMARKS.md):
//!
//! ```text
//! cargo bench -p loyalty --bench ledger --no-run        # prints the binary's path
//! LEDGER_ONCE=1 valgrind --tool=callgrind --toggle-collect='ledger::apply_once' target/release/deps/ledger-<hash>
//! ```
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, TimeZone, Utc};
use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use loyalty::{Account, Event, EventKind, Program};
use rust_decimal::Decimal;

const MEMBERS: usize = 1_000;
const ORDERS_PER_MEMBER: usize = 50;

/// The shipped retail program (its zone from `BENCH_TZ`; without its tier ladder when
/// `BENCH_TIERS=0`: issue 2's goal is for the ledger, issue 3's with the 4-tier ladder).
fn program() -> Program {
    let json =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/programs/retail.json")).unwrap();
    let json = json.replace("America/New_York", std::env::var("BENCH_TZ").as_deref().unwrap_or("America/New_York"));
    let mut config: serde_json::Value = serde_json::from_str(&json).unwrap();
    if std::env::var("BENCH_TIERS").as_deref() == Ok("0") {
        config.as_object_mut().unwrap().remove("tiers");
    }
    Program::from_json(&config.to_string()).unwrap()
}

/// Every member orders about once a week for a year, amounts 5.00 to 204.99.
fn streams() -> Vec<Vec<Event>> {
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 15, 0, 0).unwrap();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..MEMBERS)
        .map(|m| {
            let mut t = start + Duration::minutes((next() % 10_000) as i64);
            (0..ORDERS_PER_MEMBER)
                .map(|i| {
                    t += Duration::hours(24 * 3 + (next() % (24 * 8)) as i64);
                    let amount = Decimal::new(500 + (next() % 20_000) as i64, 2);
                    let kind = EventKind::OrderPlaced {
                        order_id: format!("m{m}-o{i}"),
                        amount,
                        channel: None,
                        lines: vec![],
                        stored_value: None,
                        coupons: vec![],
                        reservation_key: None,
                    };
                    Event::new(format!("m{m}-e{i}"), t, kind)
                })
                .collect()
        })
        .collect()
}

fn apply_purchases(c: &mut Criterion) {
    let p = program();
    let streams = streams();
    let mut group = c.benchmark_group("ledger");
    group.throughput(Throughput::Elements((MEMBERS * ORDERS_PER_MEMBER) as u64));
    group.sample_size(20);
    group.bench_function("apply_purchase_events", |b| {
        b.iter_batched(
            || (0..MEMBERS).map(|m| Account::new(format!("m{m}"))).collect::<Vec<_>>(),
            |mut accounts| {
                for (account, events) in accounts.iter_mut().zip(&streams) {
                    for e in events {
                        account.apply(&p, e).unwrap();
                    }
                }
                accounts
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();

    // Snapshot size of an account with 8 live lots (eight weekly purchases), printed for
    // BENCHMARKS.md.
    let mut account = Account::new("m0");
    for e in &streams[0][..8] {
        account.apply(&p, e).unwrap();
    }
    let live = account.lots().iter().filter(|l| l.remaining.is_positive()).count();
    #[cfg(feature = "compact")]
    println!(
        "snapshot: {} bytes of JSON, {} compact, for an account with {live} live lots after 8 purchases",
        account.to_json().len(),
        account.to_compact().len()
    );
    #[cfg(not(feature = "compact"))]
    println!(
        "snapshot: {} bytes of JSON for an account with {live} live lots after 8 purchases",
        account.to_json().len()
    );
}

/// Every stream into a fresh account, once; returns the accounts (dropping them is not part
/// of applying).
#[inline(never)]
fn apply_once(p: &Program, streams: &[Vec<Event>]) -> Vec<Account> {
    let mut accounts = Vec::with_capacity(streams.len());
    for (m, events) in streams.iter().enumerate() {
        let mut account = Account::new(format!("m{m}"));
        for e in events {
            account.apply(p, e).unwrap();
        }
        accounts.push(account);
    }
    accounts
}

criterion_group!(benches, apply_purchases);

fn main() {
    if let Some(runs) = std::env::var_os("LEDGER_ONCE") {
        // `LEDGER_ONCE=1`: once, for callgrind; `LEDGER_ONCE=n`: n timed runs, for comparing
        // two builds on a noisy machine (the minimum is the steadiest figure).
        let runs: usize = runs.to_str().and_then(|r| r.parse().ok()).unwrap_or(1).max(1);
        let (p, streams) = (program(), streams());
        let mut times = Vec::with_capacity(runs);
        let mut applied = 0;
        for _ in 0..runs {
            let start = std::time::Instant::now();
            let accounts = apply_once(&p, &streams);
            times.push(start.elapsed().as_secs_f64() * 1e3);
            applied = accounts.iter().map(Account::revision).sum::<u64>();
        }
        times.sort_by(f64::total_cmp);
        println!("applied {applied} events, {runs} runs: min {:.2} ms, median {:.2} ms", times[0], times[runs / 2]);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
