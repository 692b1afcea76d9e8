//! CLV models on the data of the papers that introduced them: the CDNOW sample (2,357
//! customers, 39-week calibration, weeks). The summary is built from the raw log and must
//! equal the published summary file; the fits must reproduce the published estimates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use loyalty::analytics::clv::{clv, clv_summary, BgNbd, ClvError, ClvSummary, Customer, GammaGamma, PeriodUnit};
use loyalty::analytics::Orders;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data/");

fn unix_day(date: &str) -> i64 {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y%m%d").unwrap();
    (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days()
}

/// The raw CDNOW sample log: sample id, date, dollar value (cents).
fn sample_summary() -> Vec<ClvSummary> {
    let text = std::fs::read_to_string(format!("{DATA}CDNOW_sample.txt")).unwrap();
    let (mut m, mut t, mut a) = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        m.push(f[1].parse::<u64>().unwrap());
        t.push(unix_day(f[2]) * 86_400);
        a.push(f[4].replace('.', "").parse::<i64>().unwrap());
    }
    let orders = Orders { member_id: &m, ordered_at: &t, amount_minor: &a };
    clv_summary(&orders, unix_day("19970930"), Some(unix_day("19980630")), PeriodUnit::Week).unwrap()
}

#[test]
fn the_summary_from_the_raw_log_equals_the_published_one() {
    let mine = sample_summary();
    let published = std::fs::read_to_string(format!("{DATA}cdnow_customers_summary.csv")).unwrap();
    let rows: Vec<Vec<f64>> =
        published.lines().skip(1).map(|l| l.split(',').map(|x| x.parse().unwrap()).collect()).collect();
    assert_eq!(mine.len(), 2_357);
    assert_eq!(rows.len(), 2_357);
    for (s, row) in mine.iter().zip(&rows) {
        assert_eq!(s.member_id as f64, row[0]);
        assert_eq!(f64::from(s.customer.frequency), row[1], "frequency of {}", row[0]);
        assert!(
            (s.customer.recency - row[2]).abs() < 0.006,
            "recency of {}: {} vs {}",
            row[0],
            s.customer.recency,
            row[2]
        );
        assert!((s.customer.t - row[3]).abs() < 0.006, "T of {}: {} vs {}", row[0], s.customer.t, row[3]);
    }
}

#[test]
fn bg_nbd_reproduces_the_published_estimates() {
    // Fader, Hardie & Lee (2005): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
    let customers: Vec<Customer> = sample_summary().iter().map(|s| s.customer).collect();
    let fit = BgNbd::fit(&customers).unwrap();
    let p = fit.params;
    let round3 = |x: f64| (x * 1000.0).round() / 1000.0;
    assert_eq!((round3(p.r), round3(p.alpha), round3(p.a), round3(p.b)), (0.243, 4.414, 0.793, 2.426));
    assert_eq!((fit.log_likelihood * 10.0).round() / 10.0, -9582.4);

    // The paper's worked customer: 2 repeat purchases, the last at 30.43 weeks, T = 38.86:
    // 1.226 purchases expected in the next 39 weeks.
    let c = Customer { frequency: 2, recency: 30.43, t: 38.86 };
    assert_eq!((p_expected(&p, &c) * 1000.0).round() / 1000.0, 1.226);
    // The population curve and P(X(t) = k) agree: the expected value is the sum of k P(k).
    let mean: f64 = (0..400).map(|k| f64::from(k) * p.probability_of_purchases(39.0, k)).sum();
    assert!((mean - p.expected_purchases_population(39.0)).abs() < 1e-6, "{mean}");
    let total: f64 = (0..400).map(|k| p.probability_of_purchases(39.0, k)).sum();
    assert!((total - 1.0).abs() < 1e-9);
    // Never a purchase again after the first: certainly alive. A long silence: less so.
    assert_eq!(p.p_alive(&Customer { frequency: 0, recency: 0.0, t: 30.0 }), 1.0);
    assert!(p.p_alive(&Customer { frequency: 5, recency: 2.0, t: 38.0 }) < 0.2);
    // The worked customer by hand, with the published estimates: the dropout odds are
    // a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)
    // = 0.793 / 3.426 x (43.274 / 34.844)^2.243 = 0.37631, so P(alive) = 1 / 1.37631.
    let published = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    assert_eq!((published.p_alive(&c) * 1e4).round() / 1e4, 0.7266);
}

fn p_expected(p: &BgNbd, c: &Customer) -> f64 {
    p.expected_purchases(39.0, c)
}

#[test]
fn gamma_gamma_reproduces_the_published_estimates() {
    // Fader & Hardie (2013), CDNOW sample, 946 repeat customers: p = 6.25, q = 3.74, gamma = 15.44.
    let data: Vec<(u32, f64)> = sample_summary()
        .iter()
        .filter(|s| s.customer.frequency > 0)
        .map(|s| (s.customer.frequency, s.monetary / 100.0))
        .collect();
    assert_eq!(data.len(), 946);
    let fit = GammaGamma::fit(&data).unwrap();
    let g = fit.params;
    let round2 = |x: f64| (x * 100.0).round() / 100.0;
    assert_eq!((round2(g.p), round2(g.q), round2(g.gamma)), (6.25, 3.74, 15.44));
    // Population mean of E(M) = p gamma / (q - 1).
    assert!((g.conditional_expected_value(0, 0.0) - g.p * g.gamma / (g.q - 1.0)).abs() < 1e-12);
    // CLV is positive, grows with the horizon, and shrinks with the discount rate.
    let bg = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    let c = Customer { frequency: 2, recency: 30.43, t: 38.86 };
    let v52 = clv(&bg, &g, &c, 40.0, 52, 0.0);
    assert!(v52 > clv(&bg, &g, &c, 40.0, 26, 0.0));
    assert!(v52 > clv(&bg, &g, &c, 40.0, 52, 0.01));
}

#[test]
fn bad_input_is_refused_with_the_field() {
    assert_eq!(BgNbd::fit(&[]).unwrap_err(), ClvError::Empty { what: "customers" });
    let err = BgNbd::fit(&[Customer { frequency: 1, recency: 5.0, t: 4.0 }]).unwrap_err();
    assert_eq!(err.to_string(), "recency[0]: 5 must not exceed T");
    let err = BgNbd::fit(&[Customer { frequency: 0, recency: 1.0, t: 4.0 }]).unwrap_err();
    assert_eq!(err.to_string(), "recency[0]: 1 must be 0 without repeat purchases");
    let err = BgNbd::fit(&[Customer { frequency: 0, recency: 0.0, t: -1.0 }]).unwrap_err();
    assert_eq!(err.to_string(), "T[0]: -1 must be a finite age of at least 0");
    assert!(GammaGamma::fit(&[(0, 10.0)]).is_err());
    assert_eq!(
        GammaGamma::fit(&[(2, 0.0)]).unwrap_err().to_string(),
        "monetary[0]: 0 must be more than 0 for repeat customers"
    );
    // The row named is the caller's, customers without repeats included.
    assert_eq!(
        GammaGamma::fit(&[(0, 0.0), (3, 12.0), (1, -4.0)]).unwrap_err().to_string(),
        "monetary[2]: -4 must be more than 0 for repeat customers"
    );
    // No interior maximum: one repeat customer, or every mean value the same. The parameters
    // run off to the edge of their range; that is refused, not returned as a fit.
    for data in [vec![(2, 10.0)], vec![(1, 10.0), (1, 10.0), (3, 10.0)]] {
        assert!(
            matches!(GammaGamma::fit(&data), Err(ClvError::NoInteriorMaximum { .. })),
            "{data:?}: {:?}",
            GammaGamma::fit(&data)
        );
    }
}

#[test]
fn the_holdout_counts_purchase_days_after_the_calibration_end_up_to_the_holdout_end() {
    // Unix days; calibration ends on day 105, the holdout on day 120 (both inclusive).
    let day = |d: i64| d * 86_400 + 3_600;
    let rows: [(u64, i64, i64); 10] = [
        (1, 100, 500),
        (1, 100, 700), // the same day: one purchase of 12.00
        (1, 103, 900), // the one repeat in the calibration window
        (1, 110, 100),
        (1, 112, 100),
        (1, 112, 100), // one holdout day, not two
        (1, 130, 100), // after the holdout
        (2, 107, 100), // first purchase after the calibration end: left out
        (3, 105, 100), // first purchase on the calibration end
        (3, 120, 100), // on the holdout end: counted
    ];
    let member_id: Vec<u64> = rows.iter().map(|r| r.0).collect();
    let ordered_at: Vec<i64> = rows.iter().map(|r| day(r.1)).collect();
    let amount_minor: Vec<i64> = rows.iter().map(|r| r.2).collect();
    let orders = Orders { member_id: &member_id, ordered_at: &ordered_at, amount_minor: &amount_minor };
    let s = clv_summary(&orders, 105, Some(120), PeriodUnit::Day).unwrap();
    let got: Vec<_> = s.iter().map(|s| (s.member_id, s.customer, s.monetary, s.holdout_frequency)).collect();
    assert_eq!(
        got,
        [
            (1, Customer { frequency: 1, recency: 3.0, t: 5.0 }, 900.0, 2),
            (3, Customer { frequency: 0, recency: 0.0, t: 0.0 }, 0.0, 1),
        ]
    );
    // Without a holdout end nothing is counted after the calibration end.
    let s = clv_summary(&orders, 105, None, PeriodUnit::Week).unwrap();
    assert_eq!(s.iter().map(|s| s.holdout_frequency).collect::<Vec<_>>(), [0, 0]);
    assert_eq!(s[0].customer, Customer { frequency: 1, recency: 3.0 / 7.0, t: 5.0 / 7.0 });
}

#[test]
fn more_repeats_than_the_ages_allow_are_refused() {
    let c = |frequency, recency, t| Customer { frequency, recency, t };
    // Within the first week, six more purchase days at most; 7 x recency + 6 in general.
    let m = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    assert!(m.predict(&[c(6, 0.0, 1.0), c(13, 1.0, 2.0), c(0, 0.0, 3.0), c(2, 1.5, 4.0)], 39.0).is_ok());
    let err = BgNbd::fit(&[c(0, 0.0, 3.0), c(7, 0.0, 1.0)]).unwrap_err();
    assert_eq!(
        err,
        ClvError::Invalid {
            field: "frequency",
            row: 1,
            value: 7.0,
            reason: "repeat purchase days are more than the ages allow (at most 7 x recency + 6, for periods of a day or a week)"
        }
    );
    let reason =
        "repeat purchase days are more than the ages allow (at most 7 x recency + 6, for periods of a day or a week)";
    let too_many = ClvError::Invalid { field: "frequency", row: 0, value: 14.0, reason };
    assert_eq!(m.predict(&[c(14, 1.0, 2.0)], 39.0).unwrap_err(), too_many);
    // The column path's block check refuses the same row.
    let (mut alive, mut expected) = ([0.0], [0.0]);
    let columns = loyalty::analytics::clv::CustomerColumns { frequency: &[14], recency: &[1.0], t: &[2.0] };
    assert_eq!(m.predict_columns(&columns, 39.0, 1, &mut alive, &mut expected).unwrap_err(), too_many);
}

#[test]
fn the_conditional_purchase_pmf_agrees_with_the_population_and_with_p_alive() {
    let m = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    // A new customer (no history, no age) is the population.
    let new = Customer { frequency: 0, recency: 0.0, t: 0.0 };
    for k in 0..6 {
        let (ours, population) =
            (m.conditional_probability_of_purchases(39.0, k, &new), m.probability_of_purchases(39.0, k));
        assert!((ours - population).abs() < 1e-14, "k = {k}: {ours} vs {population}");
    }
    // A customer who has probably dropped out: no purchases at least as likely as dropping
    // out, and the distribution still sums to 1 with the expected purchases as its mean.
    let gone = Customer { frequency: 8, recency: 5.0, t: 38.0 };
    let alive = m.p_alive(&gone);
    assert!(alive < 0.01, "{alive}");
    let p = m.purchase_probabilities(&[gone], 39.0, 150).unwrap();
    // No purchase: dropped out, or alive and silent, the negative binomial's 0 term
    // ((alpha + T) / (alpha + T + t))^(r + x).
    let silent = ((4.414_f64 + 38.0) / (4.414 + 38.0 + 39.0)).powf(0.243 + 8.0);
    assert!((p[0] - (1.0 - alive + alive * silent)).abs() < 1e-12, "{}", p[0]);
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    let mean: f64 = p.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
    assert!((mean - m.expected_purchases(39.0, &gone)).abs() < 1e-9);
    assert_eq!(
        m.purchase_probabilities(&[Customer { frequency: 1, recency: 5.0, t: 4.0 }], 39.0, 2).unwrap_err(),
        ClvError::Invalid { field: "recency", row: 0, value: 5.0, reason: "must not exceed T" }
    );
    let bad = BgNbd { a: 1.0, ..m };
    let a_is_1 = ClvError::InvalidArgument { field: "a", value: 1.0, reason: "must not be exactly 1" };
    assert_eq!(bad.purchase_probabilities(&[new], 39.0, 2).unwrap_err(), a_is_1);
    assert_eq!(bad.population(&[1.0], &[0]).unwrap_err(), a_is_1);
}

#[test]
fn a_horizon_too_long_for_the_series_is_refused_not_a_nan() {
    let m = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    let c = Customer { frequency: 2, recency: 30.43, t: 38.86 };
    // t / (alpha + T + t) within 1e-12 of 1: the hypergeometric series would need far more
    // than its 100,000 terms.
    let reason = "is too long against the customers' ages: the expected purchases' series does not converge";
    let too_long = ClvError::InvalidArgument { field: "horizon", value: 1e14, reason };
    assert_eq!(m.predict(&[c], 1e14).unwrap_err(), too_long);
    assert_eq!(m.population(&[1e14], &[0]).unwrap_err(), too_long);
    assert!(m.expected_purchases(1e14, &c).is_nan());
    // A long but convergent horizon (20 years of weeks) is fine, and agrees with the mean of
    // the purchase-count distribution (a negative binomial sum, not the series).
    let long = m.predict(&[c], 1040.0).unwrap()[0].expected_purchases;
    let mean: f64 =
        m.purchase_probabilities(&[c], 1040.0, 2_000).unwrap().iter().enumerate().map(|(k, p)| k as f64 * p).sum();
    assert!((long - mean).abs() < 1e-6, "{long} vs {mean}");
    assert_eq!((long * 1e3).round() / 1e3, 10.306);
}
