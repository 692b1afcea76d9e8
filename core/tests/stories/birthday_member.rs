//! Olu was born on 15 July. In July her purchases earn 1.5x, and her birthday bonus is paid
//! once per local year.
//!
//! - Joined 2024-01-05 with her birthday: 100 sign-up points.
//! - 2024-06-30 order 100.00: 100. 2024-07-01 order 100.00: 150 (birthday month).
//! - 2024-07-15 birthday: 200. A second birthday event in 2024 is refused; 2025-07-15 pays.
use super::common::*;
use chrono::NaiveDate;
use loyalty::{Account, AccountError, EventKind};

#[test]
fn birthday_month_multiplier_and_yearly_bonus() {
    let p = program(serde_json::json!({
        "earning": {
            "rules": [{"name": "base", "points_per_unit": "1"}],
            "multipliers": [{"name": "birthday_month", "factor": "1.5", "when": {"kind": "birthday_month"}}]
        },
        "bonuses": {"sign_up": 100, "birthday": 200}
    }));
    let mut olu = Account::new("olu");
    apply(
        &mut olu,
        &p,
        &event("j", "2024-01-05T10:00:00Z", EventKind::Joined { birthday: NaiveDate::from_ymd_opt(1990, 7, 15) }),
    );
    assert_eq!(earned(&apply(&mut olu, &p, &order("e1", "2024-06-30T10:00:00Z", "o1", "100.00"))[0]), 100);
    assert_eq!(earned(&apply(&mut olu, &p, &order("e2", "2024-07-01T10:00:00Z", "o2", "100.00"))[0]), 150);
    apply(&mut olu, &p, &event("b1", "2024-07-15T08:00:00Z", EventKind::BirthdayReached));
    let err = olu.apply(&p, &event("b2", "2024-07-16T08:00:00Z", EventKind::BirthdayReached)).unwrap_err();
    assert_eq!(err, AccountError::LimitReached { bonus: "birthday".into(), limit: "once per year".into() });
    apply(&mut olu, &p, &event("b3", "2025-07-15T08:00:00Z", EventKind::BirthdayReached));
    assert_eq!(balance(&olu, &p, "2025-07-15T08:00:00Z"), (100 + 100 + 150 + 200 + 200, 0, 0));
}
