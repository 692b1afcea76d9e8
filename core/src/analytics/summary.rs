//! Per-member summaries of an order log, built batch by batch and mergeable.

use super::{AnalyticsError, FxBuild};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One batch of orders as borrowed columns of equal length.
#[derive(Clone, Copy, Debug)]
pub struct Orders<'a> {
    /// The member of each order.
    pub member_id: &'a [u64],
    /// When each order was placed, in Unix seconds (UTC).
    pub ordered_at: &'a [i64],
    /// What each order was worth, in minor currency units (cents), not negative.
    pub amount_minor: &'a [i64],
}

/// What a summary counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Only orders strictly before this instant count.
    pub as_of: DateTime<Utc>,
    /// The time zone that defines days (recency, distinct purchase days).
    #[serde(with = "tz_name")]
    pub time_zone: Tz,
    /// Also count distinct purchase days per member (costs memory per order).
    pub distinct_days: bool,
    /// Orders in the last this many days count as recent (for activity levels).
    pub recent_days: u32,
}

mod tz_name {
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(tz.name())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(|_| serde::de::Error::custom(format!("{name:?} is not an IANA time zone name")))
    }
}

impl Settings {
    /// Settings as of an instant in a zone: no distinct days, 90 recent days.
    pub fn new(as_of: DateTime<Utc>, time_zone: Tz) -> Settings {
        Settings { as_of, time_zone, distinct_days: false, recent_days: 90 }
    }
}

/// Everything the analytics need to know about one member's orders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSummary {
    /// The member.
    pub member_id: u64,
    /// The first order (Unix seconds).
    pub first_at: i64,
    /// The last order.
    pub last_at: i64,
    /// The latest order on an earlier local day than the last one, if any (for reactivation
    /// and purchase cycles).
    pub previous_at: Option<i64>,
    /// Orders.
    pub orders: u64,
    /// Distinct local purchase days (0 unless the settings ask for them).
    pub days: u64,
    /// Total spend in minor units.
    pub total_minor: i128,
    /// Orders in the recent window before `as_of`.
    pub recent_orders: u64,
}

#[derive(Clone, Debug, Default)]
struct Acc {
    first_at: i64,
    last_at: i64,
    last_day: i64,
    previous_at: Option<i64>,
    orders: u64,
    total_minor: i128,
    recent_orders: u64,
    days: Vec<i32>,
}

/// The most members one summarizer holds.
pub const MAX_MEMBERS: usize = 500_000_000;

/// Builds member summaries from batches of orders; summarizers of different partitions merge.
#[derive(Clone, Debug)]
pub struct Summarizer {
    settings: Settings,
    as_of: i64,
    recent_from: i64,
    members: HashMap<u64, Acc, FxBuild>,
}

impl Summarizer {
    /// An empty summarizer.
    pub fn new(settings: Settings) -> Summarizer {
        let as_of = settings.as_of.timestamp();
        let recent_from = as_of - i64::from(settings.recent_days) * 86_400;
        Summarizer { settings, as_of, recent_from, members: HashMap::default() }
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Adds a batch. Orders at or after `as_of` are ignored.
    ///
    /// # Errors
    /// [`AnalyticsError`] naming the column and row; nothing of the batch is added then.
    pub fn add(&mut self, batch: &Orders<'_>) -> Result<(), AnalyticsError> {
        let n = batch.member_id.len();
        for (column, len) in [("ordered_at", batch.ordered_at.len()), ("amount_minor", batch.amount_minor.len())] {
            if len != n {
                return Err(AnalyticsError::LengthMismatch { column, len, expected: n });
            }
        }
        const MIN: i64 = 0;
        const MAX: i64 = 221_845_392_000; // 9000-01-01
        for row in 0..n {
            let at = batch.ordered_at[row];
            if !(MIN..MAX).contains(&at) {
                return Err(AnalyticsError::TimeOutOfRange { row, value: at });
            }
            if batch.amount_minor[row] < 0 {
                return Err(AnalyticsError::NegativeAmount { row, value: batch.amount_minor[row] });
            }
        }
        let tz = self.settings.time_zone;
        let distinct = self.settings.distinct_days;
        for row in 0..n {
            let at = batch.ordered_at[row];
            if at >= self.as_of {
                continue;
            }
            if self.members.len() >= MAX_MEMBERS {
                return Err(AnalyticsError::TooManyMembers { limit: MAX_MEMBERS });
            }
            let day = local_day(at, tz);
            let acc = self.members.entry(batch.member_id[row]).or_default();
            acc.observe(at, day);
            acc.total_minor += i128::from(batch.amount_minor[row]);
            if at >= self.recent_from {
                acc.recent_orders += 1;
            }
            if distinct {
                acc.days.push(day as i32);
            }
        }
        Ok(())
    }

    /// Merges another summarizer with the same settings into this one.
    ///
    /// # Errors
    /// [`AnalyticsError::Invalid`] if the settings differ.
    pub fn merge(&mut self, other: Summarizer) -> Result<(), AnalyticsError> {
        if other.settings != self.settings {
            return Err(AnalyticsError::Invalid {
                field: "settings".into(),
                reason: "summarizers to merge must have the same settings".into(),
            });
        }
        for (id, b) in other.members {
            match self.members.get_mut(&id) {
                None => {
                    self.members.insert(id, b);
                }
                Some(a) => a.merge(b),
            }
        }
        Ok(())
    }

    /// The summaries, in member id order.
    pub fn finish(self) -> Vec<MemberSummary> {
        let mut out: Vec<MemberSummary> = self
            .members
            .into_iter()
            .map(|(member_id, mut a)| {
                let days = if a.days.is_empty() {
                    0
                } else {
                    a.days.sort_unstable();
                    a.days.dedup();
                    a.days.len() as u64
                };
                MemberSummary {
                    member_id,
                    first_at: a.first_at,
                    last_at: a.last_at,
                    previous_at: a.previous_at,
                    orders: a.orders,
                    days,
                    total_minor: a.total_minor,
                    recent_orders: a.recent_orders,
                }
            })
            .collect();
        out.sort_unstable_by_key(|m| m.member_id);
        out
    }
}

impl Acc {
    fn observe(&mut self, at: i64, day: i64) {
        if self.orders == 0 {
            self.first_at = at;
            self.last_at = at;
            self.last_day = day;
        } else {
            self.first_at = self.first_at.min(at);
            if day > self.last_day {
                // A new last day: the old last order becomes the previous one.
                self.previous_at = Some(self.last_at.max(self.previous_at.unwrap_or(i64::MIN)));
                self.last_at = at;
                self.last_day = day;
            } else if day == self.last_day {
                self.last_at = self.last_at.max(at);
            } else {
                self.previous_at = Some(self.previous_at.map_or(at, |p| p.max(at)));
            }
        }
        self.orders += 1;
    }

    fn merge(&mut self, b: Acc) {
        if b.orders == 0 {
            return;
        }
        if self.orders == 0 {
            *self = b;
            return;
        }
        // The last day is the later of the two; a side whose last day is earlier offers its
        // last order as a candidate for the previous one.
        let last_day = self.last_day.max(b.last_day);
        let mut previous = self.previous_at.max(b.previous_at);
        let mut last_at = i64::MIN;
        for (day, at) in [(self.last_day, self.last_at), (b.last_day, b.last_at)] {
            if day == last_day {
                last_at = last_at.max(at);
            } else {
                previous = previous.max(Some(at));
            }
        }
        self.first_at = self.first_at.min(b.first_at);
        self.last_at = last_at;
        self.last_day = last_day;
        self.previous_at = previous;
        self.orders += b.orders;
        self.total_minor += b.total_minor;
        self.recent_orders += b.recent_orders;
        self.days.extend(b.days);
    }
}

/// The local day number (days since 1970-01-01 in the zone) of a Unix time.
pub(crate) fn local_day(at: i64, tz: Tz) -> i64 {
    let utc = DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default();
    let date: NaiveDate = crate::calendar::local_date(utc, tz);
    i64::from(chrono::Datelike::num_days_from_ce(&date)) - 719_163
}
