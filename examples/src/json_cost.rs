//! What the Node binding's JSON crossing costs on the Rust side, against `Account::apply`
//! itself: the workload of `bindings-node/bench/apply.js` (1,000 members × 50 orders under
//! the retail program), timed in three passes over the same events.
//!
//! ```text
//! cargo run --release -p loyalty-examples --bin json_cost
//! ```
//! Prints microseconds per event for reading the event JSON, applying it, and writing the
//! outcome JSON, and the outcome's mean size.

use loyalty::{Account, Event, Program};
use std::process::ExitCode;
use std::time::Instant;

fn run() -> Result<(), String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/programs/retail.json");
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let program = Program::from_json(&text).map_err(|e| e.to_string())?;
    let (members, orders) = (1_000, 50);
    let start = 1_704_121_200i64; // 2024-01-01 15:00 UTC
    let mut payloads = Vec::with_capacity(members * orders);
    for m in 0..members {
        for i in 0..orders {
            let t = start + i as i64 * 100 * 3600;
            let at = chrono::DateTime::from_timestamp(t, 0).ok_or("instant out of range")?;
            let at = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            payloads.push(format!(
                r#"{{"type":"order_placed","id":"m{m}-e{i}","occurred_at":"{at}","order_id":"m{m}-o{i}","amount":"{}.00"}}"#,
                5 + i
            ));
        }
    }
    let n = payloads.len() as f64;
    let t0 = Instant::now();
    let events: Vec<Event> =
        payloads.iter().map(|p| serde_json::from_str(p)).collect::<Result<_, _>>().map_err(|e| e.to_string())?;
    let read = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let mut outcomes = Vec::with_capacity(events.len());
    for (m, chunk) in events.chunks(orders).enumerate() {
        let mut account = Account::new(format!("m{m}"));
        for e in chunk {
            outcomes.push(account.apply(&program, e).map_err(|e| e.to_string())?);
        }
    }
    let apply = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let mut bytes = 0;
    for o in &outcomes {
        bytes += serde_json::to_string(o).map_err(|e| e.to_string())?.len();
    }
    let write = t0.elapsed().as_secs_f64();
    println!(
        "{{\"read_event_us\": {:.2}, \"apply_us\": {:.2}, \"write_outcome_us\": {:.2}, \"outcome_bytes\": {}}}",
        read / n * 1e6,
        apply / n * 1e6,
        write / n * 1e6,
        bytes / outcomes.len()
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("json_cost: {e}");
            ExitCode::FAILURE
        }
    }
}
