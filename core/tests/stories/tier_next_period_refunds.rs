//! Omar's program upgrades at the start of the next calendar year and re-evaluates tiers at
//! once on refunds. UTC; Silver 500.
use super::common::*;
use loyalty::{Account, Effect, Program};

fn p() -> Program {
    program(serde_json::json!({"tiers": {
        "period": {"kind": "calendar_year"},
        "upgrade": "next_period",
        "refunds": "immediately",
        "levels": [{"name": "Member"}, {"name": "Silver", "entry": {"spend": "500"}}]
    }}))
}

#[test]
fn an_unrelated_refund_in_the_first_year_keeps_the_tier_earned_the_year_before() {
    // 600.00 in 2024 earns Silver from 2025-01-01. A small 2025 order refunded in 2025 takes
    // nothing from 2024's 600.00: Silver stays.
    let p = p();
    let mut omar = Account::new("omar");
    apply(&mut omar, &p, &order("e1", "2024-05-01T12:00:00Z", "o1", "600.00"));
    // The first event of 2025 carries the clock's upgrade, valid through 2026.
    let effects = apply(&mut omar, &p, &order("e2", "2025-02-01T12:00:00Z", "o2", "20.00"));
    assert_eq!(tier_changes(effects), [silver()]);
    let effects = apply(&mut omar, &p, &refund("e3", "2025-02-02T12:00:00Z", "o2", "20.00"));
    assert_eq!(tier_changes(effects), Vec::<Effect>::new());
    assert_eq!(omar.tier_progress(&p, at("2025-02-02T12:00:00Z")).unwrap().unwrap().tier, "Silver");
}

#[test]
fn returning_the_order_that_earned_it_takes_the_tier_away() {
    // The 600.00 itself returned in January 2025: 2024 now holds 0, below Silver's 500.
    let p = p();
    let mut omar = Account::new("omar");
    apply(&mut omar, &p, &order("e1", "2024-05-01T12:00:00Z", "o1", "600.00"));
    let effects = apply(&mut omar, &p, &refund("e2", "2025-01-10T12:00:00Z", "o1", "600.00"));
    let down = Effect::TierDowngraded {
        from: "Silver".into(),
        to: "Member".into(),
        reason: "refund".into(),
        valid_until: None,
    };
    assert_eq!(tier_changes(effects), [silver(), down]);
}

#[test]
fn returning_it_before_the_year_ends_cancels_the_scheduled_upgrade() {
    let p = p();
    let mut omar = Account::new("omar");
    apply(&mut omar, &p, &order("e1", "2024-05-01T12:00:00Z", "o1", "600.00"));
    // Returned on 2024-12-10: 2024 ends with 0 spend, so 2025 starts with no upgrade.
    apply(&mut omar, &p, &refund("e2", "2024-12-10T12:00:00Z", "o1", "600.00"));
    let effects = omar.advance_to(&p, at("2025-01-02T00:00:00Z")).unwrap();
    assert_eq!(tier_changes(effects), Vec::<Effect>::new());
    assert_eq!(omar.tier_progress(&p, at("2025-01-02T00:00:00Z")).unwrap().unwrap().tier, "Member");
}

#[test]
fn a_partial_return_before_the_year_ends_leaves_the_level_it_still_earns() {
    // Gold 1,500 over Silver 500: 1,600.00 in 2024 schedules Gold; 1,000.00 of it returned in
    // December leaves 600.00, which earns Silver on 2025-01-01 instead.
    let p = program(serde_json::json!({"tiers": {
        "period": {"kind": "calendar_year"},
        "upgrade": "next_period",
        "levels": [{"name": "Member"}, {"name": "Silver", "entry": {"spend": "500"}},
                   {"name": "Gold", "entry": {"spend": "1500"}}]
    }}));
    let mut omar = Account::new("omar");
    apply(&mut omar, &p, &order("e1", "2024-05-01T12:00:00Z", "o1", "1600.00"));
    apply(&mut omar, &p, &refund("e2", "2024-12-10T12:00:00Z", "o1", "1000.00"));
    let effects = omar.advance_to(&p, at("2025-01-01T00:00:00Z")).unwrap();
    assert_eq!(tier_changes(effects), [silver()]);
}

/// Silver from 2025-01-01 through 2026 (the end of the next full period).
fn silver() -> Effect {
    Effect::TierUpgraded {
        from: "Member".into(),
        to: "Silver".into(),
        valid_until: Some(at("2027-01-01T00:00:00Z")),
        reason: "qualified".into(),
        reward_points: None,
        reward_id: None,
    }
}
