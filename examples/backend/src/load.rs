//! The reference backend's load bench: `clients` threads send events (a day apart per member,
//! three check-ins to one order, each client its own members so every member's events stay in time order) to a
//! running server for `seconds`, then print sustained events per second and the latency
//! percentiles of the requests.
//!
//! ```text
//! cargo run --release -p loyalty-backend -- --db /tmp/load.db --listen 127.0.0.1:8080 &
//! cargo run --release -p loyalty-backend --bin loyalty-backend-load -- --addr 127.0.0.1:8080 --seconds 60 --clients 8
//! ```

use loyalty_backend::client::Client;
use std::time::{Duration, Instant};

fn main() {
    let mut addr = "127.0.0.1:8080".to_string();
    let (mut seconds, mut clients, mut members) = (60u64, 8usize, 10_000usize);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_default();
        match flag.as_str() {
            "--addr" => addr = value,
            "--seconds" => seconds = value.parse().unwrap_or(seconds),
            "--clients" => clients = value.parse().unwrap_or(clients),
            "--members" => members = value.parse().unwrap_or(members),
            other => {
                eprintln!("unknown argument {other:?}: --addr, --seconds, --clients, --members");
                std::process::exit(2);
            }
        }
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|t| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut client = Client::new(&addr);
                let mine: Vec<usize> = (t..members).step_by(clients).collect();
                let mut sent = vec![0u64; mine.len()];
                let (mut latencies, mut errors) = (Vec::new(), 0u64);
                let mut k = 0usize;
                while Instant::now() < deadline && !mine.is_empty() {
                    let slot = k % mine.len();
                    k += 1;
                    let n = sent[slot];
                    sent[slot] += 1;
                    let member = mine[slot];
                    // One event a day per member (a check-in is once a day) from 2025-01-01 12:00Z.
                    let at = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH
                        + Duration::from_secs(1_735_732_800 + 86_400 * n);
                    let at = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                    let body = if n % 4 == 3 {
                        format!(r#"{{"id": "e{n}", "occurred_at": "{at}", "type": "order_placed", "order_id": "o{n}", "amount": "25.00"}}"#)
                    } else {
                        format!(r#"{{"id": "e{n}", "occurred_at": "{at}", "type": "checked_in"}}"#)
                    };
                    let t0 = Instant::now();
                    match client.request("POST", &format!("/members/load-{member}/events"), &body, &[]) {
                        Ok((200, _)) => latencies.push(t0.elapsed().as_micros() as u32),
                        Ok((status, text)) => {
                            if errors == 0 {
                                eprintln!("first error: {status} {text}");
                            }
                            errors += 1;
                        }
                        Err(e) => {
                            if errors == 0 {
                                eprintln!("first error: {e}");
                            }
                            errors += 1;
                        }
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    for t in threads {
        if let Ok((l, e)) = t.join() {
            all.extend(l);
            errors += e;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct =
        |p: f64| all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or(0);
    println!(
        "{clients} clients, {seconds} s: {} events applied, {:.0} events/s, {errors} errors; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        all.len(),
        all.len() as f64 / elapsed,
        f64::from(pct(0.50)) / 1e3,
        f64::from(pct(0.99)) / 1e3,
        f64::from(all.last().copied().unwrap_or(0)) / 1e3
    );
}
