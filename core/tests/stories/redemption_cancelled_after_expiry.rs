//! Eve redeems points from two lots, one of which expires before the redemption is
//! cancelled. Rolling 30 days, UTC.
//!
//! - 2024-01-01 order 100.00 -> lot 0: valid through 2024-01-31, expires 2024-02-01 00:00.
//! - 2024-01-20 order 50.00 -> lot 1: valid through 2024-02-19, expires 2024-02-20 00:00.
//! - 2024-01-25 she redeems 120: soonest expiry first -> lot 0: 100, lot 1: 20.
//! - 2024-02-10 the redemption is cancelled. Lot 0 expired on 2024-02-01, lot 1 has not.
//!   * stay_expired: 20 go back to lot 1 (balance 50); the 100 stay expired.
//!   * reinstate 30 days: the 100 come back as a new lot valid through 2024-03-11
//!     (2024-02-10 + 30 days), expiring 2024-03-12 00:00. Balance 150.
use super::common::*;
use loyalty::{Account, Draw, Effect, LotId};

fn eves_life(after_expiry: serde_json::Value) -> (loyalty::Program, Account, Vec<Effect>) {
    let p = program(serde_json::json!({
        "expiry": {"kind": "rolling_days", "days": 30},
        "redemption": {"point_value": "0.01", "after_expiry": after_expiry}
    }));
    let mut eve = Account::new("eve");
    apply(&mut eve, &p, &order("e1", "2024-01-01T10:00:00Z", "o1", "100.00"));
    apply(&mut eve, &p, &order("e2", "2024-01-20T10:00:00Z", "o2", "50.00"));
    let effects = apply(&mut eve, &p, &redeem("r1", "2024-01-25T10:00:00Z", "speaker", 120));
    assert!(matches!(&effects[0], Effect::PointsRedeemed { draws, .. }
        if *draws == vec![Draw { lot: LotId(0), points: pts(100) }, Draw { lot: LotId(1), points: pts(20) }]));
    let effects = apply(&mut eve, &p, &cancel("c1", "2024-02-10T10:00:00Z", "r1"));
    (p, eve, effects)
}

#[test]
fn expired_points_stay_expired_by_default() {
    let (p, eve, effects) = eves_life(serde_json::json!({"kind": "stay_expired"}));
    assert_eq!(
        effects,
        vec![Effect::RedemptionReversed {
            redemption_id: "r1".into(),
            restored: pts(20),
            expired: pts(100),
            draws: vec![Draw { lot: LotId(1), points: pts(20) }]
        }]
    );
    assert_eq!(balance(&eve, &p, "2024-02-10T10:00:00Z"), (50, 0, 0));
    assert_eq!(balance(&eve, &p, "2024-02-20T00:00:00Z"), (0, 0, 0));
}

#[test]
fn expired_points_can_be_reinstated_with_a_new_expiry() {
    let (p, eve, effects) = eves_life(serde_json::json!({"kind": "reinstate", "days": 30}));
    assert_eq!(
        effects,
        vec![Effect::RedemptionReversed {
            redemption_id: "r1".into(),
            restored: pts(120),
            expired: pts(0),
            draws: vec![Draw { lot: LotId(1), points: pts(20) }, Draw { lot: LotId(2), points: pts(100) }]
        }]
    );
    assert_eq!(eve.lots()[2].expires_at, Some(at("2024-03-12T00:00:00Z")));
    assert_eq!(balance(&eve, &p, "2024-02-10T10:00:00Z"), (150, 0, 0));
    assert_eq!(balance(&eve, &p, "2024-02-20T00:00:00Z"), (100, 0, 0));
    assert_eq!(balance(&eve, &p, "2024-03-12T00:00:00Z"), (0, 0, 0));
}

#[test]
fn a_redemption_is_cancelled_once() {
    let (p, mut eve, _) = eves_life(serde_json::json!({"kind": "stay_expired"}));
    let err = eve.apply(&p, &cancel("c2", "2024-02-11T10:00:00Z", "r1")).unwrap_err();
    assert_eq!(err, loyalty::AccountError::AlreadyCancelled { redemption_id: "r1".into() });
    let err = eve.apply(&p, &cancel("c3", "2024-02-11T10:00:00Z", "nope")).unwrap_err();
    assert_eq!(err.to_string(), r#"redemption_id: "nope" is not a redemption of this member"#);
}
