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

/// Members whose id hashes to one partition: a small hash map from id to a slot in `accs`,
/// small enough to stay in cache while the partition's orders are folded in.
#[derive(Clone, Debug, Default)]
struct Partition {
    index: HashMap<u64, u32, FxBuild>,
    ids: Vec<u64>,
    accs: Vec<Acc>,
    days: Vec<Vec<i32>>,
}

const PARTITION_BITS: u32 = 8;
const PARTITIONS: usize = 1 << PARTITION_BITS;

/// The most members one summarizer holds.
pub const MAX_MEMBERS: usize = 500_000_000;

/// Builds member summaries from batches of orders; summarizers of different partitions merge.
///
/// Orders are first split by a hash of the member id into 256 partitions, then folded
/// partition by partition, so each partition's members stay in cache.
#[derive(Clone, Debug)]
pub struct Summarizer {
    settings: Settings,
    as_of: i64,
    recent_from: i64,
    partitions: Vec<Partition>,
    members: usize,
    days: DayCache,
    threads: usize,
}

/// Local day numbers with the zone's UTC offset cached per UTC day.
#[derive(Clone, Debug)]
struct DayCache {
    tz: Tz,
    utc: bool,
    slots: Vec<(i64, i32)>,
}

impl DayCache {
    fn new(tz: Tz) -> DayCache {
        DayCache { tz, utc: tz == chrono_tz::UTC, slots: vec![(i64::MIN, 0); 4096] }
    }

    /// The local day of `at`; the offset is looked up once per UTC day unless that day holds
    /// a change of offset.
    fn day(&mut self, at: i64) -> i64 {
        if self.utc {
            return at.div_euclid(86_400);
        }
        let utc_day = at.div_euclid(86_400);
        let slot = (utc_day as usize) & (self.slots.len() - 1);
        let (cached_day, offset) = self.slots[slot];
        if cached_day == utc_day {
            return (at + i64::from(offset)).div_euclid(86_400);
        }
        let start = offset_at(utc_day * 86_400, self.tz);
        let end = offset_at(utc_day * 86_400 + 86_399, self.tz);
        if start == end {
            self.slots[slot] = (utc_day, start);
            (at + i64::from(start)).div_euclid(86_400)
        } else {
            local_day(at, self.tz)
        }
    }
}

fn offset_at(at: i64, tz: Tz) -> i32 {
    use chrono::Offset;
    let utc = DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default();
    utc.with_timezone(&tz).offset().fix().local_minus_utc()
}

fn partition_of(member: u64) -> usize {
    let h = (member ^ (member >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> (64 - PARTITION_BITS)) as usize
}

/// Batches of at least this many rows are split and folded on the summarizer's threads.
const PARALLEL_ROWS: usize = 1 << 20;

/// Rows of one range of a batch, grouped by partition: partition `p`'s rows are
/// `rows[starts[p]..starts[p + 1]]`.
struct Split {
    starts: Vec<u32>,
    rows: Vec<(u64, i64, i64)>,
}

/// Groups a range of rows by partition (a counting sort), skipping orders at or after `as_of`.
fn split_by_partition(batch: &Orders<'_>, range: std::ops::Range<usize>, as_of: i64) -> Split {
    let mut starts = vec![0u32; PARTITIONS + 1];
    for row in range.clone() {
        if batch.ordered_at[row] < as_of {
            starts[partition_of(batch.member_id[row]) + 1] += 1;
        }
    }
    for i in 0..PARTITIONS {
        starts[i + 1] += starts[i];
    }
    let mut rows = vec![(0, 0, 0); starts[PARTITIONS] as usize];
    let mut next = starts.clone();
    for row in range {
        let at = batch.ordered_at[row];
        if at < as_of {
            let member = batch.member_id[row];
            let p = partition_of(member);
            rows[next[p] as usize] = (member, at, batch.amount_minor[row]);
            next[p] += 1;
        }
    }
    Split { starts, rows }
}

/// What folding rows into partitions needs of the settings.
#[derive(Clone, Copy)]
struct Fold {
    distinct: bool,
    recent_from: i64,
}

impl Fold {
    /// Folds every split's rows of partitions `first..first + parts.len()` into `parts`;
    /// returns how many new members they brought.
    fn partitions(self, parts: &mut [Partition], first: usize, splits: &[Split], days: &mut DayCache) -> usize {
        let mut new_members = 0;
        for (i, part) in parts.iter_mut().enumerate() {
            let p = first + i;
            for split in splits {
                let rows = &split.rows[split.starts[p] as usize..split.starts[p + 1] as usize];
                new_members += self.rows(part, rows, days);
            }
        }
        new_members
    }

    fn rows(self, part: &mut Partition, rows: &[(u64, i64, i64)], days: &mut DayCache) -> usize {
        let mut new_members = 0;
        for &(member, at, amount) in rows {
            let day = days.day(at);
            let slot = match part.index.get(&member) {
                Some(&slot) => {
                    part.accs[slot as usize].observe(at, day);
                    slot as usize
                }
                None => {
                    new_members += 1;
                    let slot = part.accs.len();
                    part.index.insert(member, slot as u32);
                    part.ids.push(member);
                    part.accs.push(Acc::first(at, day));
                    if self.distinct {
                        part.days.push(Vec::new());
                    }
                    slot
                }
            };
            let acc = &mut part.accs[slot];
            acc.total_minor += i128::from(amount);
            if at >= self.recent_from {
                acc.recent_orders += 1;
            }
            if self.distinct {
                part.days[slot].push(day as i32);
            }
        }
        new_members
    }
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
            members: 0,
            days,
            threads: 1,
        }
    }

    /// Splits and folds large batches (a million rows or more) on `threads` threads (at
    /// least 1, the default; more than 64 is taken as 64). The core starts threads only when
    /// asked to; the summaries are the same either way.
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
    /// assert_eq!(one.finish(), two.finish());
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
    /// [`AnalyticsError`] naming the column and row; nothing of the batch is added then.
    pub fn add(&mut self, batch: &Orders<'_>) -> Result<(), AnalyticsError> {
        let n = batch.member_id.len();
        for (column, len) in [("ordered_at", batch.ordered_at.len()), ("amount_minor", batch.amount_minor.len())] {
            if len != n {
                return Err(AnalyticsError::LengthMismatch { column, len, expected: n });
            }
        }
        const MAX: i64 = 221_845_392_000; // 9000-01-01
        for row in 0..n {
            let at = batch.ordered_at[row];
            if !(0..MAX).contains(&at) {
                return Err(AnalyticsError::TimeOutOfRange { row, value: at });
            }
            if batch.amount_minor[row] < 0 {
                return Err(AnalyticsError::NegativeAmount { row, value: batch.amount_minor[row] });
            }
        }
        // Work through the batch in chunks: split each chunk's rows by partition (a counting
        // sort, skipping late orders), then fold partition by partition.
        // Whole batches (up to 64 Mi rows) per split: a partition's members are then hit many
        // times while in cache; smaller chunks would touch each member about once.
        const CHUNK: usize = 1 << 26;
        let threads = if n >= PARALLEL_ROWS { self.threads } else { 1 };
        for chunk_start in (0..n).step_by(CHUNK) {
            let chunk = chunk_start..(chunk_start + CHUNK).min(n);
            // Each thread splits its share of the rows into its own buffer.
            let share = chunk.len().div_ceil(threads);
            let ranges: Vec<std::ops::Range<usize>> = (0..threads)
                .map(|t| (chunk.start + t * share).min(chunk.end)..(chunk.start + (t + 1) * share).min(chunk.end))
                .collect();
            let as_of = self.as_of;
            let split = |range: std::ops::Range<usize>| split_by_partition(batch, range, as_of);
            let splits: Vec<Split> = if threads == 1 {
                ranges.into_iter().map(split).collect()
            } else {
                std::thread::scope(|scope| {
                    let handles: Vec<_> = ranges.into_iter().map(|r| scope.spawn(move || split(r))).collect();
                    handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
                })
            };
            // Then each thread folds its own range of partitions, reading every split's rows.
            let fold = Fold { distinct: self.settings.distinct_days, recent_from: self.recent_from };
            let per_thread = PARTITIONS.div_ceil(threads);
            let new_members: usize = if threads == 1 {
                fold.partitions(&mut self.partitions, 0, &splits, &mut self.days)
            } else {
                let days = &self.days;
                let splits = &splits;
                std::thread::scope(|scope| {
                    let handles: Vec<_> = self
                        .partitions
                        .chunks_mut(per_thread)
                        .enumerate()
                        .map(|(i, parts)| {
                            let mut days = days.clone();
                            scope.spawn(move || fold.partitions(parts, i * per_thread, splits, &mut days))
                        })
                        .collect();
                    handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).sum()
                })
            };
            self.members += new_members;
            if self.members > MAX_MEMBERS {
                return Err(AnalyticsError::TooManyMembers { limit: MAX_MEMBERS });
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
        for (mine, theirs) in self.partitions.iter_mut().zip(other.partitions) {
            let Partition { ids, accs, mut days, .. } = theirs;
            for (i, (id, acc)) in ids.into_iter().zip(accs).enumerate() {
                let their_days = if days.is_empty() { Vec::new() } else { std::mem::take(&mut days[i]) };
                match mine.index.get(&id) {
                    Some(&slot) => {
                        mine.accs[slot as usize].merge(acc);
                        if let Some(d) = mine.days.get_mut(slot as usize) {
                            d.extend(their_days);
                        }
                    }
                    None => {
                        let slot = mine.accs.len();
                        mine.index.insert(id, slot as u32);
                        mine.ids.push(id);
                        mine.accs.push(acc);
                        if self.settings.distinct_days {
                            mine.days.push(their_days);
                        }
                        self.members += 1;
                    }
                }
            }
        }
        Ok(())
    }

    /// The summaries, in member id order.
    pub fn finish(self) -> Vec<MemberSummary> {
        let mut out: Vec<MemberSummary> = Vec::with_capacity(self.members);
        for part in self.partitions {
            let Partition { ids, accs, mut days, .. } = part;
            for (i, (member_id, a)) in ids.into_iter().zip(accs).enumerate() {
                let distinct_days = match days.get_mut(i) {
                    Some(d) if !d.is_empty() => {
                        d.sort_unstable();
                        d.dedup();
                        d.len() as u64
                    }
                    _ => 0,
                };
                out.push(MemberSummary {
                    member_id,
                    first_at: a.first_at,
                    last_at: a.last_at,
                    previous_at: (a.previous_at != i64::MIN).then_some(a.previous_at),
                    orders: a.orders,
                    days: distinct_days,
                    total_minor: a.total_minor,
                    recent_orders: a.recent_orders,
                });
            }
        }
        out.sort_unstable_by_key(|m| m.member_id);
        out
    }
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
        self.orders += b.orders;
        self.total_minor += b.total_minor;
        self.recent_orders += b.recent_orders;
    }
}

/// The local day number (days since 1970-01-01 in the zone) of a Unix time.
pub(crate) fn local_day(at: i64, tz: Tz) -> i64 {
    if tz == chrono_tz::UTC {
        return at.div_euclid(86_400);
    }
    let utc = DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default();
    let date: NaiveDate = crate::calendar::local_date(utc, tz);
    i64::from(chrono::Datelike::num_days_from_ce(&date)) - 719_163
}
