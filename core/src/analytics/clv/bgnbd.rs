//! The BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way").

use super::optimize::nelder_mead;
use super::special::{hyp2f1, ln_beta, ln_gamma};
use super::{check, ClvError, Customer};
use serde::{Deserialize, Serialize};

/// BG/NBD parameters: purchase rates are gamma(r, α) across customers; after each purchase
/// a customer drops out with a probability that is beta(a, b) across customers.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BgNbd {
    /// Shape of the purchase-rate gamma.
    pub r: f64,
    /// Scale of the purchase-rate gamma.
    pub alpha: f64,
    /// Dropout beta's a.
    pub a: f64,
    /// Dropout beta's b.
    pub b: f64,
}

/// A fitted model and how the fit went.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BgNbdFit {
    /// The maximum-likelihood parameters.
    pub params: BgNbd,
    /// The log-likelihood there.
    pub log_likelihood: f64,
    /// Optimizer iterations.
    pub iterations: usize,
}

impl BgNbd {
    /// The log-likelihood of one customer.
    pub fn customer_log_likelihood(&self, c: &Customer) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let x = f64::from(c.frequency);
        let a1 = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln();
        let a2 = ln_gamma(a + b) + ln_gamma(b + x) - ln_gamma(b) - ln_gamma(a + b + x);
        let a3 = -(r + x) * (alpha + c.t).ln();
        if c.frequency == 0 {
            return a1 + a2 + a3;
        }
        let a4 = a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + c.recency).ln();
        let m = a3.max(a4);
        a1 + a2 + m + ((a3 - m).exp() + (a4 - m).exp()).ln()
    }

    /// The log-likelihood of all customers.
    pub fn log_likelihood(&self, customers: &[Customer]) -> f64 {
        customers.iter().map(|c| self.customer_log_likelihood(c)).sum()
    }

    /// Fits by maximum likelihood.
    ///
    /// # Errors
    /// [`ClvError`] for no customers, impossible figures, or no convergence.
    pub fn fit(customers: &[Customer]) -> Result<BgNbdFit, ClvError> {
        if customers.is_empty() {
            return Err(ClvError::Empty { what: "customers" });
        }
        check(customers)?;
        let objective = |p: &[f64]| {
            let params = BgNbd { r: p[0].exp(), alpha: p[1].exp(), a: p[2].exp(), b: p[3].exp() };
            -params.log_likelihood(customers)
        };
        let m = nelder_mead(&objective, &[0.0, 0.0, 0.0, 0.0], 1e-13, 20_000);
        let params = BgNbd { r: m.x[0].exp(), alpha: m.x[1].exp(), a: m.x[2].exp(), b: m.x[3].exp() };
        if !m.converged || !m.value.is_finite() {
            return Err(ClvError::NotConverged { iterations: m.iterations, log_likelihood: -m.value });
        }
        Ok(BgNbdFit { params, log_likelihood: -m.value, iterations: m.iterations })
    }

    /// The probability a customer is still alive at the end of their window.
    pub fn p_alive(&self, c: &Customer) -> f64 {
        if c.frequency == 0 {
            return 1.0;
        }
        let x = f64::from(c.frequency);
        let BgNbd { r, alpha, a, b } = *self;
        let ratio = ((r + x) * ((alpha + c.t).ln() - (alpha + c.recency).ln())).exp();
        1.0 / (1.0 + a / (b + x - 1.0) * ratio)
    }

    /// Expected purchases in the next `t` periods for a customer with this history.
    pub fn expected_purchases(&self, t: f64, c: &Customer) -> f64 {
        let x = f64::from(c.frequency);
        let BgNbd { r, alpha, a, b } = *self;
        let first = (a + b + x - 1.0) / (a - 1.0);
        let z = t / (alpha + c.t + t);
        let hyp = hyp2f1(r + x, b + x, a + b + x - 1.0, z);
        let second = 1.0 - ((alpha + c.t) / (alpha + c.t + t)).powf(r + x) * hyp;
        let alive_term =
            if c.frequency > 0 { a / (b + x - 1.0) * ((alpha + c.t) / (alpha + c.recency)).powf(r + x) } else { 0.0 };
        first * second / (1.0 + alive_term)
    }

    /// Expected purchases of a new customer in `t` periods (the population curve).
    pub fn expected_purchases_population(&self, t: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let z = t / (alpha + t);
        (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)).powf(r) * hyp2f1(r, b, a + b - 1.0, z))
    }

    /// The probability that a new customer makes exactly `k` purchases in `t` periods.
    pub fn probability_of_purchases(&self, t: f64, k: u32) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let x = f64::from(k);
        let log_nbd = |j: f64| {
            ln_gamma(r + j) - ln_gamma(r) - ln_gamma(j + 1.0)
                + r * (alpha / (alpha + t)).ln()
                + j * (t / (alpha + t)).ln()
        };
        let first = (ln_beta(a, b + x) - ln_beta(a, b) + log_nbd(x)).exp();
        if k == 0 {
            return first;
        }
        let tail: f64 = (0..k).map(|j| log_nbd(f64::from(j)).exp()).sum();
        first + (ln_beta(a + 1.0, b + x - 1.0) - ln_beta(a, b)).exp() * (1.0 - tail)
    }
}
