//! Gus is in debt when he buys with a 7-day return window: the debt is repaid when the new
//! points become usable, not before.
//!
//! - 2024-07-01 order 50.00 (pending 7 days: usable 2024-07-08 00:00 UTC).
//! - 2024-07-08 the 50 activate; he redeems 50; 2024-07-09 the order is refunded in full:
//!   50 due, nothing to take: debt 50.
//! - 2024-07-10 order 80.00: 80 pending until 2024-07-17 00:00. Debt stays 50 meanwhile.
//! - 2024-07-17 activation: 50 repay the debt, 30 usable.
use super::common::*;
use loyalty::{Account, Draw, Effect, LotId};

#[test]
fn pending_points_repay_debt_when_they_activate() {
    let p = program(serde_json::json!({"pending_days": 7}));
    let mut gus = Account::new("gus");
    apply(&mut gus, &p, &order("e1", "2024-07-01T10:00:00Z", "o1", "50.00"));
    apply(&mut gus, &p, &redeem("e2", "2024-07-08T10:00:00Z", "cap", 50));
    apply(&mut gus, &p, &refund("e3", "2024-07-09T10:00:00Z", "o1", "50.00"));
    apply(&mut gus, &p, &order("e4", "2024-07-10T10:00:00Z", "o2", "80.00"));
    assert_eq!(balance(&gus, &p, "2024-07-16T23:59:59Z"), (0, 80, 50));
    let effects = gus.advance_to(&p, at("2024-07-20T00:00:00Z")).unwrap();
    assert_eq!(
        effects,
        vec![
            Effect::PendingActivated { lot: LotId(1), points: pts(80), expires_at: None },
            Effect::DebtRepaid { points: pts(50), debt: pts(0), draws: vec![Draw { lot: LotId(1), points: pts(50) }] },
        ]
    );
    assert_eq!(balance(&gus, &p, "2024-07-20T00:00:00Z"), (30, 0, 0));
}
