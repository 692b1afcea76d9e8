//! Xia skips straight to Gold, gets the Gold welcome bonus once, and returns the order that
//! got her there. UTC, calendar year; Silver 500, Gold 1,500; Gold gives 300 points and a
//! lounge pass on entry and earns 1.5x.
use super::common::*;
use loyalty::program::Missing;
use loyalty::{Account, Effect, LotId};

fn tiers(refunds: &str) -> serde_json::Value {
    serde_json::json!({
        "period": {"kind": "calendar_year"},
        "refunds": refunds,
        "levels": [
            {"name": "Member"},
            {"name": "Silver", "entry": {"spend": "500"}},
            {"name": "Gold", "entry": {"spend": "1500"}, "earn_multiplier": "1.5",
             "entry_reward": {"points": 300, "reward_id": "lounge-pass"}}
        ]
    })
}

#[test]
fn skip_level_upgrade_grants_the_entry_reward_once_per_period() {
    // 2024-02-01 order 1,600.00: 1,600 points (she was a Member when she paid), Gold at once,
    // 300 bonus points. 2024-02-02 order 100.00 as Gold: 150 points.
    // Refund of 1,600.00 on 2024-02-03 with `immediately`: Gold's entry is no longer met:
    // one level down, to Silver. 2024-02-04 order 1,600.00: Gold again, same year: no reward.
    let p = program(serde_json::json!({"tiers": tiers("immediately")}));
    let mut xia = Account::new("xia");
    let effects = apply(&mut xia, &p, &order("e1", "2024-02-01T12:00:00Z", "o1", "1600.00"));
    assert_eq!(earned(&effects[0]), 1600);
    assert_eq!(
        effects[1],
        Effect::TierUpgraded {
            from: "Member".into(),
            to: "Gold".into(),
            valid_until: Some(at("2026-01-01T00:00:00Z")),
            reason: "qualified".into(),
            reward_points: Some(pts(300)),
            reward_id: Some("lounge-pass".into()),
        }
    );
    assert!(
        matches!(&effects[2], Effect::PointsEarned { lot: LotId(1), points, rules, .. } if points.get() == 300 && &*rules[0] == "tier_entry:Gold")
    );
    let effects = apply(&mut xia, &p, &order("e2", "2024-02-02T12:00:00Z", "o2", "100.00"));
    assert!(
        matches!(&effects[0], Effect::PointsEarned { points, rules, .. } if points.get() == 150 && rules.iter().any(|r| &**r == "Gold"))
    );

    let effects = apply(&mut xia, &p, &refund("e3", "2024-02-03T12:00:00Z", "o1", "1600.00"));
    assert_eq!(
        effects.last(),
        Some(&Effect::TierDowngraded {
            from: "Gold".into(),
            to: "Silver".into(),
            reason: "refund".into(),
            valid_until: Some(at("2026-01-01T00:00:00Z"))
        })
    );
    let effects = apply(&mut xia, &p, &order("e4", "2024-02-04T12:00:00Z", "o3", "1600.00"));
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::TierUpgraded { to, reward_points: None, reward_id: None, .. } if to == "Gold")));
    // 1,600 + 300 + 150 - 1,600 clawed + 1,600 (as Silver: no multiplier) = 2,050.
    assert_eq!(balance(&xia, &p, "2024-02-04T12:00:00Z"), (2050, 0, 0));
}

#[test]
fn by_default_a_refund_waits_for_the_period_end() {
    let p = program(serde_json::json!({"tiers": tiers("period_end")}));
    let mut xia = Account::new("xia");
    apply(&mut xia, &p, &order("e1", "2024-02-01T12:00:00Z", "o1", "600.00"));
    let effects = apply(&mut xia, &p, &refund("e2", "2024-02-03T12:00:00Z", "o1", "600.00"));
    assert!(!effects.iter().any(|e| matches!(e, Effect::TierDowngraded { .. })));
    let progress = xia.tier_progress(&p, at("2024-02-03T12:00:00Z")).unwrap().unwrap();
    assert_eq!((progress.tier.as_str(), progress.metrics.spend), ("Silver", dec("0.00")));
    // At the end of 2025 the Silver retain check (entry threshold, 500) sees 2025's zero.
    let effects = xia.advance_to(&p, at("2026-01-01T00:00:00Z")).unwrap();
    assert_eq!(
        effects,
        vec![Effect::TierDowngraded {
            from: "Silver".into(),
            to: "Member".into(),
            reason: "not_retained".into(),
            valid_until: None
        }]
    );
}

#[test]
fn on_a_rolling_window_the_reward_comes_once_per_block_of_the_window_s_length() {
    // Ren joins on 2024-01-10 under a 3-month rolling window: reward blocks are 2024-01-10 to
    // 2024-04-09, 2024-04-10 to 2024-07-09, ... (the window itself slides every day, so it
    // cannot say what "the same period" is).
    let p = program(serde_json::json!({"tiers": {
        "period": {"kind": "rolling_months", "months": 3},
        "refunds": "immediately",
        "levels": [
            {"name": "Member"},
            {"name": "Silver", "entry": {"spend": "500"}, "entry_reward": {"points": 100}}
        ]
    }}));
    let mut ren = Account::new("ren");
    let silver = |effects: &[Effect]| {
        effects.iter().find_map(|e| match e {
            Effect::TierUpgraded { to, reward_points, valid_until, .. } if to == "Silver" => {
                Some((reward_points.map(|p| p.get()), *valid_until))
            }
            _ => None,
        })
    };
    // 2024-01-10 order 600.00: Silver for one window (to 2024-04-10), 100 reward points.
    let effects = apply(&mut ren, &p, &order("e1", "2024-01-10T12:00:00Z", "o1", "600.00"));
    assert_eq!(silver(&effects), Some((Some(100), Some(at("2024-04-10T00:00:00Z")))));
    // 2024-01-11 the order is returned: below Silver's entry at once, back to Member.
    let effects = apply(&mut ren, &p, &refund("e2", "2024-01-11T12:00:00Z", "o1", "600.00"));
    assert!(effects.iter().any(|e| matches!(e, Effect::TierDowngraded { to, .. } if to == "Member")));
    // 2024-01-20 a new order of 600.00: Silver again (to 2024-04-20) in the same block: no reward.
    let effects = apply(&mut ren, &p, &order("e3", "2024-01-20T12:00:00Z", "o2", "600.00"));
    assert_eq!(silver(&effects), Some((None, Some(at("2024-04-20T00:00:00Z")))));
    // 2024-04-12, in the second block, that order is returned too: Member again. 2024-04-15
    // order 600.00: Silver (to 2024-07-15) in the second block, so the reward again.
    let effects = apply(&mut ren, &p, &refund("e4", "2024-04-12T12:00:00Z", "o2", "600.00"));
    assert!(effects.iter().any(|e| matches!(e, Effect::TierDowngraded { to, .. } if to == "Member")));
    let effects = apply(&mut ren, &p, &order("e5", "2024-04-15T12:00:00Z", "o3", "600.00"));
    assert_eq!(silver(&effects), Some((Some(100), Some(at("2024-07-15T00:00:00Z")))));
    // 600 + 100 - 600 + 600 - 600 + 600 + 100 = 800.
    assert_eq!(balance(&ren, &p, "2024-04-15T12:00:00Z"), (800, 0, 0));
}

#[test]
fn points_and_orders_qualify_together_and_a_full_refund_takes_back_all_three() {
    // Gold needs 1,000 points earned and 3 orders, both ("all"); spend does not count. UTC,
    // calendar year, refunds judged at once.
    let p = program(serde_json::json!({"tiers": {
        "period": {"kind": "calendar_year"},
        "refunds": "immediately",
        "levels": [
            {"name": "Member"},
            {"name": "Gold", "entry": {"points": 1000, "orders": 3, "combine": "all"}}
        ]
    }}));
    let mut lea = Account::new("lea");
    let gold =
        |effects: &[Effect]| effects.iter().any(|e| matches!(e, Effect::TierUpgraded { to, .. } if to == "Gold"));
    // 2024-03-01 900.00 and 2024-03-02 200.00: 1,100 points, but 2 orders: not yet.
    assert!(!gold(&apply(&mut lea, &p, &order("e1", "2024-03-01T12:00:00Z", "o1", "900.00"))));
    assert!(!gold(&apply(&mut lea, &p, &order("e2", "2024-03-02T12:00:00Z", "o2", "200.00"))));
    let progress = lea.tier_progress(&p, at("2024-03-02T12:00:00Z")).unwrap().unwrap();
    assert_eq!(progress.to_next, vec![Missing { metric: "orders".into(), needed: dec("1") }]);
    // 2024-03-03 5.00: the third order, Gold.
    assert!(gold(&apply(&mut lea, &p, &order("e3", "2024-03-03T12:00:00Z", "o3", "5.00"))));
    // The 900.00 order returned in full: its spend, its 900 points and the order itself leave
    // the metrics (205.00, 205 points, 2 orders), below both thresholds: back to Member.
    let effects = apply(&mut lea, &p, &refund("e4", "2024-03-04T12:00:00Z", "o1", "900.00"));
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::TierDowngraded { to, reason, .. } if to == "Member" && reason == "refund")));
    let m = lea.tier_progress(&p, at("2024-03-04T12:00:00Z")).unwrap().unwrap().metrics;
    assert_eq!((m.spend, m.points, m.orders), (dec("205.00"), pts(205), 2));
}

fn immediately(period: serde_json::Value, levels: serde_json::Value) -> loyalty::Program {
    program(serde_json::json!({"tiers": {"period": period, "refunds": "immediately", "levels": levels}}))
}

fn tier_at(account: &Account, p: &loyalty::Program, t: &str) -> String {
    account.tier_progress(p, at(t)).unwrap().unwrap().tier
}

#[test]
fn a_sliding_window_judges_a_refund_on_the_span_that_earned_the_tier() {
    // Three rolling months; Gold 500. 300.00 on 2024-01-05 and 300.00 on 2024-03-01: Gold on
    // 1 March, earned by 2023-12-02..2024-03-01. On 10 April 1.00 of the March order comes
    // back: that span now holds 599.00, still Gold (the window of 10 April, from 11 January,
    // holds 299.00 and would have demoted her).
    let p = immediately(
        serde_json::json!({"kind": "rolling_months", "months": 3}),
        serde_json::json!([{"name": "Member"}, {"name": "Gold", "entry": {"spend": "500"}}]),
    );
    let mut kim = Account::new("kim");
    apply(&mut kim, &p, &order("e1", "2024-01-05T12:00:00Z", "o1", "300.00"));
    apply(&mut kim, &p, &order("e2", "2024-03-01T12:00:00Z", "o2", "300.00"));
    assert_eq!(tier_at(&kim, &p, "2024-03-01T12:00:00Z"), "Gold");
    let effects = apply(&mut kim, &p, &refund("e3", "2024-04-10T12:00:00Z", "o2", "1.00"));
    assert!(!effects.iter().any(|e| matches!(e, Effect::TierDowngraded { .. })));
    assert_eq!(tier_at(&kim, &p, "2024-04-10T12:00:00Z"), "Gold");
}

#[test]
fn two_refunds_take_two_levels_one_at_a_time() {
    // Calendar year; Silver 500, Gold 1,000. 600.00 in February (Silver), 600.00 in April
    // (Gold). The April order returned: 600.00 left, Silver. Then the February one: 0.00,
    // Member.
    let p = immediately(
        serde_json::json!({"kind": "calendar_year"}),
        serde_json::json!([{"name": "Member"}, {"name": "Silver", "entry": {"spend": "500"}},
                           {"name": "Gold", "entry": {"spend": "1000"}}]),
    );
    let mut max = Account::new("max");
    apply(&mut max, &p, &order("e1", "2024-02-01T12:00:00Z", "o1", "600.00"));
    apply(&mut max, &p, &order("e2", "2024-04-01T12:00:00Z", "o2", "600.00"));
    let down = |effects: &[Effect]| {
        effects.iter().find_map(|e| match e {
            Effect::TierDowngraded { from, to, reason, .. } if reason == "refund" => Some((from.clone(), to.clone())),
            _ => None,
        })
    };
    let effects = apply(&mut max, &p, &refund("e3", "2024-05-01T12:00:00Z", "o2", "600.00"));
    assert_eq!(down(&effects), Some(("Gold".into(), "Silver".into())));
    let effects = apply(&mut max, &p, &refund("e4", "2024-06-01T12:00:00Z", "o1", "600.00"));
    assert_eq!(down(&effects), Some(("Silver".into(), "Member".into())));
}

#[test]
fn a_snapshot_from_before_the_span_was_kept_still_demotes_on_a_refund() {
    // The same Silver as above, reached before snapshots recorded how: with the record taken
    // out of the snapshot, returning the order that earned Silver still takes it away.
    let p = immediately(
        serde_json::json!({"kind": "calendar_year"}),
        serde_json::json!([{"name": "Member"}, {"name": "Silver", "entry": {"spend": "500"}}]),
    );
    let mut old = Account::new("old");
    apply(&mut old, &p, &order("e1", "2024-02-01T12:00:00Z", "o1", "600.00"));
    let mut snapshot: serde_json::Value = serde_json::from_str(&old.to_json()).unwrap();
    assert!(snapshot["tier"].as_object_mut().unwrap().remove("reached").is_some());
    let mut old = Account::from_json(&snapshot.to_string()).unwrap();
    let effects = apply(&mut old, &p, &refund("e2", "2024-03-01T12:00:00Z", "o1", "600.00"));
    assert!(effects.iter().any(|e| matches!(e, Effect::TierDowngraded { to, .. } if to == "Member")));
}
