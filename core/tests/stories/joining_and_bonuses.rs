//! Pia joins, completes her profile, refers friends and writes reviews.
//!
//! Sign-up 100 (once), profile 50 (once), referral 200 per referred member, reviews 20 each
//! at most 3 per calendar month: 3 reviews in March, a fourth refused, one in April.
//! Total 100 + 50 + 200 + 200 + 3 x 20 + 20 = 630.
use super::common::*;
use loyalty::{Account, AccountError, EventKind};

#[test]
fn one_time_and_limited_bonuses() {
    let p = program(serde_json::json!({"bonuses": {
        "sign_up": 100, "profile_completed": 50, "referral": 200,
        "custom": [{"name": "review", "points": 20, "limit": {"count": 3, "per": "month"}}]
    }}));
    let mut pia = Account::new("pia");
    apply(&mut pia, &p, &event("j1", "2024-03-01T10:00:00Z", EventKind::Joined { birthday: None }));
    let err = pia.apply(&p, &event("j2", "2024-03-01T11:00:00Z", EventKind::Joined { birthday: None })).unwrap_err();
    assert_eq!(err, AccountError::LimitReached { bonus: "joined".into(), limit: "once".into() });
    apply(&mut pia, &p, &event("p1", "2024-03-02T10:00:00Z", EventKind::ProfileCompleted { birthday: None }));
    assert!(pia
        .apply(&p, &event("p2", "2024-03-02T11:00:00Z", EventKind::ProfileCompleted { birthday: None }))
        .is_err());

    let referral = |id: &str, who: &str| {
        event(id, "2024-03-03T10:00:00Z", EventKind::ReferralCompleted { referred_member_id: who.into() })
    };
    apply(&mut pia, &p, &referral("f1", "quinn"));
    let err = pia.apply(&p, &referral("f2", "quinn")).unwrap_err();
    assert_eq!(err.to_string(), r#"referral: already claimed once for "quinn""#);
    apply(&mut pia, &p, &referral("f3", "rosa"));

    let review = |id: &str, t: &str| event(id, t, EventKind::BonusClaimed { name: "review".into() });
    for (i, day) in ["05", "06", "31"].iter().enumerate() {
        apply(&mut pia, &p, &review(&format!("r{i}"), &format!("2024-03-{day}T10:00:00Z")));
    }
    let err = pia.apply(&p, &review("r3", "2024-03-31T11:00:00Z")).unwrap_err();
    assert_eq!(err, AccountError::LimitReached { bonus: "review".into(), limit: "3 times per month".into() });
    apply(&mut pia, &p, &review("r4", "2024-04-01T10:00:00Z"));
    let err = pia
        .apply(&p, &event("x", "2024-04-02T10:00:00Z", EventKind::BonusClaimed { name: "selfie".into() }))
        .unwrap_err();
    assert_eq!(err, AccountError::NoSuchBonus { bonus: "selfie".into() });
    assert_eq!(balance(&pia, &p, "2024-04-02T00:00:00Z"), (630, 0, 0));
}
