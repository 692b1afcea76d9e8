//! Every core error becomes a JSON message `{message, kind, field, value}` that `loyalty.js`
//! raises as a `LoyaltyError` subclass with a stable `code`; the one place errors are mapped.

use napi::{Error, Status};

fn error(kind: &str, field: &str, value: &str, message: String) -> Error {
    raise("", kind, field, value, message)
}

/// The JSON body `loyalty.js` turns into an error: its class (`program`, `event`,
/// `snapshot`, `analytics`; empty to choose by kind), the core's kind as its `code`, the field
/// as JavaScript spells it, the value and the message.
fn raise(class: &str, kind: &str, field: &str, value: &str, message: String) -> Error {
    let body = serde_json::json!({"message": message, "class": class, "kind": kind, "field": field, "value": value});
    Error::new(Status::GenericFailure, body.to_string())
}

/// Each core error with the core's own kind, field and value: the bindings render the
/// core's error surface, they do not restate it. Fields that name arguments and event
/// fields are camelCased as JavaScript spells them; program paths, snapshot paths and bonus
/// names are data and stay as they are.
macro_rules! render {
    ($class:literal, $e:expr, $camel:expr) => {{
        let e = $e;
        let field = if $camel { camel(&e.field()) } else { e.field() };
        raise($class, e.kind(), &field, &e.value(), e.to_string())
    }};
}

pub(crate) fn program(e: loyalty::ProgramError) -> Error {
    render!("program", e, false)
}

pub(crate) fn account(e: loyalty::AccountError) -> Error {
    let names_data = matches!(e, loyalty::AccountError::LimitReached { .. });
    render!("event", e, !names_data)
}

pub(crate) fn snapshot(e: loyalty::SnapshotError) -> Error {
    render!("snapshot", e, false)
}

pub(crate) fn analytics(e: loyalty::analytics::AnalyticsError) -> Error {
    render!("analytics", e, true)
}

/// A simulation's error: an account's refusal as an event error (the message naming the
/// program, member and row), the rest as analytics errors; the core's kind, field and value.
pub(crate) fn simulation(e: loyalty::simulation::SimulationError) -> Error {
    match e {
        loyalty::simulation::SimulationError::Member { .. } => render!("event", e, true),
        _ => render!("analytics", e, true),
    }
}

pub(crate) fn clv(e: loyalty::analytics::clv::ClvError) -> Error {
    render!("clv", e, true)
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
