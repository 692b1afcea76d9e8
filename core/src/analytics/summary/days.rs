//! Local days: the zone's UTC offset cached per UTC day, a member's purchase days kept
//! bounded, and the local day number of an instant.

use super::*;

/// Local day numbers with the zone's UTC offset cached per UTC day.
#[derive(Clone, Debug)]
pub(super) struct DayCache {
    pub(super) tz: Tz,
    pub(super) utc: bool,
    pub(super) slots: Vec<(i64, i32)>,
}

impl DayCache {
    pub(super) fn new(tz: Tz) -> DayCache {
        DayCache { tz, utc: tz == chrono_tz::UTC, slots: vec![(i64::MIN, 0); 4096] }
    }

    /// The local day of `at`; the offset is looked up once per UTC day unless that day holds
    /// a change of offset.
    #[inline]
    pub(super) fn day(&mut self, at: i64) -> i64 {
        if self.utc {
            return at.div_euclid(86_400);
        }
        let utc_day = at.div_euclid(86_400);
        let slot = (utc_day as usize) & (self.slots.len() - 1);
        let (cached_day, offset) = self.slots[slot];
        if cached_day == utc_day {
            return (at + i64::from(offset)).div_euclid(86_400);
        }
        self.miss(at, utc_day, slot)
    }

    /// [`DayCache::day`] for a UTC day not cached yet (or that holds a change of offset).
    #[cold]
    pub(super) fn miss(&mut self, at: i64, utc_day: i64, slot: usize) -> i64 {
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

pub(super) fn offset_at(at: i64, tz: Tz) -> i32 {
    use chrono::Offset;
    let utc = DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default();
    utc.with_timezone(&tz).offset().fix().local_minus_utc()
}

/// Adds a purchase day to a member's list. A full list is sorted and deduplicated before it
/// grows (to twice what is left), so it holds at most about four times the member's distinct
/// days however many orders come: a stream's memory stays bounded by members and days, not
/// orders.
pub(super) fn remember_day(days: &mut Vec<i32>, day: i32) {
    if days.last() == Some(&day) {
        return;
    }
    if days.len() == days.capacity() && days.len() >= 8 {
        days.sort_unstable();
        days.dedup();
        // Room for as many again, so a list of mostly distinct days is sorted once per
        // doubling, not every few orders.
        days.reserve(days.len());
    }
    days.push(day);
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
