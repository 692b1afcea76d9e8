//! Every core error becomes a JSON message `{message, kind, field, value}` that `loyalty.js`
//! raises as a `LoyaltyError` subclass with a stable `code`; the one place errors are mapped.

use napi::{Error, Status};

fn error(kind: &str, field: &str, value: &str, message: String) -> Error {
    let body = serde_json::json!({"message": message, "kind": kind, "field": field, "value": value});
    Error::new(Status::GenericFailure, body.to_string())
}

pub(crate) fn program(e: loyalty::ProgramError) -> Error {
    use loyalty::ProgramError as E;
    let (field, value) = match &e {
        E::Parse { path, .. } => (path.clone(), String::new()),
        E::Invalid { path, value, .. } => (path.clone(), value.clone()),
        _ => (String::new(), String::new()),
    };
    error("program_invalid", &field, &value, e.to_string())
}

pub(crate) fn account(e: loyalty::AccountError) -> Error {
    use loyalty::AccountError as E;
    let (kind, field, value) = match &e {
        E::IdConflict { event_id } => ("id_conflict", "id".to_string(), event_id.clone()),
        E::InvalidField { field, value, .. } => ("invalid_field", field.clone(), value.clone()),
        E::OutOfOrder { occurred_at, .. } => ("out_of_order", "occurredAt".into(), occurred_at.to_rfc3339()),
        E::UnknownOrder { order_id } => ("unknown_order", "orderId".into(), order_id.clone()),
        E::DuplicateOrder { order_id } => ("duplicate_order", "orderId".into(), order_id.clone()),
        E::RefundExceedsOrder { amount, .. } => ("refund_exceeds_order", "amount".into(), amount.to_string()),
        E::UnknownRedemption { redemption_id } => ("unknown_redemption", "redemptionId".into(), redemption_id.clone()),
        E::AlreadyCancelled { redemption_id } => ("already_cancelled", "redemptionId".into(), redemption_id.clone()),
        E::UnknownReward { reward_id } => ("unknown_reward", "rewardId".into(), reward_id.clone()),
        E::NoSuchBonus { bonus } => ("no_such_bonus", "type".into(), bonus.clone()),
        E::LimitReached { bonus, .. } => ("limit_reached", bonus.clone(), String::new()),
        E::DebtOutstanding { debt } => ("debt_outstanding", "points".into(), debt.to_string()),
        E::InsufficientPoints { requested, .. } => ("insufficient_points", "points".into(), requested.to_string()),
        E::TooMany { what, .. } => ("too_many", (*what).to_string(), String::new()),
        E::AsOfBeforeClock { as_of, .. } => ("as_of_before_clock", "asOf".into(), as_of.to_rfc3339()),
        _ => ("account", String::new(), String::new()),
    };
    error(kind, &field, &value, e.to_string())
}

pub(crate) fn snapshot(e: loyalty::SnapshotError) -> Error {
    error("snapshot_invalid", "", "", e.to_string())
}

pub(crate) fn analytics(e: loyalty::analytics::AnalyticsError) -> Error {
    error("analytics_invalid", "", "", e.to_string())
}

pub(crate) fn input(field: &str, value: &str, reason: &str) -> Error {
    error("invalid_input", field, value, format!("{field}: {value:?} {reason}"))
}
