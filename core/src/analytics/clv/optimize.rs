//! Minimizers for the few parameters of these models (fitted on their logarithms, so they stay
//! positive): BFGS with analytic gradients, fast and precise on these smooth likelihoods, and
//! Nelder-Mead, derivative-free, as the fallback when BFGS cannot finish.

use super::ClvError;

/// The minimum found, the function's value there and the iterations used.
pub struct Minimum {
    pub x: Vec<f64>,
    pub value: f64,
    pub iterations: usize,
    pub converged: bool,
}

/// Minimizes a negative log-likelihood `f` (value and gradient, as [`bfgs`] takes it) from
/// `start`: BFGS, then Nelder-Mead from where BFGS stopped if it could not finish.
///
/// # Errors
/// [`ClvError::NotConverged`] when neither converges to a finite value.
pub fn maximum_likelihood(f: &dyn Fn(&[f64], &mut [f64]) -> f64, start: &[f64]) -> Result<Minimum, ClvError> {
    let mut m = bfgs(f, start, 1e-11, 1_000);
    if !m.converged {
        let value = |x: &[f64]| f(x, &mut vec![0.0; x.len()]);
        let from = if m.value.is_finite() { m.x.clone() } else { start.to_vec() };
        let iterations = m.iterations;
        m = nelder_mead(&value, &from, 1e-13, 20_000);
        m.iterations += iterations;
    }
    if !m.converged || !m.value.is_finite() {
        return Err(ClvError::NotConverged { iterations: m.iterations, log_likelihood: -m.value });
    }
    Ok(m)
}

/// Minimizes a smooth `f` from `start` by BFGS with a backtracking (Armijo) line search that
/// interpolates a quadratic. `f`
/// returns its value and writes its gradient into the second argument. Stops when the largest
/// gradient component is at most `tolerance` × (1 + |f|), when the step would lower `f` by
/// less than about 1e-14 × |f| (its rounding error), or when no step along the search
/// direction lowers `f` any more (converged if the gradient is then within 1,000 × the bound
/// or the step's predicted gain below 1e-10 × |f|).
pub fn bfgs(f: &dyn Fn(&[f64], &mut [f64]) -> f64, start: &[f64], tolerance: f64, max_iterations: usize) -> Minimum {
    let n = start.len();
    let mut x = start.to_vec();
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    let small = |g: &[f64], fx: f64, factor: f64| {
        g.iter().all(|v| v.is_finite())
            && g.iter().fold(0.0f64, |m, v| m.max(v.abs())) <= factor * tolerance * (1.0 + fx.abs())
    };
    let done = |x: Vec<f64>, value: f64, iterations, converged| Minimum { x, value, iterations, converged };
    if !fx.is_finite() {
        return done(x, f64::INFINITY, 0, false);
    }
    // The inverse Hessian estimate, row-major.
    let identity =
        |scale: f64| -> Vec<f64> { (0..n * n).map(|i| if i % (n + 1) == 0 { scale } else { 0.0 }).collect() };
    let mut h = identity(1.0);
    let (mut next, mut gn, mut direction) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let dot = |u: &[f64], v: &[f64]| u.iter().zip(v).map(|(a, b)| a * b).sum::<f64>();
    for iteration in 1..=max_iterations {
        if small(&g, fx, 1.0) {
            return done(x, fx, iteration - 1, true);
        }
        for i in 0..n {
            direction[i] = -dot(&h[i * n..(i + 1) * n], &g);
        }
        let mut slope = dot(&g, &direction);
        let reset = slope.is_nan() || slope >= 0.0;
        if reset {
            h = identity(1.0);
            direction.iter_mut().zip(&g).for_each(|(d, g)| *d = -g);
            slope = -dot(&g, &g);
        }
        // Converged when the step would lower f by less than f's own rounding error: the
        // gradient of a sum over millions of customers never gets closer to zero than that.
        if -slope <= 1e-14 * (1.0 + fx.abs()) {
            return done(x, fx, iteration - 1, true);
        }
        // The first direction, and one after a reset, is the bare gradient, of arbitrary scale:
        // try at most a step of 1 in any coordinate (a factor e for log-parameters).
        let largest = direction.iter().fold(0.0f64, |m, d| m.max(d.abs()));
        let mut step = if (iteration == 1 || reset) && largest > 1.0 { 1.0 / largest } else { 1.0 };
        let mut accepted = None;
        for _ in 0..80 {
            next.iter_mut().zip(&x).zip(&direction).for_each(|((y, x), d)| *y = x + step * d);
            let value = f(&next, &mut gn);
            if value.is_finite() && value <= fx + 1e-4 * step * slope && gn.iter().all(|v| v.is_finite()) {
                accepted = Some(value);
                break;
            }
            // The minimum of the quadratic through f(x), its slope and f(x + step d), kept
            // within [0.1, 0.5] of the step; plain halving where f was undefined.
            let curvature = value - fx - slope * step;
            step = if value.is_finite() && curvature > 0.0 {
                (-slope * step * step / (2.0 * curvature)).clamp(0.1 * step, 0.5 * step)
            } else {
                0.5 * step
            };
        }
        // No step lowers f: at a minimum if the gradient is small or the step's predicted
        // gain is lost in f's rounding (about 1e-10 × |f| for a sum over many customers).
        let stalled = |g: &[f64], fx: f64| small(g, fx, 1_000.0) || -slope <= 1e-10 * (1.0 + fx.abs());
        let value = match accepted {
            Some(value) if value < fx => value,
            _ => return done(x, fx, iteration, stalled(&g, fx)),
        };
        let s: Vec<f64> = next.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 0.0 {
            if iteration == 1 {
                h = identity(sy / dot(&y, &y));
            }
            // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, with ρ = 1 / sᵀy.
            let rho = 1.0 / sy;
            let hy: Vec<f64> = (0..n).map(|i| dot(&h[i * n..(i + 1) * n], &y)).collect();
            let yhy = dot(&y, &hy);
            for i in 0..n {
                for j in 0..n {
                    h[i * n + j] += -rho * (s[i] * hy[j] + hy[i] * s[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
                }
            }
        }
        std::mem::swap(&mut x, &mut next);
        std::mem::swap(&mut g, &mut gn);
        fx = value;
    }
    let converged = small(&g, fx, 1.0);
    done(x, fx, max_iterations, converged)
}

/// Minimizes `f` from `start`, until the simplex's values agree to `tolerance` or
/// `max_iterations` pass. Restarts once from the best point, as is customary, so a collapsed
/// simplex cannot stop it early.
pub fn nelder_mead(f: &dyn Fn(&[f64]) -> f64, start: &[f64], tolerance: f64, max_iterations: usize) -> Minimum {
    let mut best = run(f, start, tolerance, max_iterations);
    let again = run(f, &best.x, tolerance, max_iterations);
    if again.value <= best.value {
        let iterations = best.iterations + again.iterations;
        best = Minimum { iterations, ..again };
    }
    best
}

fn run(f: &dyn Fn(&[f64]) -> f64, start: &[f64], tolerance: f64, max_iterations: usize) -> Minimum {
    let n = start.len();
    let value = |x: &[f64]| {
        let v = f(x);
        if v.is_finite() {
            v
        } else {
            f64::INFINITY
        }
    };
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    simplex.push((start.to_vec(), value(start)));
    for i in 0..n {
        let mut x = start.to_vec();
        x[i] += if x[i].abs() > 1e-3 { 0.1 * x[i].abs().max(0.5) } else { 0.5 };
        let v = value(&x);
        simplex.push((x, v));
    }
    let (alpha, gamma, rho, sigma) = (1.0, 2.0, 0.5, 0.5);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < max_iterations {
        iterations += 1;
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let spread = (simplex[n].1 - simplex[0].1).abs();
        if spread <= tolerance * (1.0 + simplex[0].1.abs()) && simplex[0].1.is_finite() {
            converged = true;
            break;
        }
        let centroid: Vec<f64> = (0..n).map(|j| simplex[..n].iter().map(|p| p.0[j]).sum::<f64>() / n as f64).collect();
        let along =
            |t: f64| -> Vec<f64> { (0..n).map(|j| centroid[j] + t * (simplex[n].0[j] - centroid[j])).collect() };
        let reflected = along(-alpha);
        let fr = value(&reflected);
        if fr < simplex[0].1 {
            let expanded = along(-gamma);
            let fe = value(&expanded);
            simplex[n] = if fe < fr { (expanded, fe) } else { (reflected, fr) };
        } else if fr < simplex[n - 1].1 {
            simplex[n] = (reflected, fr);
        } else {
            let contracted = if fr < simplex[n].1 { along(-rho) } else { along(rho) };
            let fc = value(&contracted);
            if fc < simplex[n].1.min(fr) {
                simplex[n] = (contracted, fc);
            } else {
                let best = simplex[0].0.clone();
                for p in simplex.iter_mut().skip(1) {
                    for (x, b) in p.0.iter_mut().zip(&best) {
                        *x = b + sigma * (*x - b);
                    }
                    p.1 = value(&p.0);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (x, value) = simplex.swap_remove(0);
    Minimum { x, value, iterations, converged }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bfgs_finds_the_rosenbrock_minimum() {
        let f = |x: &[f64], g: &mut [f64]| {
            g[0] = -2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]);
            g[1] = 200.0 * (x[1] - x[0] * x[0]);
            (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2)
        };
        let m = bfgs(&f, &[-1.2, 1.0], 1e-12, 1_000);
        assert!(m.converged);
        assert!((m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6, "{:?}", m.x);
        assert!(m.iterations < 100, "{}", m.iterations);
    }

    #[test]
    fn a_likelihood_without_a_maximum_is_not_converged_not_a_fit() {
        // Undefined everywhere: nothing to minimize.
        let nowhere = |_: &[f64], g: &mut [f64]| {
            g.fill(f64::NAN);
            f64::NAN
        };
        assert!(matches!(maximum_likelihood(&nowhere, &[1.0]), Err(ClvError::NotConverged { .. })));
        // (A likelihood unbounded in a parameter is the fits' own check: the estimate runs off
        // past 1e-8..1e8 and is refused as `NoInteriorMaximum`.)
    }

    #[test]
    fn bfgs_reports_a_start_where_f_is_undefined() {
        let f = |x: &[f64], g: &mut [f64]| {
            g[0] = 1.0 / x[0];
            x[0].ln()
        };
        let m = bfgs(&f, &[-1.0], 1e-12, 100);
        assert!(!m.converged);
        assert_eq!(m.iterations, 0);
    }

    #[test]
    fn finds_the_rosenbrock_minimum() {
        let f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let m = nelder_mead(&f, &[-1.2, 1.0], 1e-14, 10_000);
        assert!(m.converged);
        assert!((m.x[0] - 1.0).abs() < 1e-4 && (m.x[1] - 1.0).abs() < 1e-4, "{:?}", m.x);
    }
}
