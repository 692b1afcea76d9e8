//! Ichiro checks in every evening in Tokyo (UTC+9). The "day" of the once-a-day rule is the
//! program's local day, not the UTC day.
//!
//! - 2024-06-01 14:00Z = 23:00 JST June 1: 5 points.
//! - 2024-06-01 14:30Z = 23:30 JST June 1: refused, already checked in today.
//! - 2024-06-01 15:00Z = 00:00 JST June 2: a new day, 5 points.
use super::common::*;
use loyalty::{Account, AccountError, EventKind};

#[test]
fn check_in_is_once_per_local_day() {
    let p = program(serde_json::json!({"time_zone": "Asia/Tokyo", "bonuses": {"daily_check_in": 5}}));
    let mut ichiro = Account::new("ichiro");
    apply(&mut ichiro, &p, &event("c1", "2024-06-01T14:00:00Z", EventKind::CheckedIn));
    let err = ichiro.apply(&p, &event("c2", "2024-06-01T14:30:00Z", EventKind::CheckedIn)).unwrap_err();
    assert_eq!(err, AccountError::LimitReached { bonus: "daily_check_in".into(), limit: "once per day".into() });
    assert_eq!(err.to_string(), "daily_check_in: already claimed once per day");
    apply(&mut ichiro, &p, &event("c3", "2024-06-01T15:00:00Z", EventKind::CheckedIn));
    assert_eq!(balance(&ichiro, &p, "2024-06-02T00:00:00Z"), (10, 0, 0));
}

#[test]
fn a_program_without_check_in_refuses_it() {
    let p = program(serde_json::json!({}));
    let err = Account::new("ichiro").apply(&p, &event("c1", "2024-06-01T14:00:00Z", EventKind::CheckedIn)).unwrap_err();
    assert_eq!(err, AccountError::NoSuchBonus { bonus: "daily_check_in".into() });
}
