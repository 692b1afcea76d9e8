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
    use loyalty::SnapshotError as E;
    let (field, value) = match &e {
        E::Parse { path, .. } => (path.clone(), String::new()),
        E::Format { found, .. } => ("format".to_string(), found.to_string()),
        E::Corrupt { field, .. } => (field.to_string(), String::new()),
        _ => (String::new(), String::new()),
    };
    error("snapshot_invalid", &field, &value, e.to_string())
}

pub(crate) fn analytics(e: loyalty::analytics::AnalyticsError) -> Error {
    use loyalty::analytics::AnalyticsError as E;
    let (kind, field, value) = match &e {
        E::LengthMismatch { column, len, .. } => ("length_mismatch", camel(column), len.to_string()),
        E::NegativeAmount { row, value } => ("negative_amount", format!("amountMinor[{row}]"), value.to_string()),
        E::NegativeValue { column, row, value } => {
            ("negative_amount", format!("{}[{row}]", camel(column)), value.to_string())
        }
        E::TimeOutOfRange { row, value } => ("time_out_of_range", format!("orderedAt[{row}]"), value.to_string()),
        E::TooManyMembers { limit } => ("too_many_members", "memberId".into(), limit.to_string()),
        E::AsOfBeforeOrders { as_of, .. } => ("as_of_before_orders", "asOf".into(), as_of.to_rfc3339()),
        E::PeriodAfterAsOf { period_start, .. } => {
            ("period_after_as_of", "periodStart".into(), period_start.to_rfc3339())
        }
        E::Invalid { field, .. } => ("analytics_invalid", camel(field), String::new()),
        _ => ("analytics_invalid", String::new(), String::new()),
    };
    error(kind, &field, &value, e.to_string())
}

/// A core field name as JavaScript spells it (`amount_minor` -> `amountMinor`).
fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

pub(crate) fn input(field: &str, value: &str, reason: &str) -> Error {
    error("invalid_input", field, value, format!("{field}: {value:?} {reason}"))
}
