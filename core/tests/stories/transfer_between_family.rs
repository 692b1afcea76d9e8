//! Amara sends points to her son Bo. Rolling 12 months, UTC.
//!
//! - Amara: 2024-01-10 order 100.00 (lot 0, valid through 2025-01-10, expiring 01-11) and
//!   2024-03-05 order 80.00 (lot 1, expiring 2025-03-06).
//! - 2024-06-01 she sends 120: soonest expiry first, 100 from lot 0 and 20 from lot 1. Bo
//!   receives two lots keeping their dates: 100 expiring 2025-01-11, 20 expiring 2025-03-06.
//! - Sending 100 more is refused (60 left) and changes neither account.
use super::common::*;
use loyalty::{transfer, Account, AccountError, Draw, Effect, Expiring, LotId};

fn amara_and_bo(patch: serde_json::Value) -> (loyalty::Program, Account, Account) {
    let mut config = serde_json::json!({"expiry": {"kind": "rolling_months", "months": 12}});
    if let (Some(c), Some(p)) = (config.as_object_mut(), patch.as_object()) {
        c.extend(p.clone());
    }
    let p = program(config);
    let mut amara = Account::new("amara");
    apply(&mut amara, &p, &order("e1", "2024-01-10T10:00:00Z", "o1", "100.00"));
    apply(&mut amara, &p, &order("e2", "2024-03-05T10:00:00Z", "o2", "80.00"));
    (p, amara, Account::new("bo"))
}

#[test]
fn lots_move_with_their_dates_and_both_statements_record_it() {
    let (p, mut amara, mut bo) = amara_and_bo(serde_json::json!({}));
    let t = transfer(&p, &mut amara, &mut bo, "tr-1", at("2024-06-01T12:00:00Z"), 120).unwrap();
    assert_eq!(
        t.sent.effects,
        vec![Effect::PointsSent {
            to_member_id: "bo".into(),
            points: pts(120),
            draws: vec![Draw { lot: LotId(0), points: pts(100) }, Draw { lot: LotId(1), points: pts(20) }]
        }]
    );
    assert_eq!(
        t.received.effects,
        vec![Effect::PointsReceived {
            from_member_id: "amara".into(),
            points: pts(120),
            lots: vec![LotId(0), LotId(1)]
        }]
    );
    assert_eq!(balance(&amara, &p, "2024-06-01T12:00:00Z"), (60, 0, 0));
    assert_eq!(
        bo.expiring(&p, at("2024-06-01T12:00:00Z"), at("2030-01-01T00:00:00Z")).unwrap(),
        vec![
            Expiring { expires_at: at("2025-01-11T00:00:00Z"), points: pts(100) },
            Expiring { expires_at: at("2025-03-06T00:00:00Z"), points: pts(20) },
        ]
    );
    assert_eq!(bo.lots()[0].earned_at, at("2024-01-10T10:00:00Z"));

    let (a, b) = (amara.to_json(), bo.to_json());
    let err = transfer(&p, &mut amara, &mut bo, "tr-2", at("2024-06-02T12:00:00Z"), 100).unwrap_err();
    assert_eq!(err, AccountError::InsufficientPoints { requested: pts(100), available: pts(60) });
    assert_eq!((amara.to_json(), bo.to_json()), (a.clone(), b.clone()));
    // A replay of the first transfer is a no-op on both sides.
    let again = transfer(&p, &mut amara, &mut bo, "tr-1", at("2024-06-01T12:00:00Z"), 120).unwrap();
    assert!(again.sent.duplicate && again.received.duplicate);
    assert_eq!((amara.to_json(), bo.to_json()), (a, b));
}

#[test]
fn the_receiver_refusing_leaves_the_sender_untouched() {
    let (p, mut amara, mut bo) = amara_and_bo(serde_json::json!({}));
    apply(&mut bo, &p, &order("tr-9", "2024-05-01T10:00:00Z", "b1", "5.00"));
    let before = amara.to_json();
    let err = transfer(&p, &mut amara, &mut bo, "tr-9", at("2024-06-01T12:00:00Z"), 10).unwrap_err();
    assert_eq!(err, AccountError::IdConflict { event_id: "tr-9".into() });
    assert_eq!(amara.to_json(), before);
}

#[test]
fn a_program_can_reset_the_expiry_of_received_points() {
    // 2024-06-01 + 12 months: valid through 2025-06-01, expiring 2025-06-02 00:00.
    let (p, mut amara, mut bo) = amara_and_bo(serde_json::json!({"transfers": {"reset_expiry": true}}));
    transfer(&p, &mut amara, &mut bo, "tr-1", at("2024-06-01T12:00:00Z"), 120).unwrap();
    assert_eq!(
        bo.expiring(&p, at("2024-06-01T12:00:00Z"), at("2030-01-01T00:00:00Z")).unwrap(),
        vec![Expiring { expires_at: at("2025-06-02T00:00:00Z"), points: pts(120) }]
    );
}

#[test]
fn pending_points_do_not_move() {
    // With a 14-day pending period, Amara's 2024-03-05 order (80) is pending until 03-19; on
    // 03-10 only the January lot (100) is usable: sending 150 is refused, 100 goes, and the
    // pending lot stays hers.
    let (p, mut amara, mut bo) = amara_and_bo(serde_json::json!({"pending_days": 14}));
    let err = transfer(&p, &mut amara, &mut bo, "tr-1", at("2024-03-10T12:00:00Z"), 150).unwrap_err();
    assert!(matches!(err, AccountError::InsufficientPoints { .. }), "{err:?}");
    transfer(&p, &mut amara, &mut bo, "tr-2", at("2024-03-10T12:00:00Z"), 100).unwrap();
    assert_eq!(balance(&amara, &p, "2024-03-10T12:00:00Z"), (0, 80, 0));
    assert_eq!(balance(&bo, &p, "2024-03-10T12:00:00Z"), (100, 0, 0));
    assert_eq!(balance(&amara, &p, "2024-03-19T00:00:00Z"), (80, 0, 0));
}
