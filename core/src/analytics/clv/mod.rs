//! Customer-lifetime-value models: BG/NBD for how many purchases a member will make and
//! whether they are still "alive", Gamma-Gamma for what each purchase is worth, and the two
//! combined into a discounted CLV. Estimates are `f64`: they are predictions, not money.
//!
//! Fitted on the CDNOW sample (Fader, Hardie & Lee 2005; Fader & Hardie 2013) the models
//! reproduce the published parameters (see `core/tests/clv.rs`).

mod bgnbd;
mod gamma_gamma;
mod optimize;
mod special;
mod summary;

pub use bgnbd::{BgNbd, BgNbdFit, Prediction};
pub use gamma_gamma::{clv, lifetime_values, GammaGamma, GammaGammaFit};
pub use summary::{clv_summary, ClvSummary, PeriodUnit};

use serde::{Deserialize, Serialize};

/// Why a model could not be fitted or applied.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ClvError {
    /// No customers to fit on.
    #[error("{what}: no customers to fit on")]
    Empty {
        /// Which data.
        what: &'static str,
    },
    /// A customer's figures are impossible.
    #[error("{field}[{row}]: {value} {reason}")]
    Invalid {
        /// The field (`frequency`, `recency`, `T`, `monetary`).
        field: &'static str,
        /// The customer's row.
        row: usize,
        /// The value.
        value: f64,
        /// Why.
        reason: &'static str,
    },
    /// An argument of the call, not of a customer, is out of range.
    #[error("{field}: {value} {reason}")]
    InvalidArgument {
        /// The argument.
        field: &'static str,
        /// Its value.
        value: f64,
        /// Why.
        reason: &'static str,
    },
    /// Two columns that must be as long as each other are not.
    #[error("{column}: {len} values for {expected} customers")]
    LengthMismatch {
        /// The shorter or longer column.
        column: &'static str,
        /// Its length.
        len: usize,
        /// The customers' count.
        expected: usize,
    },
    /// The data have no interior maximum: the best fit runs a parameter off toward 0 or
    /// infinity (beyond 1e-8..1e8), as when nobody repeats or everyone's values are equal.
    #[error("{parameter}: the fit runs off to {value} (the data have no interior maximum: no estimate)")]
    NoInteriorMaximum {
        /// The parameter that ran off.
        parameter: &'static str,
        /// Where it got to.
        value: f64,
    },
    /// The optimizer did not converge.
    #[error("fit did not converge after {iterations} iterations (log-likelihood {log_likelihood})")]
    NotConverged {
        /// Iterations used.
        iterations: usize,
        /// The best log-likelihood reached.
        log_likelihood: f64,
    },
}

impl ClvError {
    /// The error's kind: `empty`, `invalid`, `length_mismatch`, `no_interior_maximum` or
    /// `not_converged`.
    pub fn kind(&self) -> &'static str {
        match self {
            ClvError::Empty { .. } => "empty",
            ClvError::Invalid { .. } | ClvError::InvalidArgument { .. } => "invalid",
            ClvError::LengthMismatch { .. } => "length_mismatch",
            ClvError::NoInteriorMaximum { .. } => "no_interior_maximum",
            ClvError::NotConverged { .. } => "not_converged",
        }
    }

    /// The field (a customer's as `frequency[3]`), the parameter, or what was empty.
    pub fn field(&self) -> String {
        match self {
            ClvError::Empty { what } => (*what).to_string(),
            ClvError::Invalid { field, row, .. } => format!("{field}[{row}]"),
            ClvError::InvalidArgument { field, .. } => (*field).to_string(),
            ClvError::LengthMismatch { column, .. } => (*column).to_string(),
            ClvError::NoInteriorMaximum { parameter, .. } => (*parameter).to_string(),
            ClvError::NotConverged { .. } => "fit".into(),
        }
    }

    /// The offending value, as text.
    pub fn value(&self) -> String {
        match self {
            ClvError::Empty { .. } => String::new(),
            ClvError::Invalid { value, .. }
            | ClvError::InvalidArgument { value, .. }
            | ClvError::NoInteriorMaximum { value, .. } => value.to_string(),
            ClvError::LengthMismatch { len, .. } => len.to_string(),
            ClvError::NotConverged { iterations, .. } => iterations.to_string(),
        }
    }
}

/// One customer as the models see them, in periods (weeks, say).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    /// Repeat purchase periods (purchases on one day count once; the first does not count).
    pub frequency: u32,
    /// Age at the last purchase (0 without repeats).
    pub recency: f64,
    /// Age at the end of the observation window.
    pub t: f64,
}

/// Customers as columns, as a data frame holds them, row for row.
///
/// ```
/// use loyalty::analytics::clv::{BgNbd, CustomerColumns};
/// let columns = CustomerColumns { frequency: &[0, 2], recency: &[0.0, 30.43], t: &[38.86, 38.86] };
/// let (mut alive, mut expected) = ([0.0; 2], [0.0; 2]);
/// BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }.predict_columns(&columns, 39.0, 1, &mut alive, &mut expected).unwrap();
/// assert_eq!(alive[0], 1.0); // no repeats: surely alive
/// assert_eq!((expected[1] * 1e3).round() / 1e3, 1.226); // Fader, Hardie & Lee (2005)
/// ```
#[derive(Clone, Copy, Debug)]
pub struct CustomerColumns<'a> {
    /// Repeat purchase periods (64-bit, as frames hold counts; above `u32::MAX` is refused).
    pub frequency: &'a [u64],
    /// Age at the last purchase.
    pub recency: &'a [f64],
    /// Age at the end of the observation window.
    pub t: &'a [f64],
}

/// The first parameter outside 1e-8..1e8 (or not finite), as the error for a fit with no
/// interior maximum.
pub(crate) fn runaway(params: &[(&'static str, f64)]) -> Result<(), ClvError> {
    match params.iter().find(|(_, v)| !(v.is_finite() && (1e-8..=1e8).contains(v))) {
        Some(&(parameter, value)) => Err(ClvError::NoInteriorMaximum { parameter, value }),
        None => Ok(()),
    }
}

/// Checks customers: ages not negative, recency at most T, no recency without repeats, no
/// more repeats than the ages allow.
pub(crate) fn check(customers: &[Customer]) -> Result<(), ClvError> {
    customers.iter().enumerate().try_for_each(|(row, c)| check_one(row, c))
}

/// [`check`] for the customer in `row`.
#[inline]
pub(crate) fn check_one(row: usize, c: &Customer) -> Result<(), ClvError> {
    let bad = |field, value, reason| Err(ClvError::Invalid { field, row, value, reason });
    if !c.t.is_finite() || c.t < 0.0 {
        return bad("T", c.t, "must be a finite age of at least 0");
    }
    if !c.recency.is_finite() || c.recency < 0.0 {
        return bad("recency", c.recency, "must be a finite age of at least 0");
    }
    if c.recency > c.t {
        return bad("recency", c.recency, "must not exceed T");
    }
    if c.frequency == 0 && c.recency > 0.0 {
        return bad("recency", c.recency, "must be 0 without repeat purchases");
    }
    // Repeats with recency 0 (several purchase days within the first period) are allowed;
    // but purchases count once a day, so with periods of a day or a week there are at most
    // 7 x recency + 6 repeats (the last purchase's week counted whole).
    if f64::from(c.frequency) > 7.0 * c.recency + 6.0 {
        let reason = "repeat purchase days are more than the ages allow (at most 7 x recency + 6, for periods of a day or a week)";
        return bad("frequency", f64::from(c.frequency), reason);
    }
    Ok(())
}

/// A churn-risk tag from the probability a member is still active.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChurnRisk {
    /// P(alive) at least `low_below`'s complement: likely active.
    Low,
    /// In between.
    Medium,
    /// P(alive) below `high_below`.
    High,
}

impl ChurnRisk {
    /// The tag as a byte for columnar output: 0 low, 1 medium, 2 high.
    ///
    /// ```
    /// use loyalty::analytics::clv::ChurnRisk;
    /// assert_eq!([ChurnRisk::Low, ChurnRisk::Medium, ChurnRisk::High].map(ChurnRisk::code), [0, 1, 2]);
    /// assert_eq!(ChurnRisk::from_code(2), Some(ChurnRisk::High));
    /// assert_eq!(ChurnRisk::from_code(3), None);
    /// ```
    pub fn code(self) -> u8 {
        match self {
            ChurnRisk::Low => 0,
            ChurnRisk::Medium => 1,
            ChurnRisk::High => 2,
        }
    }

    /// The tag of a [`ChurnRisk::code`], or `None` for another byte.
    ///
    /// ```
    /// use loyalty::analytics::clv::ChurnRisk;
    /// assert_eq!(ChurnRisk::from_code(0), Some(ChurnRisk::Low));
    /// ```
    pub fn from_code(code: u8) -> Option<ChurnRisk> {
        [ChurnRisk::Low, ChurnRisk::Medium, ChurnRisk::High].get(usize::from(code)).copied()
    }

    /// The tag's name: `low`, `medium` or `high`.
    ///
    /// ```
    /// assert_eq!(loyalty::analytics::clv::ChurnRisk::Medium.as_str(), "medium");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ChurnRisk::Low => "low",
            ChurnRisk::Medium => "medium",
            ChurnRisk::High => "high",
        }
    }
}

/// [`churn_risk`] for many members, with the thresholds checked.
///
/// ```
/// use loyalty::analytics::clv::{churn_risks, ChurnRisk};
/// assert_eq!(churn_risks(&[0.1, 0.5, 0.9], 0.3, 0.7).unwrap(), vec![ChurnRisk::High, ChurnRisk::Medium, ChurnRisk::Low]);
/// assert!(churn_risks(&[0.5], 0.8, 0.2).is_err());
/// ```
///
/// # Errors
/// [`ClvError::InvalidArgument`] unless 0 <= `high_below` <= `low_from` <= 1.
pub fn churn_risks(p_alive: &[f64], high_below: f64, low_from: f64) -> Result<Vec<ChurnRisk>, ClvError> {
    if !(0.0..=1.0).contains(&high_below) {
        return Err(ClvError::InvalidArgument {
            field: "high_below",
            value: high_below,
            reason: "must be a probability",
        });
    }
    if !(high_below..=1.0).contains(&low_from) {
        let reason = "must be a probability of at least high_below";
        return Err(ClvError::InvalidArgument { field: "low_from", value: low_from, reason });
    }
    Ok(p_alive.iter().map(|p| churn_risk(*p, high_below, low_from)).collect())
}

/// Tags churn risk: high below `high_below` P(alive), low at or above `low_from`, medium
/// between; an undefined (NaN) probability is high.
///
/// ```
/// use loyalty::analytics::clv::{churn_risk, ChurnRisk};
/// assert_eq!(churn_risk(0.2, 0.3, 0.7), ChurnRisk::High);
/// assert_eq!(churn_risk(0.5, 0.3, 0.7), ChurnRisk::Medium);
/// assert_eq!(churn_risk(0.7, 0.3, 0.7), ChurnRisk::Low);
/// assert_eq!(churn_risk(f64::NAN, 0.3, 0.7), ChurnRisk::High);
/// assert_eq!(churn_risk(0.3, 0.3, 0.3), ChurnRisk::Low);
/// ```
#[inline]
pub fn churn_risk(p_alive: f64, high_below: f64, low_from: f64) -> ChurnRisk {
    // An undefined probability (NaN compares false) is no evidence the member is active.
    // Written as selects, not nested branches: over many members the tags are unpredictable.
    let high = p_alive.partial_cmp(&high_below).is_none_or(|o| o.is_lt());
    let low = p_alive >= low_from;
    [[ChurnRisk::Medium, ChurnRisk::Low], [ChurnRisk::High, ChurnRisk::High]][usize::from(high)][usize::from(low)]
}

/// Asserts an analytic gradient against central finite differences of `ll` at `at` (both in
/// the models' log-parameters), to 1e-6.
#[cfg(test)]
pub(crate) fn assert_gradient(ll: &dyn Fn(&[f64]) -> f64, at: &[f64], gradient: &[f64]) {
    for i in 0..at.len() {
        let (mut up, mut down) = (at.to_vec(), at.to_vec());
        up[i] += 1e-6;
        down[i] -= 1e-6;
        let numeric = (ll(&up) - ll(&down)) / 2e-6;
        assert!((gradient[i] - numeric).abs() < 1e-6, "parameter {i}: {} vs {numeric}", gradient[i]);
    }
}
