//! Two New York gyms count tiers over a rolling window, across the leap day and the switch to
//! daylight time (2024-03-10): local days are what count. Silver needs 500 spend; requalify.
use super::common::*;
use loyalty::{Account, Effect, Program};

fn gym(period: serde_json::Value) -> Program {
    program(serde_json::json!({
        "time_zone": "America/New_York",
        "tiers": {
            "period": period,
            "levels": [{"name": "Member"}, {"name": "Silver", "entry": {"spend": "500"}}]
        }
    }))
}

#[test]
fn thirty_days_count_the_leap_day_and_end_at_daylight_midnight() {
    // 600.00 at 12:00 EST on 2024-02-10: Silver for 30 local days, to the start of 2024-03-11
    // (19 days to 29 Feb, 11 more), which is midnight EDT: 04:00Z (it would be 03-12 in a
    // common year). At that expiry the window is 2024-02-10 to 2024-03-10, which holds the
    // order: retained 30 more days, to 2024-04-10 04:00Z. Then the window 2024-03-11 to
    // 2024-04-09 holds nothing: back to Member.
    let p = gym(serde_json::json!({"kind": "rolling_days", "days": 30}));
    let mut ana = Account::new("ana");
    let effects = tier_changes(apply(&mut ana, &p, &order("e1", "2024-02-10T17:00:00Z", "o1", "600.00")));
    assert!(
        matches!(&effects[..], [Effect::TierUpgraded { to, valid_until: Some(v), .. }] if to == "Silver" && *v == at("2024-03-11T04:00:00Z"))
    );
    // One second before the end, nothing has happened yet.
    assert_eq!(tier_changes(ana.advance_to(&p, at("2024-03-11T03:59:59Z")).unwrap()), vec![]);
    assert_eq!(
        tier_changes(ana.advance_to(&p, at("2024-03-11T04:00:00Z")).unwrap()),
        vec![Effect::TierRetained { tier: "Silver".into(), valid_until: Some(at("2024-04-10T04:00:00Z")) }]
    );
    assert_eq!(
        tier_changes(ana.advance_to(&p, at("2024-04-10T04:00:00Z")).unwrap()),
        vec![Effect::TierDowngraded {
            from: "Silver".into(),
            to: "Member".into(),
            reason: "not_retained".into(),
            valid_until: None
        }]
    );
}

#[test]
fn a_month_from_the_31st_of_january_ends_on_the_leap_day() {
    // 600.00 at 12:00 EST on 2024-01-31: Silver for one month, clamped to 2024-02-29 (EST,
    // 05:00Z). Its window then (2024-01-29 to 2024-02-28) holds the order: retained a month,
    // to 2024-03-29, now in daylight time (04:00Z). The window 2024-02-29 to 2024-03-28 holds
    // nothing: Member.
    let p = gym(serde_json::json!({"kind": "rolling_months", "months": 1}));
    let mut ben = Account::new("ben");
    let effects = tier_changes(apply(&mut ben, &p, &order("e1", "2024-01-31T17:00:00Z", "o1", "600.00")));
    assert!(
        matches!(&effects[..], [Effect::TierUpgraded { to, valid_until: Some(v), .. }] if to == "Silver" && *v == at("2024-02-29T05:00:00Z"))
    );
    assert_eq!(
        tier_changes(ben.advance_to(&p, at("2024-02-29T05:00:00Z")).unwrap()),
        vec![Effect::TierRetained { tier: "Silver".into(), valid_until: Some(at("2024-03-29T04:00:00Z")) }]
    );
    assert_eq!(
        tier_changes(ben.advance_to(&p, at("2024-03-29T04:00:00Z")).unwrap()),
        vec![Effect::TierDowngraded {
            from: "Silver".into(),
            to: "Member".into(),
            reason: "not_retained".into(),
            valid_until: None
        }]
    );
}
