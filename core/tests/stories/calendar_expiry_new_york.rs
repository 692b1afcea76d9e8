//! Ben shops in New York under a calendar policy: points that become available in a year
//! are valid through 31 December of the following year, New York time. His purchases
//! straddle both daylight-saving changes and a New Year's Eve.
//!
//! - 2024-03-10 06:30Z is 01:30 EST, half an hour before clocks jump to 03:00 EDT: local
//!   year 2024, so valid through 2025-12-31, expiring 2026-01-01 00:00 EST = 05:00Z.
//! - 2024-11-03 05:30Z is 01:30 EDT during the repeated hour: also 2024.
//! - 2025-01-01 04:30Z is still 2024-12-31 23:30 EST: also 2024.
//! - 2025-01-01 05:00Z is 2025-01-01 00:00 EST: year 2025, expiring 2027-01-01 05:00Z.
//!
//! With a 30-day warning, the first three lots are announced at the start of 2025-12-02
//! EST (05:00Z), the day 30 days before the expiry day 2026-01-01.
use super::common::*;
use loyalty::{Account, Effect, Expiring, LotId};

#[test]
fn expiry_follows_the_local_year_through_dst_changes() {
    let p = program(serde_json::json!({
        "time_zone": "America/New_York",
        "expiry": {"kind": "calendar", "years_after": 1, "month": 12, "day": 31},
        "expiring_soon_days": 30
    }));
    let mut ben = Account::new("ben");
    apply(&mut ben, &p, &order("e1", "2024-03-10T06:30:00Z", "o1", "10.00"));
    apply(&mut ben, &p, &order("e2", "2024-11-03T05:30:00Z", "o2", "20.00"));
    apply(&mut ben, &p, &order("e3", "2025-01-01T04:30:00Z", "o3", "30.00"));
    apply(&mut ben, &p, &order("e4", "2025-01-01T05:00:00Z", "o4", "40.00"));

    let expiring = ben.expiring(&p, at("2025-01-02T00:00:00Z"), at("2030-01-01T00:00:00Z")).unwrap();
    assert_eq!(
        expiring,
        vec![
            Expiring { expires_at: at("2026-01-01T05:00:00Z"), points: pts(60) },
            Expiring { expires_at: at("2027-01-01T05:00:00Z"), points: pts(40) },
        ]
    );

    assert!(ben.advance_to(&p, at("2025-12-02T04:59:59Z")).unwrap().is_empty());
    let warned = ben.advance_to(&p, at("2025-12-02T05:00:00Z")).unwrap();
    assert_eq!(
        warned,
        vec![Effect::PointsExpiringSoon {
            points: pts(60),
            lots: vec![LotId(0), LotId(1), LotId(2)],
            expires_at: at("2026-01-01T05:00:00Z")
        }]
    );
    assert_eq!(ben.balances(&p, at("2025-12-02T05:00:00Z")).unwrap().expiring_soon, pts(60));

    let expired = ben.advance_to(&p, at("2026-01-01T05:00:00Z")).unwrap();
    assert_eq!(
        expired,
        vec![Effect::PointsExpired {
            points: pts(60),
            lots: vec![LotId(0), LotId(1), LotId(2)],
            at: at("2026-01-01T05:00:00Z")
        }]
    );
    assert_eq!(balance(&ben, &p, "2026-01-01T05:00:00Z"), (40, 0, 0));
}
