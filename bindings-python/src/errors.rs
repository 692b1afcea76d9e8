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

/// Each core error as its Python class, with the core's own kind, field and value: the
/// bindings render the core's error surface, they do not restate it.
macro_rules! raise {
    ($class:ident, $e:expr) => {{
        let e = $e;
        $class::new_err((e.to_string(), e.kind().to_string(), e.field(), e.value()))
    }};
}

pub(crate) fn program(e: loyalty::ProgramError) -> PyErr {
    raise!(ProgramError, e)
}

pub(crate) fn account(e: loyalty::AccountError) -> PyErr {
    raise!(EventError, e)
}

pub(crate) fn snapshot(e: loyalty::SnapshotError) -> PyErr {
    raise!(SnapshotError, e)
}

pub(crate) fn analytics(e: loyalty::analytics::AnalyticsError) -> PyErr {
    raise!(AnalyticsError, e)
}

/// A simulation's error: an account's refusal as `EventError` (its kind, field and value,
/// the message naming the program, member and row), the rest as `AnalyticsError`.
pub(crate) fn simulation(e: loyalty::simulation::SimulationError) -> PyErr {
    match e {
        loyalty::simulation::SimulationError::Member { .. } => raise!(EventError, e),
        _ => raise!(AnalyticsError, e),
    }
}

pub(crate) fn clv(e: loyalty::analytics::clv::ClvError) -> PyErr {
    raise!(ClvError, e)
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
