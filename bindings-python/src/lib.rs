//! The native half of the `loyalty` Python package: wrappers that convert and map errors.
//! Values cross as JSON text, ISO-8601 instants and integer buffers; the pure-Python half
//! (`python/loyalty/`) turns them into `Decimal`, `datetime` and DataFrames.

mod alloc;
mod analytics;
mod arrow;
mod clv;
mod engine;
mod errors;
mod simulation;

use pyo3::prelude::*;

/// Large blocks are mapped and unmapped (see [`alloc`]), so repeated calls do not grow the
/// process.
#[global_allocator]
static ALLOCATOR: alloc::Mapped = alloc::Mapped;

/// The `loyalty._native` module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<engine::Program>()?;
    m.add_class::<engine::Account>()?;
    m.add_function(wrap_pyfunction!(engine::transfer, m)?)?;
    m.add_function(wrap_pyfunction!(engine::statement_page, m)?)?;
    m.add_function(wrap_pyfunction!(analytics::analyze, m)?)?;
    m.add_function(wrap_pyfunction!(simulation::simulate, m)?)?;
    m.add_function(wrap_pyfunction!(simulation::minor_units, m)?)?;
    m.add_class::<analytics::Summarizer>()?;
    m.add_class::<analytics::PreferenceBuilder>()?;
    m.add_class::<analytics::CohortBuilder>()?;
    m.add_class::<analytics::MetricsBuilder>()?;
    m.add_function(wrap_pyfunction!(clv::clv_summary_columns, m)?)?;
    m.add_function(wrap_pyfunction!(clv::clv_summary_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(clv::bgnbd_fit, m)?)?;
    m.add_function(wrap_pyfunction!(clv::bgnbd_fit_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(clv::bgnbd_purchase_probabilities, m)?)?;
    m.add_function(wrap_pyfunction!(clv::bgnbd_predict, m)?)?;
    m.add_function(wrap_pyfunction!(clv::bgnbd_predict_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(clv::bgnbd_population, m)?)?;
    m.add_function(wrap_pyfunction!(clv::gamma_gamma_fit, m)?)?;
    m.add_function(wrap_pyfunction!(clv::gamma_gamma_expected, m)?)?;
    m.add_function(wrap_pyfunction!(clv::lifetime_values_columns, m)?)?;
    Ok(())
}
