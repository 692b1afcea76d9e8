//! The Gamma-Gamma model of monetary value (Fader & Hardie 2013).

use super::bgnbd::BgNbd;
use super::optimize::maximum_likelihood;
use super::special::{digamma, ln_gamma};
use super::{ClvError, Customer};
use crate::analytics::FxBuild;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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
        let repeat = Repeaters::new(&data);
        let params = |v: &[f64]| GammaGamma { p: v[0].exp(), q: v[1].exp(), gamma: v[2].exp() };
        let objective = |v: &[f64], gradient: &mut [f64]| {
            let (ll, g) = params(v).repeaters_log_likelihood(&repeat);
            gradient.iter_mut().zip(g).for_each(|(out, g)| *out = -g);
            -ll
        };
        let m = maximum_likelihood(&objective, &[0.0, 0.0, 0.0])?;
        Ok(GammaGammaFit { params: params(&m.x), log_likelihood: -m.value, iterations: m.iterations })
    }

    /// The log-likelihood of the repeat customers and its gradient with respect to the
    /// log-parameters (ln p, ln q, ln γ).
    fn repeaters_log_likelihood(&self, data: &Repeaters) -> (f64, [f64; 3]) {
        let GammaGamma { p, q, gamma } = *self;
        let ln_g = gamma.ln();
        let (lg_q, dg_q) = (ln_gamma(q), digamma(q));
        let (mut ll, mut dp, mut dq, mut dg) = (0.0, 0.0, 0.0, 0.0);
        // Terms that depend on the frequency only, once per distinct frequency.
        let mut shared = Vec::with_capacity(data.frequencies.len());
        for &(x, w) in &data.frequencies {
            let px = p * x;
            let (dg_pxq, dg_px) = (digamma(px + q), digamma(px));
            ll += w * (ln_gamma(px + q) - ln_gamma(px) - lg_q + q * ln_g + px * x.ln());
            dp += w * x * (dg_pxq - dg_px + x.ln());
            dq += w * (dg_pxq - dg_q + ln_g);
            dg += w * q / gamma;
            shared.push(px);
        }
        for row in &data.rows {
            let x = data.frequencies[row.frequency as usize].0;
            let px = shared[row.frequency as usize];
            let spent = gamma + row.total;
            let ln_spent = spent.ln();
            ll += (px - 1.0) * row.ln_mean - (px + q) * ln_spent;
            dp += x * (row.ln_mean - ln_spent);
            dq -= ln_spent;
            dg -= (px + q) / spent;
        }
        (ll, [dp * p, dq * q, dg * gamma])
    }

    /// Refuses parameters that are not positive and finite.
    pub(crate) fn check(&self) -> Result<(), ClvError> {
        for (field, value) in [("p", self.p), ("q", self.q), ("gamma", self.gamma)] {
            if !value.is_finite() || value <= 0.0 {
                return Err(ClvError::InvalidArgument { field, value, reason: "must be a positive finite parameter" });
            }
        }
        Ok(())
    }

    /// The expected mean transaction value of a customer with `x` repeat transactions of mean
    /// `m` (the population mean p γ / (q − 1) for x = 0).
    pub fn conditional_expected_value(&self, x: u32, m: f64) -> f64 {
        let GammaGamma { p, q, gamma } = *self;
        let x = f64::from(x);
        p * (gamma + x * m) / (p * x + q - 1.0)
    }
}

/// Repeat customers for the likelihood: the distinct frequencies with their counts, and per
/// customer the logarithm of the mean value (fixed while fitting) and the total x·m.
struct Repeaters {
    frequencies: Vec<(f64, f64)>,
    rows: Vec<Repeater>,
}

struct Repeater {
    /// Index into `Repeaters::frequencies`.
    frequency: u32,
    ln_mean: f64,
    total: f64,
}

impl Repeaters {
    fn new(data: &[(u32, f64)]) -> Repeaters {
        let mut index: HashMap<u32, u32, FxBuild> = HashMap::default();
        let mut frequencies: Vec<(f64, f64)> = Vec::new();
        let rows = data
            .iter()
            .map(|&(x, m)| {
                let next = frequencies.len() as u32;
                let k = *index.entry(x).or_insert(next);
                if k == next {
                    frequencies.push((f64::from(x), 0.0));
                }
                frequencies[k as usize].1 += 1.0;
                Repeater { frequency: k, ln_mean: m.ln(), total: f64::from(x) * m }
            })
            .collect();
        Repeaters { frequencies, rows }
    }
}

/// Customer lifetime value over `horizon` periods, discounted at `discount_rate` per period:
/// the sum over periods of expected value × expected purchases in that period / (1 + d)^i.
pub fn clv(bg: &BgNbd, gg: &GammaGamma, c: &Customer, mean_value: f64, horizon: u32, discount_rate: f64) -> f64 {
    gg.conditional_expected_value(c.frequency, mean_value) * discounted_purchases(bg, c, horizon, discount_rate)
}

/// Σ over periods i = 1..=horizon of the expected purchases in period i / (1 + d)^i.
fn discounted_purchases(bg: &BgNbd, c: &Customer, horizon: u32, discount_rate: f64) -> f64 {
    let mut total = 0.0;
    let mut before = 0.0;
    for i in 1..=horizon {
        let i = f64::from(i);
        let upto = bg.expected_purchases(i, c);
        total += (upto - before) / (1.0 + discount_rate).powf(i);
        before = upto;
    }
    total
}

/// [`clv`] for every customer, with `monetary[i]` the mean repeat value of `customers[i]`.
/// The discounted purchase curve, the costly part, is computed once per distinct
/// (frequency, recency, T).
///
/// ```
/// use loyalty::analytics::clv::{clv, lifetime_values, BgNbd, Customer, GammaGamma};
/// let bg = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
/// let gg = GammaGamma { p: 6.25, q: 3.74, gamma: 15.44 };
/// let c = Customer { frequency: 2, recency: 30.43, t: 38.86 };
/// let values = lifetime_values(&bg, &gg, &[c, c], &[35.0, 20.0], 52, 0.01).unwrap();
/// assert_eq!(values[0], clv(&bg, &gg, &c, 35.0, 52, 0.01));
/// assert_eq!(values[1], clv(&bg, &gg, &c, 20.0, 52, 0.01));
/// assert!(lifetime_values(&bg, &gg, &[c], &[], 52, 0.01).is_err());
/// ```
///
/// # Errors
/// [`ClvError::LengthMismatch`] when `monetary` and `customers` differ in length,
/// [`ClvError::Invalid`] for impossible customer figures or mean values,
/// [`ClvError::InvalidArgument`] for a negative or non-finite discount rate or model
/// parameters that cannot give a value (Gamma-Gamma's q must be above 1 when some customer
/// has no repeats).
pub fn lifetime_values(
    bg: &BgNbd,
    gg: &GammaGamma,
    customers: &[Customer],
    monetary: &[f64],
    horizon: u32,
    discount_rate: f64,
) -> Result<Vec<f64>, ClvError> {
    if monetary.len() != customers.len() {
        return Err(ClvError::LengthMismatch { column: "monetary", len: monetary.len(), expected: customers.len() });
    }
    if !discount_rate.is_finite() || discount_rate < 0.0 {
        let reason = "must be a finite rate of at least 0";
        return Err(ClvError::InvalidArgument { field: "discount_rate", value: discount_rate, reason });
    }
    bg.check()?;
    gg.check()?;
    super::check(customers)?;
    for (row, (c, m)) in customers.iter().zip(monetary).enumerate() {
        if !m.is_finite() || *m < 0.0 || (c.frequency > 0 && *m == 0.0) {
            let reason = "must be a finite mean value, more than 0 for repeat customers";
            return Err(ClvError::Invalid { field: "monetary", row, value: *m, reason });
        }
        if c.frequency == 0 && gg.q <= 1.0 {
            // A customer without repeats is valued at the population mean p γ / (q − 1).
            let reason = "must be above 1 to value customers without repeat purchases";
            return Err(ClvError::InvalidArgument { field: "q", value: gg.q, reason });
        }
    }
    let mut curves: HashMap<(u32, u64, u64), f64, FxBuild> = HashMap::default();
    Ok(customers
        .iter()
        .zip(monetary)
        .map(|(c, m)| {
            let curve = *curves
                .entry((c.frequency, c.recency.to_bits(), c.t.to_bits()))
                .or_insert_with(|| discounted_purchases(bg, c, horizon, discount_rate));
            gg.conditional_expected_value(c.frequency, *m) * curve
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: [(u32, f64); 5] = [(1, 20.5), (2, 35.0), (1, 12.25), (6, 41.1), (2, 18.0)];

    #[test]
    fn the_grouped_likelihood_is_the_sum_over_customers() {
        let m = GammaGamma { p: 6.25, q: 3.74, gamma: 15.44 };
        let (ll, _) = m.repeaters_log_likelihood(&Repeaters::new(&DATA));
        let sum: f64 = DATA.iter().map(|(x, v)| m.customer_log_likelihood(*x, *v)).sum();
        assert!((ll - sum).abs() < 1e-10, "{ll} vs {sum}");
    }

    #[test]
    fn lifetime_values_refuse_what_cannot_be_valued() {
        let bg = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
        let gg = GammaGamma { p: 6.25, q: 3.74, gamma: 15.44 };
        let repeat = Customer { frequency: 2, recency: 30.43, t: 38.86 };
        let once = Customer { frequency: 0, recency: 0.0, t: 20.0 };
        let err = lifetime_values(&bg, &gg, &[once, repeat], &[0.0, -3.0], 52, 0.0).unwrap_err();
        assert_eq!(err.to_string(), "monetary[1]: -3 must be a finite mean value, more than 0 for repeat customers");
        let low_q = GammaGamma { q: 0.5, ..gg };
        let err = lifetime_values(&bg, &low_q, &[once], &[0.0], 52, 0.0).unwrap_err();
        assert_eq!(err.to_string(), "q: 0.5 must be above 1 to value customers without repeat purchases");
        // The same q values a repeat customer: p (γ + m x) / (p x + q − 1) is defined.
        assert!(lifetime_values(&bg, &low_q, &[repeat], &[20.0], 52, 0.0).unwrap()[0] > 0.0);
        let bad = Customer { frequency: 2, recency: 0.0, t: -10.0 };
        assert!(matches!(
            lifetime_values(&bg, &gg, &[bad], &[5.0], 52, 0.0),
            Err(ClvError::Invalid { field: "T", .. })
        ));
    }

    #[test]
    fn the_gradient_matches_finite_differences() {
        let repeat = Repeaters::new(&DATA);
        let at = [6.25f64.ln(), 3.74f64.ln(), 15.44f64.ln()];
        let ll = |v: &[f64]| {
            let m = GammaGamma { p: v[0].exp(), q: v[1].exp(), gamma: v[2].exp() };
            DATA.iter().map(|(x, v)| m.customer_log_likelihood(*x, *v)).sum::<f64>()
        };
        let (_, gradient) = GammaGamma { p: 6.25, q: 3.74, gamma: 15.44 }.repeaters_log_likelihood(&repeat);
        for i in 0..3 {
            let (mut up, mut down) = (at, at);
            up[i] += 1e-6;
            down[i] -= 1e-6;
            let numeric = (ll(&up) - ll(&down)) / 2e-6;
            assert!((gradient[i] - numeric).abs() < 1e-6, "parameter {i}: {} vs {numeric}", gradient[i]);
        }
    }
}
