//! The BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way").

use super::optimize::maximum_likelihood;
use super::special::{digamma, hyp2f1, ln_beta, ln_gamma};
use super::{check, check_one, ClvError, Customer, CustomerColumns};

/// The fewest customers worth a thread of their own in [`BgNbd::predict_columns`].
const MIN_ROWS_PER_THREAD: usize = 1 << 16;
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
        1.0 / (1.0 + self.dropout_odds(c.frequency, (self.alpha + c.t).ln(), (self.alpha + c.recency).ln()))
    }

    /// The odds of having dropped out after the last purchase, given ln(α + T) and
    /// ln(α + recency): a / (b + x − 1) · ((α + T) / (α + recency))^(r + x), 0 without repeats.
    #[inline]
    fn dropout_odds(&self, frequency: u32, ln_alpha_t: f64, ln_alpha_recency: f64) -> f64 {
        if frequency == 0 {
            return 0.0;
        }
        let x = f64::from(frequency);
        let BgNbd { r, a, b, .. } = *self;
        a / (b + x - 1.0) * ((r + x) * (ln_alpha_t - ln_alpha_recency)).exp()
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
        let mut memo = Predictor::new(self, horizon, customers.len())?;
        customers
            .iter()
            .enumerate()
            .map(|(row, c)| {
                check_one(row, c)?;
                let p = memo.predict(c.frequency, c.recency, c.t);
                if p.expected_purchases.is_nan() {
                    return Err(not_converged(horizon));
                }
                Ok(p)
            })
            .collect()
    }

    /// [`BgNbd::predict`] over columns, as a data frame holds them: P(alive) and expected
    /// purchases in the next `horizon` periods written into `p_alive` and `expected`, row for
    /// row, on up to `threads` threads (0 and 1 mean this one; threads are only started for
    /// at least 65,536 customers each, so a small call never pays for them).
    ///
    /// ```
    /// use loyalty::analytics::clv::{BgNbd, ClvError, Customer, CustomerColumns};
    /// let m = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    /// let (mut alive, mut expected) = ([0.0; 2], [0.0; 2]);
    /// let columns = CustomerColumns { frequency: &[2, 0], recency: &[30.43, 0.0], t: &[38.86, 38.86] };
    /// m.predict_columns(&columns, 39.0, 2, &mut alive, &mut expected).unwrap();
    /// let c = Customer { frequency: 2, recency: 30.43, t: 38.86 };
    /// assert_eq!((alive[0], expected[0]), (m.p_alive(&c), m.expected_purchases(39.0, &c)));
    /// assert_eq!(alive[1], 1.0);
    /// let bad = CustomerColumns { frequency: &[1], recency: &[5.0], t: &[4.0] };
    /// let err = m.predict_columns(&bad, 39.0, 1, &mut alive[..1], &mut expected[..1]);
    /// assert!(matches!(err, Err(ClvError::Invalid { field: "recency", row: 0, .. })));
    /// ```
    ///
    /// # Errors
    /// As [`BgNbd::predict`], for the first bad row; also [`ClvError::LengthMismatch`] for a
    /// column (input or output) not as long as `frequency`, and [`ClvError::Invalid`] for a
    /// frequency above 4,294,967,295. The outputs' contents are unspecified after an error.
    pub fn predict_columns(
        &self,
        customers: &CustomerColumns<'_>,
        horizon: f64,
        threads: usize,
        p_alive: &mut [f64],
        expected: &mut [f64],
    ) -> Result<(), ClvError> {
        let n = customers.frequency.len();
        let lengths = [
            ("recency", customers.recency.len()),
            ("T", customers.t.len()),
            ("p_alive", p_alive.len()),
            ("expected", expected.len()),
        ];
        for (column, len) in lengths {
            if len != n {
                return Err(ClvError::LengthMismatch { column, len, expected: n });
            }
        }
        self.check()?;
        check_horizon(horizon)?;
        let threads = threads.clamp(1, (n / MIN_ROWS_PER_THREAD).max(1));
        if threads == 1 {
            return self.predict_rows(customers, 0, horizon, p_alive, expected);
        }
        let chunk = n.div_ceil(threads);
        std::thread::scope(|scope| {
            let parts: Vec<_> = p_alive
                .chunks_mut(chunk)
                .zip(expected.chunks_mut(chunk))
                .enumerate()
                .map(|(k, (alive, expected))| {
                    scope.spawn(move || self.predict_rows(customers, k * chunk, horizon, alive, expected))
                })
                .collect();
            // The first error by row: parts are in row order. A thread's panic (a bug, not
            // input) goes on in this thread.
            parts.into_iter().try_for_each(|part| part.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
        })
    }

    /// Predictions for the rows from `first` on, as many as `p_alive` holds.
    fn predict_rows(
        &self,
        customers: &CustomerColumns<'_>,
        first: usize,
        horizon: f64,
        p_alive: &mut [f64],
        expected: &mut [f64],
    ) -> Result<(), ClvError> {
        let mut memo = Predictor::new(self, horizon, p_alive.len())?;
        let rows = first..first + p_alive.len();
        let (frequency, recency, t) =
            (&customers.frequency[rows.clone()], &customers.recency[rows.clone()], &customers.t[rows]);
        // Blocks are checked first with one branch-free pass (the compiler vectorizes it); a
        // block with a bad row is checked row by row for the error naming the first.
        const BLOCK: usize = 1024;
        for start in (0..p_alive.len()).step_by(BLOCK) {
            let end = (start + BLOCK).min(p_alive.len());
            let block = (&frequency[start..end], &recency[start..end], &t[start..end]);
            let fine = block.0.iter().zip(block.1).zip(block.2).fold(true, |ok, ((&f, &r), &t)| {
                // Without NaNs and infinities by the comparisons' own rules: every one of them
                // is false for a NaN, and a finite T bounds the recency.
                ok & (f >> 32 == 0)
                    & (0.0..f64::INFINITY).contains(&t)
                    & (r >= 0.0)
                    & (r <= t)
                    & ((f != 0) | (r <= 0.0))
                    & (f as f64 <= 7.0 * r + 6.0)
            });
            if !fine {
                for i in start..end {
                    let row = first + i;
                    let f = u32::try_from(frequency[i]).map_err(|_| ClvError::Invalid {
                        field: "frequency",
                        row,
                        value: frequency[i] as f64,
                        reason: "is not a count of repeat purchases (0 to 4294967295)",
                    })?;
                    check_one(row, &Customer { frequency: f, recency: recency[i], t: t[i] })?;
                }
            }
            for i in start..end {
                let p = memo.predict(frequency[i] as u32, recency[i], t[i]);
                (p_alive[i], expected[i]) = (p.p_alive, p.expected_purchases);
            }
            if expected[start..end].iter().any(|e| e.is_nan()) {
                return Err(not_converged(horizon));
            }
        }
        Ok(())
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
        let odds = self.dropout_odds(c.frequency, (self.alpha + c.t).ln(), (self.alpha + c.recency).ln());
        self.expected_if_alive(t, c.frequency, c.t) * (1.0 / (1.0 + odds))
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
    /// [`ClvError::InvalidArgument`] (field `t`) for a horizon that is negative or not finite,
    /// or for parameters that are not positive and finite (or a = 1).
    #[allow(clippy::type_complexity)]
    pub fn population(&self, horizons: &[f64], ks: &[u32]) -> Result<(Vec<f64>, Vec<Vec<f64>>), ClvError> {
        self.check()?;
        if let Some(&t) = horizons.iter().find(|t| !(t.is_finite() && **t >= 0.0)) {
            return Err(ClvError::InvalidArgument {
                field: "t",
                value: t,
                reason: "must be a finite number of periods, at least 0",
            });
        }
        let expected: Vec<f64> = horizons.iter().map(|&t| self.expected_purchases_population(t)).collect();
        if let Some(i) = expected.iter().position(|e| e.is_nan()) {
            return Err(not_converged(horizons[i]));
        }
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

    /// The probability that this customer makes exactly `k` purchases in the next `t`
    /// periods, given their history: the conditional PMF. Alive at T (probability
    /// [`BgNbd::p_alive`]) with rate and dropout drawn from their posteriors, the customer
    /// starts a fresh BG/NBD process, so with NB(j) the negative binomial with r + x and
    /// odds t / (α + T + t),
    ///
    /// P(k) = P(alive) · [B(a, b + x + k) / B(a, b + x) · NB(k)
    ///        + B(a + 1, b + x + k − 1) / B(a, b + x) · (1 − Σ_{j<k} NB(j))] + [k = 0] (1 − P(alive)),
    ///
    /// which is [`BgNbd::probability_of_purchases`] for a new customer (x = 0, T = 0), sums
    /// to 1 over k, and has [`BgNbd::expected_purchases`] as its mean (the test below checks
    /// both on the paper's CDNOW customer).
    ///
    /// ```
    /// use loyalty::analytics::clv::{BgNbd, Customer};
    /// let m = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    /// let c = Customer { frequency: 2, recency: 30.43, t: 38.86 };
    /// let p: Vec<f64> = (0..200).map(|k| m.conditional_probability_of_purchases(39.0, k, &c)).collect();
    /// assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    /// let mean: f64 = p.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
    /// // Fader, Hardie & Lee (2005): 1.226 expected purchases for this customer.
    /// assert_eq!((mean * 1e3).round() / 1e3, 1.226);
    /// assert!((mean - m.expected_purchases(39.0, &c)).abs() < 1e-9);
    /// ```
    pub fn conditional_probability_of_purchases(&self, t: f64, k: u32, c: &Customer) -> f64 {
        let mut pmf = Vec::with_capacity(k as usize + 1);
        self.purchase_pmf(t, k, c, &mut pmf);
        pmf.last().copied().unwrap_or(f64::NAN)
    }

    /// [`BgNbd::conditional_probability_of_purchases`] for every customer and every k from 0
    /// to `max_k`, row by row: `max_k + 1` probabilities per customer.
    ///
    /// ```
    /// use loyalty::analytics::clv::{BgNbd, Customer};
    /// let m = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    /// let c = Customer { frequency: 0, recency: 0.0, t: 0.0 };
    /// let p = m.purchase_probabilities(&[c], 39.0, 2).unwrap();
    /// assert_eq!(p.len(), 3);
    /// assert!((p[1] - m.probability_of_purchases(39.0, 1)).abs() < 1e-15);
    /// assert!(m.purchase_probabilities(&[c], f64::NAN, 2).is_err());
    /// ```
    ///
    /// # Errors
    /// As [`BgNbd::predict`].
    pub fn purchase_probabilities(&self, customers: &[Customer], t: f64, max_k: u32) -> Result<Vec<f64>, ClvError> {
        self.check()?;
        check_horizon(t)?;
        check(customers)?;
        let mut out = Vec::with_capacity(customers.len() * (max_k as usize + 1));
        for c in customers {
            self.purchase_pmf(t, max_k, c, &mut out);
        }
        Ok(out)
    }

    /// The conditional PMF from 0 to `max_k` for one customer, walking k up: the negative
    /// binomial terms and the two beta ratios each follow from the previous k by a factor,
    /// so a row costs O(max_k), not O(max_k²) as separate calls would.
    fn purchase_pmf(&self, t: f64, max_k: u32, c: &Customer, out: &mut Vec<f64>) {
        let BgNbd { r, alpha, a, b } = *self;
        let x = f64::from(c.frequency);
        let alive = self.p_alive(c);
        let rx = r + x;
        let (near, far) = (alpha + c.t, alpha + c.t + t);
        let ln_q = (t / far).ln();
        // ln NB(k), B(a, b + x + k) / B(a, b + x) and B(a + 1, b + x + k − 1) / B(a, b + x).
        let (mut ln_nb, mut beta_stay, mut beta_drop) = (rx * (near / far).ln(), 1.0, a / (a + b + x));
        let mut head = 0.0f64;
        for k in 0..=max_k {
            let n = f64::from(k);
            let nb = ln_nb.exp();
            let p = if k == 0 {
                alive * nb + (1.0 - alive)
            } else {
                alive * (beta_stay * nb + beta_drop * (1.0 - head).max(0.0))
            };
            out.push(p.clamp(0.0, 1.0));
            head += nb;
            ln_nb += (rx + n).ln() - (n + 1.0).ln() + ln_q;
            beta_stay *= (b + x + n) / (a + b + x + n);
            if k > 0 {
                beta_drop *= (b + x + n - 1.0) / (a + b + x + n);
            }
        }
    }
}

/// Refuses a horizon that is negative or not finite.
fn check_horizon(horizon: f64) -> Result<(), ClvError> {
    if !horizon.is_finite() || horizon < 0.0 {
        return Err(ClvError::InvalidArgument {
            field: "horizon",
            value: horizon,
            reason: "must be a finite number of periods of at least 0",
        });
    }
    Ok(())
}

/// The error for a horizon so long, against a customer's ages, that the expected purchases'
/// series does not converge (its argument t / (α + T + t) too close to 1).
fn not_converged(horizon: f64) -> ClvError {
    ClvError::InvalidArgument {
        field: "horizon",
        value: horizon,
        reason: "is too long against the customers' ages: the expected purchases' series does not converge",
    }
}

/// Predictions one customer at a time. The part that ignores recency (a hypergeometric
/// series) is remembered per (frequency, T) and ln(α + recency) per recency: a log with
/// whole-day ages repeats a few thousand of each. The first is an open-addressing table
/// (linear probing, kept at most half full), the second a small direct-mapped cache, so most
/// customers cost a look-up or two, and one exponential and one division when they have
/// repeats.
struct Predictor<'m> {
    model: &'m BgNbd,
    horizon: f64,
    /// By (frequency, T): T's bits all ones (a NaN, which checked ages never are) marks an
    /// empty slot.
    by_age: Vec<AgeSlot>,
    /// Occupied slots of `by_age`.
    ages: usize,
    /// 64 − log2 of `by_age`'s length: the hash's high bits pick the slot.
    age_shift: u32,
    /// (recency's bits, ln(α + recency)).
    by_recency: Vec<(u64, f64)>,
    recency_shift: u32,
}

/// What a customer's predictions need from their (frequency, T).
#[derive(Clone, Copy)]
struct AgeSlot {
    t_bits: u64,
    frequency: u32,
    ln_alpha_t: f64,
    /// Expected purchases if surely alive.
    if_alive: f64,
    /// a / (b + x − 1), the dropout odds' factor.
    odds_factor: f64,
}

const EMPTY: AgeSlot = AgeSlot { t_bits: u64::MAX, frequency: 0, ln_alpha_t: 0.0, if_alive: 0.0, odds_factor: 0.0 };

/// A table slot from a key's bits: the high bits of a multiplicative hash.
#[inline]
fn slot(bits: u64, shift: u32) -> usize {
    (bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize
}

/// The (frequency, T) table's hash: adding the frequency spreads one T's customers.
#[inline]
fn age_hash(frequency: u32, t_bits: u64) -> u64 {
    t_bits.wrapping_add(u64::from(frequency)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl<'m> Predictor<'m> {
    /// Checks the model and the horizon; the recency cache sized for `customers`, up to
    /// 1,024 slots.
    fn new(model: &'m BgNbd, horizon: f64, customers: usize) -> Result<Self, ClvError> {
        model.check()?;
        check_horizon(horizon)?;
        let recency_bits = (customers.max(1) * 2).next_power_of_two().min(1 << 10).trailing_zeros();
        Ok(Predictor {
            model,
            horizon,
            by_age: vec![EMPTY; 64],
            ages: 0,
            age_shift: 64 - 6,
            by_recency: vec![(u64::MAX, 0.0); 1 << recency_bits],
            recency_shift: 64 - recency_bits,
        })
    }

    /// The (frequency, T) slot, computed on first sight.
    #[inline(always)]
    fn age(&mut self, frequency: u32, t: f64) -> AgeSlot {
        let key = t.to_bits();
        let mask = self.by_age.len() - 1;
        let mut i = (age_hash(frequency, key) >> self.age_shift) as usize;
        loop {
            let e = self.by_age[i];
            if e.t_bits == key && e.frequency == frequency {
                return e;
            }
            if e.t_bits == u64::MAX {
                return self.insert(i, frequency, t);
            }
            i = (i + 1) & mask;
        }
    }

    /// Computes a new (frequency, T) into empty slot `i`, growing the table past half full.
    #[cold]
    #[inline(never)]
    fn insert(&mut self, i: usize, frequency: u32, t: f64) -> AgeSlot {
        let m = self.model;
        let x = f64::from(frequency);
        let e = AgeSlot {
            t_bits: t.to_bits(),
            frequency,
            ln_alpha_t: (m.alpha + t).ln(),
            if_alive: m.expected_if_alive(self.horizon, frequency, t),
            odds_factor: m.a / (m.b + x - 1.0),
        };
        self.by_age[i] = e;
        self.ages += 1;
        if self.ages * 2 > self.by_age.len() {
            let doubled = vec![EMPTY; self.by_age.len() * 2];
            let old = std::mem::replace(&mut self.by_age, doubled);
            let mask = self.by_age.len() - 1;
            self.age_shift -= 1;
            for e in old.into_iter().filter(|e| e.t_bits != u64::MAX) {
                let mut j = (age_hash(e.frequency, e.t_bits) >> self.age_shift) as usize;
                while self.by_age[j].t_bits != u64::MAX {
                    j = (j + 1) & mask;
                }
                self.by_age[j] = e;
            }
        }
        e
    }

    /// One checked customer's predictions: the same arithmetic as [`BgNbd::p_alive`] and
    /// [`BgNbd::expected_purchases`], so the same bits.
    #[inline(always)]
    fn predict(&mut self, frequency: u32, recency: f64, t: f64) -> Prediction {
        let e = self.age(frequency, t);
        if frequency == 0 {
            return Prediction { p_alive: 1.0, expected_purchases: e.if_alive };
        }
        let m = self.model;
        let key = recency.to_bits();
        let r = &mut self.by_recency[slot(key, self.recency_shift)];
        if r.0 != key {
            *r = (key, ln_alpha_plus(m, recency));
        }
        let odds = e.odds_factor * ((m.r + f64::from(frequency)) * (e.ln_alpha_t - r.1)).exp();
        let alive = 1.0 / (1.0 + odds);
        Prediction { p_alive: alive, expected_purchases: e.if_alive * alive }
    }
}

/// ln(α + age), out of line: a recency missing from its slot.
#[cold]
#[inline(never)]
fn ln_alpha_plus(m: &BgNbd, age: f64) -> f64 {
    (m.alpha + age).ln()
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
        // Customers sharing (frequency, T) but not recency share the grouped part only; the
        // many customers grow the (frequency, T) table past its first 64 slots.
        let m = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
        let c = |frequency, recency, t| Customer { frequency, recency, t };
        let all = [c(2, 30.43, 38.86), c(2, 10.0, 38.86), c(0, 0.0, 38.86), c(2, 15.0, 20.0), c(7, 35.0, 38.86)];
        let p = m.predict(&all, 39.0).unwrap();
        for (c, p) in all.iter().zip(&p) {
            assert_eq!((p.p_alive, p.expected_purchases), (m.p_alive(c), m.expected_purchases(39.0, c)));
        }
        assert!(p[1].p_alive < p[0].p_alive && p[1].expected_purchases < p[0].expected_purchases);
        let all = many(30_000);
        let p = m.predict(&all, 39.0).unwrap();
        for (c, p) in all.iter().zip(&p) {
            assert_eq!((p.p_alive, p.expected_purchases), (m.p_alive(c), m.expected_purchases(39.0, c)));
        }
    }

    /// Customers of many distinct (frequency, T) and recencies, deterministic: enough keys to
    /// grow the (frequency, T) table several times and to collide in the recency cache.
    fn many(n: usize) -> Vec<Customer> {
        (0..n)
            .map(|i| {
                let t = 20.0 + (i % 613) as f64 / 7.0;
                let frequency = (i % 37) as u32;
                // At least half of T: 36 repeats need at least 30/7 periods.
                let recency = if frequency == 0 { 0.0 } else { t * (0.5 + ((i * 7919) % 1000) as f64 / 2000.0) };
                Customer { frequency, recency, t }
            })
            .collect()
    }

    #[test]
    fn column_predictions_on_threads_equal_the_per_customer_formulas() {
        let m = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
        // 200,000 customers: three threads of at least 65,536 each.
        let all = many(200_000);
        let frequency: Vec<u64> = all.iter().map(|c| u64::from(c.frequency)).collect();
        let recency: Vec<f64> = all.iter().map(|c| c.recency).collect();
        let t: Vec<f64> = all.iter().map(|c| c.t).collect();
        let columns = CustomerColumns { frequency: &frequency, recency: &recency, t: &t };
        let (mut alive, mut expected) = (vec![0.0; all.len()], vec![0.0; all.len()]);
        m.predict_columns(&columns, 39.0, 3, &mut alive, &mut expected).unwrap();
        for (i, c) in all.iter().enumerate().step_by(97) {
            assert_eq!((alive[i], expected[i]), (m.p_alive(c), m.expected_purchases(39.0, c)), "row {i}");
        }
        let one: Vec<(f64, f64)> =
            m.predict(&all, 39.0).unwrap().iter().map(|p| (p.p_alive, p.expected_purchases)).collect();
        assert!(one.iter().zip(alive.iter().zip(&expected)).all(|(a, (b, c))| *a == (*b, *c)));
    }

    #[test]
    fn column_errors_name_the_column_and_the_first_bad_row() {
        let m = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
        let (mut alive, mut expected) = (vec![0.0; 140_000], vec![0.0; 140_000]);
        let (mut frequency, recency, mut t) = (vec![1u64; 140_000], vec![1.0; 140_000], vec![2.0; 140_000]);
        frequency[70_000] = 1 << 40;
        t[100_000] = -1.0;
        let columns = CustomerColumns { frequency: &frequency, recency: &recency, t: &t };
        // On two threads the second thread's error is the first bad row, as on one.
        for threads in [1, 2] {
            let err = m.predict_columns(&columns, 39.0, threads, &mut alive, &mut expected).unwrap_err();
            assert_eq!(
                err,
                ClvError::Invalid {
                    field: "frequency",
                    row: 70_000,
                    value: (1u64 << 40) as f64,
                    reason: "is not a count of repeat purchases (0 to 4294967295)"
                }
            );
        }
        frequency[70_000] = 1;
        let columns = CustomerColumns { frequency: &frequency, recency: &recency, t: &t };
        let err = m.predict_columns(&columns, 39.0, 2, &mut alive, &mut expected).unwrap_err();
        assert!(matches!(err, ClvError::Invalid { field: "T", row: 100_000, .. }), "{err:?}");
        let short = CustomerColumns { frequency: &frequency, recency: &recency[1..], t: &t };
        let err = m.predict_columns(&short, 39.0, 1, &mut alive, &mut expected).unwrap_err();
        assert_eq!(err, ClvError::LengthMismatch { column: "recency", len: 139_999, expected: 140_000 });
        let err = m.predict_columns(&columns, 39.0, 1, &mut alive[1..], &mut expected).unwrap_err();
        assert_eq!(err, ClvError::LengthMismatch { column: "p_alive", len: 139_999, expected: 140_000 });
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
