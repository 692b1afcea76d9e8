//! Mo uses the shop's app. This story is run twice: here on the core, and from Kotlin on the
//! JVM through the mobile binding (bindings-mobile/kotlin-tests/MemberStoryTest.kt), which
//! must reach the same balances, effects and snapshot (the golden file below).
//!
//! Retail program (New York, 14 pending days, 12-month expiry rounded to month end, 30-day
//! warnings, Silver from 250 spend at 1.1x, max-combined multipliers):
//! - 2024-05-08 16:00Z order 42.50 on member day: 85 points, pending until 2024-05-22 04:00Z.
//! - 2024-06-01 16:00Z order 600.00: 600 points, pending until 2024-06-15 04:00Z.
//! - 2024-06-15 04:00Z: 600 activate; spend 642.50 >= 250: Silver until 2026-01-01 05:00Z.
//! - 2024-06-20 16:00Z 500 points pay 5.00 of a 20.00 order: 85 from the May lot (expiring
//!   2025-06-01 04:00Z), 415 from the June lot: 185 left.
//! - 2025-06-01 04:00Z: 185 points expiring 2025-07-01 04:00Z are announced.
//! - A 100.00 cart on 2025-06-02 would earn 110 (Silver 1.1x).
use super::common::*;
use loyalty::{Account, Effect, EventKind, LotId, Program};

const GOLDEN: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../bindings-mobile/kotlin-tests/golden/member_story_snapshot.json");

pub fn retail() -> Program {
    Program::from_json(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/programs/retail.json")).unwrap(),
    )
    .unwrap()
}

#[test]
fn the_app_members_story() {
    let p = retail();
    let mut mo = Account::new("mo");
    let e = apply(&mut mo, &p, &order("e1", "2024-05-08T16:00:00Z", "o1", "42.50"));
    assert_eq!(earned(&e[0]), 85);
    assert_eq!(balance(&mo, &p, "2024-05-08T16:00:00Z"), (0, 85, 0));
    let e = apply(&mut mo, &p, &order("e2", "2024-06-01T16:00:00Z", "o2", "600.00"));
    assert!(matches!(e[0], Effect::PendingActivated { points, .. } if points.get() == 85));
    assert_eq!(earned(&e[1]), 600);
    let e = mo.advance_to(&p, at("2024-06-15T04:00:00Z")).unwrap();
    assert!(matches!(e[0], Effect::PendingActivated { points, .. } if points.get() == 600));
    assert!(
        matches!(&e[1], Effect::TierUpgraded { to, valid_until: Some(v), .. } if to == "Silver" && *v == at("2026-01-01T05:00:00Z"))
    );
    assert_eq!(balance(&mo, &p, "2024-06-15T04:00:00Z"), (685, 0, 0));
    let pay = EventKind::PointsPaid { order_id: "o3".into(), order_amount: dec("20.00"), points: 500 };
    apply(&mut mo, &p, &event("e3", "2024-06-20T16:00:00Z", pay));
    assert_eq!(balance(&mo, &p, "2024-06-20T16:00:00Z"), (185, 0, 0));
    let e = mo.advance_to(&p, at("2025-06-01T04:00:00Z")).unwrap();
    assert_eq!(
        e,
        vec![Effect::PointsExpiringSoon {
            points: pts(185),
            lots: vec![LotId(1)],
            expires_at: at("2025-07-01T04:00:00Z")
        }]
    );
    if std::env::var("LOYALTY_GOLDEN").as_deref() == Ok("update") {
        std::fs::write(GOLDEN, mo.to_json() + "\n").unwrap();
    }
    let golden = std::fs::read_to_string(GOLDEN).unwrap();
    assert_eq!(mo.to_json(), golden.trim_end());
}

/// The same story as this version's format 1 stored it (every entry and id for life):
/// migrating it gives Mo's account as the story leaves it today, and the whole statement as
/// the journal the host keeps from now on.
#[test]
fn mos_format_1_snapshot_migrates_to_the_account_the_story_leaves() {
    let p = retail();
    let old = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/member_story_snapshot_format1.json"
    ))
    .unwrap();
    let err = Account::from_json(&old).unwrap_err();
    assert_eq!((err.kind(), err.value()), ("format", "1".to_string()));
    let (migrated, journal) = Account::migrate(&p, &old).unwrap();
    let golden = std::fs::read_to_string(GOLDEN).unwrap();
    assert_eq!(migrated.to_json(), golden.trim_end());
    // Six entries: two orders, two activations (the second with the upgrade), the payment,
    // the warning; 85 + 600 - 500 = 185 points.
    assert_eq!(journal.len(), 6);
    assert_eq!(journal.iter().map(|e| e.seq).collect::<Vec<_>>(), [0, 1, 2, 3, 4, 5]);
    assert_eq!(journal[4].event_id.as_deref(), Some("e3"));
    assert_eq!(journal.iter().map(|e| e.balance_change().get()).sum::<i64>(), 185);
    // The clock is 2025-06-01: everything before 2025-03-03 (90 days) has left, the
    // warning stays; the orders and the payment stay (a year's window and the horizon).
    assert_eq!((migrated.statement_start(), migrated.statement().len()), (5, 1));
}
