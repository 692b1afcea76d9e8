//! The tier settings the other stories leave out: an upgrade that waits for the next period
//! (a fiscal year from 1 April), the one-level and never-downgrade modes, a rolling window of
//! months, and anniversaries of the day a tier was reached. All in UTC; the ladder is
//! Member, Silver (spend 500, keep with 400), Gold (spend 1,500, keep with 1,200).
use super::common::*;
use loyalty::{Account, Effect, Program};

fn ladder(period: serde_json::Value, upgrade: &str, downgrade: &str) -> Program {
    program(serde_json::json!({"tiers": {
        "period": period,
        "upgrade": upgrade,
        "downgrade": downgrade,
        "levels": [
            {"name": "Member"},
            {"name": "Silver", "entry": {"spend": "500"}, "retain": {"spend": "400"}},
            {"name": "Gold", "entry": {"spend": "1500"}, "retain": {"spend": "1200"}}
        ]
    }}))
}

fn tier(account: &Account, p: &Program, t: &str) -> String {
    account.tier_progress(p, at(t)).unwrap().unwrap().tier
}

fn upgraded(effects: &[Effect]) -> Vec<&Effect> {
    effects.iter().filter(|e| matches!(e, Effect::TierUpgraded { .. })).collect()
}

#[test]
fn a_next_period_upgrade_waits_for_the_fiscal_year_then_one_level_down() {
    // Fiscal years from 1 April. Ana spends 1,600 on 2024-06-10: Gold is earned but starts
    // with the next period, 2025-04-01; it then runs through the next full period, until
    // 2027-04-01. In the fiscal year 2026-27 she spends 100 (below Gold's 1,200 and Silver's
    // 400): one level down, to Silver, for one more period (until 2028-04-01).
    let p =
        ladder(serde_json::json!({"kind": "fixed", "start": "2024-04-01", "months": 12}), "next_period", "one_level");
    let mut ana = Account::new("ana");
    let effects = apply(&mut ana, &p, &order("e1", "2024-06-10T12:00:00Z", "o1", "1600.00"));
    assert!(upgraded(&effects).is_empty(), "no upgrade before the period starts");
    assert_eq!(tier(&ana, &p, "2025-03-31T23:59:59Z"), "Member");
    let effects = ana.advance_to(&p, at("2025-04-01T00:00:00Z")).unwrap();
    assert_eq!(
        effects,
        vec![Effect::TierUpgraded {
            from: "Member".into(),
            to: "Gold".into(),
            valid_until: Some(at("2027-04-01T00:00:00Z")),
            reason: "qualified".into(),
            reward_points: None,
            reward_id: None,
        }]
    );
    apply(&mut ana, &p, &order("e2", "2026-05-01T12:00:00Z", "o2", "100.00"));
    let effects = ana.advance_to(&p, at("2027-04-02T00:00:00Z")).unwrap();
    assert_eq!(
        effects,
        vec![Effect::TierDowngraded {
            from: "Gold".into(),
            to: "Silver".into(),
            reason: "not_retained".into(),
            valid_until: Some(at("2028-04-01T00:00:00Z")),
        }]
    );
}

#[test]
fn with_downgrades_off_a_tier_once_reached_is_kept() {
    // Ben reaches Silver in March 2024 (600 in a calendar year) and never orders again.
    let p = ladder(serde_json::json!({"kind": "calendar_year"}), "immediately", "none");
    let mut ben = Account::new("ben");
    let effects = apply(&mut ben, &p, &order("e1", "2024-03-01T12:00:00Z", "o1", "600.00"));
    assert!(matches!(upgraded(&effects)[..], [Effect::TierUpgraded { valid_until: None, .. }]));
    let later = ben.advance_to(&p, at("2030-01-01T00:00:00Z")).unwrap();
    assert!(later.iter().all(|e| !matches!(e, Effect::TierDowngraded { .. })), "{later:?}");
    let progress = ben.tier_progress(&p, at("2030-01-01T00:00:00Z")).unwrap().unwrap();
    assert_eq!((progress.tier.as_str(), progress.valid_until), ("Silver", None));
}

#[test]
fn a_rolling_window_of_months_slides_and_an_upgrade_lasts_one_window() {
    // Rolling 3 months. Cleo: 300 on 2024-01-15 and 250 on 2024-03-20: the window
    // 2023-12-21..2024-03-20 holds 550 >= 500: Silver, valid for 3 months, until 2024-06-20.
    // On 2024-06-20 the window (2024-03-21..2024-06-20) holds nothing: requalify to Member.
    let p = ladder(serde_json::json!({"kind": "rolling_months", "months": 3}), "immediately", "requalify");
    let mut cleo = Account::new("cleo");
    let effects = apply(&mut cleo, &p, &order("e1", "2024-01-15T12:00:00Z", "o1", "300.00"));
    assert!(upgraded(&effects).is_empty());
    let effects = apply(&mut cleo, &p, &order("e2", "2024-03-20T12:00:00Z", "o2", "250.00"));
    assert!(matches!(
        upgraded(&effects)[..],
        [Effect::TierUpgraded { to, valid_until: Some(until), .. }] if to == "Silver" && *until == at("2024-06-20T00:00:00Z")
    ));
    // Had the first order been older than three months, the two would not add up.
    let mut late = Account::new("late");
    apply(&mut late, &p, &order("e1", "2023-12-19T12:00:00Z", "o1", "300.00"));
    let effects = apply(&mut late, &p, &order("e2", "2024-03-20T12:00:00Z", "o2", "250.00"));
    assert!(upgraded(&effects).is_empty(), "2023-12-19 is outside 2023-12-21..2024-03-20");
    let effects = cleo.advance_to(&p, at("2024-06-21T00:00:00Z")).unwrap();
    assert!(matches!(&effects[..], [Effect::TierDowngraded { to, .. }] if to == "Member"), "{effects:?}");
}

#[test]
fn anniversaries_of_the_tier_count_from_the_day_it_was_reached() {
    // Dee reaches Silver on 2024-02-29 (leap day). Month arithmetic clamps, so the
    // anniversary of 29 February in a common year is 28 February: her tier year is
    // 2024-02-29..2025-02-27 and a new one starts on 2025-02-28. She keeps Silver by
    // spending 400 within the first year.
    let p = ladder(serde_json::json!({"kind": "anniversary", "of": "tier_reached"}), "immediately", "requalify");
    let mut dee = Account::new("dee");
    let effects = apply(&mut dee, &p, &order("e1", "2024-02-29T12:00:00Z", "o1", "500.00"));
    assert!(
        matches!(
            upgraded(&effects)[..],
            [Effect::TierUpgraded { valid_until: Some(until), .. }] if *until == at("2025-02-28T00:00:00Z")
        ),
        "{effects:?}"
    );
    apply(&mut dee, &p, &order("e2", "2024-11-01T12:00:00Z", "o2", "400.00"));
    let effects = dee.advance_to(&p, at("2025-02-28T00:00:00Z")).unwrap();
    assert!(matches!(&effects[..], [Effect::TierRetained { tier, .. }] if tier == "Silver"), "{effects:?}");
}

#[test]
fn ladders_that_cannot_work_are_refused_naming_the_field() {
    let refused = |levels: serde_json::Value, extra: serde_json::Value| {
        let mut tiers = serde_json::json!({"period": {"kind": "calendar_year"}, "levels": levels});
        if let (Some(t), Some(e)) = (tiers.as_object_mut(), extra.as_object()) {
            t.extend(e.clone());
        }
        let config = serde_json::json!({
            "name": "Story", "version": 1, "currency": "USD", "time_zone": "UTC",
            "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
            "redemption": {"point_value": "0.01"}, "tiers": tiers
        });
        loyalty::Program::from_json(&config.to_string()).unwrap_err().to_string()
    };
    let base = serde_json::json!({"name": "Member"});
    assert_eq!(
        refused(
            serde_json::json!([base, {"name": "Silver", "entry": {"spend": "500"}, "retain": {"spend": "600"}}]),
            serde_json::json!({})
        ),
        "tiers.levels[1].retain.spend: 600 must not be above the entry threshold"
    );
    assert_eq!(
        refused(
            serde_json::json!([base, {"name": "Silver", "entry": {"spend": "500"}}, {"name": "Silver", "entry": {"spend": "900"}}]),
            serde_json::json!({})
        ),
        "tiers.levels[2].name: Silver is a duplicate tier name"
    );
    assert_eq!(
        refused(
            serde_json::json!([base, {"name": "Silver", "entry": {"spend": "500"}}]),
            serde_json::json!({"period": {"kind": "rolling_days", "days": 90}, "upgrade": "next_period"})
        ),
        "tiers.upgrade: next_period needs a period with a start: not a rolling one"
    );
}

#[test]
fn a_new_program_version_never_demotes_at_once() {
    // Eve reaches Gold (1,600 in 2024, calendar years): Gold until 2026-01-01, earning 1.5x.
    let ladder = |gold: &str, gold_entry: &str| {
        program(serde_json::json!({"tiers": {"period": {"kind": "calendar_year"}, "levels": [
            {"name": "Member"},
            {"name": "Silver", "entry": {"spend": "500"}, "retain": {"spend": "400"}},
            {"name": gold, "entry": {"spend": gold_entry}, "retain": {"spend": "1200"}, "earn_multiplier": "1.5"}
        ]}}))
    };
    let v1 = ladder("Gold", "1500");
    let mut eve = Account::new("eve");
    apply(&mut eve, &v1, &order("e1", "2024-03-01T12:00:00Z", "o1", "1600.00"));
    assert_eq!(tier(&eve, &v1, "2024-03-02T00:00:00Z"), "Gold");
    // Version 2 raises Gold's entry to 5,000: she keeps Gold (and its 1.5x) until her next
    // evaluation; version 3 renames it "Gold Plus": she is at the same place in the ladder,
    // not back to Member.
    let v2 = ladder("Gold", "5000");
    assert_eq!(tier(&eve, &v2, "2024-06-01T00:00:00Z"), "Gold");
    let v3 = ladder("Gold Plus", "1500");
    assert_eq!(tier(&eve, &v3, "2024-06-01T00:00:00Z"), "Gold Plus");
    assert_eq!(earned(&apply(&mut eve, &v3, &order("e2", "2024-06-01T12:00:00Z", "o2", "100.00"))[0]), 150);
    // The next evaluation uses the new program: 2025 spend 1,300 keeps "Gold Plus".
    apply(&mut eve, &v3, &order("e3", "2025-02-01T12:00:00Z", "o3", "1300.00"));
    let effects = eve.advance_to(&v3, at("2026-01-01T00:00:00Z")).unwrap();
    assert_eq!(
        effects,
        vec![Effect::TierRetained { tier: "Gold Plus".into(), valid_until: Some(at("2027-01-01T00:00:00Z")) }]
    );
}
