//! Lin keeps a prepaid card at a Shanghai tea house (zone Asia/Shanghai, CNY). The numbers are
//! those of `shared/research/wallet.md` section 4, worked by hand:
//!
//! - Bonus tiers (highest met): pay >= 500 get 30, >= 1000 get 100, >= 2000 get 300. Bonus
//!   lasts 180 days, to the end of the local day; principal never expires. A named card
//!   holds at most 5,000 of principal.
//! - 2025-03-01 10:00 +08:00: Lin tops up 1000: principal 1000, bonus 100 expiring at the end
//!   of 2025-08-28 local (1 March + 180 days), 2025-08-28T16:00:00Z.
//! - 2025-03-02: an order of 550 paid wholly from the card, proportionally: 500 P + 50 B.
//!   Points are earned on 550 - 50 of bonus = 500.
//! - 2025-03-03: 220 of it is returned: +200 P and +20 B go back to the same top-up.
//! - 2025-03-04: a second top-up of 999 earns the 500 tier's 30.
#![allow(clippy::unwrap_used)]

use super::common::*;
use loyalty::program::CashOutMode;
use loyalty::{Account, AccountError, Effect, EventKind, Fund, Program};

fn tea_house(spend: &str, cash_out: &str) -> Program {
    program(serde_json::json!({
        "currency": "CNY", "time_zone": "Asia/Shanghai",
        "stored_value": {
            "bonus_tiers": [{"min_paid": "500", "bonus": "30"}, {"min_paid": "1000", "bonus": "100"},
                            {"min_paid": "2000", "bonus": "300"}],
            "bonus_expiry": {"kind": "rolling_days", "days": 180},
            "bonus_warn_days": 3,
            "cap": "5000",
            "spend": spend,
            "cash_out": cash_out
        }
    }))
}

fn top_up(id: &str, t: &str, paid: &str) -> loyalty::Event {
    event(id, t, EventKind::StoredValueLoaded { paid: dec(paid), payment_ref: Some(format!("pay-{id}")) })
}

fn card_order(id: &str, t: &str, order_id: &str, amount: &str, stored_value: &str) -> loyalty::Event {
    event(
        id,
        t,
        EventKind::OrderPlaced {
            order_id: order_id.into(),
            amount: dec(amount),
            channel: None,
            lines: vec![],
            stored_value: Some(dec(stored_value)),
            coupons: vec![],
            reservation_key: None,
        },
    )
}

#[test]
fn a_top_up_a_card_payment_a_return_and_the_liability() {
    let p = tea_house("proportional", "face_value");
    let mut lin = Account::new("lin");
    let e = apply(&mut lin, &p, &top_up("t1", "2025-03-01T02:00:00Z", "1000"));
    assert_eq!(
        e,
        vec![Effect::StoredValueLoaded {
            topup_id: "t1".into(),
            paid: dec("1000"),
            bonus: dec("100"),
            bonus_expires_at: Some(at("2025-08-28T16:00:00Z")),
            payment_ref: Some("pay-t1".into()),
            available: dec("1100"),
        }]
    );
    // Replaying the top-up adds nothing.
    let again = lin.apply(&p, &top_up("t1", "2025-03-01T02:00:00Z", "1000")).unwrap();
    assert!(again.duplicate);
    assert_eq!(lin.stored_value(&p, at("2025-03-01T02:00:00Z")).unwrap().available, dec("1100"));

    let e = apply(&mut lin, &p, &card_order("e1", "2025-03-02T04:00:00Z", "o1", "550", "550"));
    match &e[..] {
        [Effect::StoredValueSpent { amount, principal, bonus, draws, .. }, Effect::PointsEarned { points, .. }] => {
            assert_eq!((*amount, *principal, *bonus), (dec("550"), dec("500"), dec("50")));
            assert_eq!(
                draws.iter().map(|d| (d.fund, d.amount)).collect::<Vec<_>>(),
                [(Fund::Principal, dec("500")), (Fund::Bonus, dec("50"))]
            );
            // 550 less the 50 of bonus that paid it.
            assert_eq!(points.get(), 500);
        }
        other => panic!("{other:?}"),
    }
    let b = lin.stored_value(&p, at("2025-03-02T04:00:00Z")).unwrap();
    // IFRS 15: 550 consumed at 1000/1100 is 500 of revenue; 500 of the 1000 paid is still owed.
    assert_eq!((b.principal, b.bonus, b.available, b.liability), (dec("500"), dec("50"), dec("550"), dec("500")));

    let e = apply(&mut lin, &p, &refund("r1", "2025-03-03T04:00:00Z", "o1", "220"));
    assert!(e.contains(&Effect::StoredValueRefilled {
        order_id: "o1".into(),
        principal: dec("200"),
        bonus: dec("20"),
        forfeited: dec("0"),
    }));
    let b = lin.stored_value(&p, at("2025-03-03T04:00:00Z")).unwrap();
    assert_eq!((b.principal, b.bonus), (dec("700"), dec("70")));

    let e = apply(&mut lin, &p, &top_up("t2", "2025-03-04T02:00:00Z", "999"));
    assert!(
        matches!(&e[0], Effect::StoredValueLoaded { bonus, available, .. } if *bonus == dec("30") && *available == dec("1799"))
    );
}

#[test]
fn cashing_out_in_both_modes_never_pays_the_bonus() {
    // After 550 paid proportionally (500 P + 50 B left): at face value 1000 - 550 = 450 is
    // paid and 50 P retained; proportionally 1000 - 550 x 1000/1100 = 500. The 50 B is
    // forfeited either way.
    for (mode, paid_back, retained) in [("face_value", "450", "50"), ("proportional", "500", "0")] {
        let p = tea_house("proportional", mode);
        let mut lin = Account::new("lin");
        apply(&mut lin, &p, &top_up("t1", "2025-03-01T02:00:00Z", "1000"));
        apply(&mut lin, &p, &card_order("e1", "2025-03-02T04:00:00Z", "o1", "550", "550"));
        let e = apply(&mut lin, &p, &event("c1", "2025-03-05T04:00:00Z", EventKind::StoredValueCashedOut));
        let expected_mode = if mode == "face_value" { CashOutMode::FaceValue } else { CashOutMode::Proportional };
        assert_eq!(
            e,
            vec![Effect::StoredValueRefundDue {
                amount: dec(paid_back),
                mode: expected_mode,
                principal_retained: dec(retained),
                bonus_forfeited: dec("50"),
            }],
            "{mode}"
        );
        assert_eq!(lin.stored_value(&p, at("2025-03-05T04:00:00Z")).unwrap().available, dec("0"));
        // Goods bought before the cash-out come back: 220 refills 200 P + 20 B, and cashing out
        // again pays only what the first did not: in all, 1000 less the 330 still consumed
        // at face (450 + 220 = 670), or less 330 x 1000/1100 = 300 at the discount
        // (500 + 200 = 700). Never more than the 1000 paid in.
        apply(&mut lin, &p, &refund("r1", "2025-03-05T05:00:00Z", "o1", "220"));
        let e = apply(&mut lin, &p, &event("c2", "2025-03-05T06:00:00Z", EventKind::StoredValueCashedOut));
        let second = if mode == "face_value" { "220" } else { "200" };
        assert!(
            matches!(&e[0], Effect::StoredValueRefundDue { amount, .. } if *amount == dec(second)),
            "{mode}: {e:?}"
        );
        // Nothing left to cash out: a typed error, the account unchanged.
        let before = lin.to_json();
        let err = lin.apply(&p, &event("c3", "2025-03-06T04:00:00Z", EventKind::StoredValueCashedOut)).unwrap_err();
        assert_eq!((err.kind(), err.field()), ("invalid_field", "type".to_string()));
        assert_eq!(lin.to_json(), before);
    }
}

#[test]
fn principal_first_and_the_blended_liability() {
    // Principal-first leaves 450 P + 100 B after 550, yet the liability is still 500.
    let p = tea_house("principal_first", "proportional");
    let mut lin = Account::new("lin");
    apply(&mut lin, &p, &top_up("t1", "2025-03-01T02:00:00Z", "1000"));
    apply(&mut lin, &p, &card_order("e1", "2025-03-02T04:00:00Z", "o1", "550", "550"));
    let b = lin.stored_value(&p, at("2025-03-02T04:00:00Z")).unwrap();
    assert_eq!((b.principal, b.bonus, b.liability), (dec("450"), dec("100"), dec("500")));
}

#[test]
fn no_negative_balance_no_cap_breach_and_refused_events_change_nothing() {
    let p = tea_house("proportional", "face_value");
    let mut lin = Account::new("lin");
    apply(&mut lin, &p, &top_up("t1", "2025-03-01T02:00:00Z", "100"));
    // 100 of stored value: two payments of 150 and of 60 then 60: the second 60 is refused.
    let before = lin.to_json();
    let err = lin.apply(&p, &card_order("e1", "2025-03-02T04:00:00Z", "o1", "150", "150")).unwrap_err();
    assert!(
        matches!(err, AccountError::InsufficientFunds { needed, available } if needed == dec("150") && available == dec("100"))
    );
    assert_eq!((err.kind(), err.field(), err.value()), ("insufficient_funds", "stored_value".into(), "150".into()));
    assert_eq!(lin.to_json(), before);
    apply(&mut lin, &p, &card_order("e2", "2025-03-02T05:00:00Z", "o2", "60", "60"));
    let err = lin.apply(&p, &card_order("e3", "2025-03-02T05:00:01Z", "o3", "60", "60")).unwrap_err();
    assert_eq!(err.kind(), "insufficient_funds");
    // More stored value than the order, or none: the field and the value.
    let err = lin.apply(&p, &card_order("e4", "2025-03-02T06:00:00Z", "o4", "10", "20")).unwrap_err();
    assert_eq!((err.field(), err.value()), ("stored_value".to_string(), "20".to_string()));
    // A named card holds at most 5,000 of principal: 40 + 4,900 is refused, 4,960 is not.
    let err = lin.apply(&p, &top_up("t2", "2025-03-03T02:00:00Z", "4961")).unwrap_err();
    assert!(
        matches!(err, AccountError::CapExceeded { would_hold, cap, .. } if would_hold == dec("5001") && cap == dec("5000"))
    );
    assert_eq!((err.kind(), err.field(), err.value()), ("cap_exceeded", "paid".into(), "4961".into()));
    apply(&mut lin, &p, &top_up("t3", "2025-03-03T02:00:00Z", "4960"));
    // A program without stored value refuses its events by name.
    let plain = program(serde_json::json!({}));
    let err = Account::new("x").apply(&plain, &top_up("t", "2025-03-01T02:00:00Z", "10")).unwrap_err();
    assert_eq!(
        (err.kind(), err.field(), err.value()),
        ("invalid_field", "type".into(), "\"stored_value_loaded\"".into())
    );
    let err = Account::new("x").apply(&plain, &card_order("e", "2025-03-01T02:00:00Z", "o", "10", "10")).unwrap_err();
    assert_eq!((err.field(), err.value()), ("stored_value".to_string(), "10".to_string()));
}

#[test]
fn points_on_lines_use_the_paid_base_and_accounts_with_stored_value_do_not_merge() {
    let p = tea_house("proportional", "face_value");
    let mut lin = Account::new("lin");
    apply(&mut lin, &p, &top_up("t1", "2025-03-01T02:00:00Z", "1000"));
    let line = loyalty::OrderLine { sku: "oolong".into(), category: None, amount: dec("550"), discount: dec("0") };
    let with_line = EventKind::OrderPlaced {
        order_id: "o1".into(),
        amount: dec("550"),
        channel: None,
        lines: vec![line],
        stored_value: Some(dec("550")),
        coupons: vec![],
        reservation_key: None,
    };
    // The line is scaled like the order: 550 x 500/550 = 500 paid, 500 points.
    let e = apply(&mut lin, &p, &event("e1", "2025-03-02T04:00:00Z", with_line));
    assert!(matches!(&e[1], Effect::PointsEarned { points, .. } if points.get() == 500), "{e:?}");
    let mut kai = Account::new("kai");
    apply(&mut kai, &p, &order("k1", "2025-03-02T04:00:00Z", "k-o1", "10"));
    let err = kai.merge(&p, &lin, "m1", at("2025-03-03T00:00:00Z")).unwrap_err();
    assert_eq!((err.kind(), err.field()), ("invalid_field", "other".to_string()));
}

#[test]
fn a_bonus_whose_warning_is_due_at_once_is_announced_with_the_top_up() {
    // 3 warning days for a bonus that lasts 2: the warning is due before the top-up.
    let p = program(serde_json::json!({
        "currency": "CNY", "time_zone": "Asia/Shanghai",
        "stored_value": {"bonus_tiers": [{"min_paid": "100", "bonus": "5"}],
                         "bonus_expiry": {"kind": "rolling_days", "days": 2}, "bonus_warn_days": 3}
    }));
    let mut lin = Account::new("lin");
    let e = apply(&mut lin, &p, &top_up("t1", "2025-03-01T02:00:00Z", "100"));
    assert_eq!(
        e[1],
        Effect::StoredValueBonusExpiring {
            topup_id: "t1".into(),
            amount: dec("5"),
            expires_at: at("2025-03-03T16:00:00Z")
        }
    );
    assert_eq!(e.len(), 2);
    assert!(lin.advance_to(&p, at("2025-03-03T15:00:00Z")).unwrap().is_empty());
}

#[test]
fn bonus_expires_at_local_midnight_with_a_warning_and_a_late_return_forfeits_it() {
    let p = tea_house("proportional", "face_value");
    let mut lin = Account::new("lin");
    apply(&mut lin, &p, &top_up("t1", "2025-03-01T02:00:00Z", "1000"));
    apply(&mut lin, &p, &card_order("e1", "2025-03-02T04:00:00Z", "o1", "550", "550"));
    // Usable through 2025-08-28 local: the warning 3 days before, on 2025-08-25 00:00 +08:00.
    let e = lin.advance_to(&p, at("2025-08-24T16:00:00Z")).unwrap();
    assert_eq!(
        e,
        vec![Effect::StoredValueBonusExpiring {
            topup_id: "t1".into(),
            amount: dec("50"),
            expires_at: at("2025-08-28T16:00:00Z")
        }]
    );
    assert_eq!(lin.stored_value(&p, at("2025-08-28T15:59:59Z")).unwrap().bonus, dec("50"));
    assert_eq!(lin.stored_value(&p, at("2025-08-28T16:00:00Z")).unwrap().bonus, dec("0"));
    let e = lin.advance_to(&p, at("2025-08-29T00:00:00Z")).unwrap();
    assert_eq!(
        e,
        vec![Effect::StoredValueBonusExpired {
            topup_id: "t1".into(),
            amount: dec("50"),
            at: at("2025-08-28T16:00:00Z")
        }]
    );
    // The goods come back after the bonus expired: principal returns, the bonus is forfeited.
    let e = apply(&mut lin, &p, &refund("r1", "2025-09-01T04:00:00Z", "o1", "220"));
    assert!(e.contains(&Effect::StoredValueRefilled {
        order_id: "o1".into(),
        principal: dec("200"),
        bonus: dec("0"),
        forfeited: dec("20"),
    }));
    let b = lin.stored_value(&p, at("2025-09-01T04:00:00Z")).unwrap();
    assert_eq!((b.principal, b.bonus), (dec("700"), dec("0")));
}
