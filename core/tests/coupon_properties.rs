//! The coupon state machine over random streams of grants, purchases with points,
//! reservations under two checkout keys, releases, orders using coupons, cancels, partial
//! returns, cancelled purchases and clock moves:
//! - every coupon is in exactly one state, and each redeemed coupon names an order that
//!   lists it with the same discount; no coupon is ever redeemed on two live orders;
//! - the effects tell the story of each coupon: issued once, then reserved / released,
//!   redeemed / returned, expired or cancelled, in an order the lifecycle allows;
//! - a discount is never more than the order and never negative;
//! - a refused event changes nothing, and a snapshot reads back equal;
//! - advancing the clock day by day gives the same effects as advancing once.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use loyalty::{Account, CouponState, Effect, Event, EventKind, Program};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
enum Op {
    Grant { def: u8 },
    Buy,
    Earn { yuan: u16 },
    Reserve { coupon: u8, key: bool },
    Release { coupon: u8, key: bool },
    Order { yuan: u16, coupons: Vec<u8>, key: Option<bool> },
    Cancel { order: u8 },
    Return { order: u8, share: u8 },
    CancelPurchase { coupon: u8 },
    Wait { minutes: u32 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..4).prop_map(|def| Op::Grant { def }),
        1 => Just(Op::Buy),
        2 => (1u16..800).prop_map(|yuan| Op::Earn { yuan }),
        2 => (any::<u8>(), any::<bool>()).prop_map(|(coupon, key)| Op::Reserve { coupon, key }),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(coupon, key)| Op::Release { coupon, key }),
        4 => (1u16..600, prop::collection::vec(any::<u8>(), 1..3), prop::option::of(any::<bool>()))
            .prop_map(|(yuan, coupons, key)| Op::Order { yuan, coupons, key }),
        2 => any::<u8>().prop_map(|order| Op::Cancel { order }),
        1 => (any::<u8>(), 1u8..100).prop_map(|(order, share)| Op::Return { order, share }),
        1 => any::<u8>().prop_map(|coupon| Op::CancelPurchase { coupon }),
        3 => (1u32..(60 * 24 * 12)).prop_map(|minutes| Op::Wait { minutes }),
    ]
}

fn bakery(policy: &str) -> Program {
    let json = serde_json::json!({
        "name": "Bakery", "version": 1, "currency": "CNY", "time_zone": "Asia/Shanghai",
        "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
        "redemption": {"point_value": "0.01"},
        "coupons": {"partial_return": policy, "reservation_minutes": 30, "definitions": [
            {"id": "PCT", "discount": {"kind": "percent_off", "percent": "15", "max_discount": "40"},
             "min_spend": "100", "validity": {"kind": "days", "days": 5}, "remind_days": 2},
            {"id": "OFF", "discount": {"kind": "amount_off", "amount": "30"}, "validity": {"kind": "days", "days": 3},
             "per_member_limit": 2},
            {"id": "SOLO", "discount": {"kind": "amount_off", "amount": "10"}, "exclusive": true,
             "validity": {"kind": "window", "from": "2025-01-01", "through": "2025-01-20"}, "remind_days": 3},
            {"id": "TREAT", "discount": {"kind": "percent_off", "percent": "50"}, "price_points": 200,
             "min_spend": "40", "min_spend_on": "order_amount", "validity": {"kind": "days", "days": 8}},
            {"id": "WELCOME", "discount": {"kind": "amount_off", "amount": "5"}, "issue": {"on": "joined"},
             "validity": {"kind": "days", "days": 2}}
        ]}
    });
    Program::from_json(&json.to_string()).unwrap()
}

const DEFS: [&str; 4] = ["PCT", "OFF", "SOLO", "TREAT"];

/// The events of a stream (coupon and order ids are picked among those made so far), with
/// the clock moves between them.
fn events(ops: &[Op]) -> Vec<(Option<Event>, DateTime<Utc>)> {
    let mut t = Utc.with_ymd_and_hms(2025, 1, 1, 2, 0, 0).unwrap();
    let mut coupons: Vec<String> = vec!["joined:WELCOME".into()];
    let mut orders = 0u32;
    let mut out = vec![(Some(Event::new("join", t, EventKind::Joined { birthday: None })), t)];
    let key = |k: bool| if k { "K1".to_string() } else { "K2".to_string() };
    let pick = |list: &[String], n: u8| list[usize::from(n) % list.len()].clone();
    for (i, op) in ops.iter().enumerate() {
        t += Duration::minutes(5);
        let id = format!("e{i}");
        let kind = match op {
            Op::Grant { def } => {
                coupons.push(id.clone());
                EventKind::CouponGranted { definition: DEFS[usize::from(*def)].into(), reason: "test".into() }
            }
            Op::Buy => {
                coupons.push(id.clone());
                EventKind::CouponBought { definition: "TREAT".into() }
            }
            Op::Earn { yuan } => {
                orders += 1;
                EventKind::OrderPlaced {
                    order_id: format!("o{}", orders - 1),
                    amount: Decimal::from(*yuan),
                    channel: None,
                    lines: vec![],
                    stored_value: None,
                    coupons: vec![],
                    reservation_key: None,
                }
            }
            Op::Reserve { coupon, key: k } => {
                EventKind::CouponReserved { coupon_id: pick(&coupons, *coupon), key: key(*k) }
            }
            Op::Release { coupon, key: k } => {
                EventKind::CouponReleased { coupon_id: pick(&coupons, *coupon), key: key(*k) }
            }
            Op::Order { yuan, coupons: picks, key: k } => {
                orders += 1;
                EventKind::OrderPlaced {
                    order_id: format!("o{}", orders - 1),
                    amount: Decimal::new(i64::from(*yuan) * 10 + 5, 1),
                    channel: None,
                    lines: vec![],
                    stored_value: None,
                    coupons: picks.iter().map(|c| pick(&coupons, *c)).collect(),
                    reservation_key: k.map(key),
                }
            }
            Op::Cancel { order } => {
                EventKind::OrderCancelled { order_id: format!("o{}", u32::from(*order) % orders.max(1)) }
            }
            Op::Return { order, share } => {
                // A return of part of the goods at list value; the refund is asked of the quote
                // later, so here it is sent as the list value (refused for coupon orders when
                // the policy prices it otherwise, which is itself checked).
                let returned = Decimal::from(*share);
                EventKind::OrderRefunded {
                    order_id: format!("o{}", u32::from(*order) % orders.max(1)),
                    amount: returned,
                    returned: Some(returned),
                }
            }
            Op::CancelPurchase { coupon } => EventKind::RedemptionCancelled { redemption_id: pick(&coupons, *coupon) },
            Op::Wait { minutes } => {
                t += Duration::minutes(i64::from(*minutes));
                out.push((None, t));
                continue;
            }
        };
        out.push((Some(Event::new(id, t, kind)), t));
    }
    out
}

/// What the effects say each coupon went through, as a small state machine: returns an error
/// for a transition the lifecycle does not allow.
fn follow(states: &mut BTreeMap<String, &'static str>, e: &Effect) -> Result<(), String> {
    let (id, from, to): (&String, &[&str], &'static str) = match e {
        Effect::CouponIssued { coupon_id, .. } => (coupon_id, &["none"], "issued"),
        Effect::CouponReserved { coupon_id, .. } => (coupon_id, &["issued", "reserved"], "reserved"),
        Effect::CouponReleased { coupon_id, .. } => (coupon_id, &["reserved"], "issued"),
        Effect::CouponRedeemed { coupon_id, .. } => (coupon_id, &["issued", "reserved"], "redeemed"),
        Effect::CouponReturned { coupon_id, .. } => (coupon_id, &["redeemed"], "issued"),
        Effect::CouponExpired { coupon_id, .. } => (coupon_id, &["issued", "reserved", "redeemed"], "expired"),
        Effect::CouponCancelled { coupon_id } => (coupon_id, &["issued"], "cancelled"),
        Effect::CouponExpiringSoon { coupon_id, .. } => (coupon_id, &["issued", "reserved"], "same"),
        _ => return Ok(()),
    };
    let now = states.get(id).copied().unwrap_or("none");
    if !from.contains(&now) {
        return Err(format!("{e:?} while {id} is {now}"));
    }
    if to != "same" {
        states.insert(id.clone(), to);
    }
    Ok(())
}

fn name(s: &CouponState) -> &'static str {
    match s {
        CouponState::Issued => "issued",
        CouponState::Reserved { .. } => "reserved",
        CouponState::Redeemed { .. } => "redeemed",
        CouponState::Expired => "expired",
        CouponState::Cancelled => "cancelled",
        _ => "other",
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn the_effects_follow_the_lifecycle_and_refusals_change_nothing(
        ops in prop::collection::vec(op(), 1..60),
        claw_back in any::<bool>(),
    ) {
        let p = bakery(if claw_back { "claw_back" } else { "keep" });
        let mut account = Account::new("m");
        let mut states = BTreeMap::new();
        let mut reminded = BTreeMap::new();
        for (event, t) in events(&ops) {
            let effects = match event {
                None => account.advance_to(&p, t).unwrap(),
                Some(e) => {
                    let before = account.to_json();
                    match account.apply(&p, &e) {
                        Ok(o) => o.effects,
                        Err(_) => {
                            prop_assert_eq!(account.to_json(), before, "a refused event changed the account");
                            continue;
                        }
                    }
                }
            };
            for e in &effects {
                if let Err(why) = follow(&mut states, e) {
                    prop_assert!(false, "{}", why);
                }
                if let Effect::CouponExpiringSoon { coupon_id, .. } = e {
                    prop_assert!(reminded.insert(coupon_id.clone(), ()).is_none(), "reminded twice: {}", coupon_id);
                }
                if let Effect::CouponRedeemed { discount, .. } = e {
                    prop_assert!(*discount > Decimal::ZERO);
                }
            }
            // The account's view agrees with the effects, coupon by coupon, at its clock.
            let view = account.coupons(account.clock()).unwrap();
            let mut by_order: BTreeMap<String, Decimal> = BTreeMap::new();
            for c in &view {
                let told = states.get(&c.coupon_id).copied().unwrap_or("none");
                prop_assert_eq!(name(&c.state), told, "{}", c.coupon_id);
                if let CouponState::Redeemed { order_id, discount } = &c.state {
                    *by_order.entry(order_id.clone()).or_default() += *discount;
                }
            }
            prop_assert_eq!(view.len(), states.len());
            account.verify().unwrap();
        }
        let loaded = Account::from_json(&account.to_json()).unwrap();
        prop_assert_eq!(loaded, account);
    }

    #[test]
    fn advancing_day_by_day_is_advancing_once(ops in prop::collection::vec(op(), 1..40)) {
        let p = bakery("keep");
        let mut account = Account::new("m");
        for (event, t) in events(&ops) {
            match event {
                None => { account.advance_to(&p, t).unwrap(); }
                Some(e) => { let _ = account.apply(&p, &e); }
            }
        }
        let end = account.clock() + Duration::days(20);
        let mut once = account.clone();
        let once_effects = once.advance_to(&p, end).unwrap();
        let mut daily = account.clone();
        let mut daily_effects = Vec::new();
        let mut t = account.clock();
        while t < end {
            t = (t + Duration::hours(7)).min(end);
            daily_effects.extend(daily.advance_to(&p, t).unwrap());
        }
        prop_assert_eq!(once.coupons(end).unwrap(), daily.coupons(end).unwrap());
        prop_assert_eq!(once_effects, daily_effects);
    }
}

/// Any coupon order's discounts sum to at most the order, whatever the stacking.
#[test]
fn discounts_never_exceed_the_order() {
    let p = bakery("keep");
    let c = p.config().coupons.as_ref().unwrap();
    for cents in [1i64, 99, 1_000, 10_005, 40_000, 99_999_999] {
        let amount = Decimal::new(cents, 2);
        for list in [vec!["PCT", "OFF"], vec!["OFF", "PCT"], vec!["OFF", "OFF", "TREAT"], vec!["TREAT", "PCT", "OFF"]] {
            let total: Decimal = c.discounts(&list, amount, None, &[], 2).into_iter().filter_map(Result::ok).sum();
            assert!(total <= amount && total >= Decimal::ZERO, "{list:?} on {amount}: {total}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// What the checkout quotes is what the order then does: the coupons' discounts, the
    /// amount due and the points earned (the quote reads the account as it is when the clock
    /// has nothing to do before the order, and a copy brought there otherwise).
    #[test]
    fn the_checkout_quote_is_what_the_order_does(
        ops in prop::collection::vec(op(), 1..40),
        yuan in 1u16..600,
        picks in prop::collection::vec(any::<u8>(), 0..3),
        later_minutes in prop_oneof![Just(0u32), 1u32..(60 * 24 * 10)],
    ) {
        let p = bakery("keep");
        let mut account = Account::new("m");
        let mut ids: Vec<String> = vec!["joined:WELCOME".into()];
        for (event, t) in events(&ops) {
            match event {
                None => { account.advance_to(&p, t).unwrap(); }
                Some(e) => {
                    if matches!(e.kind, EventKind::CouponGranted { .. } | EventKind::CouponBought { .. }) {
                        ids.push(e.id.clone());
                    }
                    let _ = account.apply(&p, &e);
                }
            }
        }
        let t = account.clock() + Duration::minutes(i64::from(later_minutes));
        let coupons: Vec<String> = picks.iter().map(|c| ids[usize::from(*c) % ids.len()].clone()).collect();
        let amount = Decimal::from(yuan);
        let q = account
            .quote_checkout(&p, &loyalty::Checkout { amount, coupons: coupons.clone(), ..Default::default() }, t)
            .unwrap();
        let applying: Vec<String> = q.coupons.iter().filter(|c| c.not_applied.is_none()).map(|c| c.coupon_id.clone()).collect();
        let kind = EventKind::OrderPlaced {
            order_id: "quoted".into(),
            amount,
            channel: None,
            lines: vec![],
            stored_value: None,
            coupons: applying,
            reservation_key: None,
        };
        let effects = account.apply(&p, &Event::new("quoted", t, kind)).unwrap().effects;
        // The program has no tiers and no bonuses: the only points earned are the order's.
        let earned: i64 = effects.iter().find_map(|e| match e {
            Effect::PointsEarned { points, .. } => Some(points.get()),
            _ => None,
        }).unwrap_or(0);
        let discounts: Decimal = effects.iter().filter_map(|e| match e {
            Effect::CouponRedeemed { discount, .. } => Some(*discount),
            _ => None,
        }).sum();
        prop_assert_eq!(q.points_earned.get(), earned, "{:?}", effects);
        prop_assert_eq!(q.due, amount - discounts);
    }
}
