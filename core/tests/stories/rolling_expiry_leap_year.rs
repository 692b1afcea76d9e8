//! Ana buys records across the 2024 leap day under a 12-month rolling expiry.
//!
//! - 2023-02-28 she spends 100.00: 100 points, valid through 2024-02-28 (2023-02-28 + 12
//!   months), expired from 2024-02-29 00:00 UTC.
//! - 2024-02-29 (leap day) she spends 50.00: 50 points; 2024-02-29 + 12 months clamps to
//!   2025-02-28, so they expire 2025-03-01 00:00.
use super::common::*;
use loyalty::{Account, Effect, LotId};

#[test]
fn twelve_months_from_the_leap_day_end_on_the_last_day_of_february() {
    let p = program(serde_json::json!({"expiry": {"kind": "rolling_months", "months": 12}}));
    let mut ana = Account::new("ana");
    apply(&mut ana, &p, &order("e1", "2023-02-28T18:00:00Z", "o1", "100.00"));
    assert_eq!(balance(&ana, &p, "2024-02-28T23:59:59Z"), (100, 0, 0));
    assert_eq!(balance(&ana, &p, "2024-02-29T00:00:00Z"), (0, 0, 0));

    let effects = apply(&mut ana, &p, &order("e2", "2024-02-29T10:00:00Z", "o2", "50.00"));
    assert_eq!(
        effects[0],
        Effect::PointsExpired { points: pts(100), lots: vec![LotId(0)], at: at("2024-02-29T00:00:00Z") }
    );
    assert_eq!(
        effects[1],
        Effect::PointsEarned {
            lot: LotId(1),
            points: pts(50),
            rules: std::sync::Arc::new(["base".into()]),
            available_at: at("2024-02-29T10:00:00Z"),
            expires_at: Some(at("2025-03-01T00:00:00Z")),
            pending: false,
        }
    );
    assert_eq!(balance(&ana, &p, "2025-02-28T23:59:59Z"), (50, 0, 0));
    assert_eq!(balance(&ana, &p, "2025-03-01T00:00:00Z"), (0, 0, 0));
}

#[test]
fn three_hundred_sixty_five_days_in_a_leap_year_end_on_new_years_eve() {
    // 2024-01-01 + 365 days = 2024-12-31 (2024 has 366 days): expired from 2025-01-01.
    let p = program(serde_json::json!({"expiry": {"kind": "rolling_days", "days": 365}}));
    let mut ana = Account::new("ana");
    apply(&mut ana, &p, &order("e1", "2024-01-01T09:00:00Z", "o1", "20.00"));
    assert_eq!(ana.lots()[0].expires_at, Some(at("2025-01-01T00:00:00Z")));
    let effects = ana.advance_to(&p, at("2025-06-01T00:00:00Z")).unwrap();
    assert_eq!(
        effects,
        vec![Effect::PointsExpired { points: pts(20), lots: vec![LotId(0)], at: at("2025-01-01T00:00:00Z") }]
    );
}
