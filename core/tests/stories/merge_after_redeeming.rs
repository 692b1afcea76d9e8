//! Dana has two accounts (two phones) under a program whose points expire after three
//! months (UTC, 1 point per unit, no pending). They are merged on 2024-03-01; the merged
//! account must hold what one account would have, had both phones been one.
//!
//! - Account A: 2024-01-01 order 100.00: 100 points, valid through 2024-04-01 (expire at
//!   2024-04-02 00:00).
//! - Account B: 2024-02-01 order 100.00: 100 points, valid through 2024-05-01; on 2024-02-15
//!   B redeems 100, which on its own can only take B's points.
//! - Apart, A's 100 would expire on 2024-04-02 and B has nothing: 0 from April on.
//! - As one account, the redemption takes the points expiring soonest, A's, and B's 100 stay
//!   until 2024-05-02. So after merging: 100 usable on 2024-04-10, expiring 2024-05-02.
use super::common::*;
use loyalty::{Account, Program};

fn p(patch: serde_json::Value) -> Program {
    let mut base = serde_json::json!({"expiry": {"kind": "rolling_months", "months": 3}});
    if let (Some(base), Some(patch)) = (base.as_object_mut(), patch.as_object()) {
        base.extend(patch.clone());
    }
    program(base)
}

#[test]
fn a_redemption_in_either_account_takes_the_points_expiring_soonest_in_both() {
    let p = p(serde_json::json!({}));
    let mut a = Account::new("dana-a");
    apply(&mut a, &p, &order("a1", "2024-01-01T12:00:00Z", "A1", "100.00"));
    let mut b = Account::new("dana-b");
    apply(&mut b, &p, &order("b1", "2024-02-01T12:00:00Z", "B1", "100.00"));
    apply(&mut b, &p, &redeem("b2", "2024-02-15T12:00:00Z", "mug", 100));

    let (merged, _) = a.merge(&p, &b, "merge", at("2024-03-01T00:00:00Z")).unwrap();
    assert_eq!(balance(&merged, &p, "2024-03-01T00:00:00Z"), (100, 0, 0));
    assert_eq!(balance(&merged, &p, "2024-04-10T00:00:00Z"), (100, 0, 0));
    let left = merged.expiring(&p, at("2024-04-10T00:00:00Z"), at("2024-12-31T00:00:00Z")).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!((left[0].expires_at, left[0].points.get()), (at("2024-05-02T00:00:00Z"), 100));
    assert_eq!(balance(&merged, &p, "2024-05-02T00:00:00Z"), (0, 0, 0));

    // The same as replaying both phones' events into one account.
    let mut one = Account::new("dana");
    apply(&mut one, &p, &order("a1", "2024-01-01T12:00:00Z", "A1", "100.00"));
    apply(&mut one, &p, &order("b1", "2024-02-01T12:00:00Z", "B1", "100.00"));
    apply(&mut one, &p, &redeem("b2", "2024-02-15T12:00:00Z", "mug", 100));
    for t in ["2024-03-01T00:00:00Z", "2024-04-10T00:00:00Z", "2024-05-02T00:00:00Z"] {
        assert_eq!(balance(&merged, &p, t), balance(&one, &p, t), "{t}");
    }
}

#[test]
fn a_refund_claws_back_from_the_other_accounts_points_as_one_account_would() {
    // Under `within_balance`, a clawback beyond the balance is waived. A: 2024-01-10 order
    // 50.00 (50 points), redeemed 2024-01-11, order refunded in full 2024-01-12: nothing left
    // to claw, 50 waived. B: 2024-01-05 order 100.00 (100 points). As one account, the refund
    // finds B's 100 and claws 50 of them: 50 left, not 100.
    let p = p(serde_json::json!({"clawback_shortfall": "within_balance"}));
    let mut a = Account::new("dana-a");
    apply(&mut a, &p, &order("a1", "2024-01-10T12:00:00Z", "A1", "50.00"));
    apply(&mut a, &p, &redeem("a2", "2024-01-11T12:00:00Z", "mug", 50));
    apply(&mut a, &p, &refund("a3", "2024-01-12T12:00:00Z", "A1", "50.00"));
    assert_eq!(balance(&a, &p, "2024-01-12T12:00:00Z"), (0, 0, 0));
    let mut b = Account::new("dana-b");
    apply(&mut b, &p, &order("b1", "2024-01-05T12:00:00Z", "B1", "100.00"));

    let (merged, _) = a.merge(&p, &b, "merge", at("2024-02-01T00:00:00Z")).unwrap();
    assert_eq!(balance(&merged, &p, "2024-02-01T00:00:00Z"), (50, 0, 0));
    // The redemption took the oldest points (B's, credited on the 5th, expiring first);
    // the refund then took A's own 50 back whole: B's lot keeps 50.
    let lots: Vec<(i64, i64)> = merged.lots().iter().map(|l| (l.points.get(), l.remaining.get())).collect();
    assert_eq!(lots, [(100, 50), (50, 0)]);
}

#[test]
fn points_given_back_before_a_merge_still_lapse_with_the_balance_under_inactivity() {
    // Inactivity expiry: the balance lapses 30 days after the last earning or redeeming. A:
    // 2024-01-01 order 100.00, redeems 50 on the 2nd, cancels on the 3rd (the 50 come back
    // to their lot). B: 2024-01-05 order 10.00. The person's last activity is the 5th: all
    // 110 points are valid through 2024-02-04 and lapse at 2024-02-05 00:00, the given-back
    // 50 with them.
    let p = p(serde_json::json!({"expiry": {"kind": "inactivity", "days": 30}}));
    let mut a = Account::new("dana-a");
    apply(&mut a, &p, &order("a1", "2024-01-01T12:00:00Z", "A1", "100.00"));
    apply(&mut a, &p, &redeem("a2", "2024-01-02T12:00:00Z", "mug", 50));
    apply(&mut a, &p, &cancel("a3", "2024-01-03T12:00:00Z", "a2"));
    let mut b = Account::new("dana-b");
    apply(&mut b, &p, &order("b1", "2024-01-05T12:00:00Z", "B1", "10.00"));
    let (merged, _) = a.merge(&p, &b, "merge", at("2024-01-10T00:00:00Z")).unwrap();
    assert_eq!(balance(&merged, &p, "2024-02-04T23:59:59Z"), (110, 0, 0));
    assert_eq!(balance(&merged, &p, "2024-02-05T00:00:00Z"), (0, 0, 0));
    assert!(merged.lots().iter().all(|l| l.expires_at == Some(at("2024-02-05T00:00:00Z"))));
}
