//! Retention by cohort: members grouped by the month of their first order, and the share of
//! each cohort that ordered again N months later.

use super::summary::Orders;
use super::{AnalyticsError, FxBuild};
use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One cohort's row of the retention matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cohort {
    /// The cohort's first-order month, `YYYY-MM` in the zone.
    pub month: String,
    /// Members whose first order fell in that month.
    pub members: u64,
    /// `active[n]`: members of the cohort with an order in the n-th month after their first
    /// (`active[0] == members`), up to the month of `as_of`.
    pub active: Vec<u64>,
}

/// The retention matrix of an order log, counting only orders before `as_of`, by local month.
///
/// ```
/// use loyalty::analytics::{cohorts, Orders};
/// use chrono::{TimeZone, Utc};
/// let day = |m: u32, d: u32| Utc.with_ymd_and_hms(2024, m, d, 12, 0, 0).unwrap().timestamp();
/// // Ann: January, February, April. Bob: January only. Cat: February, March.
/// let orders = Orders {
///     member_id: &[1, 1, 1, 2, 3, 3],
///     ordered_at: &[day(1, 5), day(2, 9), day(4, 2), day(1, 20), day(2, 1), day(3, 3)],
///     amount_minor: &[100, 100, 100, 100, 100, 100],
/// };
/// let as_of = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let m = cohorts(&orders, as_of, chrono_tz::UTC).unwrap();
/// assert_eq!((m[0].month.as_str(), m[0].members, m[0].active.clone()), ("2024-01", 2, vec![2, 1, 0, 1]));
/// assert_eq!((m[1].month.as_str(), m[1].members, m[1].active.clone()), ("2024-02", 1, vec![1, 1, 0]));
/// ```
///
/// # Errors
/// [`AnalyticsError`] for columns of different lengths or negative amounts.
pub fn cohorts(orders: &Orders<'_>, as_of: DateTime<Utc>, tz: Tz) -> Result<Vec<Cohort>, AnalyticsError> {
    let n = orders.member_id.len();
    for (column, len) in [("ordered_at", orders.ordered_at.len()), ("amount_minor", orders.amount_minor.len())] {
        if len != n {
            return Err(AnalyticsError::LengthMismatch { column, len, expected: n });
        }
    }
    if let Some(row) = orders.amount_minor.iter().position(|a| *a < 0) {
        return Err(AnalyticsError::NegativeAmount { row, value: orders.amount_minor[row] });
    }
    let month_of = |at: i64| {
        let d = crate::calendar::local_date(DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default(), tz);
        i64::from(d.year()) * 12 + i64::from(d.month0())
    };
    let last = month_of(as_of.timestamp() - 1);
    let mut months: HashMap<u64, BTreeSet<i64>, FxBuild> = HashMap::default();
    for row in 0..n {
        if orders.ordered_at[row] < as_of.timestamp() {
            months.entry(orders.member_id[row]).or_default().insert(month_of(orders.ordered_at[row]));
        }
    }
    let mut rows: BTreeMap<i64, (u64, Vec<u64>)> = BTreeMap::new();
    for set in months.values() {
        let Some(&first) = set.iter().next() else { continue };
        let row = rows.entry(first).or_insert_with(|| (0, vec![0; usize::try_from(last - first + 1).unwrap_or(0)]));
        row.0 += 1;
        for m in set {
            if let Some(slot) = row.1.get_mut(usize::try_from(m - first).unwrap_or(usize::MAX)) {
                *slot += 1;
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|(month, (members, active))| Cohort {
            month: format!("{:04}-{:02}", month.div_euclid(12), month.rem_euclid(12) + 1),
            members,
            active,
        })
        .collect())
}
