//! Program-local calendar arithmetic: local days, month arithmetic that clamps to the end of
//! the month, period bounds, and local midnights that survive daylight-saving changes.
//!
//! Every expiry and activation instant in the engine is a local midnight of the program's time
//! zone, computed here and stored as UTC.

use chrono::{DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The calendar date of an instant in a time zone.
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// let t = Utc.with_ymd_and_hms(2024, 3, 1, 3, 0, 0).unwrap();
/// let ny: chrono_tz::Tz = "America/New_York".parse().unwrap();
/// assert_eq!(loyalty::calendar::local_date(t, ny), NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
/// ```
pub fn local_date(t: DateTime<Utc>, tz: Tz) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// The first instant of a local calendar day, as UTC.
///
/// Where midnight does not exist (a daylight-saving jump at midnight), the day starts at the
/// first local time that exists; where it exists twice, at the earlier one.
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// let tz: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
/// let d = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
/// assert_eq!(loyalty::calendar::start_of_day(d, tz), Utc.with_ymd_and_hms(2024, 6, 30, 22, 0, 0).unwrap());
/// ```
pub fn start_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    // Daylight-saving gaps are at most a few hours; probe forward in 15 minute steps.
    for quarter in 0..(24 * 4) {
        let Some(time) = NaiveTime::from_num_seconds_from_midnight_opt(quarter * 900, 0) else {
            break;
        };
        match tz.from_local_datetime(&date.and_time(time)) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(earliest, _) => return earliest.with_timezone(&Utc),
            LocalResult::None => continue,
        }
    }
    // Unreachable for real zones; fall back to UTC midnight rather than fail.
    date.and_time(NaiveTime::MIN).and_utc()
}

/// The instant a validity that includes `last_valid_day` ends: local midnight after it.
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// let d = NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
/// assert_eq!(loyalty::calendar::end_of_day(d, chrono_tz::UTC), Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap());
/// ```
pub fn end_of_day(last_valid_day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    start_of_day(add_days(last_valid_day, 1), tz)
}

/// Adds days to a date, saturating at the calendar's end instead of failing.
///
/// ```
/// use chrono::NaiveDate;
/// let d = NaiveDate::from_ymd_opt(2024, 2, 28).unwrap();
/// assert_eq!(loyalty::calendar::add_days(d, 1), NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
/// ```
pub fn add_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_add_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MAX)
}

/// Subtracts days from a date, saturating at the calendar's start instead of failing.
///
/// ```
/// use chrono::NaiveDate;
/// let d = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
/// assert_eq!(loyalty::calendar::sub_days(d, 1), NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
/// ```
pub fn sub_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_sub_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MIN)
}

/// Adds calendar months, clamping the day to the end of a shorter month.
///
/// ```
/// use chrono::NaiveDate;
/// use loyalty::calendar::add_months;
/// let jan31 = NaiveDate::from_ymd_opt(2024, 1, 31).unwrap();
/// assert_eq!(add_months(jan31, 1), NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
/// let jan31 = NaiveDate::from_ymd_opt(2023, 1, 31).unwrap();
/// assert_eq!(add_months(jan31, 1), NaiveDate::from_ymd_opt(2023, 2, 28).unwrap());
/// ```
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    shift_months(date, i64::from(months))
}

/// Subtracts calendar months, clamping the day to the end of a shorter month.
///
/// ```
/// use chrono::NaiveDate;
/// let mar31 = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
/// assert_eq!(loyalty::calendar::sub_months(mar31, 1), NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
/// ```
pub fn sub_months(date: NaiveDate, months: u32) -> NaiveDate {
    shift_months(date, -i64::from(months))
}

fn shift_months(date: NaiveDate, months: i64) -> NaiveDate {
    let index = i64::from(date.year()) * 12 + i64::from(date.month0()) + months;
    let year = i32::try_from(index.div_euclid(12)).unwrap_or(i32::MAX);
    let month0 = u32::try_from(index.rem_euclid(12)).unwrap_or(0);
    let month = month0 + 1;
    NaiveDate::from_ymd_opt(year, month, date.day().min(days_in_month(year, month))).unwrap_or(NaiveDate::MAX)
}

/// Days in a month (1 to 12; 31 for anything else, which callers never pass).
fn days_in_month(year: i32, month: u32) -> u32 {
    u8::try_from(month)
        .ok()
        .and_then(|m| chrono::Month::try_from(m).ok())
        .and_then(|m| m.num_days(year))
        .map_or(31, u32::from)
}

/// The last day of the month containing `date`.
///
/// ```
/// use chrono::NaiveDate;
/// let d = NaiveDate::from_ymd_opt(2100, 2, 10).unwrap();
/// assert_eq!(loyalty::calendar::last_day_of_month(d), NaiveDate::from_ymd_opt(2100, 2, 28).unwrap());
/// ```
pub fn last_day_of_month(date: NaiveDate) -> NaiveDate {
    let (year, month) = (date.year(), date.month());
    NaiveDate::from_ymd_opt(year, month, days_in_month(year, month)).unwrap_or(NaiveDate::MAX)
}

/// A span of the calendar that limits and caps count within.
///
/// ```
/// use chrono::NaiveDate;
/// use loyalty::calendar::Period;
/// let a = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
/// let b = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
/// assert_eq!(Period::Quarter.key(a), Period::Quarter.key(b));
/// assert_ne!(Period::Month.key(a), Period::Month.key(b));
/// assert_eq!(Period::Quarter.last_day(b), a);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// A local calendar day.
    Day,
    /// An ISO week, Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
    /// A calendar quarter (January to March, ...).
    Quarter,
    /// A calendar year.
    Year,
    /// The member's whole life.
    Ever,
}

impl Period {
    /// A number that is equal for two dates exactly when they fall in the same period.
    pub fn key(self, date: NaiveDate) -> i64 {
        let year = i64::from(date.year());
        match self {
            Period::Day => i64::from(date.num_days_from_ce()),
            Period::Week => {
                let week = date.iso_week();
                i64::from(week.year()) * 100 + i64::from(week.week())
            }
            Period::Month => year * 12 + i64::from(date.month0()),
            Period::Quarter => year * 4 + i64::from(date.month0() / 3),
            Period::Year => year,
            Period::Ever => 0,
        }
    }

    /// The last day of the period containing `date` (`NaiveDate::MAX` for [`Period::Ever`]).
    pub fn last_day(self, date: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => date,
            Period::Week => add_days(date, 6 - date.weekday().num_days_from_monday()),
            Period::Month => last_day_of_month(date),
            Period::Quarter => {
                let last_month = (date.month0() / 3) * 3 + 3;
                NaiveDate::from_ymd_opt(date.year(), last_month, 1).map(last_day_of_month).unwrap_or(date)
            }
            Period::Year => NaiveDate::from_ymd_opt(date.year(), 12, 31).unwrap_or(date),
            Period::Ever => NaiveDate::MAX,
        }
    }

    /// The name used in configuration and errors.
    pub fn name(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
            Period::Ever => "ever",
        }
    }
}

/// The local midnights of one time zone, resolved a calendar year at a time on first use and
/// kept: a pure memo of [`start_of_day`], shared by every thread and account that uses it.
/// A [`crate::Program`] keeps one for its zone. Resolving a local midnight walks the zone's
/// transitions, and was the costliest step of crediting a purchase (its activation day, its
/// expiry day and its warning day); every member's purchases of one day share those days.
///
/// Days of the years 1970 to 2225 are kept; others are resolved on each call.
pub(crate) struct Midnights {
    tz: Tz,
    years: OnceLock<Box<[OnceLock<Year>]>>,
    /// The zone's UTC offset in seconds for each UTC day of 1970..2225, 512 days a block, or
    /// [`NOT_CONSTANT`] for a day in which it changes: local dates without a zone lookup.
    offsets: OnceLock<Box<[OnceLock<Offsets>]>>,
}

/// One block's UTC offsets, by UTC day.
type Offsets = Box<[i32]>;

/// A UTC day in which the zone's offset changes (its local dates are looked up each time).
const NOT_CONSTANT: i32 = i32::MIN;

/// UTC days per block of kept offsets, and the blocks kept (1970 to about 2225).
const OFFSET_BLOCK: (i64, usize) = (512, 182);

/// One year's local midnights, by day of the year.
type Year = Box<[DateTime<Utc>]>;

/// The first year [`Midnights`] keeps, and how many.
const MIDNIGHT_YEARS: (i32, usize) = (1970, 256);

impl Midnights {
    /// An empty memo for `tz`.
    pub fn new(tz: Tz) -> Midnights {
        Midnights { tz, years: OnceLock::new(), offsets: OnceLock::new() }
    }

    /// The local date of `t` in the zone: always [`local_date`]`(t, tz)`. The zone's offset
    /// is kept per UTC day; a day whose offset changes, and instants outside 1970..2225, are
    /// looked up each time.
    pub fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        let secs = t.timestamp();
        let day = secs.div_euclid(86_400);
        let (per, count) = OFFSET_BLOCK;
        let Some(block) = usize::try_from(day / per).ok().filter(|&b| b < count) else {
            return local_date(t, self.tz);
        };
        let blocks = self.offsets.get_or_init(|| (0..count).map(|_| OnceLock::new()).collect());
        let Some(block) = blocks.get(block) else { return local_date(t, self.tz) };
        let offsets = block.get_or_init(|| {
            let first = (day / per) * per;
            (first..first + per).map(|d| constant_offset(d, self.tz)).collect()
        });
        match offsets.get((day % per) as usize) {
            Some(&offset) if offset != NOT_CONSTANT => {
                let local_day = (secs + i64::from(offset)).div_euclid(86_400);
                i32::try_from(local_day + 719_163)
                    .ok()
                    .and_then(NaiveDate::from_num_days_from_ce_opt)
                    .unwrap_or_else(|| local_date(t, self.tz))
            }
            _ => local_date(t, self.tz),
        }
    }

    /// The instant `date` starts in the zone: always [`start_of_day`]`(date, tz)`.
    pub fn start_of_day(&self, date: NaiveDate) -> DateTime<Utc> {
        let (first, count) = MIDNIGHT_YEARS;
        let Some(slot) = usize::try_from(date.year() - first).ok().filter(|&i| i < count) else {
            return start_of_day(date, self.tz);
        };
        let years = self.years.get_or_init(|| (0..count).map(|_| OnceLock::new()).collect());
        let Some(year) = years.get(slot) else { return start_of_day(date, self.tz) };
        let days = year.get_or_init(|| {
            let jan1 = NaiveDate::from_yo_opt(date.year(), 1).unwrap_or(date);
            jan1.iter_days().take_while(|d| d.year() == date.year()).map(|d| start_of_day(d, self.tz)).collect()
        });
        days.get(date.ordinal0() as usize).copied().unwrap_or_else(|| start_of_day(date, self.tz))
    }
}

/// The zone's UTC offset (seconds) throughout UTC day `day` (days since 1970-01-01), or
/// [`NOT_CONSTANT`] when it differs between the day's first and last second.
fn constant_offset(day: i64, tz: Tz) -> i32 {
    use chrono::Offset;
    let at = |secs: i64| {
        DateTime::<Utc>::from_timestamp(secs, 0).map(|t| t.with_timezone(&tz).offset().fix().local_minus_utc())
    };
    match (at(day * 86_400), at(day * 86_400 + 86_399)) {
        (Some(a), Some(b)) if a == b => a,
        _ => NOT_CONSTANT,
    }
}

/// Memos of one zone are equal: what each has resolved is the same function's values.
impl PartialEq for Midnights {
    fn eq(&self, other: &Midnights) -> bool {
        self.tz == other.tz
    }
}

impl std::fmt::Debug for Midnights {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kept = self.years.get().map_or(0, |y| y.iter().filter(|y| y.get().is_some()).count());
        f.debug_struct("Midnights").field("tz", &self.tz).field("years_kept", &kept).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_midnights_are_the_calendar_s_in_every_kind_of_zone() {
        // New York (a spring-forward day whose midnight still exists), Santiago (midnight
        // skipped on its spring-forward day), Sao Paulo (it used to fall back from midnight
        // to 23:00), Lord Howe (half-hour changes) and Tokyo (no changes).
        for name in ["America/New_York", "America/Santiago", "America/Sao_Paulo", "Australia/Lord_Howe", "Asia/Tokyo"] {
            let tz: Tz = name.parse().unwrap();
            let memo = Midnights::new(tz);
            for round in 0..2 {
                // Leap years and not, each day of 2015 to 2020 (round 2 reads what round 1 kept).
                for day in date(2015, 1, 1).iter_days().take_while(|d| d.year() <= 2020) {
                    assert_eq!(memo.start_of_day(day), start_of_day(day, tz), "{name} {day} round {round}");
                }
            }
            // Outside the kept years, resolved each time.
            for day in [date(1969, 12, 31), date(2226, 1, 1), NaiveDate::MIN, NaiveDate::MAX] {
                assert_eq!(memo.start_of_day(day), start_of_day(day, tz), "{name} {day}");
            }
        }
        // Worked by hand: Santiago skipped 2018-08-12 00:00-01:00 (UTC-4 to UTC-3), so that
        // day began at 01:00 local, 04:00 UTC; New York's 2024-03-10 began at 05:00 UTC.
        let santiago = Midnights::new("America/Santiago".parse().unwrap());
        assert_eq!(santiago.start_of_day(date(2018, 8, 12)).to_rfc3339(), "2018-08-12T04:00:00+00:00");
        let ny = Midnights::new(chrono_tz::America::New_York);
        assert_eq!(ny.start_of_day(date(2024, 3, 10)).to_rfc3339(), "2024-03-10T05:00:00+00:00");
        assert_eq!(format!("{ny:?}"), "Midnights { tz: America/New_York, years_kept: 1 }");
    }

    #[test]
    fn kept_offsets_give_the_calendar_s_local_dates() {
        // Every 20 minutes of 2015 to 2020 (two leap years, every daylight change) in zones
        // with whole-hour, half-hour and midnight changes, and instants outside the kept
        // years, against chrono-tz's own conversion.
        for name in ["America/New_York", "America/Santiago", "America/Sao_Paulo", "Australia/Lord_Howe", "Asia/Kolkata"]
        {
            let tz: Tz = name.parse().unwrap();
            let memo = Midnights::new(tz);
            let start = Utc.with_ymd_and_hms(2015, 1, 1, 0, 0, 0).unwrap().timestamp();
            let end = Utc.with_ymd_and_hms(2021, 1, 1, 0, 0, 0).unwrap().timestamp();
            for secs in (start..end).step_by(1_200).chain([start - 1, end + 7]) {
                let t = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
                assert_eq!(memo.local_date(t), local_date(t, tz), "{name} {t}");
            }
            for t in [
                Utc.with_ymd_and_hms(1969, 12, 31, 23, 0, 0).unwrap(),
                Utc.with_ymd_and_hms(2300, 6, 1, 3, 0, 0).unwrap(),
            ] {
                assert_eq!(memo.local_date(t), local_date(t, tz), "{name} {t}");
            }
        }
        // Worked by hand: 2024-03-10 06:59:59Z is 01:59:59 EST on the 10th; 2024-11-03
        // 04:30Z is 00:30 EDT on the 3rd, 05:30Z is 01:30 EDT, 06:30Z 01:30 EST, all the 3rd;
        // 2024-11-03 03:59:59Z is 23:59:59 EDT on the 2nd.
        let ny = Midnights::new(chrono_tz::America::New_York);
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(ny.local_date(at("2024-03-10T06:59:59Z")), date(2024, 3, 10));
        assert_eq!(ny.local_date(at("2024-11-03T06:30:00Z")), date(2024, 11, 3));
        assert_eq!(ny.local_date(at("2024-11-03T03:59:59Z")), date(2024, 11, 2));
    }

    #[test]
    fn month_lengths_match_the_calendar_s() {
        // Every month of four centuries (leap rules for 4, 100 and 400), against chrono's
        // own day before the first of the next month.
        for year in 1900..=2300 {
            for month in 1..=12 {
                let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap();
                let next = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
                let last = NaiveDate::from_ymd_opt(next.0, next.1, 1).unwrap().pred_opt().unwrap();
                assert_eq!(days_in_month(year, month), last.day(), "{year}-{month}");
                assert_eq!(last_day_of_month(first), last);
            }
        }
    }
    use chrono::Timelike;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn month_addition_clamps_and_crosses_years() {
        assert_eq!(add_months(date(2024, 1, 31), 1), date(2024, 2, 29));
        assert_eq!(add_months(date(2024, 2, 29), 12), date(2025, 2, 28));
        assert_eq!(add_months(date(2024, 11, 30), 3), date(2025, 2, 28));
        assert_eq!(add_months(date(2024, 3, 31), 1), date(2024, 4, 30));
        assert_eq!(add_months(date(2024, 5, 15), 0), date(2024, 5, 15));
    }

    #[test]
    fn start_of_day_in_a_zone_that_skips_midnight() {
        // Santiago moved its clocks from 00:00 to 01:00 on 2022-09-11: midnight never happened.
        let tz: Tz = "America/Santiago".parse().unwrap_or(chrono_tz::UTC);
        let start = start_of_day(date(2022, 9, 11), tz).with_timezone(&tz);
        assert_eq!((start.hour(), start.minute()), (1, 0));
        assert_eq!(start.date_naive(), date(2022, 9, 11));
    }

    #[test]
    fn start_of_day_across_a_dst_change_in_new_york() {
        let tz: Tz = "America/New_York".parse().unwrap_or(chrono_tz::UTC);
        // EST (UTC-5) before the change on 2024-03-10, EDT (UTC-4) after it.
        assert_eq!(start_of_day(date(2024, 3, 10), tz).hour(), 5);
        assert_eq!(start_of_day(date(2024, 3, 11), tz).hour(), 4);
    }

    #[test]
    fn period_bounds() {
        assert_eq!(Period::Week.last_day(date(2024, 2, 28)), date(2024, 3, 3));
        assert_eq!(Period::Quarter.last_day(date(2024, 11, 2)), date(2024, 12, 31));
        assert_eq!(Period::Quarter.last_day(date(2024, 4, 1)), date(2024, 6, 30));
        assert_eq!(Period::Year.key(date(2024, 12, 31)), 2024);
        assert_eq!(Period::Week.key(date(2024, 12, 30)), Period::Week.key(date(2025, 1, 5)));
    }
}
