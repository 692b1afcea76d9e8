//! The models' summary of an order log: frequency, recency, T and mean repeat value.

use super::super::summary::Orders;
use super::super::AnalyticsError;
use super::Customer;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    let mut days: BTreeMap<u64, BTreeMap<i64, i128>> = BTreeMap::new();
    for row in 0..n {
        if orders.amount_minor[row] < 0 {
            return Err(AnalyticsError::NegativeAmount { row, value: orders.amount_minor[row] });
        }
        let day = orders.ordered_at[row].div_euclid(86_400);
        *days.entry(orders.member_id[row]).or_default().entry(day).or_default() += i128::from(orders.amount_minor[row]);
    }
    let per = unit.days();
    let mut out = Vec::with_capacity(days.len());
    for (member_id, by_day) in days {
        let Some((&first, _)) = by_day.iter().next() else { continue };
        if first > calibration_end_day {
            continue;
        }
        let repeats: Vec<(i64, i128)> =
            by_day.iter().skip(1).filter(|(d, _)| **d <= calibration_end_day).map(|(d, v)| (*d, *v)).collect();
        let holdout = holdout_end_day
            .map_or(0, |h| by_day.keys().filter(|d| **d > calibration_end_day && **d <= h).count() as u32);
        let last = repeats.last().map_or(first, |r| r.0);
        let monetary = if repeats.is_empty() {
            0.0
        } else {
            repeats.iter().map(|r| r.1 as f64).sum::<f64>() / repeats.len() as f64
        };
        out.push(ClvSummary {
            member_id,
            customer: Customer {
                frequency: repeats.len() as u32,
                recency: (last - first) as f64 / per,
                t: (calibration_end_day - first) as f64 / per,
            },
            monetary,
            holdout_frequency: holdout,
        });
    }
    Ok(out)
}
