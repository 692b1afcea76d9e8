//! The Gamma-Gamma model of monetary value (Fader & Hardie 2013).

use super::bgnbd::BgNbd;
use super::optimize::{bfgs, maximum_likelihood};
use super::special::{digamma, ln_gamma, trigamma};
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
        for (row, (x, m)) in customers.iter().enumerate() {
            if *x > 0 && (!m.is_finite() || *m <= 0.0) {
                return Err(ClvError::Invalid {
                    field: "monetary",
                    row,
                    value: *m,
                    reason: "must be more than 0 for repeat customers",
                });
            }
        }
        let repeat = Repeaters::new(customers);
        if repeat.customers == 0.0 {
            return Err(ClvError::Empty { what: "repeat customers" });
        }
        // With many customers, start from the fit of an evenly spread sample of them: a few
        // cheap passes there leave the full data one to three Newton steps from its optimum.
        const SAMPLE: usize = 20_000;
        let start = if repeat.x.len() > 4 * SAMPLE {
            let every = repeat.x.len() / SAMPLE;
            let sample: Vec<(u32, f64)> = customers.iter().filter(|(x, _)| *x > 0).step_by(every).copied().collect();
            profile_fit(&Repeaters::new(&sample), None).map(|fit| fit.params)
        } else {
            None
        };
        let fit = match profile_fit(&repeat, start) {
            Some(fit) => fit,
            None => joint_fit(&repeat)?,
        };
        // Data without an interior maximum (one repeat customer, all mean values equal) drive
        // the parameters to the edge of their range: that is no fit, whatever the optimizer says.
        let GammaGamma { p, q, gamma } = fit.params;
        super::runaway(&[("p", p), ("q", q), ("gamma", gamma)])?;
        if !fit.log_likelihood.is_finite() {
            return Err(ClvError::NotConverged { iterations: fit.iterations, log_likelihood: fit.log_likelihood });
        }
        Ok(fit)
    }

    /// The log-likelihood of the repeat customers, its gradient and Hessian in log-parameters
    /// (ln p, ln q, ln γ), from their sums at this γ. The Hessian is left at zero unless asked.
    fn local(&self, data: &Repeaters, sums: &Sums, hessian: bool) -> Local {
        let GammaGamma { p, q, gamma } = *self;
        let n = data.customers;
        let ln_g = gamma.ln();
        let (lg_q, dg_q, tg_q) = (ln_gamma(q), digamma(q), if hessian { trigamma(q) } else { 0.0 });
        let (mut ll, mut lp, mut lq) = (0.0, 0.0, 0.0);
        let (mut lpp, mut lpq, mut lqq) = (0.0, 0.0, 0.0);
        // Terms that depend on the frequency only, once per distinct frequency.
        for g in &data.groups {
            let (x, w) = (g.x, g.customers);
            let px = p * x;
            let (dg_pxq, dg_px) = (digamma(px + q), digamma(px));
            ll += w * (ln_gamma(px + q) - ln_gamma(px) - lg_q + q * ln_g + px * x.ln()) + (px - 1.0) * g.ln_means;
            lp += w * x * (dg_pxq - dg_px + x.ln()) + x * g.ln_means;
            lq += w * (dg_pxq - dg_q + ln_g);
            if hessian {
                let (tg_pxq, tg_px) = (trigamma(px + q), trigamma(px));
                lpp += w * x * x * (tg_pxq - tg_px);
                lpq += w * x * tg_pxq;
                lqq += w * (tg_pxq - tg_q);
            }
        }
        // Terms of each customer's total spend s: −(p x + q) ln(γ + s).
        ll -= p * sums.x_ln + q * sums.ln;
        lp -= sums.x_ln;
        lq -= sums.ln;
        let lg = n * q / gamma - p * sums.x_inv - q * sums.inv;
        let (lpg, lqg) = (-sums.x_inv, n / gamma - sums.inv);
        let lgg = -n * q / (gamma * gamma) + p * sums.x_inv2 + q * sums.inv2;
        let v = [p, q, gamma];
        let d = [lp, lq, lg];
        let second = [[lpp, lpq, lpg], [lpq, lqq, lqg], [lpg, lqg, lgg]];
        let mut local = Local { ll, gradient: [0.0; 3], hessian: [[0.0; 3]; 3] };
        for i in 0..3 {
            local.gradient[i] = v[i] * d[i];
            if hessian {
                for j in 0..3 {
                    local.hessian[i][j] = v[i] * v[j] * second[i][j] + if i == j { v[i] * d[i] } else { 0.0 };
                }
            }
        }
        local
    }

    fn repeaters_log_likelihood(&self, data: &Repeaters) -> (f64, [f64; 3]) {
        let local = self.local(data, &data.sums(self.gamma), false);
        (local.ll, local.gradient)
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

/// Repeat customers: grouped by frequency for the terms that depend on it alone, and each
/// customer's frequency and total spend for the terms of ln(γ + x m).
struct Repeaters {
    groups: Vec<Group>,
    x: Vec<f64>,
    total: Vec<f64>,
    customers: f64,
}

/// Customers of one frequency.
struct Group {
    x: f64,
    customers: f64,
    /// Σ ln m over them.
    ln_means: f64,
}

/// Sums over the customers at one γ, which is all the likelihood needs of them: with
/// d = 1 / (γ + x m), Σ ln(γ + x m), Σ x ln(γ + x m), Σ d, Σ x d, Σ d², Σ x d².
#[derive(Clone, Copy, Debug, Default)]
struct Sums {
    ln: f64,
    x_ln: f64,
    inv: f64,
    x_inv: f64,
    inv2: f64,
    x_inv2: f64,
}

/// The log-likelihood with its gradient and Hessian in log-parameters.
struct Local {
    ll: f64,
    gradient: [f64; 3],
    hessian: [[f64; 3]; 3],
}

impl Repeaters {
    fn new(data: &[(u32, f64)]) -> Repeaters {
        // Frequencies index their group directly up to this; rarer, larger ones go through a map.
        const DIRECT: u32 = 4_096;
        let mut direct = vec![u32::MAX; DIRECT as usize];
        let mut index: HashMap<u32, u32, FxBuild> = HashMap::default();
        let mut groups: Vec<Group> = Vec::new();
        let (mut x, mut total) = (Vec::with_capacity(data.len()), Vec::with_capacity(data.len()));
        for &(f, m) in data.iter().filter(|(f, _)| *f > 0) {
            let next = groups.len() as u32;
            let k = if f < DIRECT {
                let slot = &mut direct[f as usize];
                if *slot == u32::MAX {
                    *slot = next;
                }
                *slot
            } else {
                *index.entry(f).or_insert(next)
            };
            if k == next {
                groups.push(Group { x: f64::from(f), customers: 0.0, ln_means: 0.0 });
            }
            let g = &mut groups[k as usize];
            g.customers += 1.0;
            g.ln_means += m.ln();
            x.push(f64::from(f));
            total.push(f64::from(f) * m);
        }
        let customers = x.len() as f64;
        Repeaters { groups, x, total, customers }
    }

    /// One pass over the customers: one logarithm and one division each. In blocks: the
    /// logarithms first (independent calls that overlap), then the sums in four lanes, so no
    /// accumulator waits on a call or on its own previous addition.
    fn sums(&self, gamma: f64) -> Sums {
        const BLOCK: usize = 256;
        const LANES: usize = 4;
        let mut lanes = [[0.0f64; LANES]; 6];
        let mut ln = [0.0f64; BLOCK];
        for (xs, totals) in self.x.chunks(BLOCK).zip(self.total.chunks(BLOCK)) {
            for (out, &total) in ln.iter_mut().zip(totals) {
                *out = (gamma + total).ln();
            }
            let whole = xs.len() / LANES * LANES;
            for i in (0..whole).step_by(LANES) {
                for k in 0..LANES {
                    let (x, l, inv) = (xs[i + k], ln[i + k], 1.0 / (gamma + totals[i + k]));
                    lanes[0][k] += l;
                    lanes[1][k] += x * l;
                    lanes[2][k] += inv;
                    lanes[3][k] += x * inv;
                    lanes[4][k] += inv * inv;
                    lanes[5][k] += x * inv * inv;
                }
            }
            for i in whole..xs.len() {
                let (x, l, inv) = (xs[i], ln[i], 1.0 / (gamma + totals[i]));
                lanes[0][0] += l;
                lanes[1][0] += x * l;
                lanes[2][0] += inv;
                lanes[3][0] += x * inv;
                lanes[4][0] += inv * inv;
                lanes[5][0] += x * inv * inv;
            }
        }
        let [ln, x_ln, inv, x_inv, inv2, x_inv2] = lanes.map(|l| l.iter().sum());
        Sums { ln, x_ln, inv, x_inv, inv2, x_inv2 }
    }
}

/// Fits by the profile likelihood in γ: the customers enter the likelihood only through sums
/// that depend on γ alone, so for each γ tried, one pass over them gives [`Sums`], and p and
/// q are then fitted over the distinct frequencies only (cheap). γ itself is found by a
/// safeguarded Newton iteration on the profile's derivative in ln γ, whose curvature comes
/// from the exact Hessian (H_γγ − H_γθ H_θθ⁻¹ H_θγ). A handful of passes over the customers
/// instead of one per BFGS evaluation. `None` when it cannot finish; the caller then fits
/// all three parameters jointly.
fn profile_fit(data: &Repeaters, start: Option<GammaGamma>) -> Option<GammaGammaFit> {
    let (mut u, mut theta) = match start {
        Some(m) => (m.gamma.ln(), [m.p.ln(), m.q.ln()]),
        None => {
            // γ at the mean of x m / x: the same order as γ for typical fits.
            let mean_value = data.total.iter().zip(&data.x).map(|(t, x)| t / x).sum::<f64>() / data.customers;
            (mean_value.ln(), [0.0f64, 0.0])
        }
    };
    let (mut below, mut above) = (f64::NEG_INFINITY, f64::INFINITY);
    for iteration in 1..=100 {
        let gamma = u.exp();
        let sums = data.sums(gamma);
        let at = |t: [f64; 2]| GammaGamma { p: t[0].exp(), q: t[1].exp(), gamma }.local(data, &sums, true);
        // p and q for this γ: Newton on their exact 2 × 2 Hessian from the previous optimum
        // (a few cheap steps over the frequency groups), BFGS when Newton cannot go on. The
        // profile's slope in γ is only as accurate as they are.
        let mut local = at(theta);
        if !newton_inner(&at, &mut theta, &mut local) {
            let inner = |v: &[f64], gradient: &mut [f64]| {
                let local = GammaGamma { p: v[0].exp(), q: v[1].exp(), gamma }.local(data, &sums, false);
                gradient[0] = -local.gradient[0];
                gradient[1] = -local.gradient[1];
                -local.ll
            };
            let m = bfgs(&inner, &theta, 1e-12, 1_000);
            if !m.converged || !m.value.is_finite() {
                return None;
            }
            theta = [m.x[0], m.x[1]];
            local = at(theta);
            newton_inner(&at, &mut theta, &mut local);
        }
        let params = GammaGamma { p: theta[0].exp(), q: theta[1].exp(), gamma };
        let h = local.hessian;
        let det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
        let g = local.gradient[2];
        // Curvature of the profile: H_uu − c' H_θθ⁻¹ c with c = H_θu.
        let (c0, c1) = (h[0][2], h[1][2]);
        let curvature = h[2][2] - (c0 * (h[1][1] * c0 - h[0][1] * c1) + c1 * (h[0][0] * c1 - h[1][0] * c0)) / det;
        if !(g.is_finite() && curvature.is_finite()) {
            return None;
        }
        if g.abs() <= 1e-10 * (1.0 + local.ll.abs()) {
            return Some(GammaGammaFit { params, log_likelihood: local.ll, iterations: iteration });
        }
        if g > 0.0 {
            below = below.max(u);
        } else {
            above = above.min(u);
        }
        // Newton where the profile is concave, else a unit step uphill; never more than a
        // factor e in γ at once, and bisect when the step leaves the bracket.
        let step = if curvature < 0.0 { (-g / curvature).clamp(-1.0, 1.0) } else { g.signum() };
        let mut next = u + step;
        if !(next > below && next < above) && below.is_finite() && above.is_finite() {
            next = 0.5 * (below + above);
        }
        if (next - u).abs() <= 1e-10 * (1.0 + u.abs()) {
            // A vanishing step is a maximum only where the slope vanishes too (a collapsed
            // bracket around a slope that does not is left to the joint fit).
            return (g.abs() <= 1e-6 * (1.0 + local.ll.abs())).then_some(GammaGammaFit {
                params,
                log_likelihood: local.ll,
                iterations: iteration,
            });
        }
        u = next;
    }
    None
}

/// Newton steps in (ln p, ln q) at a fixed γ, each accepted when it raises the likelihood or
/// brings the gradient closer to zero (near the optimum the likelihood no longer resolves
/// the difference), at most one unit in log space at a time. True when the gradient is
/// negligible.
fn newton_inner(at: &dyn Fn([f64; 2]) -> Local, theta: &mut [f64; 2], local: &mut Local) -> bool {
    let norm = |l: &Local| l.gradient[0].abs().max(l.gradient[1].abs());
    for _ in 0..50 {
        if norm(local) <= 1e-10 * (1.0 + local.ll.abs()) {
            return true;
        }
        let (h, g) = (local.hessian, local.gradient);
        let det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
        if !(h[0][0] < 0.0 && det > 0.0) {
            return false;
        }
        let mut step = [(h[1][1] * g[0] - h[0][1] * g[1]) / det, (h[0][0] * g[1] - h[1][0] * g[0]) / det];
        let longest = step[0].abs().max(step[1].abs());
        if longest > 1.0 {
            step = step.map(|s| s / longest);
        }
        let next = [theta[0] - step[0], theta[1] - step[1]];
        let candidate = at(next);
        if !(candidate.ll > local.ll || norm(&candidate) < norm(local)) {
            return false;
        }
        (*theta, *local) = (next, candidate);
    }
    false
}

/// Fits p, q and γ together by BFGS (one pass over the customers per evaluation).
fn joint_fit(data: &Repeaters) -> Result<GammaGammaFit, ClvError> {
    let params = |v: &[f64]| GammaGamma { p: v[0].exp(), q: v[1].exp(), gamma: v[2].exp() };
    let objective = |v: &[f64], gradient: &mut [f64]| {
        let (ll, g) = params(v).repeaters_log_likelihood(data);
        gradient.iter_mut().zip(g).for_each(|(out, g)| *out = -g);
        -ll
    };
    let m = maximum_likelihood(&objective, &[0.0, 0.0, 0.0])?;
    Ok(GammaGammaFit { params: params(&m.x), log_likelihood: -m.value, iterations: m.iterations })
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
    customers
        .iter()
        .zip(monetary)
        .map(|(c, m)| {
            let curve = *curves
                .entry((c.frequency, c.recency.to_bits(), c.t.to_bits()))
                .or_insert_with(|| discounted_purchases(bg, c, horizon, discount_rate));
            if curve.is_nan() {
                // The expected purchases' series did not converge (see `BgNbd::predict`).
                let reason =
                    "is too long against the customers' ages: the expected purchases' series does not converge";
                return Err(ClvError::InvalidArgument { field: "horizon", value: f64::from(horizon), reason });
            }
            Ok(gg.conditional_expected_value(c.frequency, *m) * curve)
        })
        .collect()
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
    fn the_hessian_matches_finite_differences_of_the_gradient() {
        let repeat = Repeaters::new(&DATA);
        let at = [6.25f64.ln(), 3.74f64.ln(), 15.44f64.ln()];
        let model = |v: &[f64; 3]| GammaGamma { p: v[0].exp(), q: v[1].exp(), gamma: v[2].exp() };
        let exact = model(&at).local(&repeat, &repeat.sums(15.44), true).hessian;
        for j in 0..3 {
            let (mut up, mut down) = (at, at);
            up[j] += 1e-6;
            down[j] -= 1e-6;
            let (_, g_up) = model(&up).repeaters_log_likelihood(&repeat);
            let (_, g_down) = model(&down).repeaters_log_likelihood(&repeat);
            for i in 0..3 {
                let numeric = (g_up[i] - g_down[i]) / 2e-6;
                assert!((exact[i][j] - numeric).abs() < 1e-5, "H[{i}][{j}]: {} vs {numeric}", exact[i][j]);
            }
        }
    }

    #[test]
    fn the_profile_fit_finds_the_joint_maximum() {
        // A spread of frequencies and values, with a customer without repeats (ignored).
        let data: Vec<(u32, f64)> =
            (0..60u32).map(|i| (1 + i % 7, 8.0 + f64::from((i * 37) % 53) + 0.25 * f64::from(i % 4))).collect();
        let repeat = Repeaters::new(&data);
        let profile = profile_fit(&repeat, None).unwrap();
        let joint = joint_fit(&repeat).unwrap();
        assert!(profile.iterations < 20, "{} passes", profile.iterations);
        assert!((profile.log_likelihood - joint.log_likelihood).abs() < 1e-8);
        let (a, b) = (profile.params, joint.params);
        for (x, y) in [(a.p, b.p), (a.q, b.q), (a.gamma, b.gamma)] {
            assert!((x - y).abs() < 1e-5 * y, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn a_sample_start_reaches_the_same_maximum_in_fewer_passes() {
        // 100,000 repeat customers (more than four samples' worth), values spread by an LCG.
        let mut seed = 12_345u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let data: Vec<(u32, f64)> =
            (0..100_000).map(|_| (1 + (next() * 9.0) as u32, 5.0 + 80.0 * next() * next())).collect();
        let from_sample = GammaGamma::fit(&data).unwrap();
        let cold = profile_fit(&Repeaters::new(&data), None).unwrap();
        assert!(from_sample.iterations < cold.iterations, "{} vs {}", from_sample.iterations, cold.iterations);
        let (a, b) = (from_sample.params, cold.params);
        for (x, y) in [(a.p, b.p), (a.q, b.q), (a.gamma, b.gamma)] {
            assert!((x - y).abs() < 1e-7 * y, "{a:?} vs {b:?}");
        }
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
        crate::analytics::clv::assert_gradient(&ll, &at, &gradient);
    }
}
