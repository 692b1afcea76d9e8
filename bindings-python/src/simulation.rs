//! What-if simulation: the order columns and programs in, the core's runs out as JSON (a few
//! rows per program and month; `loyalty.simulation` lays them out as frames).

use crate::engine::Program;
use crate::errors;
use pyo3::prelude::*;

/// Replays orders (little-endian 8-byte columns, as the analytics take them) under each
/// program, members redeeming as `redeem` says (`none`, `cheapest` or a reward id) with
/// `probability`, on `threads` threads; returns the runs as JSON.
#[pyfunction]
#[pyo3(signature = (member_id, ordered_at, amount_minor, programs, as_of, redeem, probability, seed, threads))]
#[allow(clippy::too_many_arguments)]
pub fn simulate(
    py: Python<'_>,
    member_id: &[u8],
    ordered_at: &[u8],
    amount_minor: &[u8],
    programs: Vec<PyRef<'_, Program>>,
    as_of: &str,
    redeem: &str,
    probability: f64,
    seed: u64,
    threads: usize,
) -> PyResult<String> {
    let m = loyalty::interop::le_u64("member_id", member_id).map_err(errors::analytics)?;
    let t = loyalty::interop::le_i64("ordered_at", ordered_at).map_err(errors::analytics)?;
    let a = loyalty::interop::le_i64("amount_minor", amount_minor).map_err(errors::analytics)?;
    let behaviour = loyalty::simulation::Behaviour::named(redeem, probability);
    let settings = loyalty::simulation::Settings { as_of: errors::instant("as_of", as_of)?, behaviour, seed };
    let programs: Vec<loyalty::Program> = programs.iter().map(|p| p.inner.clone()).collect();
    let runs = py
        .detach(|| {
            let refs: Vec<&loyalty::Program> = programs.iter().collect();
            let orders = loyalty::analytics::Orders { member_id: &m, ordered_at: &t, amount_minor: &a };
            loyalty::analytics::with_threads(threads, || loyalty::simulation::simulate(&refs, &orders, &settings))
        })
        .map_err(errors::simulation)?;
    serde_json::to_string(&runs).map_err(|e| errors::input("runs", "", &e.to_string()))
}

/// The minor-unit digits of an ISO 4217 currency code (`None` for an unknown code).
#[pyfunction]
pub fn minor_units(currency: &str) -> Option<u32> {
    loyalty::minor_units(currency)
}
