//! Shared helpers: a base program patched per story, and short event constructors.

use chrono::{DateTime, Utc};
use loyalty::{Account, Effect, Event, EventKind, Points, Program};
use rust_decimal::Decimal;

/// A plain program: UTC, 1 point per currency unit, no pending, never expires,
/// 100 points = 1.00. `patch` overrides top-level keys.
pub fn program(patch: serde_json::Value) -> Program {
    let mut base = serde_json::json!({
        "name": "Story", "version": 1, "currency": "USD", "time_zone": "UTC",
        "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
        "redemption": {"point_value": "0.01"}
    });
    if let (Some(base), Some(patch)) = (base.as_object_mut(), patch.as_object()) {
        for (k, v) in patch {
            base.insert(k.clone(), v.clone());
        }
    }
    Program::from_json(&base.to_string()).unwrap()
}

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

pub fn pts(n: i64) -> Points {
    Points::new(n)
}

pub fn order(id: &str, t: &str, order_id: &str, amount: &str) -> Event {
    Event::new(
        id,
        at(t),
        EventKind::OrderPlaced {
            order_id: order_id.into(),
            amount: dec(amount),
            channel: None,
            lines: vec![],
            stored_value: None,
            coupons: vec![],
            reservation_key: None,
        },
    )
}

pub fn refund(id: &str, t: &str, order_id: &str, amount: &str) -> Event {
    Event::new(id, at(t), EventKind::OrderRefunded { order_id: order_id.into(), amount: dec(amount), returned: None })
}

pub fn redeem(id: &str, t: &str, reward: &str, points: i64) -> Event {
    Event::new(id, at(t), EventKind::RewardRedeemed { reward_id: reward.into(), points })
}

pub fn cancel(id: &str, t: &str, redemption_id: &str) -> Event {
    Event::new(id, at(t), EventKind::RedemptionCancelled { redemption_id: redemption_id.into() })
}

pub fn event(id: &str, t: &str, kind: EventKind) -> Event {
    Event::new(id, at(t), kind)
}

/// (available, pending, debt) as of `t`.
pub fn balance(account: &Account, program: &Program, t: &str) -> (i64, i64, i64) {
    let b = account.balances(program, at(t)).unwrap();
    (b.available.get(), b.pending.get(), b.debt.get())
}

/// Applies and returns the effects.
pub fn apply(account: &mut Account, program: &Program, e: &Event) -> Vec<Effect> {
    account.apply(program, e).unwrap().effects
}

/// The points of a `PointsEarned` effect, or panics.
pub fn earned(effect: &Effect) -> i64 {
    match effect {
        Effect::PointsEarned { points, .. } => points.get(),
        other => panic!("expected points_earned, got {other:?}"),
    }
}

/// The tier effects among `effects` (upgraded, retained, downgraded, will downgrade), in order.
pub fn tier_changes(effects: Vec<Effect>) -> Vec<Effect> {
    effects
        .into_iter()
        .filter(|e| {
            matches!(
                e,
                Effect::TierUpgraded { .. }
                    | Effect::TierRetained { .. }
                    | Effect::TierDowngraded { .. }
                    | Effect::TierWillDowngrade { .. }
            )
        })
        .collect()
}
