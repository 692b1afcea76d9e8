//! Mei's coupons at a Shanghai bakery (zone Asia/Shanghai, CNY), with the numbers of
//! `shared/research/wallet.md` section 4, worked by hand:
//!
//! - "Valid through 2025-06-30" ends at local midnight, 2025-06-30T16:00:00Z: an order at
//!   15:59:59Z may use the coupon, one at 16:00:00Z may not. An order cancelled a minute
//!   before that gives the coupon back; a minute after, the coupon has expired.
//! - Stacking never goes below zero: on an order of 50, 10% off takes 5, then 50 off takes
//!   the 45 left. The other way round the 10% has nothing left to take and is refused.
//! - A single-use coupon held by one checkout (key K1) cannot be held or used by another
//!   (K2) until K1 lets go or its 15 minutes run out.
//! - A 29 February birthday in 2027 is 28 February: with 3 days' notice the coupon comes at
//!   2027-02-25 00:00 local, 2027-02-24T16:00:00Z.
//! - A coupon bought for 300 points and cancelled unused gives the 300 back.
//! - Six items of 50 with "10% off from 300", paid 270: returning five refunds 225 when the
//!   discount is kept, 220 when it is clawed back (the one kept item is below 300).
#![allow(clippy::unwrap_used)]

use super::common::*;
use loyalty::{Account, AccountError, Checkout, CouponState, Effect, Event, EventKind, Program};

fn bakery(extra: serde_json::Value) -> Program {
    let mut coupons = serde_json::json!({
        "definitions": [
            {"id": "SUMMER", "discount": {"kind": "amount_off", "amount": "20"},
             "validity": {"kind": "window", "from": "2025-06-01", "through": "2025-06-30"},
             "remind_days": 3, "per_member_limit": 1},
            {"id": "TEN_PCT", "discount": {"kind": "percent_off", "percent": "10"}, "min_spend": "300",
             "validity": {"kind": "days", "days": 30}},
            {"id": "SMALL_PCT", "discount": {"kind": "percent_off", "percent": "10"},
             "validity": {"kind": "days", "days": 30}},
            {"id": "FIFTY", "discount": {"kind": "amount_off", "amount": "50"},
             "validity": {"kind": "days", "days": 30}},
            {"id": "WELCOME", "discount": {"kind": "amount_off", "amount": "5"},
             "validity": {"kind": "days", "days": 14}, "issue": {"on": "joined"}},
            {"id": "BDAY", "discount": {"kind": "free_item", "sku": "cake"},
             "validity": {"kind": "days", "days": 7}, "issue": {"on": "birthday", "days_before": 3}},
            {"id": "TREAT", "discount": {"kind": "amount_off", "amount": "3"}, "price_points": 300,
             "validity": {"kind": "days", "days": 30}}
        ]
    });
    if let (Some(c), Some(extra)) = (coupons.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            c.insert(k.clone(), v.clone());
        }
    }
    program(serde_json::json!({"currency": "CNY", "time_zone": "Asia/Shanghai", "coupons": coupons}))
}

fn grant(id: &str, t: &str, definition: &str) -> Event {
    event(id, t, EventKind::CouponGranted { definition: definition.into(), reason: "goodwill".into() })
}

fn coupon_order(id: &str, t: &str, order_id: &str, amount: &str, coupons: &[&str], key: Option<&str>) -> Event {
    event(
        id,
        t,
        EventKind::OrderPlaced {
            order_id: order_id.into(),
            amount: dec(amount),
            channel: None,
            lines: vec![],
            stored_value: None,
            coupons: coupons.iter().map(|c| c.to_string()).collect(),
            reservation_key: key.map(str::to_string),
        },
    )
}

fn state(a: &Account, id: &str, t: &str) -> CouponState {
    a.coupons(at(t)).unwrap().into_iter().find(|c| c.coupon_id == id).unwrap().state
}

/// The refusal, with the account left exactly as it was.
fn refused(a: &mut Account, p: &Program, e: &Event) -> AccountError {
    let before = a.to_json();
    let err = a.apply(p, e).unwrap_err();
    assert_eq!(a.to_json(), before, "{e:?}");
    err
}

#[test]
fn validity_ends_at_local_midnight_and_a_cancel_either_side_of_it() {
    let p = bakery(serde_json::json!({}));
    let mut mei = Account::new("mei");
    let e = apply(&mut mei, &p, &grant("g1", "2025-06-10T02:00:00Z", "SUMMER"));
    assert_eq!(
        e,
        vec![Effect::CouponIssued {
            coupon_id: "g1".into(),
            definition: "SUMMER".into(),
            source: "granted".into(),
            reason: Some("goodwill".into()),
            valid_from: at("2025-06-10T02:00:00Z"),
            valid_until: at("2025-06-30T16:00:00Z"),
        }]
    );
    // 16:00:00Z is 1 July in Shanghai: too late.
    let mut late = mei.clone();
    let err = refused(&mut late, &p, &coupon_order("o-late", "2025-06-30T16:00:00Z", "late", "80", &["g1"], None));
    assert_eq!((err.kind(), err.field(), err.value()), ("coupon_not_applicable", "coupons".into(), "g1".into()));
    assert!(err.to_string().contains("expired at 2025-06-30T16:00:00+00:00"), "{err}");
    // The reminder goes out once, at 27 June 00:00 local.
    let reminders = mei.advance_to(&p, at("2025-06-30T15:00:00Z")).unwrap();
    assert_eq!(
        reminders,
        vec![Effect::CouponExpiringSoon {
            coupon_id: "g1".into(),
            definition: "SUMMER".into(),
            valid_until: at("2025-06-30T16:00:00Z")
        }]
    );
    // A second before the end, the coupon takes 20 off an order of 80: points on 60.
    let e = apply(&mut mei, &p, &coupon_order("o1", "2025-06-30T15:59:59Z", "A", "80", &["g1"], None));
    assert_eq!(
        e[0],
        Effect::CouponRedeemed {
            coupon_id: "g1".into(),
            definition: "SUMMER".into(),
            order_id: "A".into(),
            discount: dec("20")
        }
    );
    assert_eq!(earned(&e[1]), 60);
    // The limit is one per member: a second SUMMER coupon is refused while the first is used.
    apply(&mut mei, &p, &grant("g2", "2025-06-30T15:59:59Z", "SUMMER"));
    let err = refused(&mut mei, &p, &coupon_order("o2", "2025-06-30T15:59:59Z", "B", "80", &["g2"], None));
    assert!(err.to_string().contains("the most per member (1)"), "{err}");

    // Cancelled a minute before the end: the coupon comes back, usable, and no longer counts.
    let mut before = mei.clone();
    let e = apply(
        &mut before,
        &p,
        &event("c1", "2025-06-30T15:59:59Z", EventKind::OrderCancelled { order_id: "A".into() }),
    );
    assert!(e.contains(&Effect::CouponReturned { coupon_id: "g1".into(), order_id: "A".into() }), "{e:?}");
    assert_eq!(state(&before, "g1", "2025-06-30T15:59:59Z"), CouponState::Issued);
    assert_eq!(balance(&before, &p, "2025-06-30T15:59:59Z"), (0, 0, 0));
    // Exactly once: a second cancel is refused and changes nothing.
    let err = refused(
        &mut before,
        &p,
        &event("c2", "2025-06-30T15:59:59Z", EventKind::OrderCancelled { order_id: "A".into() }),
    );
    assert_eq!((err.field(), err.value()), ("order_id".into(), "\"A\"".into()));
    // The same cancel replayed is a duplicate, with the original effects.
    let again = before
        .apply(&p, &event("c1", "2025-06-30T15:59:59Z", EventKind::OrderCancelled { order_id: "A".into() }))
        .unwrap();
    assert!(again.duplicate);

    // Cancelled a minute after the end (00:01 on 1 July local): the coupon has expired.
    let e =
        apply(&mut mei, &p, &event("c1", "2025-06-30T16:01:00Z", EventKind::OrderCancelled { order_id: "A".into() }));
    assert!(
        e.contains(&Effect::CouponExpired {
            coupon_id: "g1".into(),
            definition: "SUMMER".into(),
            valid_until: at("2025-06-30T16:00:00Z")
        }),
        "{e:?}"
    );
    assert_eq!(state(&mei, "g1", "2025-06-30T16:01:00Z"), CouponState::Expired);
}

#[test]
fn stacking_never_goes_below_zero_and_the_order_of_coupons_matters() {
    let p = bakery(serde_json::json!({}));
    let mut mei = Account::new("mei");
    for (id, def) in [("pct", "SMALL_PCT"), ("fifty", "FIFTY")] {
        apply(&mut mei, &p, &grant(id, "2025-05-01T02:00:00Z", def));
    }
    // 50 off first: nothing is left for the 10%, which is refused, not consumed.
    let err = refused(&mut mei, &p, &coupon_order("o0", "2025-05-02T02:00:00Z", "X", "50", &["fifty", "pct"], None));
    assert_eq!(err.value(), "pct");
    assert!(err.to_string().contains("takes nothing off"), "{err}");
    // The quote says the same without failing.
    let q = mei
        .quote_checkout(
            &p,
            &Checkout { amount: dec("50"), coupons: vec!["fifty".into(), "pct".into()], ..Default::default() },
            at("2025-05-02T02:00:00Z"),
        )
        .unwrap();
    assert_eq!((q.coupons[0].discount, q.coupons[1].discount, q.due), (dec("50"), dec("0"), dec("0")));
    assert!(q.coupons[1].not_applied.as_deref().unwrap().contains("nothing left"));
    // The same coupon twice is refused.
    let err = refused(&mut mei, &p, &coupon_order("o0", "2025-05-02T02:00:00Z", "X", "50", &["pct", "pct"], None));
    assert!(err.to_string().contains("listed twice"), "{err}");
    // 10% first: 5, then 50 off takes the 45 left. The order comes to 0 and earns nothing.
    let e = apply(&mut mei, &p, &coupon_order("o1", "2025-05-02T02:00:00Z", "X", "50", &["pct", "fifty"], None));
    let discounts: Vec<_> = e
        .iter()
        .filter_map(|e| match e {
            Effect::CouponRedeemed { discount, .. } => Some(*discount),
            _ => None,
        })
        .collect();
    assert_eq!(discounts, vec![dec("5.00"), dec("45.00")]);
    assert!(matches!(e.last(), Some(Effect::NoPointsEarned { .. })), "{e:?}");
}

#[test]
fn one_checkout_holds_a_single_use_coupon_until_it_lets_go_or_times_out() {
    let p = bakery(serde_json::json!({}));
    let mut mei = Account::new("mei");
    apply(&mut mei, &p, &grant("c", "2025-05-01T02:00:00Z", "FIFTY"));
    let reserve = |id: &str, t: &str, key: &str| {
        event(id, t, EventKind::CouponReserved { coupon_id: "c".into(), key: key.into() })
    };
    let e = apply(&mut mei, &p, &reserve("r1", "2025-05-02T02:00:00Z", "K1"));
    assert_eq!(
        e,
        vec![Effect::CouponReserved { coupon_id: "c".into(), key: "K1".into(), until: at("2025-05-02T02:15:00Z") }]
    );
    // Another checkout can neither hold nor use it.
    let err = refused(&mut mei, &p, &reserve("r2", "2025-05-02T02:05:00Z", "K2"));
    assert!(err.to_string().contains("reserved for another checkout"), "{err}");
    let err = refused(&mut mei, &p, &coupon_order("o", "2025-05-02T02:05:00Z", "B", "80", &["c"], Some("K2")));
    assert_eq!(err.kind(), "coupon_not_applicable");
    let err = refused(&mut mei, &p, &coupon_order("o", "2025-05-02T02:05:00Z", "B", "80", &["c"], None));
    assert_eq!(err.kind(), "coupon_not_applicable");
    // Fifteen minutes on, the hold has run out (the clock releases it), and K2 may take it.
    let mut timed_out = mei.clone();
    let e = timed_out.advance_to(&p, at("2025-05-02T02:16:00Z")).unwrap();
    assert_eq!(e, vec![Effect::CouponReleased { coupon_id: "c".into(), key: "K1".into(), timed_out: true }]);
    apply(&mut timed_out, &p, &reserve("r2", "2025-05-02T02:16:00Z", "K2"));
    // K1's checkout, in time, uses it: the second order with the same coupon is refused.
    let e = apply(&mut mei, &p, &coupon_order("o1", "2025-05-02T02:10:00Z", "A", "80", &["c"], Some("K1")));
    assert!(e.contains(&Effect::CouponRedeemed {
        coupon_id: "c".into(),
        definition: "FIFTY".into(),
        order_id: "A".into(),
        discount: dec("50")
    }));
    let err = refused(&mut mei, &p, &coupon_order("o2", "2025-05-02T02:11:00Z", "B", "80", &["c"], Some("K1")));
    assert!(err.to_string().contains("was redeemed on order \"A\""), "{err}");
}

#[test]
fn welcome_and_29_february_birthday_coupons_are_issued_once() {
    let p = bakery(serde_json::json!({}));
    let mut mei = Account::new("mei");
    let joined =
        event("j", "2026-06-01T02:00:00Z", EventKind::Joined { birthday: Some("2000-02-29".parse().unwrap()) });
    let e = apply(&mut mei, &p, &joined);
    assert!(
        matches!(&e[0], Effect::CouponIssued { coupon_id, source, .. } if coupon_id == "joined:WELCOME" && source == "joined")
    );
    // A replayed sign-up issues nothing.
    let again = mei.apply(&p, &joined).unwrap();
    assert!(again.duplicate);
    assert_eq!(mei.coupons(at("2026-06-01T02:00:00Z")).unwrap().len(), 1);
    // 2027 is a common year: the birthday is 28 February, the coupon 3 days before at local
    // midnight, 2027-02-25T00:00+08:00. Not a second earlier.
    assert_eq!(mei.clone().advance_to(&p, at("2027-02-24T15:59:59Z")).unwrap().len(), 1); // the welcome coupon expired in 2026
    let e = mei.advance_to(&p, at("2027-02-24T16:00:00Z")).unwrap();
    assert_eq!(
        e.last(),
        Some(&Effect::CouponIssued {
            coupon_id: "birthday:BDAY:2027".into(),
            definition: "BDAY".into(),
            source: "birthday:2027".into(),
            reason: None,
            valid_from: at("2027-02-24T16:00:00Z"),
            // Seven days from 25 February (2027 has a 28-day February): through 4 March.
            valid_until: at("2027-03-04T16:00:00Z"),
        })
    );
    assert!(mei
        .advance_to(&p, at("2027-12-31T00:00:00Z"))
        .unwrap()
        .iter()
        .all(|e| !matches!(e, Effect::CouponIssued { .. })));
    // 2028 is a leap year: 29 February, so 26 February local.
    let e = mei.advance_to(&p, at("2028-02-25T16:00:00Z")).unwrap();
    assert!(
        e.iter().any(|e| matches!(e, Effect::CouponIssued { coupon_id, valid_from, .. }
        if coupon_id == "birthday:BDAY:2028" && *valid_from == at("2028-02-25T16:00:00Z"))),
        "{e:?}"
    );
    // The free cake: the line with that SKU, at most.
    let cake = EventKind::OrderPlaced {
        order_id: "cake".into(),
        amount: dec("40"),
        channel: None,
        lines: vec![loyalty::OrderLine { sku: "cake".into(), category: None, amount: dec("28"), discount: dec("0") }],
        stored_value: None,
        coupons: vec!["birthday:BDAY:2028".into()],
        reservation_key: None,
    };
    let e = apply(&mut mei, &p, &event("o", "2028-02-27T02:00:00Z", cake));
    assert!(matches!(&e[0], Effect::CouponRedeemed { discount, .. } if *discount == dec("28")), "{e:?}");
}

#[test]
fn a_coupon_bought_with_points_gives_them_back_only_while_unused() {
    let p = bakery(serde_json::json!({}));
    let mut mei = Account::new("mei");
    apply(&mut mei, &p, &order("o1", "2025-05-01T02:00:00Z", "A", "500"));
    let buy = |id: &str| event(id, "2025-05-02T02:00:00Z", EventKind::CouponBought { definition: "TREAT".into() });
    let e = apply(&mut mei, &p, &buy("b1"));
    assert!(matches!(&e[0], Effect::PointsRedeemed { points, .. } if points.get() == 300));
    assert!(matches!(&e[1], Effect::CouponIssued { coupon_id, source, .. } if coupon_id == "b1" && source == "bought"));
    assert_eq!(balance(&mei, &p, "2025-05-02T02:00:00Z"), (200, 0, 0));
    // Not enough points for a second one: refused, nothing changes.
    let err = refused(&mut mei, &p, &buy("b2"));
    assert_eq!(err.kind(), "insufficient_points");
    // Cancelled unused: the coupon goes, the 300 points come back.
    let mut undone = mei.clone();
    let e = apply(&mut undone, &p, &cancel("x", "2025-05-03T02:00:00Z", "b1"));
    assert_eq!(e[0], Effect::CouponCancelled { coupon_id: "b1".into() });
    assert!(matches!(&e[1], Effect::RedemptionReversed { restored, .. } if restored.get() == 300));
    assert_eq!(balance(&undone, &p, "2025-05-03T02:00:00Z"), (500, 0, 0));
    // Used, it cannot be cancelled.
    apply(&mut mei, &p, &coupon_order("o2", "2025-05-03T02:00:00Z", "B", "10", &["b1"], None));
    let err = refused(&mut mei, &p, &cancel("x", "2025-05-04T02:00:00Z", "b1"));
    assert!(err.to_string().contains("a used coupon cannot be cancelled"), "{err}");
}

#[test]
fn a_partial_return_keeps_or_claws_back_the_discount() {
    for (policy, refund) in [("keep", "225"), ("claw_back", "220")] {
        let p = bakery(serde_json::json!({"partial_return": policy}));
        let mut mei = Account::new("mei");
        apply(&mut mei, &p, &grant("c", "2025-05-01T02:00:00Z", "TEN_PCT"));
        let e = apply(&mut mei, &p, &coupon_order("o", "2025-05-02T02:00:00Z", "six", "300", &["c"], None));
        assert_eq!(earned(&e[1]), 270);
        let q = mei.quote_return(&p, "six", dec("250"), at("2025-05-03T02:00:00Z")).unwrap();
        assert_eq!(q.refund, dec(refund), "{policy}");
        // Points are clawed back in proportion to the refund: floor(270 x refund / 270).
        assert_eq!(q.points.get(), refund.parse::<i64>().unwrap());
        // A refund of another amount for those goods is refused, naming the right one.
        let wrong = EventKind::OrderRefunded { order_id: "six".into(), amount: dec("250"), returned: Some(dec("250")) };
        let err = refused(&mut mei, &p, &event("r0", "2025-05-03T02:00:00Z", wrong));
        assert!(err.to_string().contains(&format!("must be {refund}")), "{err}");
        let missing = EventKind::OrderRefunded { order_id: "six".into(), amount: dec(refund), returned: None };
        assert_eq!(refused(&mut mei, &p, &event("r0", "2025-05-03T02:00:00Z", missing)).field(), "returned");
        let right =
            EventKind::OrderRefunded { order_id: "six".into(), amount: dec(refund), returned: Some(dec("250")) };
        apply(&mut mei, &p, &event("r1", "2025-05-03T02:00:00Z", right));
        assert_eq!(balance(&mei, &p, "2025-05-03T02:00:00Z").0, 270 - refund.parse::<i64>().unwrap());
        // The coupon is not given back by a return.
        assert!(matches!(state(&mei, "c", "2025-05-03T02:00:00Z"), CouponState::Redeemed { .. }));
    }
}

#[test]
fn a_checkout_takes_coupons_then_points_then_stored_value() {
    let mut p = bakery(serde_json::json!({}));
    let mut config = p.config().clone();
    config.stored_value = Some(serde_json::from_value(serde_json::json!({})).unwrap());
    config.redemption =
        serde_json::from_value(serde_json::json!({"point_value": "0.01", "max_order_share": "0.5"})).unwrap();
    p = Program::new(config).unwrap();
    let mut mei = Account::new("mei");
    apply(&mut mei, &p, &order("o1", "2025-05-01T02:00:00Z", "A", "800"));
    apply(
        &mut mei,
        &p,
        &event("t", "2025-05-01T03:00:00Z", EventKind::StoredValueLoaded { paid: dec("60"), payment_ref: None }),
    );
    apply(&mut mei, &p, &grant("c", "2025-05-01T04:00:00Z", "SMALL_PCT"));
    // 100, less 10% (10), then 500 points (5.00), then 60 of stored value: 25 due.
    let checkout = Checkout {
        amount: dec("100"),
        coupons: vec!["c".into(), "nope".into()],
        points: Some(pts(500)),
        stored_value: true,
        ..Default::default()
    };
    let q = mei.quote_checkout(&p, &checkout, at("2025-05-02T02:00:00Z")).unwrap();
    assert_eq!(
        (q.after_coupons, q.points.get(), q.points_value, q.stored_value, q.due),
        (dec("90.00"), 500, dec("5.00"), dec("60"), dec("25.00"))
    );
    assert_eq!(q.coupons[1].not_applied.as_deref(), Some("is not a coupon of the member's"));
    // Points are earned on the 90 paid after the coupon.
    assert_eq!(q.points_earned.get(), 90);
    // A frozen account: no coupon, no points, no stored value.
    apply(&mut mei, &p, &event("f", "2025-05-02T01:00:00Z", EventKind::AccountFrozen { reason: "dispute".into() }));
    let q = mei.quote_checkout(&p, &checkout, at("2025-05-02T02:00:00Z")).unwrap();
    assert_eq!((q.points.get(), q.stored_value, q.due), (0, dec("0"), dec("100")));
    let err = refused(&mut mei, &p, &coupon_order("o", "2025-05-02T02:00:00Z", "B", "100", &["c"], None));
    assert_eq!(err.kind(), "account_frozen");
}

#[test]
fn a_tier_upgrade_issues_its_coupon_once_per_tier_and_period() {
    let base = bakery(serde_json::json!({}));
    let mut config = base.config().clone();
    config.tiers = Some(
        serde_json::from_value(serde_json::json!({
            "period": {"kind": "calendar_year"},
            "levels": [{"name": "Member"}, {"name": "Gold", "entry": {"spend": "500"}, "entry_reward": {"coupon": "FIFTY"}}]
        }))
        .unwrap(),
    );
    let p = Program::new(config.clone()).unwrap();
    let mut mei = Account::new("mei");
    let e = apply(&mut mei, &p, &order("o1", "2025-05-01T02:00:00Z", "A", "600"));
    let issued: Vec<_> = e
        .iter()
        .filter_map(|e| match e {
            Effect::CouponIssued { coupon_id, source, valid_until, .. } => {
                Some((coupon_id.clone(), source.clone(), *valid_until))
            }
            _ => None,
        })
        .collect();
    assert_eq!(issued.len(), 1, "{e:?}");
    assert!(issued[0].0.starts_with("tier:Gold:") && issued[0].0.ends_with(":FIFTY"), "{issued:?}");
    // 30 days from 1 May (local): through 31 May, until 16:00Z.
    assert_eq!((issued[0].1.as_str(), issued[0].2), ("tier:Gold", at("2025-05-31T16:00:00Z")));
    // Staying Gold with more orders issues nothing more.
    let e = apply(&mut mei, &p, &order("o2", "2025-06-01T02:00:00Z", "B", "900"));
    assert!(e.iter().all(|e| !matches!(e, Effect::CouponIssued { .. })), "{e:?}");
    // A tier reward naming a coupon the program does not define is refused when the program is read.
    config.tiers = Some(
        serde_json::from_value(serde_json::json!({
            "period": {"kind": "calendar_year"},
            "levels": [{"name": "Member"}, {"name": "Gold", "entry": {"spend": "500"}, "entry_reward": {"coupon": "NOPE"}}]
        }))
        .unwrap(),
    );
    let err = Program::new(config).unwrap_err();
    assert_eq!(err.to_string(), "tiers.levels[1].entry_reward.coupon: \"NOPE\" is not a coupon of the program");
}

#[test]
fn a_birthday_coupon_due_before_an_event_is_usable_by_it_and_a_long_jump_issues_it() {
    let p = bakery(serde_json::json!({}));
    // Born 2 January: with 3 days' notice, the 2027 coupon comes on 30 December 2026, local.
    let mut mei = Account::new("mei");
    apply(
        &mut mei,
        &p,
        &event("j", "2025-12-31T02:00:00Z", EventKind::Joined { birthday: Some("1990-01-02".parse().unwrap()) }),
    );
    let mut daily = mei.clone();
    let once = mei.advance_to(&p, at("2027-01-05T00:00:00Z")).unwrap();
    let mut steps = Vec::new();
    let mut t = at("2025-12-31T02:00:00Z");
    while t < at("2027-01-05T00:00:00Z") {
        t = (t + chrono::Duration::days(1)).min(at("2027-01-05T00:00:00Z"));
        steps.extend(daily.advance_to(&p, t).unwrap());
    }
    assert_eq!(once, steps);
    assert!(
        once.iter().any(|e| matches!(e, Effect::CouponIssued { coupon_id, valid_from, .. }
        if coupon_id == "birthday:BDAY:2027" && *valid_from == at("2026-12-29T16:00:00Z"))),
        "{once:?}"
    );
    // The 2028 coupon is due at 2027-12-29T16:00Z: an order after that may use it before any
    // clock advance, as applying the order issues it first.
    let cake = EventKind::OrderPlaced {
        order_id: "cake".into(),
        amount: dec("40"),
        channel: None,
        lines: vec![loyalty::OrderLine { sku: "cake".into(), category: None, amount: dec("28"), discount: dec("0") }],
        stored_value: None,
        coupons: vec!["birthday:BDAY:2028".into()],
        reservation_key: None,
    };
    let e = apply(&mut mei, &p, &event("o", "2027-12-30T02:00:00Z", cake));
    assert!(
        e.iter().any(|e| matches!(e, Effect::CouponRedeemed { coupon_id, .. } if coupon_id == "birthday:BDAY:2028")),
        "{e:?}"
    );
    // A host may not take the id of a coupon the engine issues.
    let err = refused(&mut mei, &p, &grant("birthday:BDAY:2029", "2027-12-30T03:00:00Z", "FIFTY"));
    assert_eq!(err.field(), "id");
}

#[test]
fn a_return_whose_refund_is_zero_is_still_recorded() {
    // 100 off from 300 on an order of 300, paid 200. Returning goods worth 50 leaves 250,
    // below the minimum: priced without the coupon they cost 250, more than was paid, so the
    // refund is 0. Returning the rest then refunds all 200.
    let p = program(serde_json::json!({"currency": "CNY", "time_zone": "Asia/Shanghai", "coupons": {
        "partial_return": "claw_back", "definitions": [{"id": "HUNDRED", "min_spend": "300",
        "discount": {"kind": "amount_off", "amount": "100"}, "validity": {"kind": "days", "days": 30}}]}}));
    let mut mei = Account::new("mei");
    apply(&mut mei, &p, &grant("c", "2025-05-01T02:00:00Z", "HUNDRED"));
    apply(&mut mei, &p, &coupon_order("o", "2025-05-01T02:00:00Z", "A", "300", &["c"], None));
    let q = mei.quote_return(&p, "A", dec("50"), at("2025-05-02T02:00:00Z")).unwrap();
    assert_eq!((q.refund, q.points.get()), (dec("0"), 0));
    let zero = EventKind::OrderRefunded { order_id: "A".into(), amount: dec("0"), returned: Some(dec("50")) };
    apply(&mut mei, &p, &event("r1", "2025-05-02T02:00:00Z", zero));
    assert_eq!(mei.quote_return(&p, "A", dec("250"), at("2025-05-03T02:00:00Z")).unwrap().refund, dec("200"));
    // Zero without goods returned is still refused.
    let bare = EventKind::OrderRefunded { order_id: "A".into(), amount: dec("0"), returned: None };
    assert_eq!(refused(&mut mei, &p, &event("r2", "2025-05-03T02:00:00Z", bare)).field(), "amount");
}

#[test]
fn a_snapshot_whose_coupons_contradict_its_orders_is_refused_on_load() {
    let p = bakery(serde_json::json!({}));
    let mut mei = Account::new("mei");
    apply(&mut mei, &p, &grant("c", "2025-05-01T02:00:00Z", "FIFTY"));
    apply(&mut mei, &p, &coupon_order("o", "2025-05-01T02:00:00Z", "A", "80", &["c"], None));
    let good: serde_json::Value = serde_json::from_str(&mei.to_json()).unwrap();
    let corrupt = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v = good.clone();
        edit(&mut v);
        match Account::from_json(&v.to_string()) {
            Err(loyalty::SnapshotError::Corrupt { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    };
    // A discount no amount can hold.
    let f = corrupt(&|v| v["orders"]["A"]["coupons"][0]["discount"] = "79228162514264337593543950335".into());
    assert_eq!(f, "orders.A.coupons");
    // The same coupon listed twice.
    let f = corrupt(&|v| {
        let c = v["orders"]["A"]["coupons"][0].clone();
        v["orders"]["A"]["coupons"].as_array_mut().unwrap().push(c);
    });
    assert_eq!(f, "orders.A.coupons");
    // A redemption the per-member count forgets.
    let f = corrupt(&|v| v["coupons"]["redeemed"] = serde_json::json!({}));
    assert_eq!(f, "coupons.redeemed");
    // A coupon redeemed on an order that does not list it.
    let f = corrupt(&|v| v["orders"]["A"]["coupons"] = serde_json::json!([]));
    assert_eq!(f, "coupons.held.c");
}

/// Mei uses the summer coupon (once per member) on 2025-06-10; 365 + 90 days later the order
/// and the coupon leave the snapshot, the use still counts toward the limit, and the snapshot
/// loads again.
#[test]
fn a_used_coupon_forgotten_with_its_order_still_counts_and_the_snapshot_loads() {
    let p = bakery(serde_json::json!({}));
    let mut mei = Account::new("mei");
    apply(&mut mei, &p, &grant("g1", "2025-06-01T02:00:00Z", "SUMMER"));
    let coupon = mei.coupons(at("2025-06-01T02:00:00Z")).unwrap()[0].coupon_id.clone();
    apply(&mut mei, &p, &coupon_order("e1", "2025-06-10T02:00:00Z", "o1", "100.00", &[&coupon], None));
    // 2025-06-10 + 455 days = 2026-09-08: the records cut passes the order the next midnight.
    mei.advance(&p, at("2026-09-10T00:00:00Z")).unwrap();
    assert!(mei.coupons(at("2026-09-10T00:00:00Z")).unwrap().is_empty());
    let reloaded = Account::from_json(&mei.to_json()).unwrap();
    assert_eq!(reloaded, mei);
    let err = refused(&mut mei, &p, &coupon_order("e2", "2026-09-10T02:00:00Z", "o2", "100.00", &["nope"], None));
    assert_eq!(err.kind(), "unknown_coupon");
    // The order is gone: a refund of it is now an unknown order.
    let err = refused(&mut mei, &p, &refund("r1", "2026-09-10T03:00:00Z", "o1", "10.00"));
    assert_eq!(err.kind(), "unknown_order");
}
