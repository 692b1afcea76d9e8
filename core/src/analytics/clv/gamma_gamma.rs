//! The Gamma-Gamma model of monetary value (Fader & Hardie 2013).

use super::bgnbd::BgNbd;
use super::optimize::nelder_mead;
use super::special::ln_gamma;
use super::{ClvError, Customer};
use serde::{Deserialize, Serialize};

/// Gamma-Gamma parameters: a customer's transaction values are gamma(p, ν), and ν is
/// gamma(q, γ) across customers.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GammaGamma {
    /// Shape of transaction values.
    pub p: f64,
    /// Shape of the scale's gamma.
    pub q: f64,
    /// Scale of the scale's gamma.
    pub gamma: f64,
}

/// A fitted model and how the fit went.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GammaGammaFit {
    /// The maximum-likelihood parameters.
    pub params: GammaGamma,
    /// The log-likelihood there.
    pub log_likelihood: f64,
    /// Optimizer iterations.
    pub iterations: usize,
}

impl GammaGamma {
    /// The log-likelihood of a customer's mean transaction value `m` over `x` repeat
    /// transactions.
    pub fn customer_log_likelihood(&self, x: u32, m: f64) -> f64 {
        let GammaGamma { p, q, gamma } = *self;
        let x = f64::from(x);
        ln_gamma(p * x + q) - ln_gamma(p * x) - ln_gamma(q) + q * gamma.ln() + (p * x - 1.0) * m.ln() + p * x * x.ln()
            - (p * x + q) * (x * m + gamma).ln()
    }

    /// Fits on repeat customers: `(x, mean repeat value)` pairs with x >= 1 and value > 0.
    ///
    /// # Errors
    /// [`ClvError`] for no repeat customers, impossible figures, or no convergence.
    pub fn fit(customers: &[(u32, f64)]) -> Result<GammaGammaFit, ClvError> {
        let data: Vec<(u32, f64)> = customers.iter().copied().filter(|(x, _)| *x > 0).collect();
        if data.is_empty() {
            return Err(ClvError::Empty { what: "repeat customers" });
        }
        for (row, (_, m)) in data.iter().enumerate() {
            if !m.is_finite() || *m <= 0.0 {
                return Err(ClvError::Invalid {
                    field: "monetary",
                    row,
                    value: *m,
                    reason: "must be more than 0 for repeat customers",
                });
            }
        }
        let objective = |v: &[f64]| {
            let params = GammaGamma { p: v[0].exp(), q: v[1].exp(), gamma: v[2].exp() };
            -data.iter().map(|(x, m)| params.customer_log_likelihood(*x, *m)).sum::<f64>()
        };
        let m = nelder_mead(&objective, &[0.0, 0.0, 0.0], 1e-13, 20_000);
        if !m.converged || !m.value.is_finite() {
            return Err(ClvError::NotConverged { iterations: m.iterations, log_likelihood: -m.value });
        }
        Ok(GammaGammaFit {
            params: GammaGamma { p: m.x[0].exp(), q: m.x[1].exp(), gamma: m.x[2].exp() },
            log_likelihood: -m.value,
            iterations: m.iterations,
        })
    }

    /// The expected mean transaction value of a customer with `x` repeat transactions of mean
    /// `m` (the population mean p γ / (q − 1) for x = 0).
    pub fn conditional_expected_value(&self, x: u32, m: f64) -> f64 {
        let GammaGamma { p, q, gamma } = *self;
        let x = f64::from(x);
        p * (gamma + x * m) / (p * x + q - 1.0)
    }
}

/// Customer lifetime value over `horizon` periods, discounted at `discount_rate` per period:
/// the sum over periods of expected value × expected purchases in that period / (1 + d)^i.
pub fn clv(bg: &BgNbd, gg: &GammaGamma, c: &Customer, mean_value: f64, horizon: u32, discount_rate: f64) -> f64 {
    let value = gg.conditional_expected_value(c.frequency, mean_value);
    let mut total = 0.0;
    let mut before = 0.0;
    for i in 1..=horizon {
        let i = f64::from(i);
        let upto = bg.expected_purchases(i, c);
        total += value * (upto - before) / (1.0 + discount_rate).powf(i);
        before = upto;
    }
    total
}
