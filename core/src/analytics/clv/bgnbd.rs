//! The BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way").

use super::optimize::maximum_likelihood;
use super::special::{digamma, hyp2f1, ln_beta, ln_gamma};
use super::{check, ClvError, Customer};
use crate::analytics::FxBuild;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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

/// One customer's predictions.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// The probability the customer is still alive at the end of their window.
    pub p_alive: f64,
    /// Expected purchases in the horizon.
    pub expected_purchases: f64,
}

/// Customers with identical figures counted once with a weight, the distinct frequencies with
/// their total weights and the distinct ages, so the likelihood's log-gammas and digammas are
/// computed once per distinct frequency and its logarithms once per distinct age (a log with
/// whole-day ages has a few hundred).
struct Grouped {
    /// Distinct frequencies and how many customers have each.
    frequencies: Vec<(f64, f64)>,
    /// Distinct ages (recency or T).
    ages: Vec<f64>,
    rows: Vec<Row>,
}

/// Customers sharing one (frequency, recency, T).
struct Row {
    /// Index into `Grouped::frequencies`.
    frequency: u32,
    /// Indexes into `Grouped::ages`.
    recency: u32,
    t: u32,
    weight: f64,
}

/// The index of `key` in `values`, appending it on first sight.
fn intern<K: std::hash::Hash + Eq, V>(
    index: &mut HashMap<K, u32, FxBuild>,
    values: &mut Vec<V>,
    key: K,
    value: V,
) -> u32 {
    let next = values.len() as u32;
    let i = *index.entry(key).or_insert(next);
    if i == next {
        values.push(value);
    }
    i
}

impl Grouped {
    fn new(customers: &[Customer]) -> Grouped {
        let (mut frequency_index, mut age_index) = (HashMap::default(), HashMap::default());
        let mut row_index: HashMap<(u32, u64, u64), u32, FxBuild> = HashMap::default();
        let (mut frequencies, mut ages, mut rows) = (Vec::new(), Vec::new(), Vec::<Row>::new());
        for c in customers {
            let next = rows.len() as u32;
            let i = *row_index.entry((c.frequency, c.recency.to_bits(), c.t.to_bits())).or_insert(next);
            if i == next {
                // A new row: its frequency and ages are interned once.
                let frequency =
                    intern(&mut frequency_index, &mut frequencies, c.frequency, (f64::from(c.frequency), 0.0));
                let recency = intern(&mut age_index, &mut ages, c.recency.to_bits(), c.recency);
                let t = intern(&mut age_index, &mut ages, c.t.to_bits(), c.t);
                rows.push(Row { frequency, recency, t, weight: 0.0 });
            }
            let row = &mut rows[i as usize];
            row.weight += 1.0;
            frequencies[row.frequency as usize].1 += 1.0;
        }
        Grouped { frequencies, ages, rows }
    }
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

    /// Fits by maximum likelihood: BFGS on the log-parameters with the analytic gradient, over
    /// the customers grouped by identical figures; Nelder-Mead from where BFGS stopped if it
    /// could not finish.
    ///
    /// # Errors
    /// [`ClvError`] for no customers, impossible figures, or no convergence (also when the
    /// best fit runs off to a parameter below 1e-8 or above 1e8: data without an interior
    /// maximum, such as no repeat purchases at all).
    pub fn fit(customers: &[Customer]) -> Result<BgNbdFit, ClvError> {
        if customers.is_empty() {
            return Err(ClvError::Empty { what: "customers" });
        }
        check(customers)?;
        let grouped = Grouped::new(customers);
        let params = |p: &[f64]| BgNbd { r: p[0].exp(), alpha: p[1].exp(), a: p[2].exp(), b: p[3].exp() };
        let objective = |p: &[f64], gradient: &mut [f64]| {
            let (ll, g) = params(p).grouped_log_likelihood(&grouped);
            gradient.iter_mut().zip(g).for_each(|(out, g)| *out = -g);
            -ll
        };
        let m = maximum_likelihood(&objective, &[0.0, 0.0, 0.0, 0.0])?;
        let fit = BgNbdFit { params: params(&m.x), log_likelihood: -m.value, iterations: m.iterations };
        // Data without an interior maximum (nobody repeats, nobody drops out) drives a
        // parameter toward 0 or infinity: refused like Gamma-Gamma's, never a silent estimate.
        let p = fit.params;
        super::runaway(&[("r", p.r), ("alpha", p.alpha), ("a", p.a), ("b", p.b)])?;
        Ok(fit)
    }

    /// The log-likelihood of grouped customers and its gradient with respect to the
    /// log-parameters (ln r, ln α, ln a, ln b).
    fn grouped_log_likelihood(&self, g: &Grouped) -> (f64, [f64; 4]) {
        let BgNbd { r, alpha, a, b } = *self;
        let (ln_alpha, ln_a) = (alpha.ln(), a.ln());
        let (lg_r, lg_b, lg_ab) = (ln_gamma(r), ln_gamma(b), ln_gamma(a + b));
        let (dg_r, dg_b, dg_ab) = (digamma(r), digamma(b), digamma(a + b));
        let (mut ll, mut dr, mut dalpha, mut da, mut db) = (0.0, 0.0, 0.0, 0.0, 0.0);
        // Terms that depend on the frequency only, once per distinct frequency.
        let mut dropout = Vec::with_capacity(g.frequencies.len());
        for &(x, w) in &g.frequencies {
            let (dg_bx, dg_abx) = (digamma(b + x), digamma(a + b + x));
            ll += w * (ln_gamma(r + x) - lg_r + r * ln_alpha + lg_ab + ln_gamma(b + x) - lg_b - ln_gamma(a + b + x));
            dr += w * (digamma(r + x) - dg_r + ln_alpha);
            dalpha += w * r / alpha;
            da += w * (dg_ab - dg_abx);
            db += w * (dg_ab + dg_bx - dg_b - dg_abx);
            // ln(a / (b + x − 1)) and 1 / (b + x − 1), used by repeat customers only.
            let bx = b + x - 1.0;
            dropout.push(if x > 0.0 { (ln_a - bx.ln(), 1.0 / bx) } else { (0.0, 0.0) });
        }
        // ln(α + age) and 1 / (α + age), once per distinct age.
        let ages: Vec<(f64, f64)> = g.ages.iter().map(|age| ((alpha + age).ln(), 1.0 / (alpha + age))).collect();
        for row in &g.rows {
            let x = g.frequencies[row.frequency as usize].0;
            let rx = r + x;
            let (lt, inv_t) = ages[row.t as usize];
            let a3 = -rx * lt;
            if x == 0.0 {
                ll += row.weight * a3;
                dr -= row.weight * lt;
                dalpha -= row.weight * rx * inv_t;
                continue;
            }
            let (ln_ratio, inv_bx) = dropout[row.frequency as usize];
            let (lr, inv_r) = ages[row.recency as usize];
            let a4 = ln_ratio - rx * lr;
            // ln(e^a3 + e^a4) and the two terms' shares of it.
            let (high, e) = if a3 >= a4 { (a3, (a4 - a3).exp()) } else { (a4, (a3 - a4).exp()) };
            ll += row.weight * (high + e.ln_1p());
            let w4 = if a3 >= a4 { e / (1.0 + e) } else { 1.0 / (1.0 + e) };
            let w3 = 1.0 - w4;
            dr -= row.weight * (w3 * lt + w4 * lr);
            dalpha -= row.weight * rx * (w3 * inv_t + w4 * inv_r);
            da += row.weight * w4 / a;
            db -= row.weight * w4 * inv_bx;
        }
        (ll, [dr * r, dalpha * alpha, da * a, db * b])
    }

    /// The probability a customer is still alive at the end of their window.
    pub fn p_alive(&self, c: &Customer) -> f64 {
        if c.frequency == 0 {
            return 1.0;
        }
        1.0 / (1.0 + self.dropout_odds(c.frequency, (self.alpha + c.t).ln(), c.recency))
    }

    /// The odds of having dropped out after the last purchase, given ln(α + T):
    /// a / (b + x − 1) · ((α + T) / (α + recency))^(r + x), 0 without repeats.
    fn dropout_odds(&self, frequency: u32, ln_alpha_t: f64, recency: f64) -> f64 {
        if frequency == 0 {
            return 0.0;
        }
        let x = f64::from(frequency);
        let BgNbd { r, alpha, a, b } = *self;
        a / (b + x - 1.0) * ((r + x) * (ln_alpha_t - (alpha + recency).ln())).exp()
    }

    /// Expected purchases in the next `t` periods for a customer surely alive, with this
    /// frequency and T: the part of the conditional expectation that ignores recency.
    fn expected_if_alive(&self, t: f64, frequency: u32, age: f64) -> f64 {
        let x = f64::from(frequency);
        let BgNbd { r, alpha, a, b } = *self;
        let first = (a + b + x - 1.0) / (a - 1.0);
        let z = t / (alpha + age + t);
        let hyp = hyp2f1(r + x, b + x, a + b + x - 1.0, z);
        first * (1.0 - ((alpha + age) / (alpha + age + t)).powf(r + x) * hyp)
    }

    /// P(alive) and expected purchases in the next `horizon` periods for every customer, in
    /// order; the part that ignores recency once per (frequency, T).
    ///
    /// ```
    /// use loyalty::analytics::clv::{BgNbd, Customer};
    /// let m = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    /// let c = Customer { frequency: 2, recency: 30.43, t: 38.86 };
    /// let p = m.predict(&[c, c], 39.0).unwrap();
    /// assert!(m.predict(&[Customer { frequency: 2, recency: 0.0, t: -10.0 }], 39.0).is_err());
    /// assert_eq!(p[0], p[1]);
    /// assert_eq!(p[0].p_alive, m.p_alive(&c));
    /// // Fader, Hardie & Lee (2005) give 1.226 for this CDNOW customer.
    /// assert_eq!((p[0].expected_purchases * 1e3).round() / 1e3, 1.226);
    /// ```
    ///
    /// # Errors
    /// [`ClvError::Invalid`] for impossible customer figures, [`ClvError::InvalidArgument`]
    /// for a negative or non-finite horizon or parameters that are not positive and finite.
    pub fn predict(&self, customers: &[Customer], horizon: f64) -> Result<Vec<Prediction>, ClvError> {
        self.check()?;
        if !horizon.is_finite() || horizon < 0.0 {
            return Err(ClvError::InvalidArgument {
                field: "horizon",
                value: horizon,
                reason: "must be a finite number of periods of at least 0",
            });
        }
        check(customers)?;
        // The recency-free part once per (frequency, T); per customer one log and one exp.
        let mut groups: HashMap<(u32, u64), (f64, f64), FxBuild> = HashMap::default();
        Ok(customers
            .iter()
            .map(|c| {
                let (ln_alpha_t, if_alive) = *groups
                    .entry((c.frequency, c.t.to_bits()))
                    .or_insert_with(|| ((self.alpha + c.t).ln(), self.expected_if_alive(horizon, c.frequency, c.t)));
                let odds = self.dropout_odds(c.frequency, ln_alpha_t, c.recency);
                Prediction { p_alive: 1.0 / (1.0 + odds), expected_purchases: if_alive / (1.0 + odds) }
            })
            .collect())
    }

    /// Refuses parameters that are not positive and finite, and a = 1, where the expected
    /// purchases divide by a − 1 (a below 1, as CDNOW's 0.793, is fine).
    pub(crate) fn check(&self) -> Result<(), ClvError> {
        for (field, value) in [("r", self.r), ("alpha", self.alpha), ("a", self.a), ("b", self.b)] {
            if !value.is_finite() || value <= 0.0 {
                return Err(ClvError::InvalidArgument { field, value, reason: "must be a positive finite parameter" });
            }
        }
        if self.a == 1.0 {
            return Err(ClvError::InvalidArgument { field: "a", value: self.a, reason: "must not be exactly 1" });
        }
        Ok(())
    }

    /// Expected purchases in the next `t` periods for a customer with this history.
    pub fn expected_purchases(&self, t: f64, c: &Customer) -> f64 {
        let odds = self.dropout_odds(c.frequency, (self.alpha + c.t).ln(), c.recency);
        self.expected_if_alive(t, c.frequency, c.t) / (1.0 + odds)
    }

    /// Expected purchases of a new customer in `t` periods (the population curve).
    pub fn expected_purchases_population(&self, t: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let z = t / (alpha + t);
        (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)).powf(r) * hyp2f1(r, b, a + b - 1.0, z))
    }

    /// The population curve: for each horizon `t` (periods), the expected purchases of a new
    /// customer and P(X(t) = k) for each `k` of `ks`.
    ///
    /// ```
    /// use loyalty::analytics::clv::BgNbd;
    /// let m = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    /// let (expected, p) = m.population(&[0.0, 39.0], &[0, 1]).unwrap();
    /// assert!(expected[0].abs() < 1e-12 && (p[0][0] - 1.0).abs() < 1e-12);
    /// assert!(expected[1] > 0.0 && p[1][0] < 1.0);
    /// assert!(m.population(&[-1.0], &[0]).is_err());
    /// ```
    ///
    /// # Errors
    /// [`ClvError::InvalidArgument`] (field `t`) for a horizon that is negative or not finite.
    #[allow(clippy::type_complexity)]
    pub fn population(&self, horizons: &[f64], ks: &[u32]) -> Result<(Vec<f64>, Vec<Vec<f64>>), ClvError> {
        if let Some(&t) = horizons.iter().find(|t| !(t.is_finite() && **t >= 0.0)) {
            return Err(ClvError::InvalidArgument {
                field: "t",
                value: t,
                reason: "must be a finite number of periods, at least 0",
            });
        }
        let expected = horizons.iter().map(|&t| self.expected_purchases_population(t)).collect();
        let probabilities =
            horizons.iter().map(|&t| ks.iter().map(|&k| self.probability_of_purchases(t, k)).collect()).collect();
        Ok((expected, probabilities))
    }

    /// The probability that a new customer makes exactly `k` purchases in `t` periods.
    pub fn probability_of_purchases(&self, t: f64, k: u32) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let x = f64::from(k);
        let log_nbd = |j: f64| {
            ln_gamma(r + j) - ln_gamma(r) - ln_gamma(j + 1.0)
                + r * (alpha / (alpha + t)).ln()
                // 0 · ln 0 is 0 here (no purchases in no time), not NaN.
                + if j == 0.0 { 0.0 } else { j * (t / (alpha + t)).ln() }
        };
        let first = (ln_beta(a, b + x) - ln_beta(a, b) + log_nbd(x)).exp();
        if k == 0 {
            return first;
        }
        let tail: f64 = (0..k).map(|j| log_nbd(f64::from(j)).exp()).sum();
        // Clamped: where the tail sums to 1 within rounding, the difference must not come
        // out as a negative probability.
        (first + (ln_beta(a + 1.0, b + x - 1.0) - ln_beta(a, b)).exp() * (1.0 - tail)).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_no_time_a_new_customer_makes_no_purchase() {
        let m = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
        // Exactly 1 and 0 up to the rounding of ln B(a, b) - ln B(a, b) (it was NaN).
        assert!((m.probability_of_purchases(0.0, 0) - 1.0).abs() < 1e-12);
        assert_eq!(m.probability_of_purchases(0.0, 3), 0.0);
        assert!(m.expected_purchases_population(0.0).abs() < 1e-12);
    }

    #[test]
    fn data_without_an_interior_maximum_is_refused_not_fitted() {
        // Nobody repeats: the likelihood grows as r falls to 0 (it reached 1.4e-11).
        let none: Vec<Customer> =
            (0..50).map(|i| Customer { frequency: 0, recency: 0.0, t: 10.0 + f64::from(i) }).collect();
        assert!(
            matches!(BgNbd::fit(&none), Err(ClvError::NoInteriorMaximum { parameter: "r", value }) if value < 1e-8)
        );
        // Everyone buys up to the end: no dropout to estimate (a fell to 1e-9, r rose to 5.6e6).
        let all: Vec<Customer> =
            (0..50).map(|i| Customer { frequency: 5, recency: 10.0 + f64::from(i), t: 10.0 + f64::from(i) }).collect();
        let err = BgNbd::fit(&all).unwrap_err();
        assert!(matches!(err, ClvError::NoInteriorMaximum { parameter: "r" | "a", .. }), "{err:?}");
        assert!(err.to_string().contains("the data have no interior maximum"));
    }

    #[test]
    fn predictions_equal_the_per_customer_formulas() {
        // Customers sharing (frequency, T) but not recency share the grouped part only.
        let m = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
        let c = |frequency, recency, t| Customer { frequency, recency, t };
        let all = [c(2, 30.43, 38.86), c(2, 10.0, 38.86), c(0, 0.0, 38.86), c(2, 15.0, 20.0), c(7, 35.0, 38.86)];
        let p = m.predict(&all, 39.0).unwrap();
        for (c, p) in all.iter().zip(&p) {
            assert_eq!((p.p_alive, p.expected_purchases), (m.p_alive(c), m.expected_purchases(39.0, c)));
        }
        assert!(p[1].p_alive < p[0].p_alive && p[1].expected_purchases < p[0].expected_purchases);
    }

    fn customers() -> Vec<Customer> {
        let c = |frequency, recency, t| Customer { frequency, recency, t };
        vec![
            c(0, 0.0, 38.86),
            c(0, 0.0, 38.86),
            c(2, 30.43, 38.86),
            c(1, 1.71, 38.86),
            c(2, 30.43, 38.86),
            c(14, 36.0, 37.0),
        ]
    }

    #[test]
    fn the_grouped_likelihood_is_the_sum_over_customers() {
        let m = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
        let cs = customers();
        let grouped = Grouped::new(&cs);
        assert_eq!(grouped.rows.len(), 4);
        assert_eq!(grouped.frequencies, vec![(0.0, 2.0), (2.0, 2.0), (1.0, 1.0), (14.0, 1.0)]);
        let (ll, _) = m.grouped_log_likelihood(&grouped);
        assert!((ll - m.log_likelihood(&cs)).abs() < 1e-10, "{ll} vs {}", m.log_likelihood(&cs));
    }

    #[test]
    fn the_gradient_matches_finite_differences() {
        let cs = customers();
        let grouped = Grouped::new(&cs);
        let at = [0.243f64.ln(), 4.414f64.ln(), 0.793f64.ln(), 2.426f64.ln()];
        let ll =
            |p: &[f64]| BgNbd { r: p[0].exp(), alpha: p[1].exp(), a: p[2].exp(), b: p[3].exp() }.log_likelihood(&cs);
        let (_, gradient) = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }.grouped_log_likelihood(&grouped);
        crate::analytics::clv::assert_gradient(&ll, &at, &gradient);
    }
}
