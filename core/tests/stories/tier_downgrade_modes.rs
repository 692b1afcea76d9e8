//! Zara reaches Platinum in 2024 and spends only 400.00 in 2025: what each downgrade mode
//! does with her at the end of 2025, and how a grace period lets her keep Platinum. UTC,
//! calendar year; entry / retain: Silver 500 / 300, Gold 1,500 / 1,000, Platinum 3,000 / 2,500.
use super::common::*;
use loyalty::program::Missing;
use loyalty::{Account, Effect, Program};

fn ladder(downgrade: &str, grace_days: u32) -> Program {
    program(serde_json::json!({"tiers": {
        "period": {"kind": "calendar_year"},
        "refunds": "immediately",
        "downgrade": downgrade,
        "grace_days": grace_days,
        "levels": [
            {"name": "Member"},
            {"name": "Silver", "entry": {"spend": "500"}, "retain": {"spend": "300"}},
            {"name": "Gold", "entry": {"spend": "1500"}, "retain": {"spend": "1000"}},
            {"name": "Platinum", "entry": {"spend": "3000"}, "retain": {"spend": "2500"}}
        ]
    }}))
}

/// Zara's two years: 3,000.00 on 2024-03-01 (Platinum at once, skipping two levels, valid
/// through 2025, or for good when tiers never go down), 400.00 on 2025-06-01.
fn zara(p: &Program) -> Account {
    let mut zara = Account::new("zara");
    let effects = apply(&mut zara, p, &order("e1", "2024-03-01T12:00:00Z", "o1", "3000.00"));
    let expires = p.config().tiers.as_ref().is_some_and(|t| t.downgrade != loyalty::program::DowngradeMode::None);
    let until = expires.then(|| at("2026-01-01T00:00:00Z"));
    assert!(effects.iter().any(|e| matches!(e, Effect::TierUpgraded { from, to, valid_until, .. }
        if from == "Member" && to == "Platinum" && *valid_until == until)));
    apply(&mut zara, p, &order("e2", "2025-06-01T12:00:00Z", "o2", "400.00"));
    zara
}

fn downgraded(to: &str, valid_until: Option<&str>) -> Effect {
    Effect::TierDowngraded {
        from: "Platinum".into(),
        to: to.into(),
        reason: "not_retained".into(),
        valid_until: valid_until.map(at),
    }
}

#[test]
fn each_downgrade_mode_lands_her_somewhere_else() {
    // 400.00 in 2025 misses Platinum's 2,500 and Gold's 1,000, meets Silver's 300. One level
    // down is Gold; requalifying finds Silver; to base is Member (no expiry at the base);
    // under `none` Platinum never expired, so nothing happens. Lower levels run through 2026.
    for (mode, expected) in [
        ("none", vec![]),
        ("one_level", vec![downgraded("Gold", Some("2027-01-01T00:00:00Z"))]),
        ("requalify", vec![downgraded("Silver", Some("2027-01-01T00:00:00Z"))]),
        ("to_base", vec![downgraded("Member", None)]),
    ] {
        let p = ladder(mode, 0);
        let mut zara = zara(&p);
        let effects = tier_changes(zara.advance_to(&p, at("2026-01-01T00:00:00Z")).unwrap());
        assert_eq!(effects, expected, "{mode}");
        let progress = zara.tier_progress(&p, at("2026-01-01T00:00:00Z")).unwrap().unwrap();
        let tier = match mode {
            "none" => "Platinum",
            "one_level" => "Gold",
            "requalify" => "Silver",
            _ => "Member",
        };
        assert_eq!(progress.tier, tier, "{mode}");
    }
}

#[test]
fn a_purchase_inside_the_grace_period_keeps_the_tier() {
    // 30 days' grace: at 2026-01-01 she is warned that Platinum goes on 2026-01-31 unless she
    // spends 2,100.00 more (2,500 - 400). Spending it on 2026-01-15 keeps Platinum through
    // 2026 (one period after the one that ended).
    let p = ladder("requalify", 30);
    let mut zara = zara(&p);
    let effects = tier_changes(zara.advance_to(&p, at("2026-01-01T00:00:00Z")).unwrap());
    assert_eq!(
        effects,
        vec![Effect::TierWillDowngrade {
            tier: "Platinum".into(),
            on: at("2026-01-31T00:00:00Z"),
            missing: vec![Missing { metric: "spend".into(), needed: dec("2100.00") }],
        }]
    );
    apply(&mut zara, &p, &order("e3", "2026-01-15T12:00:00Z", "o3", "2100.00"));
    let effects = tier_changes(zara.advance_to(&p, at("2026-01-31T00:00:00Z")).unwrap());
    assert_eq!(
        effects,
        vec![Effect::TierRetained { tier: "Platinum".into(), valid_until: Some(at("2027-01-01T00:00:00Z")) }]
    );
}

#[test]
fn without_a_purchase_the_grace_period_only_delays_the_downgrade() {
    // The same warning, no purchase: on 2026-01-31 requalifying finds Silver.
    let p = ladder("requalify", 30);
    let mut zara = zara(&p);
    assert_eq!(tier_changes(zara.advance_to(&p, at("2026-01-30T23:59:59Z")).unwrap()).len(), 1);
    let progress = zara.tier_progress(&p, at("2026-01-30T23:59:59Z")).unwrap().unwrap();
    assert_eq!(progress.tier, "Platinum");
    let effects = tier_changes(zara.advance_to(&p, at("2026-01-31T00:00:00Z")).unwrap());
    assert_eq!(effects, vec![downgraded("Silver", Some("2027-01-01T00:00:00Z"))]);
}

#[test]
fn a_level_reached_by_a_downgrade_is_not_judged_again_by_a_refund() {
    // Gold from 2026-01-01 by one level down. A 50.00 order in February returned the next
    // day: Gold was not earned by that order (nor by any of 2026), so it stays Gold.
    let p = ladder("one_level", 0);
    let mut zara = zara(&p);
    zara.advance_to(&p, at("2026-01-01T00:00:00Z")).unwrap();
    apply(&mut zara, &p, &order("e3", "2026-02-01T12:00:00Z", "o3", "50.00"));
    let effects = tier_changes(apply(&mut zara, &p, &refund("e4", "2026-02-02T12:00:00Z", "o3", "50.00")));
    assert_eq!(effects, vec![]);
    assert_eq!(zara.tier_progress(&p, at("2026-02-02T12:00:00Z")).unwrap().unwrap().tier, "Gold");
}

#[test]
fn at_one_instant_points_expire_before_the_tier_warning() {
    // Points expire at the end of the day 12 months after they were earned; Silver is warned
    // 30 days before it ends. Ines's only order, 600.00 at 2024-12-01 00:00, earns Silver to
    // 2026-01-01 and 600 points to 2025-12-02 00:00: the instant of the warning too
    // (2026-01-01 - 30 days). Points expire first; warnings go out last.
    let p = program(serde_json::json!({
        "expiry": {"kind": "rolling_months", "months": 12},
        "tiers": {
            "period": {"kind": "calendar_year"},
            "warn_days": 30,
            "levels": [{"name": "Member"}, {"name": "Silver", "entry": {"spend": "500"}}]
        }
    }));
    let mut ines = Account::new("ines");
    apply(&mut ines, &p, &order("e1", "2024-12-01T00:00:00Z", "o1", "600.00"));
    let effects = ines.advance_to(&p, at("2025-12-02T00:00:00Z")).unwrap();
    assert_eq!(
        effects,
        vec![
            Effect::PointsExpired { points: pts(600), lots: vec![loyalty::LotId(0)], at: at("2025-12-02T00:00:00Z") },
            Effect::TierWillDowngrade {
                tier: "Silver".into(),
                on: at("2026-01-01T00:00:00Z"),
                missing: vec![Missing { metric: "spend".into(), needed: dec("500") }],
            },
        ]
    );
    // One statement entry for the instant.
    assert_eq!(ines.statement().last().map(|e| (e.at, e.effects.len())), Some((at("2025-12-02T00:00:00Z"), 2)));
}

fn assign(id: &str, t: &str, tier: &str, until: &str) -> loyalty::Event {
    event(
        id,
        t,
        loyalty::EventKind::TierAssigned { tier: tier.into(), until: at(until), reason: "service recovery".into() },
    )
}

#[test]
fn an_earned_tier_can_lapse_under_a_manual_floor() {
    // Silver earned with 600.00 on 2024-03-01 (through 2025). A Gold floor from 2025-06-01 to
    // 2026-06-01. 2025 has no spend, so on 2026-01-01 the earned tier falls to Member under
    // the floor: she stays Gold and is told nothing. When the floor ends she is a Member.
    let p = ladder("requalify", 0);
    let mut noa = Account::new("noa");
    apply(&mut noa, &p, &order("e1", "2024-03-01T12:00:00Z", "o1", "600.00"));
    let effects = apply(&mut noa, &p, &assign("a1", "2025-06-01T12:00:00Z", "Gold", "2026-06-01T00:00:00Z"));
    assert!(
        matches!(&effects[..], [Effect::TierUpgraded { from, to, reason, .. }] if from == "Silver" && to == "Gold" && reason == "manual")
    );
    assert_eq!(tier_changes(noa.advance_to(&p, at("2026-01-01T00:00:00Z")).unwrap()), vec![]);
    assert_eq!(noa.tier_progress(&p, at("2026-01-01T00:00:00Z")).unwrap().unwrap().tier, "Gold");
    assert_eq!(
        tier_changes(noa.advance_to(&p, at("2026-06-01T00:00:00Z")).unwrap()),
        vec![Effect::TierDowngraded {
            from: "Gold".into(),
            to: "Member".into(),
            reason: "manual_floor_ended".into(),
            valid_until: None
        }]
    );
}

#[test]
fn an_earned_tier_can_rise_above_a_manual_floor() {
    // A Silver floor from 2024-02-01 to 2024-12-31; 3,000.00 on 2024-03-01 earns Platinum,
    // above the floor: upgraded from Silver. The floor's end changes nothing.
    let p = ladder("requalify", 0);
    let mut ori = Account::new("ori");
    apply(&mut ori, &p, &assign("a1", "2024-02-01T12:00:00Z", "Silver", "2024-12-31T00:00:00Z"));
    let effects = apply(&mut ori, &p, &order("e1", "2024-03-01T12:00:00Z", "o1", "3000.00"));
    assert!(effects.iter().any(|e| matches!(e, Effect::TierUpgraded { from, to, reason, .. }
        if from == "Silver" && to == "Platinum" && reason == "qualified")));
    assert_eq!(tier_changes(ori.advance_to(&p, at("2024-12-31T00:00:00Z")).unwrap()), vec![]);
    assert_eq!(ori.tier_progress(&p, at("2024-12-31T00:00:00Z")).unwrap().unwrap().tier, "Platinum");
}
