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
        E::InvalidField { field, value, .. } => ("invalid_field", camel(field), value.clone()),
        E::OutOfOrder { occurred_at, .. } => ("out_of_order", "occurredAt".into(), occurred_at.to_rfc3339()),
        E::UnknownOrder { order_id } => ("unknown_order", "orderId".into(), order_id.clone()),
        E::DuplicateOrder { order_id } => ("duplicate_order", "orderId".into(), order_id.clone()),
        E::RefundExceedsOrder { amount, .. } => ("refund_exceeds_order", "amount".into(), amount.to_string()),
        E::UnknownRedemption { redemption_id } => ("unknown_redemption", "redemptionId".into(), redemption_id.clone()),
        E::AlreadyCancelled { redemption_id } => ("already_cancelled", "redemptionId".into(), redemption_id.clone()),
        E::UnknownReward { reward_id } => ("unknown_reward", "rewardId".into(), reward_id.clone()),
        E::NoSuchBonus { bonus } => ("no_such_bonus", "type".into(), bonus.clone()),
        E::LimitReached { bonus, limit } => ("limit_reached", bonus.clone(), limit.clone()),
        E::DebtOutstanding { debt } => ("debt_outstanding", "points".into(), debt.to_string()),
        E::InsufficientPoints { requested, .. } => ("insufficient_points", "points".into(), requested.to_string()),
        E::TooMany { what, limit } => ("too_many", (*what).to_string(), limit.to_string()),
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
        E::Corrupt { field, reason } => (field.to_string(), reason.clone()),
        E::TooLarge { bytes, .. } => ("snapshot".to_string(), bytes.to_string()),
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
        E::Invalid { field, reason } => ("analytics_invalid", camel(field), reason.clone()),
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

/// A panic caught at the boundary, as a `LoyaltyError` of kind `internal`: a bug in the
/// engine, never the caller's input; JavaScript sees an `InternalError`, not a bare `Error`.
pub(crate) fn internal(payload: Box<dyn std::any::Any + Send>) -> Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string());
    error("internal", "", &what, format!("internal error (a bug in loyalty, please report it): {what}"))
}

/// Runs `f`, turning a panic into [`internal`].
pub(crate) fn guard<T>(f: impl FnOnce() -> napi::Result<T>) -> napi::Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|p| Err(internal(p)))
}

/// A JavaScript number that must be a whole number of points (napi would truncate 1.5 to
/// 1 and NaN to 0 on the way to an `i64`).
pub(crate) fn whole(field: &str, v: f64) -> napi::Result<i64> {
    if v.is_finite() && v.fract() == 0.0 && v.abs() <= 9_007_199_254_740_991.0 {
        Ok(v as i64)
    } else {
        Err(input(field, &v.to_string(), "must be a whole number (a safe integer)"))
    }
}
