//! The special functions the models need: log-gamma, digamma, trigamma and the Gauss hypergeometric
//! series.

/// ln Γ(x) for x > 0 (Lanczos, g = 7, nine coefficients; relative error about 1e-15).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 - x) = π / sin(π x).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).abs().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// ψ(x) = d/dx ln Γ(x) for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10, then the
/// asymptotic series (absolute error about 1e-14).
pub fn digamma(x: f64) -> f64 {
    let mut x = x;
    let mut shift = 0.0;
    while x < 10.0 {
        shift -= 1.0 / x;
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    let series = f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f * (1.0 / 132.0)))));
    shift + x.ln() - 0.5 / x - series
}

/// The trigamma function ψ′(x) = d²/dx² ln Γ(x), for x > 0: the recurrence
/// ψ′(x) = ψ′(x + 1) + 1/x² up to x ≥ 10, then the asymptotic series.
pub fn trigamma(x: f64) -> f64 {
    let mut x = x;
    let mut shift = 0.0;
    while x < 10.0 {
        shift += 1.0 / (x * x);
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    // 1/x + 1/(2x²) + 1/(6x³) − 1/(30x⁵) + 1/(42x⁷) − 1/(30x⁹) + 5/(66x¹¹)
    let series = 1.0 / 6.0 - f * (1.0 / 30.0 - f * (1.0 / 42.0 - f * (1.0 / 30.0 - f * (5.0 / 66.0))));
    shift + 1.0 / x + 0.5 * f + series * f / x
}

/// ln B(a, b).
pub fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// The Gauss hypergeometric function 2F1(a, b; c; z) for 0 <= z < 1, by its series; NaN when
/// 100,000 terms do not converge (z very close to 1), for the callers to refuse.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    for j in 0..100_000 {
        let j = f64::from(j);
        term *= (a + j) * (b + j) / ((c + j) * (j + 1.0)) * z;
        sum += term;
        if term.abs() < 1e-15 * sum.abs() {
            return sum;
        }
    }
    // Not converged (z too close to 1): no value rather than a wrong one.
    f64::NAN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_known_values() {
        assert!((ln_gamma(1.0)).abs() < 1e-14);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-13);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-13);
        assert!((ln_gamma(0.1) - 2.252_712_651_734_206).abs() < 1e-12);
    }

    #[test]
    fn trigamma_known_values() {
        // ψ′(1) = π²/6, ψ′(1/2) = π²/2, ψ′(n + 1) = ψ′(n) − 1/n², and ψ′ is ψ's derivative.
        let pi2 = std::f64::consts::PI.powi(2);
        assert!((trigamma(1.0) - pi2 / 6.0).abs() < 1e-13);
        assert!((trigamma(0.5) - pi2 / 2.0).abs() < 1e-12);
        let at_11 = pi2 / 6.0 - (1..11).map(|k| 1.0 / f64::from(k * k)).sum::<f64>();
        assert!((trigamma(11.0) - at_11).abs() < 1e-14);
        for x in [0.3, 2.7, 15.0, 140.0] {
            let numeric = (digamma(x + 1e-5) - digamma(x - 1e-5)) / 2e-5;
            assert!((trigamma(x) - numeric).abs() < 1e-6 * trigamma(x), "{x}: {} vs {numeric}", trigamma(x));
        }
    }

    #[test]
    fn digamma_known_values() {
        // ψ(1) = −γ (Euler-Mascheroni), ψ(1/2) = −γ − 2 ln 2, ψ(n + 1) = ψ(n) + 1/n.
        let euler = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + euler).abs() < 1e-13);
        assert!((digamma(0.5) + euler + 2.0 * 2f64.ln()).abs() < 1e-13);
        assert!((digamma(10.0) - (-euler + (1..10).map(|k| 1.0 / f64::from(k)).sum::<f64>())).abs() < 1e-13);
        assert!((digamma(1e-3) - (-1_000.575_571_931_81)).abs() < 1e-9);
        // It is the derivative of ln Γ.
        for x in [0.3, 2.5, 17.0, 400.0] {
            let h = 1e-5 * x;
            let numeric = (ln_gamma(x + h) - ln_gamma(x - h)) / (2.0 * h);
            assert!((digamma(x) - numeric).abs() < 1e-7, "{x}");
        }
    }

    #[test]
    fn hyp2f1_known_values() {
        // 2F1(1, 1; 2; z) = -ln(1 - z) / z.
        let z: f64 = 0.5;
        assert!((hyp2f1(1.0, 1.0, 2.0, z) - (-(1.0 - z).ln() / z)).abs() < 1e-13);
    }
}
