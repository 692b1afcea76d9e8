//! Every core error kind becomes one Python exception class, rooted at `LoyaltyError`; the
//! one place errors are mapped.

use pyo3::exceptions::PyException;
use pyo3::prelude::*;

pyo3::create_exception!(_native, LoyaltyError, PyException, "Base of every loyalty error.");
pyo3::create_exception!(_native, ProgramError, LoyaltyError, "A program configuration was refused.");
pyo3::create_exception!(_native, EventError, LoyaltyError, "An account refused an event or a query.");
pyo3::create_exception!(_native, SnapshotError, LoyaltyError, "An account snapshot could not be read.");
pyo3::create_exception!(_native, AnalyticsError, LoyaltyError, "Analytics input was refused.");
pyo3::create_exception!(_native, ClvError, LoyaltyError, "A CLV model could not be fitted or applied.");
pyo3::create_exception!(_native, InputError, LoyaltyError, "An argument was refused before reaching the core.");

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("LoyaltyError", py.get_type::<LoyaltyError>())?;
    m.add("ProgramError", py.get_type::<ProgramError>())?;
    m.add("EventError", py.get_type::<EventError>())?;
    m.add("SnapshotError", py.get_type::<SnapshotError>())?;
    m.add("AnalyticsError", py.get_type::<AnalyticsError>())?;
    m.add("ClvError", py.get_type::<ClvError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    Ok(())
}

/// The error's kind (a stable snake_case name), field and value, for the Python side to
/// raise as a specific class.
fn details(kind: &str, field: &str, value: &str) -> (String, String, String) {
    (kind.to_string(), field.to_string(), value.to_string())
}

pub(crate) fn program(e: loyalty::ProgramError) -> PyErr {
    use loyalty::ProgramError as E;
    let (kind, field, value) = match &e {
        E::Parse { path, .. } => details("parse", path, ""),
        E::Invalid { path, value, .. } => details("invalid", path, value),
        _ => details("program", "", ""),
    };
    ProgramError::new_err((e.to_string(), kind, field, value))
}

pub(crate) fn account(e: loyalty::AccountError) -> PyErr {
    use loyalty::AccountError as E;
    let (kind, field, value) = match &e {
        E::IdConflict { event_id } => details("id_conflict", "id", event_id),
        E::InvalidField { field, value, .. } => details("invalid_field", field, value),
        E::OutOfOrder { occurred_at, .. } => details("out_of_order", "occurred_at", &occurred_at.to_rfc3339()),
        E::UnknownOrder { order_id } => details("unknown_order", "order_id", order_id),
        E::DuplicateOrder { order_id } => details("duplicate_order", "order_id", order_id),
        E::RefundExceedsOrder { amount, .. } => details("refund_exceeds_order", "amount", &amount.to_string()),
        E::UnknownRedemption { redemption_id } => details("unknown_redemption", "redemption_id", redemption_id),
        E::AlreadyCancelled { redemption_id } => details("already_cancelled", "redemption_id", redemption_id),
        E::UnknownReward { reward_id } => details("unknown_reward", "reward_id", reward_id),
        E::NoSuchBonus { bonus } => details("no_such_bonus", "type", bonus),
        E::LimitReached { bonus, limit } => details("limit_reached", bonus, limit),
        E::DebtOutstanding { debt } => details("debt_outstanding", "points", &debt.to_string()),
        E::InsufficientPoints { requested, .. } => details("insufficient_points", "points", &requested.to_string()),
        E::TooMany { what, limit } => details("too_many", what, &limit.to_string()),
        E::AsOfBeforeClock { as_of, .. } => details("as_of_before_clock", "as_of", &as_of.to_rfc3339()),
        _ => details("account", "", ""),
    };
    EventError::new_err((e.to_string(), kind, field, value))
}

pub(crate) fn snapshot(e: loyalty::SnapshotError) -> PyErr {
    use loyalty::SnapshotError as E;
    let (kind, field, value) = match &e {
        E::Parse { path, .. } => details("parse", path, ""),
        E::Format { found, .. } => details("format", "format", &found.to_string()),
        E::Corrupt { field, reason } => details("corrupt", field, reason),
        E::TooLarge { bytes, .. } => details("too_large", "snapshot", &bytes.to_string()),
        _ => details("snapshot", "", ""),
    };
    SnapshotError::new_err((e.to_string(), kind, field, value))
}

pub(crate) fn analytics(e: loyalty::analytics::AnalyticsError) -> PyErr {
    use loyalty::analytics::AnalyticsError as E;
    let (kind, field, value) = match &e {
        E::LengthMismatch { column, len, .. } => details("length_mismatch", column, &len.to_string()),
        E::NegativeValue { column, row, value } => {
            details("negative_amount", &format!("{column}[{row}]"), &value.to_string())
        }
        E::NegativeAmount { row, value } => details("negative_amount", &format!("amount[{row}]"), &value.to_string()),
        E::TimeOutOfRange { row, value } => {
            details("time_out_of_range", &format!("ordered_at[{row}]"), &value.to_string())
        }
        E::TooManyMembers { limit } => details("too_many_members", "member_id", &limit.to_string()),
        E::AsOfBeforeOrders { as_of, .. } => details("as_of_before_orders", "as_of", &as_of.to_rfc3339()),
        E::PeriodAfterAsOf { period_start, .. } => {
            details("period_after_as_of", "period_start", &period_start.to_rfc3339())
        }
        E::Invalid { field, reason } => details("invalid", field, reason),
        _ => details("analytics", "", ""),
    };
    AnalyticsError::new_err((e.to_string(), kind, field, value))
}

pub(crate) fn clv(e: loyalty::analytics::clv::ClvError) -> PyErr {
    use loyalty::analytics::clv::ClvError as E;
    let (kind, field, value) = match &e {
        E::Empty { what } => details("empty", what, ""),
        E::Invalid { field, row, value, .. } => details("invalid", &format!("{field}[{row}]"), &value.to_string()),
        E::NotConverged { iterations, .. } => details("not_converged", "", &iterations.to_string()),
        E::NoInteriorMaximum { parameter, value } => details("no_interior_maximum", parameter, &value.to_string()),
        E::InvalidArgument { field, value, .. } => details("invalid", field, &value.to_string()),
        E::LengthMismatch { column, len, .. } => details("length_mismatch", column, &len.to_string()),
        _ => details("clv", "", ""),
    };
    ClvError::new_err((e.to_string(), kind, field, value))
}

/// A bad argument from the Python side (a malformed instant, decimal, option, or an event
/// dict that is not an event): `InputError` with the field and the whole value; the message
/// shows the value's first 120 characters.
pub(crate) fn input(field: &str, value: &str, reason: &str) -> PyErr {
    let shown: String = value.chars().take(120).collect();
    let more = if shown.len() < value.len() { "..." } else { "" };
    InputError::new_err((
        format!("{field}: {shown:?}{more} {reason}"),
        "input".to_string(),
        field.to_string(),
        value.to_string(),
    ))
}

/// An ISO-8601 instant argument (the Python side passes aware datetimes as such), or the
/// error naming the argument and the text.
pub(crate) fn instant(field: &str, text: &str) -> PyResult<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| input(field, text, "is not an ISO-8601 instant with an offset"))
}
