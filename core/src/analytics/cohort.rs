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
    let mut builder = CohortBuilder::new(as_of, tz);
    builder.add(orders)?;
    Ok(builder.finish())
}

/// The retention matrix built batch by batch, and mergeable: each member's set of order
/// months (at most one entry per member and month, whatever the number of orders), so a log
/// larger than memory streams through, and partitions built apart combine into one matrix.
///
/// ```
/// use loyalty::analytics::{cohorts, CohortBuilder, Orders};
/// use chrono::{TimeZone, Utc};
/// let day = |m: u32| Utc.with_ymd_and_hms(2024, m, 5, 12, 0, 0).unwrap().timestamp();
/// let as_of = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let (mut left, mut right) = (CohortBuilder::new(as_of, chrono_tz::UTC), CohortBuilder::new(as_of, chrono_tz::UTC));
/// left.add(&Orders { member_id: &[1, 2], ordered_at: &[day(1), day(1)], amount_minor: &[1, 1] }).unwrap();
/// right.add(&Orders { member_id: &[1], ordered_at: &[day(4)], amount_minor: &[1] }).unwrap();
/// left.merge(right).unwrap();
/// let whole = Orders { member_id: &[1, 2, 1], ordered_at: &[day(1), day(1), day(4)], amount_minor: &[1, 1, 1] };
/// assert_eq!(left.finish(), cohorts(&whole, as_of, chrono_tz::UTC).unwrap());
/// ```
#[derive(Clone, Debug)]
pub struct CohortBuilder {
    as_of: DateTime<Utc>,
    tz: Tz,
    months: HashMap<u64, BTreeSet<i64>, FxBuild>,
    /// Rows added so far (errors count rows over all batches).
    added: usize,
}

impl CohortBuilder {
    /// An empty builder counting orders before `as_of`, by months of `tz`.
    pub fn new(as_of: DateTime<Utc>, tz: Tz) -> CohortBuilder {
        CohortBuilder { as_of, tz, months: HashMap::default(), added: 0 }
    }

    /// Adds a batch of orders (those at or after `as_of` are ignored).
    ///
    /// # Errors
    /// [`AnalyticsError`] for columns of different lengths or negative amounts (the row
    /// counted over all the batches added); nothing of the batch is added then.
    pub fn add(&mut self, orders: &Orders<'_>) -> Result<(), AnalyticsError> {
        let n = orders.member_id.len();
        for (column, len) in [("ordered_at", orders.ordered_at.len()), ("amount_minor", orders.amount_minor.len())] {
            if len != n {
                return Err(AnalyticsError::LengthMismatch { column, len, expected: n });
            }
        }
        if let Some(row) = orders.amount_minor.iter().position(|a| *a < 0) {
            return Err(AnalyticsError::NegativeAmount { row: self.added + row, value: orders.amount_minor[row] });
        }
        self.added += n;
        let as_of = self.as_of.timestamp();
        for row in 0..n {
            if orders.ordered_at[row] < as_of {
                let month = self.month_of(orders.ordered_at[row]);
                self.months.entry(orders.member_id[row]).or_default().insert(month);
            }
        }
        Ok(())
    }

    /// Adds another builder's members (a partition of the same log).
    ///
    /// # Errors
    /// [`AnalyticsError::Invalid`] when the two count to different instants or zones.
    pub fn merge(&mut self, other: CohortBuilder) -> Result<(), AnalyticsError> {
        if other.as_of != self.as_of {
            return Err(AnalyticsError::Invalid {
                field: "as_of".into(),
                reason: format!("{} here, {} in the builder merged: they must be the same", self.as_of, other.as_of),
            });
        }
        if other.tz != self.tz {
            return Err(AnalyticsError::Invalid {
                field: "time_zone".into(),
                reason: format!("{} here, {} in the builder merged: they must be the same", self.tz, other.tz),
            });
        }
        self.added += other.added;
        for (member, months) in other.months {
            self.months.entry(member).or_default().extend(months);
        }
        Ok(())
    }

    /// The retention matrix, cohorts in month order.
    pub fn finish(self) -> Vec<Cohort> {
        let last = self.month_of(self.as_of.timestamp() - 1);
        let mut rows: BTreeMap<i64, (u64, Vec<u64>)> = BTreeMap::new();
        for set in self.months.values() {
            let Some(&first) = set.iter().next() else { continue };
            let row = rows.entry(first).or_insert_with(|| (0, vec![0; usize::try_from(last - first + 1).unwrap_or(0)]));
            row.0 += 1;
            for m in set {
                if let Some(slot) = row.1.get_mut(usize::try_from(m - first).unwrap_or(usize::MAX)) {
                    *slot += 1;
                }
            }
        }
        rows.into_iter()
            .map(|(month, (members, active))| Cohort {
                month: format!("{:04}-{:02}", month.div_euclid(12), month.rem_euclid(12) + 1),
                members,
                active,
            })
            .collect()
    }

    /// Months since year 0 of an instant's local date.
    fn month_of(&self, at: i64) -> i64 {
        let d = crate::calendar::local_date(DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default(), self.tz);
        i64::from(d.year()) * 12 + i64::from(d.month0())
    }
}
