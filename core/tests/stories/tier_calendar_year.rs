//! Wen shops under a calendar-year ladder in New York: Member, Silver (spend 500, keep with
//! 400), Gold (spend 1,500, keep with 1,200). Downgrades requalify.
//!
//! - 2024-05-10 order 600.00: Silver, held through the end of 2025 (valid until
//!   2026-01-01 00:00 EST = 05:00Z).
//! - 2025-12-31 23:30 EST (2026-01-01 04:30Z) order 450.00: still 2025 in New York, so 2025
//!   spend is 450 >= 400: at 2026-01-01 05:00Z Silver is retained through 2026.
//! - 2026 spend is 100: at 2027-01-01 05:00Z Silver is not retained; requalify finds no
//!   level she keeps: Member.
use super::common::*;
use loyalty::{Account, Effect};

fn ladder() -> serde_json::Value {
    serde_json::json!({
        "period": {"kind": "calendar_year"},
        "levels": [
            {"name": "Member"},
            {"name": "Silver", "entry": {"spend": "500"}, "retain": {"spend": "400"}},
            {"name": "Gold", "entry": {"spend": "1500"}, "retain": {"spend": "1200"}}
        ]
    })
}

#[test]
fn an_upgrade_in_may_lasts_through_the_following_year() {
    let p = program(serde_json::json!({"time_zone": "America/New_York", "tiers": ladder()}));
    let mut wen = Account::new("wen");
    let effects = apply(&mut wen, &p, &order("e1", "2024-05-10T15:00:00Z", "o1", "600.00"));
    assert_eq!(
        effects.last(),
        Some(&Effect::TierUpgraded {
            from: "Member".into(),
            to: "Silver".into(),
            valid_until: Some(at("2026-01-01T05:00:00Z")),
            reason: "qualified".into(),
            reward_points: None,
            reward_id: None,
        })
    );
    apply(&mut wen, &p, &order("e2", "2026-01-01T04:30:00Z", "o2", "450.00"));
    let effects = wen.advance_to(&p, at("2026-01-01T05:00:00Z")).unwrap();
    assert_eq!(
        effects,
        vec![Effect::TierRetained { tier: "Silver".into(), valid_until: Some(at("2027-01-01T05:00:00Z")) }]
    );

    apply(&mut wen, &p, &order("e3", "2026-06-01T15:00:00Z", "o3", "100.00"));
    let effects = wen.advance_to(&p, at("2027-06-01T00:00:00Z")).unwrap();
    assert_eq!(
        effects,
        vec![Effect::TierDowngraded {
            from: "Silver".into(),
            to: "Member".into(),
            reason: "not_retained".into(),
            valid_until: None
        }]
    );
    let progress = wen.tier_progress(&p, at("2027-06-01T00:00:00Z")).unwrap().unwrap();
    assert_eq!((progress.tier.as_str(), progress.next_tier.as_deref()), ("Member", Some("Silver")));
    assert_eq!(progress.to_next[0].needed, dec("500"));
}

#[test]
fn requalify_lands_on_the_highest_level_kept_and_redemption_never_demotes() {
    // Gold in 2024 (1,600). In 2025 she spends 1,000 (below Gold's 1,200, above Silver's 400)
    // and redeems everything: at 2026-01-01 she requalifies to Silver.
    let p = program(serde_json::json!({"tiers": ladder()}));
    let mut wen = Account::new("wen");
    apply(&mut wen, &p, &order("e1", "2024-03-01T12:00:00Z", "o1", "1600.00"));
    assert_eq!(wen.tier_progress(&p, at("2024-03-01T12:00:00Z")).unwrap().unwrap().tier, "Gold");
    apply(&mut wen, &p, &order("e2", "2025-03-01T12:00:00Z", "o2", "1000.00"));
    apply(&mut wen, &p, &redeem("e3", "2025-03-02T12:00:00Z", "everything", 2600));
    let progress = wen.tier_progress(&p, at("2025-03-02T12:00:00Z")).unwrap().unwrap();
    assert_eq!(progress.tier, "Gold");
    assert_eq!(progress.metrics.spend, dec("1000.00"));
    assert_eq!(progress.metrics.points, pts(1000), "redeeming does not reduce qualifying points");
    assert_eq!(progress.to_keep[0].needed, dec("200.00"));
    let effects = wen.advance_to(&p, at("2026-01-02T00:00:00Z")).unwrap();
    assert_eq!(
        effects,
        vec![Effect::TierDowngraded {
            from: "Gold".into(),
            to: "Silver".into(),
            reason: "not_retained".into(),
            valid_until: Some(at("2027-01-01T00:00:00Z"))
        }]
    );
}
