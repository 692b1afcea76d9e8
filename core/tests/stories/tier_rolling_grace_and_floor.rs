//! Yuki's gym counts the last 90 days, with a 14-day return window on purchases, a 10-day
//! grace period and 7-day warnings. Silver needs 300 spend or 5 visits... orders.
use super::common::*;
use loyalty::program::Missing;
use loyalty::{Account, Effect, EventKind};

fn p() -> loyalty::Program {
    program(serde_json::json!({
        "pending_days": 14,
        "tiers": {
            "period": {"kind": "rolling_days", "days": 90},
            "grace_days": 10,
            "warn_days": 7,
            "downgrade": "to_base",
            "levels": [
                {"name": "Basic"},
                {"name": "Silver", "entry": {"spend": "300", "orders": 5, "combine": "any"}, "retain": {"spend": "200"}},
                {"name": "Gold", "entry": {"spend": "900"}, "earn_multiplier": "2"}
            ]
        }
    }))
}

#[test]
fn pending_orders_count_when_they_activate_and_grace_saves_the_tier() {
    // 2024-01-10 order 350.00: pending until 2024-01-24 00:00; Silver only then, valid 90
    // days: until 2024-04-23 00:00 (2024-01-24 + 90 days).
    let p = p();
    let mut yuki = Account::new("yuki");
    let effects = apply(&mut yuki, &p, &order("e1", "2024-01-10T18:00:00Z", "o1", "350.00"));
    assert!(!effects.iter().any(|e| matches!(e, Effect::TierUpgraded { .. })));
    let effects = yuki.advance_to(&p, at("2024-01-24T00:00:00Z")).unwrap();
    assert_eq!(
        effects[1],
        Effect::TierUpgraded {
            from: "Basic".into(),
            to: "Silver".into(),
            valid_until: Some(at("2024-04-23T00:00:00Z")),
            reason: "qualified".into(),
            reward_points: None,
            reward_id: None,
        }
    );
    // The warning goes out 7 days before, at 2024-04-16 00:00: the 90 days ending 04-16
    // (from 2024-01-18) still hold the 350 counted on 01-24, so no warning is needed.
    // At 04-23 the window 2024-01-24..04-22 holds 350 >= 200: retained to 2024-07-22.
    let effects = yuki.advance_to(&p, at("2024-04-23T00:00:00Z")).unwrap();
    assert_eq!(
        effects,
        vec![Effect::TierRetained { tier: "Silver".into(), valid_until: Some(at("2024-07-22T00:00:00Z")) }]
    );
    // Warning at 2024-07-15: the window 2024-04-23..07-15 holds nothing: 200 missing.
    let effects = yuki.advance_to(&p, at("2024-07-15T00:00:00Z")).unwrap();
    assert_eq!(
        effects,
        vec![Effect::TierWillDowngrade {
            tier: "Silver".into(),
            on: at("2024-07-22T00:00:00Z"),
            missing: vec![Missing { metric: "spend".into(), needed: dec("200") }],
        }]
    );
    // At 07-22 the retain check fails: 10 days of grace, to 2024-08-01.
    let effects = yuki.advance_to(&p, at("2024-07-22T00:00:00Z")).unwrap();
    assert_eq!(
        effects,
        vec![Effect::TierWillDowngrade {
            tier: "Silver".into(),
            on: at("2024-08-01T00:00:00Z"),
            missing: vec![Missing { metric: "spend".into(), needed: dec("200") }],
        }]
    );
    // She buys 250.00 on 07-25 with no pending... it is pending until 08-08, after the
    // grace ends: it does not count in time. Downgrade to Basic at 08-01.
    apply(&mut yuki, &p, &order("e2", "2024-07-25T10:00:00Z", "o2", "250.00"));
    let effects = yuki.advance_to(&p, at("2024-08-01T00:00:00Z")).unwrap();
    assert_eq!(
        effects,
        vec![Effect::TierDowngraded {
            from: "Silver".into(),
            to: "Basic".into(),
            reason: "not_retained".into(),
            valid_until: None
        }]
    );
}

#[test]
fn a_manual_floor_holds_a_tier_and_its_multiplier_until_it_ends() {
    let p = p();
    let mut yuki = Account::new("yuki");
    let assign = event(
        "a1",
        "2024-03-01T09:00:00Z",
        EventKind::TierAssigned {
            tier: "Gold".into(),
            until: at("2024-04-01T00:00:00Z"),
            reason: "VIP service recovery".into(),
        },
    );
    let effects = apply(&mut yuki, &p, &assign);
    assert_eq!(
        effects,
        vec![Effect::TierUpgraded {
            from: "Basic".into(),
            to: "Gold".into(),
            valid_until: Some(at("2024-04-01T00:00:00Z")),
            reason: "manual".into(),
            reward_points: None,
            reward_id: None,
        }]
    );
    // Gold earns 2x: 40.00 -> 80 points.
    assert_eq!(earned(&apply(&mut yuki, &p, &order("e1", "2024-03-05T09:00:00Z", "o1", "40.00"))[0]), 80);
    let effects = yuki.advance_to(&p, at("2024-04-02T00:00:00Z")).unwrap();
    assert!(effects.contains(&Effect::TierDowngraded {
        from: "Gold".into(),
        to: "Basic".into(),
        reason: "manual_floor_ended".into(),
        valid_until: None
    }));
    let err = yuki
        .apply(
            &p,
            &event(
                "a2",
                "2024-04-03T00:00:00Z",
                EventKind::TierAssigned {
                    tier: "Platinum".into(),
                    until: at("2024-05-01T00:00:00Z"),
                    reason: "x".into(),
                },
            ),
        )
        .unwrap_err();
    assert_eq!(err.to_string(), r#"tier: "Platinum" is not a tier of the program"#);
}
