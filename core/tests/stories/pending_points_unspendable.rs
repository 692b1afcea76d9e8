//! Lea tries to spend points from an order still inside its 7-day return window.
//!
//! - 2024-10-01 15:00Z order 1,000.00 with 7 pending days: usable from 2024-10-08 00:00.
//! - 2024-10-07 23:59Z redeeming 500 is refused: 0 available.
//! - 2024-10-08 00:00Z the same redemption succeeds.
use super::common::*;
use loyalty::{Account, AccountError};

#[test]
fn pending_points_cannot_be_spent() {
    let p = program(serde_json::json!({"pending_days": 7}));
    let mut lea = Account::new("lea");
    apply(&mut lea, &p, &order("e1", "2024-10-01T15:00:00Z", "o1", "1000.00"));
    let err = lea.apply(&p, &redeem("r1", "2024-10-07T23:59:00Z", "lamp", 500)).unwrap_err();
    assert_eq!(err, AccountError::InsufficientPoints { requested: pts(500), available: pts(0) });
    assert_eq!(lea.revision(), 1, "the refused redemption did not advance the account");
    apply(&mut lea, &p, &redeem("r2", "2024-10-08T00:00:00Z", "lamp", 500));
    assert_eq!(balance(&lea, &p, "2024-10-08T00:00:00Z"), (500, 0, 0));
}
