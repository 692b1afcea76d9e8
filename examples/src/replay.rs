//! Replays an order log through a loyalty program and prints a liability report.
//!
//! ```text
//! cargo run --release -p loyalty-examples --bin replay -- [--program PATH] [--input PATH]
//!     [--format cdnow|csv] [--as-of YYYY-MM-DD] [--redeem REWARD_ID|none]
//! ```
//!
//! Defaults: the retail program in `examples/programs/retail.json`, the real CDNOW order log
//! in `examples/data/CDNOW_master.txt`, as of the day after the last order, and members
//! redeeming the program's `gift-card-10` reward whenever they can after an order.

mod orders;
mod report;

use chrono::{DateTime, NaiveDate, Utc};
use loyalty::{Points, Program};
use orders::Format;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

struct Args {
    program: PathBuf,
    input: PathBuf,
    format: Option<Format>,
    as_of: Option<NaiveDate>,
    redeem: Option<String>,
}

fn usage() -> &'static str {
    "usage: replay [--program PATH] [--input PATH] [--format cdnow|csv] [--as-of YYYY-MM-DD] [--redeem REWARD_ID|none]"
}

fn parse_args() -> Result<Args, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut args = Args {
        program: root.join("programs/retail.json"),
        input: root.join("data/CDNOW_master.txt"),
        format: None,
        as_of: None,
        redeem: Some("gift-card-10".to_string()),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value\n{}", usage()));
        match flag.as_str() {
            "--program" => args.program = value()?.into(),
            "--input" => args.input = value()?.into(),
            "--format" => {
                args.format = Some(match value()?.as_str() {
                    "cdnow" => Format::Cdnow,
                    "csv" => Format::Csv,
                    other => return Err(format!("--format: {other:?} must be cdnow or csv")),
                })
            }
            "--as-of" => {
                let v = value()?;
                args.as_of = Some(
                    NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                        .map_err(|_| format!("--as-of: {v:?} is not a YYYY-MM-DD date"))?,
                );
            }
            "--redeem" => {
                let v = value()?;
                args.redeem = if v == "none" { None } else { Some(v) };
            }
            "-h" | "--help" => return Err(usage().to_string()),
            other => return Err(format!("unknown argument {other:?}\n{}", usage())),
        }
    }
    Ok(args)
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let program_text =
        std::fs::read_to_string(&args.program).map_err(|e| format!("{}: {e}", args.program.display()))?;
    let program = Program::from_json(&program_text).map_err(|e| format!("{}: {e}", args.program.display()))?;
    let tz = program.time_zone();
    let log = std::fs::read_to_string(&args.input).map_err(|e| format!("{}: {e}", args.input.display()))?;
    let format = args.format.unwrap_or(if args.input.extension().is_some_and(|e| e == "csv") {
        Format::Csv
    } else {
        Format::Cdnow
    });
    let rows = orders::parse(&log, format, tz).map_err(|e| format!("{}: {e}", args.input.display()))?;
    let spending = match &args.redeem {
        None => None,
        Some(id) => {
            let reward = program.config().redemption.rewards.iter().find(|r| &r.id == id);
            let reward = reward.ok_or_else(|| format!("--redeem: {id:?} is not in the program's reward catalog"))?;
            Some(report::Spending { reward_id: id.clone(), points: reward.points })
        }
    };
    let last = rows.iter().map(|r| r.occurred_at).max().unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let as_of_day =
        args.as_of.unwrap_or_else(|| loyalty::calendar::add_days(loyalty::calendar::local_date(last, tz), 1));
    let as_of = loyalty::calendar::start_of_day(as_of_day, tz);
    let started = Instant::now();
    let r = report::replay(&program, &rows, spending.as_ref(), as_of)
        .map_err(|e| format!("{}: {e}", args.input.display()))?;
    let elapsed = started.elapsed();

    let c = program.config();
    let t = &r.totals;
    let n = |p: Points| group(p.get());
    println!("{} (version {}), {}, time zone {}", c.name, c.version, c.currency, c.time_zone);
    println!(
        "input: {} ({format}): {} orders of {} members",
        args.input.display(),
        group(r.orders as i64),
        group(r.members as i64)
    );
    match &spending {
        Some(s) => println!(
            "spending: members redeem {:?} ({} points) whenever they can after an order",
            s.reward_id, s.points
        ),
        None => println!("spending: none"),
    }
    println!("as of: {as_of_day} 00:00 {}", c.time_zone);
    println!();
    println!("points issued           {:>14}", n(t.earned));
    println!("points redeemed         {:>14}", n(t.redeemed));
    println!("points expired          {:>14}", n(t.expired));
    println!("points cancelled/clawed {:>14}", n(t.cancelled + t.clawed_back));
    println!(
        "points outstanding      {:>14}   ({} usable, {} pending)",
        n(r.available + r.pending),
        n(r.available),
        n(r.pending)
    );
    println!(
        "outstanding liability   {:>14}   {} at {} per point",
        r.liability.round_dp(2).to_string(),
        c.currency,
        c.redemption.point_value
    );
    println!("expiring in 30 days     {:>14}", n(r.expiring_30_days));
    println!("expiring in 90 days     {:>14}", n(r.expiring_90_days));
    if !r.tiers.is_empty() {
        println!();
        println!("members by tier:");
        for (name, count) in &r.tiers {
            println!("  {name:<10} {:>10}", group(*count as i64));
        }
    }
    println!();
    println!("ten largest balances (usable + pending):");
    for (i, (member, available, pending)) in r.top.iter().enumerate() {
        println!("  {:>2}. member {member:<8} {:>10} usable {:>8} pending", i + 1, n(*available), n(*pending));
    }
    println!();
    let events = r.orders as f64 + t.redeemed.get() as f64 / spending.as_ref().map_or(1.0, |s| s.points.get() as f64);
    println!(
        "replayed in {:.0} ms ({:.0} events per second, one core)",
        elapsed.as_secs_f64() * 1e3,
        events / elapsed.as_secs_f64().max(1e-9)
    );
    Ok(())
}

fn group(v: i64) -> String {
    let s = v.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if v < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("replay: {message}");
            ExitCode::FAILURE
        }
    }
}
