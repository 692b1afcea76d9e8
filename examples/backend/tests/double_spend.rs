//! Sixteen clients redeem a 1,000-point gift card at once from Dee, whose 3,000 points cover
//! exactly three: three succeed, thirteen get `insufficient_points`, the balance ends at zero
//! and never goes below, and the journal tells exactly three redemptions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
mod common;
use common::*;

#[test]
fn sixteen_clients_redeem_at_once_and_exactly_three_succeed() {
    let db = temp_db("double-spend");
    let server = Server::start(&db);
    let mut c = Client::new(&server.addr);
    let grant = r#"{"id": "grant", "occurred_at": "2025-05-01T10:00:00Z", "type": "points_adjusted", "points": 3000, "reason": "goodwill"}"#;
    assert_eq!(c.request("POST", "/members/dee/events", grant, &[]).unwrap().0, 200);
    let addr = server.addr.clone();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let (addr, barrier) = (addr.clone(), std::sync::Arc::clone(&barrier));
            std::thread::spawn(move || {
                let mut c = Client::new(&addr);
                let body = format!(
                    r#"{{"id": "redeem-{i}", "occurred_at": "2025-05-02T10:00:00Z", "type": "reward_redeemed", "reward_id": "gift-card-10", "points": 1000}}"#
                );
                // Connect first, so the requests leave together.
                c.request("GET", "/health", "", &[]).unwrap();
                barrier.wait();
                let (status, text) = c.request("POST", "/members/dee/events", &body, &[]).unwrap();
                (status, json(&text))
            })
        })
        .collect();
    let results: Vec<(u16, serde_json::Value)> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let ok = results.iter().filter(|(s, _)| *s == 200).count();
    let refused: Vec<&serde_json::Value> = results.iter().filter(|(s, _)| *s == 422).map(|(_, e)| e).collect();
    assert_eq!((ok, refused.len()), (3, 13), "{results:?}");
    assert!(refused.iter().all(|e| e["error"]["kind"] == "insufficient_points" && e["error"]["field"] == "points"));
    let (_, b) = c.request("GET", "/members/dee/balances?as_of=2025-05-02T10:00:00Z", "", &[]).unwrap();
    assert_eq!(json(&b)["available"].as_i64(), Some(0));
    // The journal: the grant and three redemptions; its running balance never below zero.
    let (_, page) = c.request("GET", "/members/dee/history?per_page=100", "", &[]).unwrap();
    let page = json(&page);
    let lines = page["lines"].as_array().unwrap();
    assert_eq!(lines.iter().filter(|l| l["kind"] == "points_redeemed").count(), 3);
    assert!(lines.iter().all(|l| l["balance"].as_i64().unwrap() >= 0));
    assert_eq!(page["balance"].as_i64(), Some(0));
}
