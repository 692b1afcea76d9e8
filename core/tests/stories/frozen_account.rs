//! Sam's account is frozen during a chargeback dispute (UTC program, 1 point per unit, points
//! expire 30 days after they are earned, redemption from 100 points):
//! - 2025-01-01: an order of 150 earns 150 points; a top-up of 200 of stored value.
//! - 2025-01-05: the host freezes the account ("chargeback dispute").
//! - While frozen: a reward redemption, paying with points or stored value, and cashing out are
//!   refused with `account_frozen`, naming the event type; the account is unchanged. An order
//!   is recorded but earns nothing (the program does not let frozen accounts earn), and a
//!   check-in bonus is refused. The 150 points still expire on 2025-01-31, on schedule.
//! - 2025-02-10: unfrozen; a redemption works again.
#![allow(clippy::unwrap_used)]

use super::common::*;
use loyalty::{Account, Effect, EventKind, Program};

fn shop(frozen_accounts_earn: bool) -> Program {
    program(serde_json::json!({
        "expiry": {"kind": "rolling_days", "days": 30},
        "bonuses": {"daily_check_in": 5},
        "redemption": {"point_value": "0.01", "min_points": 100},
        "stored_value": {},
        "frozen_accounts_earn": frozen_accounts_earn
    }))
}

fn freeze(id: &str, t: &str) -> loyalty::Event {
    event(id, t, EventKind::AccountFrozen { reason: "chargeback dispute".into() })
}

#[test]
fn a_frozen_account_keeps_its_assets_but_cannot_spend_them() {
    let p = shop(false);
    let mut sam = Account::new("sam");
    apply(&mut sam, &p, &order("e1", "2025-01-01T10:00:00Z", "o1", "150"));
    apply(
        &mut sam,
        &p,
        &event("t1", "2025-01-01T11:00:00Z", EventKind::StoredValueLoaded { paid: dec("200"), payment_ref: None }),
    );
    let e = apply(&mut sam, &p, &freeze("f1", "2025-01-05T00:00:00Z"));
    assert_eq!(e, vec![Effect::AccountFrozen { reason: "chargeback dispute".into() }]);

    let before = sam.to_json();
    let refused = [
        event("r1", "2025-01-06T00:00:00Z", EventKind::RewardRedeemed { reward_id: "mug".into(), points: 100 }),
        event(
            "r2",
            "2025-01-06T00:00:00Z",
            EventKind::PointsPaid { order_id: "o9".into(), order_amount: dec("10"), points: 100 },
        ),
        event(
            "r3",
            "2025-01-06T00:00:00Z",
            EventKind::OrderPlaced {
                order_id: "o2".into(),
                amount: dec("50"),
                channel: None,
                lines: vec![],
                stored_value: Some(dec("50")),
                coupons: vec![],
                reservation_key: None,
            },
        ),
        event("r4", "2025-01-06T00:00:00Z", EventKind::StoredValueCashedOut),
        event("r5", "2025-01-06T00:00:00Z", EventKind::CheckedIn),
        freeze("r6", "2025-01-06T00:00:00Z"),
    ];
    for (e, kind) in refused.iter().zip([
        "reward_redeemed",
        "points_paid",
        "order_placed",
        "stored_value_cashed_out",
        "checked_in",
        "account_frozen",
    ]) {
        let err = sam.apply(&p, e).unwrap_err();
        assert_eq!(
            (err.kind(), err.field(), err.value()),
            ("account_frozen", "type".to_string(), kind.to_string()),
            "{}",
            e.id
        );
        assert_eq!(sam.to_json(), before, "{} changed the account", e.id);
    }
    // Merging would make the points spendable elsewhere: refused either way round.
    let other = Account::new("sam-2");
    for err in [
        sam.merge(&p, &other, "m1", at("2025-01-06T00:00:00Z")),
        other.merge(&p, &sam, "m1", at("2025-01-06T00:00:00Z")),
    ] {
        let err = err.unwrap_err();
        assert_eq!((err.kind(), err.value()), ("account_frozen", "merge".to_string()));
    }
    // An order is recorded (a later refund must find it) but earns nothing.
    let e = apply(&mut sam, &p, &order("e2", "2025-01-07T00:00:00Z", "o3", "80"));
    assert_eq!(e, vec![Effect::NoPointsEarned { order_id: "o3".into(), reason: "account_frozen".into() }]);
    // The points expire on schedule: 30 days after 2025-01-01, at the end of 2025-01-31.
    let e = sam.advance_to(&p, at("2025-02-01T00:00:00Z")).unwrap();
    assert!(matches!(&e[..], [Effect::PointsExpired { points, .. }] if points.get() == 150), "{e:?}");
    assert_eq!(sam.stored_value(&p, at("2025-02-01T00:00:00Z")).unwrap().available, dec("200"));

    let e = apply(
        &mut sam,
        &p,
        &event("u1", "2025-02-10T00:00:00Z", EventKind::AccountUnfrozen { reason: "dispute won".into() }),
    );
    assert_eq!(e, vec![Effect::AccountUnfrozen { reason: "dispute won".into() }]);
    apply(&mut sam, &p, &order("e3", "2025-02-10T01:00:00Z", "o4", "120"));
    let e = apply(
        &mut sam,
        &p,
        &event("r7", "2025-02-10T02:00:00Z", EventKind::RewardRedeemed { reward_id: "mug".into(), points: 100 }),
    );
    assert!(matches!(&e[..], [Effect::PointsRedeemed { points, .. }] if points.get() == 100));
    // Unfreezing an active account is an error too.
    let err = sam
        .apply(&p, &event("u2", "2025-02-11T00:00:00Z", EventKind::AccountUnfrozen { reason: "again".into() }))
        .unwrap_err();
    assert_eq!((err.kind(), err.field()), ("invalid_field", "type".to_string()));
}

#[test]
fn a_frozen_account_gets_no_sign_up_bonus_no_tier_and_no_points_quote() {
    let p = program(serde_json::json!({
        "bonuses": {"sign_up": 100},
        "tiers": {"period": {"kind": "calendar_year"}, "levels": [
            {"name": "Member"},
            {"name": "Silver", "entry": {"spend": "100"}, "entry_reward": {"points": 500}}
        ]}
    }));
    let mut sam = Account::new("sam");
    apply(&mut sam, &p, &order("e0", "2025-01-01T00:00:00Z", "o0", "50"));
    apply(&mut sam, &p, &freeze("f1", "2025-01-02T00:00:00Z"));
    assert!(sam.is_frozen());
    let err = sam.apply(&p, &event("j1", "2025-01-03T00:00:00Z", EventKind::Joined { birthday: None })).unwrap_err();
    assert_eq!((err.kind(), err.value()), ("account_frozen", "joined".to_string()));
    // 150 of orders while frozen: no points, and no Silver with its 500-point entry reward.
    let e = apply(&mut sam, &p, &order("e1", "2025-01-04T00:00:00Z", "o1", "150"));
    assert_eq!(e, vec![Effect::NoPointsEarned { order_id: "o1".into(), reason: "account_frozen".into() }]);
    assert_eq!(sam.tier_progress(&p, at("2025-01-04T00:00:00Z")).unwrap().unwrap().tier, "Member");
    // The 50 points held cannot pay for anything while frozen: the quote offers none.
    assert_eq!(sam.quote_payment(&p, dec("10"), None, at("2025-01-04T00:00:00Z")).unwrap().max_points.get(), 0);
}

#[test]
fn a_program_may_let_frozen_accounts_earn() {
    let p = shop(true);
    let mut sam = Account::new("sam");
    apply(&mut sam, &p, &freeze("f1", "2025-01-05T00:00:00Z"));
    let e = apply(&mut sam, &p, &order("e1", "2025-01-06T00:00:00Z", "o1", "80"));
    assert!(matches!(&e[..], [Effect::PointsEarned { points, .. }] if points.get() == 80), "{e:?}");
    let e = apply(&mut sam, &p, &event("c1", "2025-01-06T01:00:00Z", EventKind::CheckedIn));
    assert!(matches!(&e[..], [Effect::PointsEarned { points, .. }] if points.get() == 5), "{e:?}");
}
