//! Zoe joins on leap day 2024 in Berlin; her tier years run from each anniversary of
//! joining (28 February in common years). Silver: spend 500 to enter, 300 to keep.
//!
//! - 2024-10-27 01:30Z is 02:30 CET, right after clocks went back: local 27 October, in her
//!   first year (2024-02-29 to 2025-02-27). 600.00: Silver through her second year, which
//!   ends when 2026-02-28 begins in Berlin: 2026-02-27 23:00Z.
//! - 2025-03-30 00:30Z is 01:30 CET, half an hour before clocks jump to summer time: local 30
//!   March, in her second year. 350.00 >= 300: retained through the third year, until
//!   2027-02-28 00:00 CET = 2027-02-27 23:00Z.
//! - Nothing in the third year: back to Member.
use super::common::*;
use chrono::NaiveDate;
use loyalty::{Account, Effect, EventKind};

#[test]
fn anniversary_years_from_a_leap_day_across_dst_changes() {
    let p = program(serde_json::json!({
        "time_zone": "Europe/Berlin",
        "tiers": {"period": {"kind": "anniversary", "of": "joined"}, "levels": [
            {"name": "Member"},
            {"name": "Silver", "entry": {"spend": "500"}, "retain": {"spend": "300"}}
        ]}
    }));
    let mut zoe = Account::new("zoe");
    apply(
        &mut zoe,
        &p,
        &event("j", "2024-02-29T10:00:00Z", EventKind::Joined { birthday: NaiveDate::from_ymd_opt(1999, 1, 1) }),
    );
    let effects = apply(&mut zoe, &p, &order("e1", "2024-10-27T01:30:00Z", "o1", "600.00"));
    assert!(
        matches!(effects.last(), Some(Effect::TierUpgraded { to, valid_until: Some(v), .. }) if to == "Silver" && *v == at("2026-02-27T23:00:00Z"))
    );
    apply(&mut zoe, &p, &order("e2", "2025-03-30T00:30:00Z", "o2", "350.00"));
    let effects = zoe.advance_to(&p, at("2026-03-01T00:00:00Z")).unwrap();
    assert_eq!(
        effects,
        vec![Effect::TierRetained { tier: "Silver".into(), valid_until: Some(at("2027-02-27T23:00:00Z")) }]
    );
    let effects = zoe.advance_to(&p, at("2027-03-01T00:00:00Z")).unwrap();
    assert_eq!(
        effects,
        vec![Effect::TierDowngraded {
            from: "Silver".into(),
            to: "Member".into(),
            reason: "not_retained".into(),
            valid_until: None
        }]
    );
}
