//! The core's analytics alone, on a synthetic log like `bench/gen_orders.py`'s (heavy-tailed
//! orders per member over two years): summaries, RFM values, fitted cut points and scores,
//! lifecycle tags; and the BG/NBD fit on the resulting CLV summary. Run with
//! `cargo bench -p loyalty --bench analytics`; `BENCH_ORDERS` sets the log size (default 1M).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use loyalty::analytics::clv::{clv_summary, BgNbd, GammaGamma, PeriodUnit};
use loyalty::analytics::{lifecycle, rfm_values, CutPoints, LifecycleSettings, Monetary, Orders, Settings, Summarizer};

struct Log {
    member_id: Vec<u64>,
    ordered_at: Vec<i64>,
    amount_minor: Vec<i64>,
}

/// Deterministic: members drawn with a heavy tail (about 8 orders per member on average),
/// instants uniform over 2023-2024, amounts 1.00 to 300.00.
fn log(orders: usize) -> Log {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let members = (orders / 8).max(1) as u64;
    let mut log = Log { member_id: Vec::new(), ordered_at: Vec::new(), amount_minor: Vec::new() };
    for _ in 0..orders {
        // A square of a uniform draw concentrates orders on low member numbers.
        let u = (next() % 1_000_000) as f64 / 1_000_000.0;
        log.member_id.push(1_000 + ((u * u) * members as f64) as u64 * 7);
        log.ordered_at.push(1_672_531_200 + (next() % (2 * 365 * 86_400)) as i64);
        log.amount_minor.push(100 + (next() % 29_900) as i64);
    }
    log
}

fn analytics(c: &mut Criterion) {
    let n: usize = std::env::var("BENCH_ORDERS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let log = log(n);
    let orders = Orders { member_id: &log.member_id, ordered_at: &log.ordered_at, amount_minor: &log.amount_minor };
    let as_of = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let tz = chrono_tz::America::New_York;
    let mut group = c.benchmark_group("analytics");
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    group.bench_function("rfm_segments_lifecycle", |b| {
        b.iter(|| {
            let mut s = Summarizer::new(Settings::new(as_of, tz));
            s.add(&orders).unwrap();
            let summaries = s.finish().unwrap();
            let values = rfm_values(&summaries, as_of, tz, 2, Monetary::Total, false);
            let scores = CutPoints::fit(&values).score(&values);
            let tags = lifecycle(&summaries, as_of, tz, &LifecycleSettings::default());
            (scores.len(), tags.len())
        })
    });
    let summary = clv_summary(&orders, 19_905, None, PeriodUnit::Week).unwrap();
    let customers: Vec<_> = summary.iter().map(|s| s.customer).collect();
    group.throughput(Throughput::Elements(customers.len() as u64));
    group.bench_function("bgnbd_fit", |b| b.iter(|| BgNbd::fit(&customers).unwrap().params));
    let values: Vec<(u32, f64)> = summary.iter().map(|s| (s.customer.frequency, s.monetary)).collect();
    group.bench_function("gamma_gamma_fit", |b| b.iter(|| GammaGamma::fit(&values).unwrap().params));
    group.bench_function("bgnbd_predict", |b| {
        let model = BgNbd::fit(&customers).unwrap().params;
        b.iter(|| model.predict(&customers, 39.0).unwrap().len())
    });
    group.finish();
}

criterion_group!(benches, analytics);
criterion_main!(benches);
