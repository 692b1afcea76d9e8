//! Per-member summaries of an order log, built batch by batch and mergeable.

mod days;
mod partial;
mod plan;
mod rows;
mod threads;

pub(crate) use days::local_day;
use days::*;
use plan::*;
use rows::*;
use threads::*;

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
    /// Also count distinct purchase days per member (costs memory per distinct day).
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

/// One member's running aggregate. `previous_at` is `i64::MIN` when there is none.
#[derive(Clone, Copy, Debug)]
struct Acc {
    first_at: i64,
    last_at: i64,
    previous_at: i64,
    last_day: i64,
    total_minor: i128,
    orders: u64,
    recent_orders: u64,
}

/// The most members one summarizer holds.
pub const MAX_MEMBERS: usize = 500_000_000;

/// Builds member summaries from batches of orders; summarizers of different partitions merge.
/// A summarizer serializes (serde, any format) to a partial that another process or machine
/// reads back, checked, and merges: a log split across machines combines into one result.
///
/// Orders are first split by a hash of the member id into 256 partitions, then folded
/// partition by partition, so each partition's members stay in cache.
#[derive(Clone, Debug)]
pub struct Summarizer {
    settings: Settings,
    as_of: i64,
    recent_from: i64,
    partitions: Vec<Partition>,
    /// How ids are routed to the partitions: chosen by the first batch, widened or given up
    /// for hashing when a later batch or a merge brings ids outside its range.
    plan: Plan,
    /// The ids seen: the smallest and the largest (`(u64::MAX, 0)` for none yet).
    ids: (u64, u64),
    members: usize,
    days: DayCache,
    threads: usize,
    /// Orders added, and the earliest of them: (instant, row among the orders added).
    added: u64,
    earliest: Option<(i64, u64)>,
}

impl Summarizer {
    /// An empty summarizer.
    pub fn new(settings: Settings) -> Summarizer {
        let as_of = settings.as_of.timestamp();
        let recent_from = as_of - i64::from(settings.recent_days) * 86_400;
        let days = DayCache::new(settings.time_zone);
        Summarizer {
            settings,
            as_of,
            recent_from,
            partitions: vec![Partition::default(); PARTITIONS],
            plan: Plan::Hashed,
            ids: (u64::MAX, 0),
            members: 0,
            days,
            threads: 1,
            added: 0,
            earliest: None,
        }
    }

    /// Splits and folds large batches (262,144 rows or more) on `threads` threads (at
    /// least 1, the default; more than 64 is taken as 64), and `finish` sorts 32,768 members
    /// or more on them. The core starts threads only when asked to; the summaries are the
    /// same either way.
    ///
    /// ```
    /// use loyalty::analytics::{Orders, Settings, Summarizer};
    /// use chrono::{TimeZone, Utc};
    /// let settings = Settings::new(Utc.with_ymd_and_hms(2024, 7, 1, 0, 0, 0).unwrap(), chrono_tz::UTC);
    /// let member_id: Vec<u64> = (0..2_000_000).map(|i| i % 1_000).collect();
    /// let ordered_at = vec![1_704_067_200; member_id.len()];
    /// let amount_minor = vec![100; member_id.len()];
    /// let orders = Orders { member_id: &member_id, ordered_at: &ordered_at, amount_minor: &amount_minor };
    /// let (mut one, mut two) = (Summarizer::new(settings.clone()), Summarizer::new(settings).with_threads(2));
    /// one.add(&orders).unwrap();
    /// two.add(&orders).unwrap();
    /// assert_eq!(one.finish().unwrap(), two.finish().unwrap());
    /// ```
    pub fn with_threads(mut self, threads: usize) -> Summarizer {
        self.threads = threads.clamp(1, 64);
        self
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Adds a batch. Orders at or after `as_of` are ignored.
    ///
    /// # Errors
    /// [`AnalyticsError`] naming the column and the row, counted over all the batches added
    /// (the first batch's rows are 0.., the next's continue); nothing of the batch is added then,
    /// except for [`AnalyticsError::TooManyMembers`], found while folding, after which the
    /// summarizer holds the orders folded so far.
    pub fn add(&mut self, batch: &Orders<'_>) -> Result<(), AnalyticsError> {
        let n = batch.member_id.len();
        for (column, len) in [("ordered_at", batch.ordered_at.len()), ("amount_minor", batch.amount_minor.len())] {
            if len != n {
                return Err(AnalyticsError::LengthMismatch { column, len, expected: n });
            }
        }
        // Instants from 1970 to 9000-01-01.
        const MAX: i64 = 221_845_392_000;
        // One pass of minima and maxima with no branch to leave it (a third of the
        // instructions of checking each row as it comes), on the threads for a large batch;
        // rows are looked at one by one only when something is out of range, for the first
        // such row.
        let threads = if n >= PARALLEL_ROWS { self.threads } else { 1 };
        let share = n.div_ceil(threads).max(1);
        let Bounds { first, first_row, last, least, largest, low, high } = if threads == 1 {
            Bounds::of(batch, 0..n)
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..n)
                    .step_by(share)
                    .map(|start| scope.spawn(move || Bounds::of(batch, start..(start + share).min(n))))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .fold(Bounds::EMPTY, Bounds::and)
            })
        };
        if n > 0 && (first < 0 || last >= MAX || least < 0) {
            // Rows are counted over every batch added, so a stream's errors name its row.
            let stream_row = |row: usize| usize::try_from(self.added).unwrap_or(usize::MAX).saturating_add(row);
            for (row, (&at, &amount)) in batch.ordered_at.iter().zip(batch.amount_minor).enumerate() {
                if !(0..MAX).contains(&at) {
                    return Err(AnalyticsError::TimeOutOfRange { row: stream_row(row), value: at });
                }
                if amount < 0 {
                    return Err(AnalyticsError::NegativeAmount { row: stream_row(row), value: amount });
                }
            }
        }
        if n > 0 {
            self.cover(low, high, n as u64);
            if self.earliest.is_none_or(|(at, _)| first < at) {
                self.earliest = Some((first, self.added + first_row as u64));
            }
            self.added += n as u64;
        }
        if n > 0 && last - first <= i64::from(u32::MAX) && largest <= i64::from(i32::MAX) {
            let bits = |v: i64| u64::BITS - (v as u64).leading_zeros();
            let (at_bits, amount_bits) = (bits(last - first), bits(largest));
            match self.plan {
                // After `cover`, the plan's lowest id is at most the batch's lowest.
                Plan::Ranged { lo, shift } if shift + at_bits + amount_bits <= u64::BITS => {
                    let base = Base { at: first, member: lo, bits: (shift, at_bits, amount_bits) };
                    self.add_rows::<Packed>(batch, base, CHUNK, threads)
                }
                Plan::Ranged { lo, .. } if high - lo <= u64::from(u32::MAX) => self.add_rows::<(u32, u32, i32)>(
                    batch,
                    Base { at: first, member: lo, ..Base::default() },
                    CHUNK,
                    threads,
                ),
                _ => self.add_rows::<(u64, u32, i32)>(batch, Base { at: first, ..Base::default() }, CHUNK, threads),
            }
        } else {
            self.add_rows::<(u64, i64, i64)>(batch, Base::default(), CHUNK, threads)
        }
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
        if let Some((at, row)) = other.earliest {
            if self.earliest.is_none_or(|(mine, _)| at < mine) {
                self.earliest = Some((at, self.added.saturating_add(row)));
            }
        }
        if other.ids.0 <= other.ids.1 {
            self.cover(other.ids.0, other.ids.1, other.added);
        }
        self.added = self.added.saturating_add(other.added);
        let plan = self.plan;
        for theirs in other.partitions {
            let Partition { ids, accs, mut days, .. } = theirs;
            for (i, (id, acc)) in ids.into_iter().zip(accs).enumerate() {
                let their_days = if days.is_empty() { Vec::new() } else { std::mem::take(&mut days[i]) };
                let mine = &mut self.partitions[plan.partition(id)];
                match mine.slot(plan, id) {
                    Some(slot) => {
                        mine.accs[slot as usize].merge(acc);
                        if let Some(d) = mine.days.get_mut(slot as usize) {
                            d.extend(their_days);
                        }
                    }
                    None => {
                        mine.push(plan, id, acc, self.settings.distinct_days.then_some(their_days));
                        self.members += 1;
                    }
                }
            }
        }
        Ok(())
    }

    /// The summaries, in member id order (none for no orders).
    ///
    /// ```
    /// use loyalty::analytics::{AnalyticsError, Orders, Settings, Summarizer};
    /// use chrono::{TimeZone, Utc};
    /// let settings = Settings::new(Utc.with_ymd_and_hms(2024, 7, 1, 0, 0, 0).unwrap(), chrono_tz::UTC);
    /// let mut s = Summarizer::new(settings.clone());
    /// s.add(&Orders { member_id: &[2, 1, 2], ordered_at: &[1_704_412_800, 1_709_251_200, 1_718_841_600], amount_minor: &[1000, 400, 2500] }).unwrap();
    /// let summaries = s.finish().unwrap();
    /// assert_eq!(summaries.iter().map(|m| (m.member_id, m.orders, m.total_minor)).collect::<Vec<_>>(), [(1, 1, 400), (2, 2, 3500)]);
    /// // Orders only after as_of: an error, not an empty result.
    /// let mut late = Summarizer::new(settings);
    /// late.add(&Orders { member_id: &[1], ordered_at: &[1_735_689_600], amount_minor: &[100] }).unwrap();
    /// assert!(matches!(late.finish(), Err(AnalyticsError::AsOfBeforeOrders { .. })));
    /// ```
    ///
    /// # Errors
    /// [`AnalyticsError::AsOfBeforeOrders`] when orders were added but none is before
    /// `as_of`.
    pub fn finish(self) -> Result<Vec<MemberSummary>, AnalyticsError> {
        if let (0, Some((at, row))) = (self.members, self.earliest) {
            return Err(AnalyticsError::AsOfBeforeOrders {
                as_of: self.settings.as_of,
                row,
                first_order: chrono::DateTime::from_timestamp(at, 0).unwrap_or_default(),
            });
        }
        let (threads, members, ranged) = (self.threads, self.members, self.plan != Plan::Hashed);
        let partitions = self.partitions;
        // A pool only for members enough to spread over it.
        if threads > 1 && super::parallel::worth_spreading(members) {
            return Ok(super::parallel::with_threads(threads, move || summaries(partitions, members, ranged)));
        }
        Ok(summaries(partitions, members, ranged))
    }
}

/// The partitions' members as summaries in member id order. Ranged partitions hold their ids
/// in order already, through their tables.
fn summaries(mut partitions: Vec<Partition>, members: usize, ranged: bool) -> Vec<MemberSummary> {
    use super::parallel;
    // Distinct purchase days: sorted and counted per member, partitions on the pool's threads.
    let distinct: Vec<Vec<u64>> = parallel::map_mut(&mut partitions, |part| {
        part.days
            .iter_mut()
            .map(|d| {
                d.sort_unstable();
                d.dedup();
                d.len() as u64
            })
            .collect()
    });
    // Each ranged partition's slots in id order.
    let order: Option<Vec<Vec<u32>>> = ranged.then(|| {
        parallel::map_mut(&mut partitions, |part| part.table.iter().copied().filter(|&slot| slot != NO_SLOT).collect())
    });
    let summary = |p: usize, i: usize| {
        let (part, a) = (&partitions[p], partitions[p].accs[i]);
        MemberSummary {
            member_id: part.ids[i],
            first_at: a.first_at,
            last_at: a.last_at,
            previous_at: (a.previous_at != i64::MIN).then_some(a.previous_at),
            orders: a.orders,
            days: distinct[p].get(i).copied().unwrap_or(0),
            total_minor: a.total_minor,
            recent_orders: a.recent_orders,
        }
    };
    if let Some(order) = order {
        let mut keys: Vec<(u32, u32)> = Vec::with_capacity(members);
        for (p, slots) in order.iter().enumerate() {
            keys.extend(slots.iter().map(|&i| (p as u32, i)));
        }
        return parallel::map(&keys, |&(p, i)| summary(p as usize, i as usize));
    }
    if !parallel::spread(members) {
        let mut out: Vec<MemberSummary> = Vec::with_capacity(members);
        for (p, part) in partitions.iter().enumerate() {
            out.extend((0..part.ids.len()).map(|i| summary(p, i)));
        }
        out.sort_unstable_by_key(|m| m.member_id);
        return out;
    }
    // On threads: sort 16-byte keys (member ids are unique, so the order is the same on any
    // number of threads), then build the summaries in that order, both on the pool's threads.
    let mut keys: Vec<(u64, u32, u32)> = Vec::with_capacity(members);
    for (p, part) in partitions.iter().enumerate() {
        keys.extend(part.ids.iter().enumerate().map(|(i, &id)| (id, p as u32, i as u32)));
    }
    parallel::sort_unstable_by_key(&mut keys, |k| k.0);
    parallel::map(&keys, |&(_, p, i)| summary(p as usize, i as usize))
}

impl Acc {
    fn first(at: i64, day: i64) -> Acc {
        Acc {
            first_at: at,
            last_at: at,
            previous_at: i64::MIN,
            last_day: day,
            total_minor: 0,
            orders: 1,
            recent_orders: 0,
        }
    }

    fn observe(&mut self, at: i64, day: i64) {
        self.first_at = self.first_at.min(at);
        if day > self.last_day {
            // A new last day: the old last order becomes the previous one.
            self.previous_at = self.previous_at.max(self.last_at);
            self.last_at = at;
            self.last_day = day;
        } else if day == self.last_day {
            self.last_at = self.last_at.max(at);
        } else {
            self.previous_at = self.previous_at.max(at);
        }
        self.orders += 1;
    }

    fn merge(&mut self, b: Acc) {
        // The last day is the later of the two; a side whose last day is earlier offers its
        // last order as a candidate for the previous one.
        let last_day = self.last_day.max(b.last_day);
        let mut previous = self.previous_at.max(b.previous_at);
        let mut last_at = i64::MIN;
        for (day, at) in [(self.last_day, self.last_at), (b.last_day, b.last_at)] {
            if day == last_day {
                last_at = last_at.max(at);
            } else {
                previous = previous.max(at);
            }
        }
        self.first_at = self.first_at.min(b.first_at);
        self.last_at = last_at;
        self.last_day = last_day;
        self.previous_at = previous;
        // Saturating: partials read from elsewhere are checked one by one, not their sums.
        self.orders = self.orders.saturating_add(b.orders);
        self.total_minor = self.total_minor.saturating_add(b.total_minor);
        self.recent_orders = self.recent_orders.saturating_add(b.recent_orders);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// Small chunks (several per batch, reusing the split buffers), on one and on three
    /// threads, in both row forms, summarize exactly like one chunk.
    #[test]
    fn chunks_threads_and_row_forms_agree() {
        let mut seed = 11u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            seed >> 24
        };
        let n = 5_000;
        let member_id: Vec<u64> = (0..n).map(|_| next() % 700).collect();
        let ordered_at: Vec<i64> = (0..n).map(|_| 1_704_067_200 + (next() % (300 * 86_400)) as i64).collect();
        let amount_minor: Vec<i64> = (0..n).map(|_| (next() % 90_000) as i64).collect();
        let orders = Orders { member_id: &member_id, ordered_at: &ordered_at, amount_minor: &amount_minor };
        let mut settings =
            Settings::new(Utc.timestamp_opt(1_704_067_200 + 250 * 86_400, 0).unwrap(), chrono_tz::Europe::Berlin);
        settings.distinct_days = true;
        // Row forms: 24 bytes, 16 (compact times and amounts), 12 (ids as offsets too).
        let summarize = |threads: usize, chunk: usize, form: usize, plan: Plan| {
            // The batch is below PARALLEL_ROWS: ask for the threads directly.
            let mut s = Summarizer::new(settings.clone());
            s.plan = plan;
            let at = 1_704_067_200;
            let base = Base { at, ..Base::default() };
            match form {
                // Ids within partitions of 4 (2 bits), 300 days (25 bits), amounts below 2^17.
                8 => s.add_rows::<Packed>(&orders, Base { bits: (2, 25, 17), ..base }, chunk, threads).unwrap(),
                12 => s.add_rows::<(u32, u32, i32)>(&orders, base, chunk, threads).unwrap(),
                16 => s.add_rows::<(u64, u32, i32)>(&orders, base, chunk, threads).unwrap(),
                _ => s.add_rows::<(u64, i64, i64)>(&orders, Base::default(), chunk, threads).unwrap(),
            }
            s.finish().unwrap()
        };
        let expected = summarize(1, usize::MAX, 24, Plan::Hashed);
        let as_of = settings.as_of.timestamp();
        let members: std::collections::BTreeSet<u64> =
            member_id.iter().zip(&ordered_at).filter(|(_, t)| **t < as_of).map(|(m, _)| *m).collect();
        assert_eq!(expected.iter().map(|s| s.member_id).collect::<Vec<_>>(), members.into_iter().collect::<Vec<_>>());
        // Ids 0..700: partitions of 4 ids each when ranged.
        let ranged = Plan::Ranged { lo: 0, shift: 2 };
        for (threads, chunk, form) in
            [(1, 7, 24), (1, 999, 16), (3, 1_000, 16), (3, 64, 24), (1, 999, 12), (3, 77, 12), (1, 999, 8), (3, 77, 8)]
        {
            // Ids as offsets need the ranged plan (its lowest id is the base).
            let plans = if form <= 12 { &[ranged][..] } else { &[Plan::Hashed, ranged][..] };
            for &plan in plans {
                assert_eq!(
                    summarize(threads, chunk, form, plan),
                    expected,
                    "{threads} threads, chunks of {chunk}, {form}-byte rows, {plan:?}"
                );
            }
        }
    }

    /// A batch large enough to be checked on threads still names the first row: of the
    /// earliest order (ties in two threads' shares) for `AsOfBeforeOrders`, and the first row
    /// out of range.
    #[test]
    fn large_batches_checked_on_threads_name_the_first_row() {
        let n = PARALLEL_ROWS + 1_000;
        let as_of = DateTime::from_timestamp(1_704_067_200, 0).unwrap();
        let member_id: Vec<u64> = (0..n as u64).collect();
        let mut ordered_at = vec![1_800_000_000; n];
        // The earliest instant at three rows: in the second and third shares of three threads.
        for row in [n - 5, 100_000, 200_000] {
            ordered_at[row] = 1_750_000_000;
        }
        let mut amount_minor = vec![100; n];
        let orders = |ordered_at: &[i64], amount_minor: &[i64]| {
            let mut s = Summarizer::new(Settings::new(as_of, chrono_tz::UTC)).with_threads(3);
            s.add(&Orders { member_id: &member_id, ordered_at, amount_minor }).map(|()| s.finish())
        };
        let first_order = DateTime::from_timestamp(1_750_000_000, 0).unwrap();
        assert_eq!(
            orders(&ordered_at, &amount_minor).unwrap(),
            Err(AnalyticsError::AsOfBeforeOrders { as_of, row: 100_000, first_order })
        );
        amount_minor[n - 3] = -1;
        ordered_at[n - 2] = -5;
        ordered_at[n - 1] = i64::MAX;
        assert_eq!(orders(&ordered_at, &amount_minor), Err(AnalyticsError::NegativeAmount { row: n - 3, value: -1 }));
        amount_minor[n - 3] = 0;
        assert_eq!(orders(&ordered_at, &amount_minor), Err(AnalyticsError::TimeOutOfRange { row: n - 2, value: -5 }));
    }

    /// Ids at the top of the id space, ranged and packed: the partitions past them have no
    /// rows (their first id would be past `u64::MAX`).
    #[test]
    fn packed_rows_at_the_top_of_the_id_space() {
        let as_of = DateTime::from_timestamp(1_735_689_600, 0).unwrap();
        let mut s = Summarizer::new(Settings::new(as_of, chrono_tz::UTC));
        let at = 1_704_067_200;
        s.add(&Orders {
            member_id: &[u64::MAX - 1, u64::MAX, u64::MAX],
            ordered_at: &[at; 3],
            amount_minor: &[100, 250, 5],
        })
        .unwrap();
        assert_eq!(s.plan, Plan::Ranged { lo: u64::MAX - 1, shift: 0 });
        let got: Vec<(u64, u64, i128)> =
            s.finish().unwrap().iter().map(|m| (m.member_id, m.orders, m.total_minor)).collect();
        assert_eq!(got, [(u64::MAX - 1, 1, 100), (u64::MAX, 2, 255)]);
    }

    /// Packed rows at the edges of their 64 bits, through `add`: ids 0..=300 in partitions of
    /// 2 (1 bit), instants 2^32 - 1 seconds apart (32 bits), amounts up to `i32::MAX` (31
    /// bits); and a batch with no bits for instants and amounts (one instant, all free).
    /// Each summarizes like the 24-byte rows of a hashed plan.
    #[test]
    fn packed_rows_use_every_bit() {
        let first = 1_000_000_000;
        let last = first + i64::from(u32::MAX);
        let as_of = DateTime::from_timestamp(7_258_118_400, 0).unwrap(); // 2200-01-01
        let settings = Settings { distinct_days: true, ..Settings::new(as_of, chrono_tz::Europe::Paris) };
        let member_id: Vec<u64> = (0..=300).chain([300, 0, 7, 7]).collect();
        let ordered_at: Vec<i64> =
            member_id.iter().enumerate().map(|(i, _)| [first, last, first + 86_399 * i as i64][i % 3]).collect();
        let amount_minor: Vec<i64> =
            member_id.iter().enumerate().map(|(i, _)| [i64::from(i32::MAX), 0, i as i64][i % 3]).collect();
        let free = vec![0; member_id.len()];
        let once = vec![first; member_id.len()];
        for (ordered_at, amount_minor, edges) in [(&ordered_at, &amount_minor, true), (&once, &free, false)] {
            let orders = Orders { member_id: &member_id, ordered_at, amount_minor };
            let mut packed = Summarizer::new(settings.clone());
            packed.add(&orders).unwrap();
            assert_eq!(packed.plan, Plan::Ranged { lo: 0, shift: 1 });
            let mut reference = Summarizer::new(settings.clone());
            reference.plan = Plan::Hashed;
            reference.add_rows::<(u64, i64, i64)>(&orders, Base::default(), usize::MAX, 1).unwrap();
            let (packed, reference) = (packed.finish().unwrap(), reference.finish().unwrap());
            assert_eq!(packed, reference);
            if edges {
                // Member 300: rows 300 (first, i32::MAX) and 301 (last, 0).
                let m = &packed[300];
                assert_eq!(
                    (m.member_id, m.orders, m.first_at, m.last_at, m.total_minor),
                    (300, 2, first, last, 2_147_483_647)
                );
            }
        }
    }

    /// Orders of members with ids in `ids`, a few each, deterministic.
    fn orders_of(ids: std::ops::Range<u64>, step: u64) -> (Vec<u64>, Vec<i64>, Vec<i64>) {
        let member_id: Vec<u64> = ids.step_by(step as usize).flat_map(|id| [id, id, id]).collect();
        let ordered_at = (0..member_id.len() as i64).map(|i| 1_704_067_200 + (i * 7_919) % (200 * 86_400)).collect();
        let amount_minor = (0..member_id.len() as i64).map(|i| 100 + (i * 31) % 5_000).collect();
        (member_id, ordered_at, amount_minor)
    }

    /// A stream whose ids outgrow the first batch's range: the ranged plan widens, then turns
    /// to hashing when the ids stop being dense; merges move members between plans. Every
    /// way gives the summaries of one hashed summarizer.
    #[test]
    fn plans_widen_give_way_to_hashing_and_merge() {
        let settings = Settings::new(Utc.timestamp_opt(1_735_689_600, 0).unwrap(), chrono_tz::UTC);
        let batches = [orders_of(1_000..2_000, 1), orders_of(1_500..40_000, 3), orders_of(1 << 40..(1 << 40) + 900, 1)];
        let add = |s: &mut Summarizer, (m, t, a): &(Vec<u64>, Vec<i64>, Vec<i64>)| {
            s.add(&Orders { member_id: m, ordered_at: t, amount_minor: a }).unwrap();
        };
        // Two late orders (not counted) of ids far apart make the reference hash from the start.
        let mut hashed = Summarizer::new(settings.clone());
        add(&mut hashed, &(vec![0, 1 << 50], vec![1_735_689_600; 2], vec![1; 2]));
        for b in &batches {
            add(&mut hashed, b);
        }
        assert_eq!(hashed.plan, Plan::Hashed);
        let expected = hashed.finish().unwrap();
        assert_eq!(expected.len(), 1_000 + 12_834 + 900 - 500 / 3 - 1);

        let mut stream = Summarizer::new(settings.clone());
        add(&mut stream, &batches[0]);
        // 1,000 ids over 3,000 orders: ranged, 4 ids a partition.
        assert_eq!(stream.plan, Plan::Ranged { lo: 1_000, shift: 2 });
        add(&mut stream, &batches[1]);
        // Ids 1,000..40,000 (a span of 38,999) over 41,500 orders: still dense, wider.
        assert_eq!(stream.plan, Plan::Ranged { lo: 1_000, shift: 8 });
        add(&mut stream, &batches[2]);
        assert_eq!(stream.plan, Plan::Hashed);
        assert_eq!(stream.finish().unwrap(), expected);

        // Ranged into hashed, hashed into ranged, ranged into ranged of another range.
        let one = |b: &(Vec<u64>, Vec<i64>, Vec<i64>)| {
            let mut s = Summarizer::new(settings.clone());
            add(&mut s, b);
            s
        };
        let mut a = one(&batches[2]);
        assert_eq!(a.plan, Plan::Ranged { lo: 1 << 40, shift: 2 });
        a.merge(one(&batches[0])).unwrap();
        a.merge(one(&batches[1])).unwrap();
        assert_eq!(a.plan, Plan::Hashed);
        assert_eq!(a.finish().unwrap(), expected);
        let mut b = one(&batches[0]);
        b.merge(one(&batches[1])).unwrap();
        assert_eq!(b.plan, Plan::Ranged { lo: 1_000, shift: 8 });
        let mut c = one(&batches[2]);
        c.merge(b).unwrap();
        assert_eq!(c.finish().unwrap(), expected);
    }

    /// The plan for a span of ids: ranged with the smallest partitions that hold it, while
    /// the span stays below four times the orders or a million.
    #[test]
    fn distinct_days_take_memory_by_day_not_by_order() {
        // Member 5 orders 200,000 times, every 3 minutes from 2024-01-01 00:00 UTC: 417 days
        // (the last order, 199,999 x 180 s = 416.7 days later). The list of days never holds
        // room for more than four times that (1,024 here; 262,144 when it kept every order).
        let mut settings = Settings::new(chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(), chrono_tz::UTC);
        settings.distinct_days = true;
        let mut s = Summarizer::new(settings);
        let n = 200_000;
        let at: Vec<i64> = (0..n).map(|i| 1_704_067_200 + i * 180).collect();
        // Shuffled by a stride coprime with n, so days arrive out of order.
        let at: Vec<i64> = (0..n).map(|i| at[((i * 7_919) % n) as usize]).collect();
        for chunk in at.chunks(10_000) {
            let ids = vec![5; chunk.len()];
            s.add(&Orders { member_id: &ids, ordered_at: chunk, amount_minor: &vec![1; chunk.len()] }).unwrap();
        }
        let held = s.partitions.iter().flat_map(|p| p.days.iter()).map(Vec::capacity).max().unwrap();
        assert!(held <= 4 * 417, "{held} days held");
        let summaries = s.finish().unwrap();
        assert_eq!((summaries[0].orders, summaries[0].days), (200_000, 417));
    }

    #[test]
    fn plans_for_spans() {
        assert_eq!(Plan::for_ids(5, 5, 1, 0), Plan::Ranged { lo: 5, shift: 0 });
        assert_eq!(Plan::for_ids(0, 255, 1, 0), Plan::Ranged { lo: 0, shift: 0 });
        assert_eq!(Plan::for_ids(0, 256, 1, 0), Plan::Ranged { lo: 0, shift: 1 });
        assert_eq!(Plan::for_ids(0, 511, 1, 0), Plan::Ranged { lo: 0, shift: 1 });
        assert_eq!(Plan::for_ids(0, 512, 1, 0), Plan::Ranged { lo: 0, shift: 2 });
        assert_eq!(Plan::for_ids(0, (1 << 20) - 1, 1, 0), Plan::Ranged { lo: 0, shift: 12 });
        assert_eq!(Plan::for_ids(0, 1 << 20, 1, 0), Plan::Hashed);
        assert_eq!(Plan::for_ids(0, 1 << 20, 1 << 18, 0), Plan::Hashed);
        assert_eq!(Plan::for_ids(0, 1 << 20, (1 << 18) + 1, 0), Plan::Ranged { lo: 0, shift: 13 });
        assert_eq!(Plan::for_ids(7, 7, 1, 1 << 20), Plan::Hashed);
        assert_eq!(Plan::for_ids(0, u64::MAX, u64::MAX, 0), Plan::Hashed);
        let plan = Plan::Ranged { lo: 100, shift: 2 };
        assert!(plan.covers(100, 100 + 1023) && !plan.covers(99, 200) && !plan.covers(100, 100 + 1024));
        assert_eq!(
            (plan.partition(100), plan.partition(103), plan.partition(104), plan.partition(1123)),
            (0, 0, 1, 255)
        );
    }
}
