//! How the what-if simulation scales with threads: a synthetic log of N orders (members with
//! a few orders a year over three years, amounts from 5 to 300 dollars, all from a fixed
//! seed) replayed under the retail program on 1 and then 2 threads.
//!
//! ```text
//! cargo run --release -p loyalty-examples --bin simulate_bench -- [ORDERS] [THREADS...]
//! ```
//! Default: 10,000,000 orders on 1 and 2 threads. Prints one line per thread count: seconds,
//! orders per second, the speed-up over the first, and a checksum that must not change.

use chrono::TimeZone;
use loyalty::analytics::{with_threads, Orders};
use loyalty::simulation::{simulate, Behaviour, Settings};
use loyalty::Program;
use std::process::ExitCode;
use std::time::Instant;

/// SplitMix64: a reproducible stream without a dependency.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().map_or(Ok(10_000_000), |v| v.parse()).map_err(|_| "ORDERS must be a whole number")?;
    let threads: Vec<usize> = if args.len() > 1 {
        args[1..]
            .iter()
            .map(|v| v.parse().map_err(|_| format!("{v:?} is not a thread count")))
            .collect::<Result<_, _>>()?
    } else {
        vec![1, 2]
    };
    let program = Program::from_json(include_str!("../programs/retail.json")).map_err(|e| e.to_string())?;
    // Members average eight orders; their orders fall anywhere in 2021 to 2023.
    let members = (n / 8).max(1) as u64;
    let start = chrono::Utc.with_ymd_and_hms(2021, 1, 1, 0, 0, 0).single().ok_or("start")?.timestamp();
    let span = 3 * 365 * 86_400;
    let mut mix = Mix(20_261_207);
    let generated = Instant::now();
    let member_id: Vec<u64> = (0..n).map(|_| mix.next() % members).collect();
    let ordered_at: Vec<i64> = (0..n).map(|_| start + (mix.next() % span) as i64).collect();
    let amount_minor: Vec<i64> = (0..n).map(|_| 500 + (mix.next() % 29_500) as i64).collect();
    eprintln!("generated {n} orders of up to {members} members in {:.1} s", generated.elapsed().as_secs_f64());
    let orders = Orders { member_id: &member_id, ordered_at: &ordered_at, amount_minor: &amount_minor };
    let settings = Settings {
        as_of: chrono::Utc.with_ymd_and_hms(2024, 1, 1, 5, 0, 0).single().ok_or("as_of")?,
        behaviour: Behaviour::Cheapest { probability: 0.5 },
        seed: 1,
    };
    let mut first = None;
    for t in threads {
        let started = Instant::now();
        let runs = with_threads(t, || simulate(&[&program], &orders, &settings)).map_err(|e| e.to_string())?;
        let seconds = started.elapsed().as_secs_f64();
        let r = &runs[0];
        let checksum = (r.totals.earned.get(), r.totals.redeemed.get(), r.totals.expired.get(), r.members);
        let base = *first.get_or_insert(seconds);
        println!(
            "threads {t}: {seconds:.2} s, {:.0} orders/s, {:.2}x, checksum {checksum:?}",
            n as f64 / seconds,
            base / seconds
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("simulate_bench: {message}");
            ExitCode::FAILURE
        }
    }
}
