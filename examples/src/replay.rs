//! Replays an order log under one program, or compares several on the same log, and prints
//! (and with `--html`, draws) what the program would have done.
//!
//! ```text
//! cargo run --release -p loyalty-examples --bin replay -- --help
//! ```
//!
//! Defaults: the retail program in `examples/programs/retail.json`, the real CDNOW order log
//! in `examples/data/CDNOW_master.txt`, as of the day after the last order, and members
//! redeeming the program's cheapest reward whenever they can after an order.

mod dashboard;
mod log;
mod orders;
mod parquet_log;

use chrono::{DateTime, NaiveDate, Utc};
use clap::Parser;
use loyalty::simulation::{simulate_with_progress, Behaviour, Run, Settings};
use loyalty::{Points, Program};
use orders::Format;
use rust_decimal::Decimal;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Replay an order log through loyalty programs: points issued, redeemed and expired, the
/// liability, tiers, and with --compare several programs side by side on the same members.
#[derive(Parser, Debug)]
#[command(name = "replay", version, about, long_about = None)]
struct Args {
    /// The program (JSON). Default: examples/programs/retail.json.
    #[arg(long, value_name = "PATH")]
    program: Option<PathBuf>,

    /// Another program to replay the same log under, side by side (repeat for more).
    #[arg(long, value_name = "PATH")]
    compare: Vec<PathBuf>,

    /// The order log. Default: examples/data/CDNOW_master.txt (69,659 real orders).
    #[arg(long, value_name = "PATH")]
    input: Option<PathBuf>,

    /// The log's layout: cdnow (whitespace separated), csv (a header naming member_id, date
    /// or occurred_at, amount and optionally order_id; quoted fields allowed) or parquet (the
    /// same columns). Default: from the file's extension, cdnow otherwise.
    #[arg(long, value_enum)]
    format: Option<Format>,

    /// Replay orders before this local date (YYYY-MM-DD) and report as of its start. Default:
    /// the day after the last order.
    #[arg(long, value_name = "DATE")]
    as_of: Option<NaiveDate>,

    /// How members spend points: `cheapest` (the program's cheapest reward), a reward id every
    /// program has, or `none`. Members redeem after an order when their usable points allow.
    #[arg(long, value_name = "REWARD", default_value = "cheapest")]
    redeem: String,

    /// The chance (0 to 1) that a member who can redeem does.
    #[arg(long, value_name = "P", default_value_t = 1.0)]
    probability: f64,

    /// The seed of the members' redemption draws: the same seed gives the same numbers.
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Threads to replay members on (members are independent; the numbers do not change).
    #[arg(long, default_value_t = 1)]
    threads: usize,

    /// Also write a self-contained HTML dashboard (charts as inline SVG, nothing fetched).
    #[arg(long, value_name = "PATH")]
    html: Option<PathBuf>,
}

fn read_program(path: &PathBuf) -> Result<Program, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Program::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn run() -> Result<(), String> {
    let args = Args::parse();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let first = args.program.clone().unwrap_or_else(|| root.join("programs/retail.json"));
    let mut programs = vec![read_program(&first)?];
    for path in &args.compare {
        programs.push(read_program(path)?);
    }
    let input = args.input.clone().unwrap_or_else(|| root.join("data/CDNOW_master.txt"));
    let format = args.format.unwrap_or_else(|| Format::of_path(&input));
    let tz = programs[0].time_zone();
    let rows = log::read(&input, format, tz).map_err(|e| format!("{}: {e}", input.display()))?;
    let columns = log::Columns::of(&rows, programs[0].config().currency.as_str())
        .map_err(|e| format!("{}: {e}", input.display()))?;
    let behaviour = Behaviour::named(&args.redeem, args.probability);
    let last = rows.iter().map(|r| r.occurred_at).max().unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let as_of_day =
        args.as_of.unwrap_or_else(|| loyalty::calendar::add_days(loyalty::calendar::local_date(last, tz), 1));
    let settings = Settings {
        as_of: loyalty::calendar::start_of_day(as_of_day, tz),
        behaviour: behaviour.clone(),
        seed: args.seed,
    };

    // A bar on a terminal; none when stderr is piped or a file.
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(columns.members as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} members, {per_sec}, {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let refs: Vec<&Program> = programs.iter().collect();
    let runs = loyalty::analytics::with_threads(args.threads, || {
        simulate_with_progress(&refs, &columns.orders(), &settings, &|n| bar.inc(n))
    })
    .map_err(|e| match &e {
        loyalty::simulation::SimulationError::Member { row, .. } => {
            let line = rows.get(*row).map_or(0, |r| r.line);
            format!("{} line {line}: {e}", input.display())
        }
        _ => format!("{}: {e}", input.display()),
    })?;
    bar.finish_and_clear();
    let elapsed = started.elapsed();

    println!(
        "input: {} ({format}): {} orders of {} members",
        input.display(),
        group(rows.len() as i64),
        group(columns.members as i64)
    );
    println!("spending: {}", describe(&behaviour, args.seed));
    println!("as of: {as_of_day} 00:00 {}", programs[0].config().time_zone);
    println!();
    print_table(&runs);
    println!();
    println!(
        "replayed {} program{} in {:.0} ms on {} thread{}",
        programs.len(),
        if programs.len() == 1 { "" } else { "s" },
        elapsed.as_secs_f64() * 1e3,
        args.threads.max(1),
        if args.threads > 1 { "s" } else { "" }
    );
    if let Some(path) = &args.html {
        let started = Instant::now();
        let page = dashboard::page(&dashboard::Input {
            programs: &programs,
            runs: &runs,
            rows: &rows,
            members: &columns,
            as_of: settings.as_of,
            source: &input.display().to_string(),
            behaviour: &describe(&behaviour, args.seed),
        })?;
        std::fs::write(path, page).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("dashboard: {} ({:.0} ms)", path.display(), started.elapsed().as_secs_f64() * 1e3);
    }
    Ok(())
}

fn describe(b: &Behaviour, seed: u64) -> String {
    match b {
        Behaviour::Never => "members never redeem".into(),
        Behaviour::Cheapest { probability } => format!(
            "members redeem the cheapest reward after an order when their usable points allow \
             (probability {probability}, seed {seed})"
        ),
        Behaviour::Reward { reward_id, probability } => format!(
            "members redeem {reward_id:?} after an order when their usable points allow \
             (probability {probability}, seed {seed})"
        ),
    }
}

/// The runs side by side, one column per program.
fn print_table(runs: &[Run]) {
    let n = |p: Points| group(p.get());
    let money = |d: Decimal| group_decimal(d.round_dp(2));
    let percent =
        |d: Option<Decimal>| d.map_or_else(|| "-".into(), |d| format!("{}%", (d * Decimal::ONE_HUNDRED).round_dp(1)));
    let rows: Vec<(&str, Vec<String>)> = vec![
        ("program", runs.iter().map(|r| format!("{} v{}", r.program, r.version)).collect()),
        ("members", runs.iter().map(|r| group(r.members as i64)).collect()),
        ("orders", runs.iter().map(|r| group(r.orders as i64)).collect()),
        ("revenue", runs.iter().map(|r| money(r.revenue)).collect()),
        ("points issued", runs.iter().map(|r| n(r.totals.earned)).collect()),
        ("points redeemed", runs.iter().map(|r| n(r.totals.redeemed)).collect()),
        ("rewards redeemed", runs.iter().map(|r| group(r.redemptions as i64)).collect()),
        ("points expired", runs.iter().map(|r| n(r.totals.expired)).collect()),
        ("breakage (expired/issued)", runs.iter().map(|r| percent(r.breakage_rate)).collect()),
        ("points cancelled/clawed", runs.iter().map(|r| n(r.totals.cancelled + r.totals.clawed_back)).collect()),
        ("points outstanding", runs.iter().map(|r| n(r.available + r.pending)).collect()),
        ("  of which pending", runs.iter().map(|r| n(r.pending)).collect()),
        ("outstanding liability", runs.iter().map(|r| money(r.liability)).collect()),
        (
            "cost per 100 of revenue",
            runs.iter()
                .map(|r| r.cost_per_revenue.map_or_else(|| "-".into(), |d| money(d * Decimal::ONE_HUNDRED)))
                .collect(),
        ),
        ("expiring in 30 days", runs.iter().map(|r| n(r.expiring[0])).collect()),
        ("expiring in 60 days", runs.iter().map(|r| n(r.expiring[1])).collect()),
        ("expiring in 90 days", runs.iter().map(|r| n(r.expiring[2])).collect()),
        (
            "tier entry rewards",
            runs.iter().map(|r| group(r.months.iter().map(|m| m.entry_rewards as i64).sum())).collect(),
        ),
    ];
    let width = runs.iter().map(|r| r.program.len() + 4).max().unwrap_or(0).max(16);
    for (label, values) in rows {
        print!("{label:<26}");
        for v in values {
            print!(" {v:>width$}");
        }
        println!();
    }
    for r in runs {
        if let Some(last) = r.months.last().filter(|_| !r.tiers.is_empty()) {
            println!();
            println!("members by tier, {}:", r.program);
            for (name, count) in r.tiers.iter().zip(&last.members_by_tier) {
                println!("  {name:<12} {:>10}", group(*count as i64));
            }
        }
    }
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

fn group_decimal(d: Decimal) -> String {
    let text = format!("{d:.2}");
    let (whole, cents) = text.split_once('.').unwrap_or((&text, "00"));
    let whole: i64 = whole.parse().unwrap_or(0);
    let sign = if d.is_sign_negative() && whole == 0 && !d.is_zero() { "-" } else { "" };
    format!("{sign}{}.{cents}", group(whole))
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
