//! CLV models: columns of numbers in, parameters and predictions out.

use crate::errors;
use loyalty::analytics::clv::{
    churn_risk, churn_risks, clv_summary, lifetime_values, BgNbd, ClvSummary, Customer, CustomerColumns, GammaGamma,
    PeriodUnit,
};
use loyalty::analytics::Orders;
use loyalty::interop::{le_f64, le_i64, le_u64};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict};

fn customers(frequency: &[u8], recency: &[u8], t: &[u8]) -> PyResult<Vec<Customer>> {
    let f = le_u64("frequency", frequency).map_err(errors::analytics)?;
    let r = le_f64("recency", recency).map_err(errors::analytics)?;
    let t = le_f64("T", t).map_err(errors::analytics)?;
    for (column, len) in [("recency", r.len()), ("T", t.len())] {
        if len != f.len() {
            return Err(errors::input(
                column,
                &format!("{len} rows"),
                &format!("must have as many rows as frequency ({})", f.len()),
            ));
        }
    }
    checked_counts(&CustomerColumns { frequency: &f, recency: &r, t: &t })
}

/// A frequency column value as repeat purchases (a negative frequency arrives as a huge
/// unsigned value and is reported as such, with its row).
fn repeats(row: usize, f: u64) -> PyResult<u32> {
    u32::try_from(f).map_err(|_| {
        errors::input(
            &format!("frequency[{row}]"),
            &f.to_string(),
            "is not a count of repeat purchases (0 to 4294967295)",
        )
    })
}

fn f64_bytes<'py>(py: Python<'py>, v: impl Iterator<Item = f64>) -> Bound<'py, PyBytes> {
    let bytes: Vec<u8> = v.flat_map(f64::to_le_bytes).collect();
    PyBytes::new(py, &bytes)
}

/// The models' summary of an order log (columns as bytes).
#[pyfunction]
#[pyo3(signature = (member_id, ordered_at, amount_minor, calibration_end_day, holdout_end_day, unit))]
pub fn clv_summary_columns<'py>(
    py: Python<'py>,
    member_id: &[u8],
    ordered_at: &[u8],
    amount_minor: &[u8],
    calibration_end_day: i64,
    holdout_end_day: Option<i64>,
    unit: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let unit = period_unit(unit)?;
    let m = le_u64("member_id", member_id).map_err(errors::analytics)?;
    let t = le_i64("ordered_at", ordered_at).map_err(errors::analytics)?;
    let a = le_i64("amount_minor", amount_minor).map_err(errors::analytics)?;
    let rows = py
        .detach(|| {
            clv_summary(
                &Orders { member_id: &m, ordered_at: &t, amount_minor: &a },
                calibration_end_day,
                holdout_end_day,
                unit,
            )
        })
        .map_err(errors::analytics)?;
    summary_dict(py, &rows)
}

/// The CLV summary of the orders in an Arrow stream (any object with `__arrow_c_stream__`),
/// read in place when it is one batch; the same columns as `clv_summary_columns`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn clv_summary_arrow<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    member_id: &str,
    ordered_at: &str,
    amount: &str,
    minor: bool,
    scale: u32,
    calibration_end_day: i64,
    holdout_end_day: Option<i64>,
    unit: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let unit = period_unit(unit)?;
    let names = crate::arrow::OrderColumns { member_id, ordered_at, amount, minor, scale };
    let mut labels = crate::arrow::Labels::default();
    let mut rows = crate::arrow::whole_stream(py, source, &names, &mut labels, |orders| {
        clv_summary(orders, calibration_end_day, holdout_end_day, unit)
    })?
    .map_err(errors::analytics)?;
    if labels.is_empty() {
        return summary_dict(py, &rows);
    }
    // Text ids were coded as first seen: renumbered in code-point order, as Python numbers
    // them, with the labels by code under `labels`.
    let (names, ranks) = (labels.sorted_names(), labels.ranks());
    for r in &mut rows {
        r.member_id = usize::try_from(r.member_id).ok().and_then(|c| ranks.get(c)).copied().unwrap_or(r.member_id);
    }
    rows.sort_unstable_by_key(|r| r.member_id);
    let out = summary_dict(py, &rows)?;
    out.set_item("labels", names)?;
    Ok(out)
}

fn period_unit(unit: &str) -> PyResult<PeriodUnit> {
    match unit {
        "day" => Ok(PeriodUnit::Day),
        "week" => Ok(PeriodUnit::Week),
        other => Err(errors::input("unit", other, "must be day or week")),
    }
}

/// A CLV summary as a dict of little-endian columns.
fn summary_dict<'py>(py: Python<'py>, rows: &[ClvSummary]) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item(
        "member_id",
        PyBytes::new(py, &rows.iter().flat_map(|r| r.member_id.to_le_bytes()).collect::<Vec<u8>>()),
    )?;
    out.set_item(
        "frequency",
        PyBytes::new(py, &rows.iter().flat_map(|r| u64::from(r.customer.frequency).to_le_bytes()).collect::<Vec<u8>>()),
    )?;
    out.set_item("recency", f64_bytes(py, rows.iter().map(|r| r.customer.recency)))?;
    out.set_item("T", f64_bytes(py, rows.iter().map(|r| r.customer.t)))?;
    out.set_item("monetary_minor", f64_bytes(py, rows.iter().map(|r| r.monetary)))?;
    out.set_item(
        "holdout_frequency",
        PyBytes::new(py, &rows.iter().flat_map(|r| u64::from(r.holdout_frequency).to_le_bytes()).collect::<Vec<u8>>()),
    )?;
    Ok(out)
}

/// [`bgnbd_fit`] on the customers of an Arrow stream (`names`: its frequency, recency and T
/// columns), read in place when it is one batch.
#[pyfunction]
pub fn bgnbd_fit_arrow(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    names: (String, String, String),
) -> PyResult<(f64, f64, f64, f64, f64, usize)> {
    crate::arrow::customer_stream(source, [&names.0, &names.1, &names.2], |columns| {
        fit_bgnbd(py, &checked_counts(columns)?)
    })
}

/// Columns as customers, each frequency a count of repeat purchases (0 to `u32::MAX`).
fn checked_counts(columns: &CustomerColumns<'_>) -> PyResult<Vec<Customer>> {
    columns
        .frequency
        .iter()
        .zip(columns.recency)
        .zip(columns.t)
        .enumerate()
        .map(|(row, ((f, r), t))| Ok(Customer { frequency: repeats(row, *f)?, recency: *r, t: *t }))
        .collect()
}

fn fit_bgnbd(py: Python<'_>, c: &[Customer]) -> PyResult<(f64, f64, f64, f64, f64, usize)> {
    let fit = py.detach(|| BgNbd::fit(c)).map_err(errors::clv)?;
    let p = fit.params;
    Ok((p.r, p.alpha, p.a, p.b, fit.log_likelihood, fit.iterations))
}

/// Fits BG/NBD: returns (r, alpha, a, b, log_likelihood, iterations).
#[pyfunction]
pub fn bgnbd_fit(
    py: Python<'_>,
    frequency: &[u8],
    recency: &[u8],
    t: &[u8],
) -> PyResult<(f64, f64, f64, f64, f64, usize)> {
    fit_bgnbd(py, &customers(frequency, recency, t)?)
}

/// BG/NBD predictions from columns of bytes; the same buffer as [`bgnbd_predict_arrow`].
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn bgnbd_predict<'py>(
    py: Python<'py>,
    params: (f64, f64, f64, f64),
    frequency: &[u8],
    recency: &[u8],
    t: &[u8],
    horizon: f64,
    high_below: f64,
    low_from: f64,
    threads: usize,
) -> PyResult<Bound<'py, PyByteArray>> {
    let f = le_u64("frequency", frequency).map_err(errors::analytics)?;
    let r = le_f64("recency", recency).map_err(errors::analytics)?;
    let t = le_f64("T", t).map_err(errors::analytics)?;
    let customers = CustomerColumns { frequency: &f, recency: &r, t: &t };
    predictions(py, params, &customers, horizon, (high_below, low_from), threads)
}

/// BG/NBD predictions for the customers of an Arrow stream (any object with
/// `__arrow_c_stream__`; `names`: its frequency, recency and T columns), read in place when it
/// is one batch, in one writable buffer (a `bytearray`) written in place: P(alive) for every
/// customer as little-endian f64s, then the expected purchases in the next `horizon`
/// periods, then the churn-risk codes (0 low, 1 medium, 2 high) as bytes.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn bgnbd_predict_arrow<'py>(
    py: Python<'py>,
    params: (f64, f64, f64, f64),
    source: &Bound<'py, PyAny>,
    names: (String, String, String),
    horizon: f64,
    high_below: f64,
    low_from: f64,
    threads: usize,
) -> PyResult<Bound<'py, PyByteArray>> {
    crate::arrow::customer_stream(source, [&names.0, &names.1, &names.2], |customers| {
        predictions(py, params, customers, horizon, (high_below, low_from), threads)
    })
}

/// The predictions' buffer, written on `threads` threads without the interpreter lock.
fn predictions<'py>(
    py: Python<'py>,
    params: (f64, f64, f64, f64),
    customers: &CustomerColumns<'_>,
    horizon: f64,
    (high_below, low_from): (f64, f64),
    threads: usize,
) -> PyResult<Bound<'py, PyByteArray>> {
    let m = BgNbd { r: params.0, alpha: params.1, a: params.2, b: params.3 };
    churn_risks(&[], high_below, low_from).map_err(errors::clv)?;
    let n = customers.frequency.len();
    PyByteArray::new_with(py, 17 * n, |buf| {
        let (floats, codes) = buf.split_at_mut(16 * n);
        let fill = |alive: &mut [f64], expected: &mut [f64], codes: &mut [u8]| {
            m.predict_columns(customers, horizon, threads, alive, expected)?;
            for (code, p) in codes.iter_mut().zip(alive.iter()) {
                *code = churn_risk(*p, high_below, low_from).code();
            }
            Ok(())
        };
        match bytemuck::try_cast_slice_mut::<u8, f64>(floats) {
            Ok(out) => {
                let (alive, expected) = out.split_at_mut(n);
                py.detach(|| fill(alive, expected, codes)).map_err(errors::clv)
            }
            // A buffer not aligned for f64s: written through a copy.
            Err(_) => {
                let mut out = vec![0.0; 2 * n];
                let (alive, expected) = out.split_at_mut(n);
                py.detach(|| fill(alive, expected, codes)).map_err(errors::clv)?;
                floats.copy_from_slice(bytemuck::cast_slice(&out));
                Ok(())
            }
        }
    })
}

/// P(k purchases in the next `horizon` periods | history) for k from 0 to `max_k`, for the
/// customers of an Arrow stream: `max_k + 1` little-endian f64s per customer, row by row.
#[pyfunction]
pub fn bgnbd_purchase_probabilities<'py>(
    py: Python<'py>,
    params: (f64, f64, f64, f64),
    source: &Bound<'py, PyAny>,
    names: (String, String, String),
    horizon: f64,
    max_k: u32,
) -> PyResult<Bound<'py, PyBytes>> {
    let m = BgNbd { r: params.0, alpha: params.1, a: params.2, b: params.3 };
    crate::arrow::customer_stream(source, [&names.0, &names.1, &names.2], |columns| {
        let c = checked_counts(columns)?;
        let p = py.detach(|| m.purchase_probabilities(&c, horizon, max_k)).map_err(errors::clv)?;
        Ok(PyBytes::new(py, bytemuck::cast_slice(&p)))
    })
}

/// The population curve of a BG/NBD model: for each horizon `t`, the expected purchases of
/// a new customer, and P(X(t) = k) for each `k` in `ks`.
#[pyfunction]
pub fn bgnbd_population(
    params: (f64, f64, f64, f64),
    horizons: Vec<f64>,
    ks: Vec<u32>,
) -> PyResult<(Vec<f64>, Vec<Vec<f64>>)> {
    let m = BgNbd { r: params.0, alpha: params.1, a: params.2, b: params.3 };
    m.population(&horizons, &ks).map_err(errors::clv)
}

/// Fits Gamma-Gamma on repeat customers: returns (p, q, gamma, log_likelihood, iterations).
#[pyfunction]
pub fn gamma_gamma_fit(py: Python<'_>, frequency: &[u8], monetary: &[u8]) -> PyResult<(f64, f64, f64, f64, usize)> {
    let f = le_u64("frequency", frequency).map_err(errors::analytics)?;
    let m = le_f64("monetary", monetary).map_err(errors::analytics)?;
    let data: Vec<(u32, f64)> =
        f.iter().enumerate().zip(m.iter()).map(|((row, f), m)| Ok((repeats(row, *f)?, *m))).collect::<PyResult<_>>()?;
    let fit = py.detach(|| GammaGamma::fit(&data)).map_err(errors::clv)?;
    let g = fit.params;
    Ok((g.p, g.q, g.gamma, fit.log_likelihood, fit.iterations))
}

/// Conditional expected transaction values, as bytes.
#[pyfunction]
pub fn gamma_gamma_expected<'py>(
    py: Python<'py>,
    params: (f64, f64, f64),
    frequency: &[u8],
    monetary: &[u8],
) -> PyResult<Bound<'py, PyBytes>> {
    let f = le_u64("frequency", frequency).map_err(errors::analytics)?;
    let m = le_f64("monetary", monetary).map_err(errors::analytics)?;
    let g = GammaGamma { p: params.0, q: params.1, gamma: params.2 };
    let values: Vec<f64> = f
        .iter()
        .zip(m.iter())
        .enumerate()
        .map(|(row, (f, m))| Ok(g.conditional_expected_value(repeats(row, *f)?, *m)))
        .collect::<PyResult<_>>()?;
    Ok(f64_bytes(py, values.into_iter()))
}

/// Discounted lifetime values over `horizon` periods, as bytes.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn lifetime_values_columns<'py>(
    py: Python<'py>,
    bgnbd: (f64, f64, f64, f64),
    gamma_gamma: (f64, f64, f64),
    frequency: &[u8],
    recency: &[u8],
    t: &[u8],
    monetary: &[u8],
    horizon: u32,
    discount_rate: f64,
) -> PyResult<Bound<'py, PyBytes>> {
    let c = customers(frequency, recency, t)?;
    let m = le_f64("monetary", monetary).map_err(errors::analytics)?;
    let bg = BgNbd { r: bgnbd.0, alpha: bgnbd.1, a: bgnbd.2, b: bgnbd.3 };
    let gg = GammaGamma { p: gamma_gamma.0, q: gamma_gamma.1, gamma: gamma_gamma.2 };
    let values = py.detach(|| lifetime_values(&bg, &gg, &c, &m, horizon, discount_rate)).map_err(errors::clv)?;
    Ok(f64_bytes(py, values.into_iter()))
}
