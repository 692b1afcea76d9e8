//! Max is warned 10 days before his points expire, whether the host advances the clock
//! every day or once.
//!
//! Rolling 60 days, UTC. 2024-01-01 order 100.00: 2024-01-01 + 60 days = 2024-03-01 (31
//! days of January, 29 of February): valid through 2024-03-01, expiring 2024-03-02 00:00.
//! The warning goes out at the start of 2024-02-21, 10 days before the expiry day.
use super::common::*;
use chrono::Duration;
use loyalty::{Account, Effect, LotId};

fn expected() -> Vec<Effect> {
    vec![
        Effect::PointsExpiringSoon { points: pts(100), lots: vec![LotId(0)], expires_at: at("2024-03-02T00:00:00Z") },
        Effect::PointsExpired { points: pts(100), lots: vec![LotId(0)], at: at("2024-03-02T00:00:00Z") },
    ]
}

fn program_and_max() -> (loyalty::Program, Account) {
    let p = program(serde_json::json!({"expiry": {"kind": "rolling_days", "days": 60}, "expiring_soon_days": 10}));
    let mut max = Account::new("max");
    apply(&mut max, &p, &order("e1", "2024-01-01T08:00:00Z", "o1", "100.00"));
    (p, max)
}

#[test]
fn daily_advances_and_one_advance_give_the_same_effects() {
    let (p, mut daily) = program_and_max();
    let (_, mut once) = program_and_max();
    let mut effects = Vec::new();
    let mut t = at("2024-01-02T00:00:00Z");
    while t <= at("2024-04-01T00:00:00Z") {
        let step = daily.advance_to(&p, t).unwrap();
        if !step.is_empty() {
            assert!(t == at("2024-02-21T00:00:00Z") || t == at("2024-03-02T00:00:00Z"), "effects on {t}");
        }
        effects.extend(step);
        t += Duration::days(1);
    }
    assert_eq!(effects, expected());
    assert_eq!(once.advance_to(&p, at("2024-04-01T00:00:00Z")).unwrap(), expected());
    assert_eq!(daily.statement(), once.statement());
    assert_eq!(daily.lots(), once.lots());
}
