//! The cost of a checkout with coupons against a plain order (issue 29's goal: quoting and
//! applying an order with two coupons and stored value within 2x of applying a plain order),
//! for a member with a year of weekly orders, a top-up and two coupons.
//!
//! ```text
//! cargo bench -p loyalty --bench checkout
//! ```
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use loyalty::{Account, Checkout, Event, EventKind, Program};
use rust_decimal::Decimal;

fn program() -> Program {
    Program::from_json(
        r#"{"name": "Bakery", "version": 1, "currency": "CNY", "time_zone": "Asia/Shanghai",
            "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]}, "pending_days": 7,
            "expiry": {"kind": "rolling_months", "months": 12}, "redemption": {"point_value": "0.01"},
            "stored_value": {"bonus_tiers": [{"min_paid": "500", "bonus": "50"}]},
            "coupons": {"definitions": [
              {"id": "PCT", "discount": {"kind": "percent_off", "percent": "10"}, "validity": {"kind": "days", "days": 30}},
              {"id": "OFF", "discount": {"kind": "amount_off", "amount": "5"}, "validity": {"kind": "days", "days": 30}}]}}"#,
    )
    .unwrap()
}

fn order(id: &str, t: DateTime<Utc>, amount: Decimal, stored_value: Option<Decimal>, coupons: Vec<String>) -> Event {
    let kind = EventKind::OrderPlaced {
        order_id: id.into(),
        amount,
        channel: None,
        lines: vec![],
        stored_value,
        coupons,
        reservation_key: None,
    };
    Event::new(id, t, kind)
}

/// A member after 52 weekly orders, a top-up of 500 and two granted coupons.
fn member(p: &Program) -> (Account, DateTime<Utc>) {
    let mut a = Account::new("m");
    let mut t = Utc.with_ymd_and_hms(2025, 1, 6, 3, 0, 0).unwrap();
    for i in 0..52 {
        a.apply(p, &order(&format!("o{i}"), t, Decimal::new(2_000 + 37 * i, 2), None, vec![])).unwrap();
        t += Duration::days(7);
    }
    a.apply(p, &Event::new("top", t, EventKind::StoredValueLoaded { paid: Decimal::from(500), payment_ref: None }))
        .unwrap();
    for (id, def) in [("c1", "PCT"), ("c2", "OFF")] {
        let grant = EventKind::CouponGranted { definition: def.into(), reason: "bench".into() };
        a.apply(p, &Event::new(id, t, grant)).unwrap();
    }
    (a, t + Duration::hours(1))
}

fn checkout(c: &mut Criterion) {
    let p = program();
    let (account, t) = member(&p);
    let mut group = c.benchmark_group("checkout");
    group.bench_function("apply_plain_order", |b| {
        b.iter_batched(
            || account.clone(),
            |mut a| a.apply(&p, &order("new", t, Decimal::new(4_250, 2), None, vec![])).unwrap(),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("quote_and_apply_two_coupons_and_stored_value", |b| {
        let request = Checkout {
            amount: Decimal::new(4_250, 2),
            coupons: vec!["c1".into(), "c2".into()],
            stored_value: true,
            ..Default::default()
        };
        b.iter_batched(
            || account.clone(),
            |mut a| {
                let q = a.quote_checkout(&p, &request, t).unwrap();
                let sv = (!q.stored_value.is_zero()).then_some(q.stored_value);
                a.apply(&p, &order("new", t, request.amount, sv, request.coupons.clone())).unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    // The two halves, to see where the time goes.
    group.bench_function("quote_only", |b| {
        let request = Checkout {
            amount: Decimal::new(4_250, 2),
            coupons: vec!["c1".into(), "c2".into()],
            stored_value: true,
            ..Default::default()
        };
        b.iter(|| account.quote_checkout(&p, &request, t).unwrap())
    });
    group.bench_function("apply_two_coupons_and_stored_value", |b| {
        let coupons = vec!["c1".to_string(), "c2".to_string()];
        b.iter_batched(
            || account.clone(),
            |mut a| {
                a.apply(&p, &order("new", t, Decimal::new(4_250, 2), Some(Decimal::new(3_325, 2)), coupons.clone()))
                    .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, checkout);
criterion_main!(benches);
