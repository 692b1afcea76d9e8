//! Chen has two accounts, one per phone number. The second owes points after a refund. They
//! are merged on 2024-03-01.
//!
//! - Account A: 2024-01-05 order 200.00 (200), redeems 50: 150 usable.
//! - Account B: 2024-02-01 order 100.00 (100), redeems 80, then the order is refunded in
//!   full: the 20 left are clawed back and 80 become debt.
//! - Merged: what one account would hold had both phones been one. B's redemption of 80 on
//!   2024-02-02 takes the oldest points first, A's (no expiry here), so B's refund on
//!   2024-02-10 finds its own 100 intact and claws them back: 70 usable and no debt, where
//!   the two accounts apart had 150 and a debt of 80. Every event id of both is known.
use super::common::*;
use loyalty::{Account, AccountError, Draw, Effect, LotId};

#[test]
fn the_survivor_takes_all_lots_keys_and_nets_the_debt() {
    let p = program(serde_json::json!({"tiers": {"period": {"kind": "calendar_year"}, "levels": [
        {"name": "Member"}, {"name": "Silver", "entry": {"spend": "250"}}
    ]}}));
    let mut a = Account::new("chen-a");
    apply(&mut a, &p, &order("a1", "2024-01-05T10:00:00Z", "A1", "200.00"));
    apply(&mut a, &p, &redeem("a2", "2024-01-06T10:00:00Z", "mug", 50));
    let mut b = Account::new("chen-b");
    apply(&mut b, &p, &order("b1", "2024-02-01T10:00:00Z", "B1", "100.00"));
    apply(&mut b, &p, &redeem("b2", "2024-02-02T10:00:00Z", "cap", 80));
    apply(&mut b, &p, &refund("b3", "2024-02-10T10:00:00Z", "B1", "100.00"));
    assert_eq!(balance(&b, &p, "2024-02-10T10:00:00Z"), (0, 0, 80));

    let (mut merged, outcome) = a.merge(&p, &b, "merge-1", at("2024-03-01T00:00:00Z")).unwrap();
    assert_eq!(
        outcome.effects,
        [Effect::AccountsMerged { merged_member_id: "chen-b".into(), points: pts(-80), lots: vec![] }]
    );
    // The combined history: B's redemption drew from A's lot 0, and B's refund took its own
    // lot 1 (credited second) whole.
    let entry = |id: &str| merged.statement().iter().find(|e| e.event_id.as_deref() == Some(id)).unwrap().clone();
    assert!(matches!(&entry("b2").effects[..], [Effect::PointsRedeemed { draws, .. }]
        if draws[..] == [Draw { lot: LotId(0), points: pts(80) }]));
    assert_eq!(
        entry("b3").effects[..],
        [Effect::PointsClawedBack {
            order_id: "B1".into(),
            points: pts(100),
            draws: vec![Draw { lot: LotId(1), points: pts(100) }],
            forgiven: pts(0),
            waived: pts(0),
        }]
    );
    assert_eq!(merged.member_id(), "chen-a");
    assert_eq!(balance(&merged, &p, "2024-03-01T00:00:00Z"), (70, 0, 0));
    assert_eq!(merged.lots().len(), 2);
    // Together 200 + 100 - 100 refunded = 200 spend in 2024: still Member (Silver needs 250).
    assert_eq!(merged.tier_progress(&p, at("2024-03-01T00:00:00Z")).unwrap().unwrap().tier, "Member");
    // B's events are now the merged account's: a webhook retry is a no-op.
    assert!(merged.apply(&p, &order("b1", "2024-02-01T10:00:00Z", "B1", "100.00")).unwrap().duplicate);
    // A new order counts toward the union of both histories: 200 + 60 = 260 -> Silver.
    let effects = apply(&mut merged, &p, &order("a3", "2024-03-02T10:00:00Z", "A2", "60.00"));
    assert!(effects.iter().any(|e| matches!(e, Effect::TierUpgraded { to, .. } if to == "Silver")));
    // Statement: A's and B's entries in time order, then the merge.
    let ids: Vec<Option<&str>> = merged.statement().iter().map(|e| e.event_id.as_deref()).collect();
    assert_eq!(ids, vec![Some("a1"), Some("a2"), Some("b1"), Some("b2"), Some("b3"), Some("merge-1"), Some("a3")]);
}

#[test]
fn overlapping_accounts_are_refused() {
    let p = program(serde_json::json!({}));
    let mut a = Account::new("a");
    apply(&mut a, &p, &order("e1", "2024-01-05T10:00:00Z", "A1", "10.00"));
    let mut b = Account::new("b");
    apply(&mut b, &p, &order("e2", "2024-01-06T10:00:00Z", "A1", "10.00"));
    assert_eq!(
        a.merge(&p, &b, "m", at("2024-02-01T00:00:00Z")).unwrap_err(),
        AccountError::DuplicateOrder { order_id: "A1".into() }
    );
    let mut c = Account::new("c");
    apply(&mut c, &p, &order("e1", "2024-01-06T10:00:00Z", "C1", "10.00"));
    assert_eq!(
        a.merge(&p, &c, "m", at("2024-02-01T00:00:00Z")).unwrap_err(),
        AccountError::IdConflict { event_id: "e1".into() }
    );
    assert!(matches!(a.merge(&p, &c, "m", at("2024-01-01T00:00:00Z")), Err(AccountError::AsOfBeforeClock { .. })));
}

#[test]
fn the_survivor_takes_the_higher_tier_with_its_expiry() {
    // Calendar-year Silver (spend 250). Dana's second account reached Silver on 2024-04-10
    // (300.00): valid through 2025, until 2026-01-01. Her first account is a Member (50.00).
    // Merged into the first on 2024-05-01: Silver until 2026-01-01, and the qualifying
    // history of both (350.00 in 2024).
    let p = program(serde_json::json!({"tiers": {"period": {"kind": "calendar_year"}, "levels": [
        {"name": "Member"}, {"name": "Silver", "entry": {"spend": "250"}}
    ]}}));
    let mut first = Account::new("dana-1");
    apply(&mut first, &p, &order("f1", "2024-02-01T10:00:00Z", "F1", "50.00"));
    let mut second = Account::new("dana-2");
    apply(&mut second, &p, &order("s1", "2024-04-10T10:00:00Z", "S1", "300.00"));
    let (merged, _) = first.merge(&p, &second, "merge-1", at("2024-05-01T00:00:00Z")).unwrap();
    let progress = merged.tier_progress(&p, at("2024-05-01T00:00:00Z")).unwrap().unwrap();
    assert_eq!(progress.tier, "Silver");
    assert_eq!(progress.valid_until, Some(at("2026-01-01T00:00:00Z")));
    assert_eq!(progress.metrics.spend, dec("350.00"));
}
