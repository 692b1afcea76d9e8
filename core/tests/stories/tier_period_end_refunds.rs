//! Lea's calendar-year ladder in UTC judges refunds at the period's end (`refunds:
//! period_end`, the default): Member, Silver (spend 500, keep with 200). Downgrades
//! requalify.
//!
//! The rule: the tier is judged when a period ends, on that period's contributions, and a
//! refund lowers its order's own contribution. So a return *before* the period ends is seen
//! by that judgment; a return *after* it does not re-open a judgment already made: the
//! status the closed period kept stands until its next judgment (the refunded order's
//! points are clawed back at once either way). `refunds: immediately` is the setting for
//! programs that must take a tier back on the return itself.
//!
//! - 2023-03-01 order 600.00: Silver at once, held through the end of 2024 (valid until
//!   2025-01-01).
//! - 2024-06-01 order 300.00: 2024 spend 300 >= 200, enough to keep Silver.
//! - Either the 300.00 is returned on 2024-12-20, inside 2024: the judgment at 2025-01-01
//!   sees 2024 spend 0 < 200, and Silver is not retained (requalify: Member);
//! - or it is returned on 2025-01-10, after 2024 was judged: Silver was retained at
//!   2025-01-01 through 2025 (valid until 2026-01-01) and stays so after the return; at
//!   2026-01-01 the judgment of 2025 (spend 0) takes it away.
use super::common::*;
use loyalty::{Account, Effect, Program};

fn p() -> Program {
    program(serde_json::json!({"tiers": {
        "period": {"kind": "calendar_year"},
        "levels": [{"name": "Member"}, {"name": "Silver", "entry": {"spend": "500"}, "retain": {"spend": "200"}}]
    }}))
}

fn lea(p: &Program) -> Account {
    let mut lea = Account::new("lea");
    apply(&mut lea, p, &order("e1", "2023-03-01T12:00:00Z", "o1", "600.00"));
    apply(&mut lea, p, &order("e2", "2024-06-01T12:00:00Z", "o2", "300.00"));
    lea
}

fn not_retained(on_until: Option<&str>) -> Effect {
    Effect::TierDowngraded {
        from: "Silver".into(),
        to: "Member".into(),
        reason: "not_retained".into(),
        valid_until: on_until.map(at),
    }
}

#[test]
fn a_return_before_the_period_ends_is_seen_by_its_judgment() {
    let p = p();
    let mut lea = lea(&p);
    let effects = apply(&mut lea, &p, &refund("e3", "2024-12-20T12:00:00Z", "o2", "300.00"));
    // Points come back at once (300 clawed); the tier waits for the period's end.
    assert_eq!(tier_changes(effects), Vec::<Effect>::new());
    assert_eq!(lea.tier_progress(&p, at("2024-12-31T23:59:59Z")).unwrap().unwrap().tier, "Silver");
    let effects = lea.advance_to(&p, at("2025-01-01T00:00:00Z")).unwrap();
    assert_eq!(tier_changes(effects), [not_retained(None)]);
}

#[test]
fn a_return_after_the_period_was_judged_does_not_reopen_it() {
    let p = p();
    let mut lea = lea(&p);
    let effects = lea.advance_to(&p, at("2025-01-01T00:00:00Z")).unwrap();
    assert_eq!(
        tier_changes(effects),
        [Effect::TierRetained { tier: "Silver".into(), valid_until: Some(at("2026-01-01T00:00:00Z")) }]
    );
    let effects = apply(&mut lea, &p, &refund("e3", "2025-01-10T12:00:00Z", "o2", "300.00"));
    assert_eq!(tier_changes(effects), Vec::<Effect>::new());
    let progress = lea.tier_progress(&p, at("2025-12-31T23:59:59Z")).unwrap().unwrap();
    assert_eq!((progress.tier.as_str(), progress.valid_until), ("Silver", Some(at("2026-01-01T00:00:00Z"))));
    // The points are clawed back at once all the same: 900 earned, 300 returned.
    assert_eq!(balance(&lea, &p, "2025-01-10T12:00:00Z"), (600, 0, 0));
    let effects = lea.advance_to(&p, at("2026-01-01T00:00:00Z")).unwrap();
    assert_eq!(tier_changes(effects), [not_retained(None)]);
}

#[test]
fn returning_the_order_that_earned_the_upgrade_the_next_year_keeps_the_status_it_earned() {
    // The case: 600.00 on 2023-03-01 earned Silver at once (through 2024). The same
    // order is returned on 2024-01-15, after 2023 ended. The 600 points go at once; Silver,
    // earned in 2023, stands until its judgment at 2025-01-01, which reads 2024 (no spend):
    // not retained.
    let p = p();
    let mut lea = Account::new("lea");
    apply(&mut lea, &p, &order("e1", "2023-03-01T12:00:00Z", "o1", "600.00"));
    let effects = apply(&mut lea, &p, &refund("e2", "2024-01-15T12:00:00Z", "o1", "600.00"));
    assert_eq!(tier_changes(effects), Vec::<Effect>::new());
    assert_eq!(balance(&lea, &p, "2024-01-15T12:00:00Z"), (0, 0, 0));
    let progress = lea.tier_progress(&p, at("2024-12-31T23:59:59Z")).unwrap().unwrap();
    assert_eq!((progress.tier.as_str(), progress.valid_until), ("Silver", Some(at("2025-01-01T00:00:00Z"))));
    let effects = lea.advance_to(&p, at("2025-01-01T00:00:00Z")).unwrap();
    assert_eq!(tier_changes(effects), [not_retained(None)]);
}
