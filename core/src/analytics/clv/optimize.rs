//! Nelder-Mead minimization: derivative-free and robust for the few parameters of these
//! models (fitted on their logarithms, so they stay positive).

/// The minimum found, the function's value there and the iterations used.
pub struct Minimum {
    pub x: Vec<f64>,
    pub value: f64,
    pub iterations: usize,
    pub converged: bool,
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
    fn finds_the_rosenbrock_minimum() {
        let f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let m = nelder_mead(&f, &[-1.2, 1.0], 1e-14, 10_000);
        assert!(m.converged);
        assert!((m.x[0] - 1.0).abs() < 1e-4 && (m.x[1] - 1.0).abs() < 1e-4, "{:?}", m.x);
    }
}
