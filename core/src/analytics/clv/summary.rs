//! The models' summary of an order log: frequency, recency, T and mean repeat value.

use super::super::summary::Orders;
use super::super::AnalyticsError;
use super::Customer;
use serde::{Deserialize, Serialize};

/// The period the models count in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodUnit {
    /// Days.
    Day,
    /// Weeks (7 days).
    Week,
}

impl PeriodUnit {
    fn days(self) -> f64 {
        match self {
            PeriodUnit::Day => 1.0,
            PeriodUnit::Week => 7.0,
        }
    }
}

/// One member's summary for the models.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClvSummary {
    /// The member.
    pub member_id: u64,
    /// The model's view (frequency, recency, T) over the calibration window.
    pub customer: Customer,
    /// Mean value of the repeat purchase days (minor units summed per day), 0 without
    /// repeats.
    pub monetary: f64,
    /// Repeat purchase days in the holdout window (after the calibration end).
    pub holdout_frequency: u32,
}

/// Summaries from an order log, by UTC day: a member's first purchase day starts their
/// clock; several orders on one day are one purchase (their values summed); `frequency`
/// counts the later purchase days up to and including `calibration_end_day`; `recency` and
/// `T` are the last purchase day and `calibration_end_day` less the first day, in `unit`s.
/// Members whose first purchase is after the calibration end are left out. Days are Unix
/// days (days since 1970-01-01).
///
/// # Errors
/// [`AnalyticsError`] for mismatched columns or negative amounts.
pub fn clv_summary(
    orders: &Orders<'_>,
    calibration_end_day: i64,
    holdout_end_day: Option<i64>,
    unit: PeriodUnit,
) -> Result<Vec<ClvSummary>, AnalyticsError> {
    let n = orders.member_id.len();
    for (column, len) in [("ordered_at", orders.ordered_at.len()), ("amount_minor", orders.amount_minor.len())] {
        if len != n {
            return Err(AnalyticsError::LengthMismatch { column, len, expected: n });
        }
    }
    // (member, day, amount) sorted: each member's purchase days are then one run, in order.
    let mut rows: Vec<(u64, i64, i64)> = Vec::with_capacity(n);
    for row in 0..n {
        let amount = orders.amount_minor[row];
        if amount < 0 {
            return Err(AnalyticsError::NegativeAmount { row, value: amount });
        }
        rows.push((orders.member_id[row], orders.ordered_at[row].div_euclid(86_400), amount));
    }
    rows.sort_unstable();
    let per = unit.days();
    let mut out = Vec::new();
    let mut rest = rows.as_slice();
    while let Some(&(member_id, first, _)) = rest.first() {
        let len = rest.iter().position(|r| r.0 != member_id).unwrap_or(rest.len());
        let (orders, tail) = rest.split_at(len);
        rest = tail;
        if first > calibration_end_day {
            continue;
        }
        // Purchase days after the first: (day, value of the day's orders).
        let (mut repeats, mut repeat_total, mut last, mut holdout) = (0u32, 0i128, first, 0u32);
        let mut day = first;
        for &(_, d, _) in orders {
            if d == day {
                continue;
            }
            day = d;
            if d <= calibration_end_day {
                repeats += 1;
                last = d;
            } else if holdout_end_day.is_some_and(|h| d <= h) {
                holdout += 1;
            }
        }
        for &(_, d, amount) in orders {
            if d > first && d <= calibration_end_day {
                repeat_total += i128::from(amount);
            }
        }
        let monetary = if repeats == 0 { 0.0 } else { repeat_total as f64 / f64::from(repeats) };
        out.push(ClvSummary {
            member_id,
            customer: Customer {
                frequency: repeats,
                recency: (last - first) as f64 / per,
                t: (calibration_end_day - first) as f64 / per,
            },
            monetary,
            holdout_frequency: holdout,
        });
    }
    Ok(out)
}
