//! The loyalty core's side of `bench/rfm_bench.py`: reads the raw columns written by
//! `bench/gen_orders.py`, then times summaries, RFM values, fitted scores and segments (the
//! pandas and polars job), and separately the whole `analyze` job with lifecycle tags (what
//! `loyalty.analytics.rfm` computes in Python).
//!
//! ```text
//! rfm_bench DIR AS_OF_UNIX_SECONDS
//! ```
//! Prints one JSON line: seconds and seconds_with_lifecycle (computation only), members,
//! checksum (sum of all scores).

use loyalty::analytics::{analyze, rfm_values, with_threads, CutPoints, Monetary, Orders, Settings, Summarizer};
use loyalty::interop::{le_i64, le_u64};
use std::process::ExitCode;
use std::time::Instant;

fn column(dir: &str, name: &str) -> Result<Vec<u8>, String> {
    std::fs::read(format!("{dir}/{name}")).map_err(|e| format!("{dir}/{name}: {e}"))
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(as_of)) = (args.get(1), args.get(2)) else {
        return Err("usage: rfm_bench DIR AS_OF_UNIX_SECONDS".into());
    };
    let as_of: i64 = as_of.parse().map_err(|_| format!("AS_OF: {as_of:?} is not a Unix time"))?;
    let (m, t, a) = (column(dir, "member_id.u64")?, column(dir, "ordered_at.i64")?, column(dir, "amount_minor.i64")?);
    let member_id = le_u64("member_id", &m).map_err(|e| e.to_string())?;
    let ordered_at = le_i64("ordered_at", &t).map_err(|e| e.to_string())?;
    let amount_minor = le_i64("amount_minor", &a).map_err(|e| e.to_string())?;
    let as_of = chrono::DateTime::from_timestamp(as_of, 0).ok_or("AS_OF out of range")?;

    // RFM_THREADS=2 runs every stage on two threads (the core starts threads only when asked).
    let threads: usize = std::env::var("RFM_THREADS").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    let orders = Orders { member_id: &member_id, ordered_at: &ordered_at, amount_minor: &amount_minor };
    let started = Instant::now();
    let scores = with_threads(threads, || -> Result<_, String> {
        let settings = Settings::new(as_of, chrono_tz::UTC);
        let mut summarizer = Summarizer::new(settings).with_threads(threads);
        summarizer.add(&orders).map_err(|e| e.to_string())?;
        let t1 = started.elapsed();
        let summaries = summarizer.finish().map_err(|e| e.to_string())?;
        let t2 = started.elapsed();
        let values = rfm_values(&summaries, as_of, chrono_tz::UTC, 2, Monetary::Total, false);
        let t3 = started.elapsed();
        let cuts = CutPoints::fit(&values);
        let t4 = started.elapsed();
        let scores = cuts.score(&values);
        let t5 = started.elapsed();
        eprintln!("add {t1:?} finish {:?} values {:?} fit {:?} score {:?}", t2 - t1, t3 - t2, t4 - t3, t5 - t4);
        Ok(scores)
    })?;
    let seconds = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let analysis = with_threads(threads, || -> Result<_, String> {
        let settings = Settings::new(as_of, chrono_tz::UTC);
        let mut summarizer = Summarizer::new(settings.clone()).with_threads(threads);
        summarizer.add(&orders).map_err(|e| e.to_string())?;
        Ok(analyze(summarizer.finish().map_err(|e| e.to_string())?, &settings, 2))
    })?;
    let with_lifecycle = started.elapsed().as_secs_f64();
    if analysis.scores != scores {
        return Err("the analyze job scored differently".into());
    }

    let checksum: u64 = scores.iter().map(|s| u64::from(s.r) + u64::from(s.f) + u64::from(s.m)).sum();
    println!(
        "{{\"seconds\": {seconds}, \"seconds_with_lifecycle\": {with_lifecycle}, \"members\": {}, \"checksum\": {checksum}}}",
        scores.len()
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rfm_bench: {e}");
            ExitCode::FAILURE
        }
    }
}
