//! Nia's points expire together after 90 days without earning or redeeming.
//!
//! - 2024-01-10 order 100.00; 2024-03-01 order 50.00. The last activity, 2024-03-01, makes
//!   2024-03-01 + 90 days = 2024-05-30 the last valid day of the whole balance: both lots
//!   expire 2024-05-31 00:00 UTC.
//! - A refund on 2024-04-01 is not an activity and does not move the deadline.
//! - With a 7-day warning, the warning goes out at the start of 2024-05-24.
use super::common::*;
use loyalty::{Account, Effect, LotId};

#[test]
fn the_whole_balance_expires_after_inactivity() {
    let p = program(serde_json::json!({"expiry": {"kind": "inactivity", "days": 90}, "expiring_soon_days": 7}));
    let mut nia = Account::new("nia");
    apply(&mut nia, &p, &order("e1", "2024-01-10T10:00:00Z", "o1", "100.00"));
    apply(&mut nia, &p, &order("e2", "2024-03-01T10:00:00Z", "o2", "50.00"));
    apply(&mut nia, &p, &refund("e3", "2024-04-01T10:00:00Z", "o2", "10.00"));
    assert_eq!(balance(&nia, &p, "2024-04-01T10:00:00Z"), (140, 0, 0));
    let effects = nia.advance_to(&p, at("2024-06-01T00:00:00Z")).unwrap();
    assert_eq!(
        effects,
        vec![
            Effect::PointsExpiringSoon {
                points: pts(140),
                lots: vec![LotId(0), LotId(1)],
                expires_at: at("2024-05-31T00:00:00Z")
            },
            Effect::PointsExpired { points: pts(140), lots: vec![LotId(0), LotId(1)], at: at("2024-05-31T00:00:00Z") },
        ]
    );
    assert_eq!(nia.statement().iter().rev().nth(1).map(|e| e.at), Some(at("2024-05-24T00:00:00Z")));
}

#[test]
fn activity_moves_the_deadline_for_every_lot() {
    let p = program(serde_json::json!({"expiry": {"kind": "inactivity", "days": 90}}));
    let mut nia = Account::new("nia");
    apply(&mut nia, &p, &order("e1", "2024-01-10T10:00:00Z", "o1", "100.00"));
    // Deadline after the first order: 2024-01-10 + 90 = 2024-04-09, expiring 04-10.
    assert_eq!(nia.lots()[0].expires_at, Some(at("2024-04-10T00:00:00Z")));
    apply(&mut nia, &p, &redeem("r1", "2024-04-09T23:00:00Z", "pen", 10));
    // Redeeming is an activity: 2024-04-09 + 90 = 2024-07-08, expiring 07-09.
    assert_eq!(nia.lots()[0].expires_at, Some(at("2024-07-09T00:00:00Z")));
    assert_eq!(balance(&nia, &p, "2024-07-08T23:59:59Z"), (90, 0, 0));
    assert_eq!(balance(&nia, &p, "2024-07-09T00:00:00Z"), (0, 0, 0));
}
