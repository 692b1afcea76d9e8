//! The HTTP surface, end to end against the server binary: each route, each client error as
//! a 4xx with the core's kind, field and value, and nothing changed by a refused request.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
mod common;
use common::*;

fn post(c: &mut Client, path: &str, body: &str) -> (u16, serde_json::Value) {
    let (status, text) = c.request("POST", path, body, &[]).unwrap();
    (status, json(&text))
}

fn get(c: &mut Client, path: &str) -> (u16, serde_json::Value) {
    let (status, text) = c.request("GET", path, "", &[]).unwrap();
    (status, json(&text))
}

const ORDER: &str = r#"{"id": "e1", "occurred_at": "2025-03-03T17:00:00Z", "type": "order_placed", "order_id": "o1", "amount": "42.50"}"#;

#[test]
fn an_order_then_balances_history_tier_and_health() {
    let db = temp_db("routes");
    let server = Server::start(&db);
    let mut c = Client::new(&server.addr);
    let (status, out) = post(&mut c, "/members/ana/events", ORDER);
    assert_eq!(status, 200, "{out}");
    // 42.50 at 1 point a dollar, floored: 42 pending for 14 days.
    assert_eq!(out["effects"][0]["type"], "points_earned");
    assert_eq!(out["effects"][0]["points"], 42);
    assert_eq!(out["journal"][0]["seq"], 0);
    let (status, b) = get(&mut c, "/members/ana/balances?as_of=2025-03-03T18:00:00Z");
    assert_eq!((status, b["available"].as_i64(), b["pending"].as_i64()), (200, Some(0), Some(42)));
    // The same event again: the stored outcome, marked a duplicate, nothing new.
    let (status, again) = post(&mut c, "/members/ana/events", ORDER);
    assert_eq!((status, &again["duplicate"], &again["effects"]), (200, &serde_json::json!(true), &out["effects"]));
    let (status, page) = get(&mut c, "/members/ana/history?per_page=10");
    assert_eq!((status, page["total"].as_i64(), page["balance"].as_i64()), (200, Some(1), Some(42)));
    assert_eq!(page["lines"][0]["kind"], "points_earned");
    let (status, t) = get(&mut c, "/members/ana/tier?as_of=2025-03-03T18:00:00Z");
    assert_eq!((status, t["tier"].as_str()), (200, Some("Member")));
    let (status, h) = get(&mut c, "/health");
    assert_eq!(
        (status, h["members"].as_i64(), h["journal"].as_i64(), h["events"].as_i64()),
        (200, Some(1), Some(1), Some(1))
    );
}

#[test]
fn client_errors_are_typed_4xx_and_change_nothing() {
    let db = temp_db("errors");
    let server = Server::start(&db);
    let mut c = Client::new(&server.addr);
    assert_eq!(post(&mut c, "/members/bo/events", ORDER).0, 200);
    let before = get(&mut c, "/members/bo/history").1;
    let cases: Vec<(&str, u16, &str, &str, &str)> = vec![
        // body, status, kind, field, value
        (
            r#"{"id": "e2", "occurred_at": "2025-03-04T00:00:00Z", "type": "order_placed", "order_id": "o2", "amount": "-1"}"#,
            400,
            "invalid_field",
            "amount",
            "-1",
        ),
        (
            r#"{"id": "e1", "occurred_at": "2025-03-03T17:00:00Z", "type": "order_placed", "order_id": "o1", "amount": "9.00"}"#,
            409,
            "id_conflict",
            "id",
            "e1",
        ),
        (
            r#"{"id": "e3", "occurred_at": "2025-03-01T00:00:00Z", "type": "checked_in"}"#,
            409,
            "out_of_order",
            "occurred_at",
            "2025-03-01T00:00:00+00:00",
        ),
        (
            r#"{"id": "e4", "occurred_at": "2025-03-05T00:00:00Z", "type": "reward_redeemed", "reward_id": "tote-bag", "points": 1500}"#,
            422,
            "insufficient_points",
            "points",
            "1500",
        ),
        (
            r#"{"id": "e5", "occurred_at": "2026-03-05T00:00:00Z", "type": "order_refunded", "order_id": "o1", "amount": "1.00"}"#,
            422,
            "return_window_closed",
            "order_id",
            "o1",
        ),
        (
            r#"{"id": "e6", "occurred_at": "2025-03-05T00:00:00Z", "type": "order_refunded", "order_id": "nope", "amount": "1.00"}"#,
            422,
            "unknown_order",
            "order_id",
            "nope",
        ),
        ("not json", 400, "invalid_field", "", ""),
        (
            r#"{"id": "e8", "occurred_at": "2999-01-01T00:00:00Z", "type": "checked_in"}"#,
            422,
            "in_future",
            "occurred_at",
            "2999-01-01T00:00:00+00:00",
        ),
    ];
    for (body, status, kind, field, value) in cases {
        let (s, e) = post(&mut c, "/members/bo/events", body);
        assert_eq!((s, e["error"]["kind"].as_str()), (status, Some(kind)), "{body}: {e}");
        if !field.is_empty() {
            assert_eq!((e["error"]["field"].as_str(), e["error"]["value"].as_str()), (Some(field), Some(value)), "{e}");
        }
    }
    // A body over the limit: 413, typed.
    let big = format!(
        r#"{{"id": "e7", "occurred_at": "2025-03-05T00:00:00Z", "type": "checked_in", "pad": "{}"}}"#,
        "x".repeat(70_000)
    );
    let (s, e) = post(&mut c, "/members/bo/events", &big);
    assert_eq!((s, e["error"]["kind"].as_str(), e["error"]["field"].as_str()), (413, Some("too_large"), Some("body")));
    // Queries: unknown member 404, bad instant 400, page size 400, an instant before the clock 422.
    assert_eq!(get(&mut Client::new(&server.addr), "/members/nobody/balances").1["error"]["kind"], "unknown_member");
    let (s, e) = get(&mut c, "/members/bo/balances?as_of=yesterday");
    assert_eq!((s, e["error"]["field"].as_str()), (400, Some("as_of")));
    let (s, e) = get(&mut c, "/members/bo/balances?asof=2025-03-05T00:00:00Z");
    assert_eq!(
        (s, e["error"]["field"].as_str(), e["error"]["value"].as_str()),
        (400, Some("asof"), Some("2025-03-05T00:00:00Z"))
    );
    let (s, e) = get(&mut c, "/members/bo/history?per_page=0");
    assert_eq!((s, e["error"]["field"].as_str()), (400, Some("per_page")));
    let (s, e) = get(&mut c, "/members/bo/balances?as_of=2020-01-01T00:00:00Z");
    assert_eq!((s, e["error"]["kind"].as_str()), (422, Some("as_of_before_clock")));
    // A member id the core refuses.
    let (s, e) = post(&mut c, "/members/%E2%80%8B/events", ORDER);
    assert_eq!((s, e["error"]["field"].as_str()), (400, Some("member_id")));
    assert_eq!(get(&mut c, "/members/bo/history").1, before);
}

#[test]
fn an_idempotency_key_answers_a_repeat_and_refuses_another_request() {
    let db = temp_db("keys");
    let server = Server::start(&db);
    let mut c = Client::new(&server.addr);
    let (s1, first) = c.request("POST", "/members/cy/events", ORDER, &[("idempotency-key", "k-1")]).unwrap();
    let (s2, second) = c.request("POST", "/members/cy/events", ORDER, &[("idempotency-key", "k-1")]).unwrap();
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(first, second);
    let other = ORDER.replace("e1", "e9").replace("o1", "o9");
    let (s, e) = c.request("POST", "/members/cy/events", &other, &[("idempotency-key", "k-1")]).unwrap();
    assert_eq!((s, json(&e)["error"]["kind"].as_str()), (422, Some("idempotency_key_reused")));
}

#[test]
fn the_nightly_advance_is_batched_and_a_second_run_does_nothing() {
    let db = temp_db("advance");
    let server = Server::start(&db);
    let mut c = Client::new(&server.addr);
    for m in 0..5 {
        let body = ORDER.replace("e1", &format!("e-{m}")).replace("o1", &format!("o-{m}"));
        assert_eq!(post(&mut c, &format!("/members/m{m}/events"), &body).0, 200);
    }
    // 2025-03-18 05:00Z: the pending 42 points of each order activate (local midnight after 14 days).
    let (s, r) = post(&mut c, "/advance", r#"{"at": "2025-03-18T05:00:00Z", "batch": 2}"#);
    assert_eq!(
        (s, r["members"].as_i64(), r["changed"].as_i64(), r["done"].as_bool()),
        (200, Some(5), Some(5), Some(true))
    );
    let (_, again) = post(&mut c, "/advance", r#"{"at": "2025-03-18T05:00:00Z"}"#);
    assert_eq!((again["members"].as_i64(), again["done"].as_bool()), (Some(0), Some(true)));
    let (_, page) = get(&mut c, "/members/m3/history");
    assert_eq!((page["lines"][0]["kind"].as_str(), page["total"].as_i64()), (Some("pending_activated"), Some(2)));
    let (s, e) = post(&mut c, "/advance", r#"{"at": "2025-03-18T05:00:00Z", "batch": 0}"#);
    assert_eq!((s, e["error"]["field"].as_str()), (400, Some("batch")));
    // A member whose stored snapshot was damaged by hand is skipped and counted; the run goes on.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE members SET snapshot = '{}' WHERE member_id = 'm2'", []).unwrap();
    let (s, r) = post(&mut c, "/advance", r#"{"at": "2025-04-01T05:00:00Z", "batch": 2}"#);
    assert_eq!(
        (s, r["members"].as_i64(), r["skipped"].as_i64(), r["done"].as_bool()),
        (200, Some(5), Some(1), Some(true))
    );
    // A clock run years ahead would move every member there for good: refused.
    let (s, e) = post(&mut c, "/advance", r#"{"at": "2999-01-01T00:00:00Z"}"#);
    assert_eq!((s, e["error"]["kind"].as_str(), e["error"]["field"].as_str()), (422, Some("in_future"), Some("at")));
}
