//! When points expire.

use super::Invalid;
use crate::calendar::{self, Period};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// When a lot of points expires.
///
/// Validity is counted in whole local days of the program's time zone, starting on the
/// local day the lot becomes available (not the day it was earned, for pending purchase
/// points). A lot is valid through its *last valid day* and expires at the local midnight that
/// ends it. Rolling policies make the last valid day `available day + N days` or
/// `available day + N months` (clamped to the end of a shorter month, so 31 January + 1 month
/// is the last day of February), optionally rounded up to the end of its month, quarter or
/// year.
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use loyalty::program::{ExpiryPolicy, RoundUp};
/// let policy = ExpiryPolicy::RollingMonths { months: 1, round_up_to: None };
/// let available = Utc.with_ymd_and_hms(2024, 1, 31, 15, 0, 0).unwrap();
/// // Valid through 29 February 2024 (a leap year), expired from 1 March 00:00.
/// assert_eq!(
///     policy.expires_at(available, chrono_tz::UTC),
///     Some(Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap())
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ExpiryPolicy {
    /// Points never expire.
    #[default]
    Never,
    /// Each lot is valid for N days after the day it becomes available.
    RollingDays {
        /// Days of validity (1 to 36500).
        days: u32,
        /// Round the last valid day up to the end of its month, quarter or year.
        #[serde(default)]
        round_up_to: Option<RoundUp>,
    },
    /// Each lot is valid for N calendar months after the day it becomes available.
    RollingMonths {
        /// Months of validity (1 to 1200).
        months: u32,
        /// Round the last valid day up to the end of its month, quarter or year.
        #[serde(default)]
        round_up_to: Option<RoundUp>,
    },
    /// All points that become available in a calendar year are valid through a fixed day
    /// of a later year: `years_after = 1, month = 12, day = 31` means "through the end of the
    /// following year". A day past the end of its month is clamped (29 February in a common
    /// year is 28 February). With `years_after = 0`, points that become available after the
    /// fixed day of their year are valid through that day of the next year.
    Calendar {
        /// Years after the year the points became available (0 to 100).
        years_after: u32,
        /// Month of the last valid day (1 to 12).
        month: u32,
        /// Day of the last valid day (1 to 31).
        day: u32,
    },
    /// The whole balance expires after N days without a qualifying activity (earning or
    /// redeeming points): the last valid day is the day of the last activity plus N days.
    Inactivity {
        /// Days without activity (1 to 36500).
        days: u32,
    },
}

/// Where to round a rolling expiry up to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RoundUp {
    /// The end of the day (the same as no rounding: validity is counted in whole days).
    Day,
    /// The end of the month.
    Month,
    /// The end of the quarter.
    Quarter,
    /// The end of the year.
    Year,
}

impl ExpiryPolicy {
    pub(crate) fn validate(&self) -> Result<(), Invalid> {
        match *self {
            ExpiryPolicy::Never => Ok(()),
            ExpiryPolicy::RollingDays { days, .. } | ExpiryPolicy::Inactivity { days } => {
                if (1..=36_500).contains(&days) {
                    Ok(())
                } else {
                    Err(Invalid::new("expiry.days", days, "must be from 1 to 36500"))
                }
            }
            ExpiryPolicy::RollingMonths { months, .. } => {
                if (1..=1_200).contains(&months) {
                    Ok(())
                } else {
                    Err(Invalid::new("expiry.months", months, "must be from 1 to 1200"))
                }
            }
            ExpiryPolicy::Calendar { years_after, month, day } => {
                if years_after > 100 {
                    Err(Invalid::new("expiry.years_after", years_after, "must be from 0 to 100"))
                } else if !(1..=12).contains(&month) {
                    Err(Invalid::new("expiry.month", month, "must be from 1 to 12"))
                } else if !(1..=31).contains(&day) || NaiveDate::from_ymd_opt(2024, month, day).is_none() {
                    Err(Invalid::new("expiry.day", day, "is not a day of that month"))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// The expiry instant of a lot that becomes available at `available_at`; `None` when the
    /// lot does not expire on its own (`never`, or `inactivity`, where the whole balance
    /// expires together: see [`ExpiryPolicy::inactivity_deadline`]).
    pub fn expires_at(&self, available_at: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let last_valid = self.last_valid_day(calendar::local_date(available_at, tz))?;
        Some(calendar::end_of_day(last_valid, tz))
    }

    /// The last local day a lot that becomes available on `available_day` is valid; `None`
    /// when lots do not expire on their own.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use loyalty::program::{ExpiryPolicy, RoundUp};
    /// let policy = ExpiryPolicy::RollingMonths { months: 12, round_up_to: Some(RoundUp::Month) };
    /// let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    /// assert_eq!(policy.last_valid_day(day), NaiveDate::from_ymd_opt(2025, 2, 28));
    /// ```
    pub fn last_valid_day(&self, available_day: NaiveDate) -> Option<NaiveDate> {
        let day = available_day;
        Some(match *self {
            ExpiryPolicy::Never | ExpiryPolicy::Inactivity { .. } => return None,
            ExpiryPolicy::RollingDays { days, round_up_to } => round_up(calendar::add_days(day, days), round_up_to),
            ExpiryPolicy::RollingMonths { months, round_up_to } => {
                round_up(calendar::add_months(day, months), round_up_to)
            }
            ExpiryPolicy::Calendar { years_after, month, day: dom } => {
                let year = chrono::Datelike::year(&day).saturating_add_unsigned(years_after);
                let last_valid = calendar_day(year, month, dom)?;
                // A fixed day already past in the year of availability means the next one.
                if last_valid < day {
                    calendar_day(year.saturating_add(1), month, dom)?
                } else {
                    last_valid
                }
            }
        })
    }

    /// Under an inactivity policy, when the whole balance expires given the last qualifying
    /// activity; `None` under any other policy.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use loyalty::program::ExpiryPolicy;
    /// let policy = ExpiryPolicy::Inactivity { days: 365 };
    /// let last = Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0).unwrap();
    /// // 2024-03-01 + 365 days = 2025-03-01 is the last valid day.
    /// assert_eq!(policy.inactivity_deadline(last, chrono_tz::UTC), Some(Utc.with_ymd_and_hms(2025, 3, 2, 0, 0, 0).unwrap()));
    /// ```
    pub fn inactivity_deadline(&self, last_activity: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        match *self {
            ExpiryPolicy::Inactivity { days } => {
                let day = calendar::local_date(last_activity, tz);
                Some(calendar::end_of_day(calendar::add_days(day, days), tz))
            }
            _ => None,
        }
    }
}

/// When a new lot expires, and from when its member is warned about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LotDates {
    /// When it expires, if it does on its own.
    pub expires_at: Option<DateTime<Utc>>,
    /// When the warning that it expires soon is due, if one is.
    pub warn_at: Option<DateTime<Utc>>,
}

/// The dates of a lot that becomes usable at `available_at` (on local day `available_day`):
/// `explicit` when the credit brings its own expiry (a transfer keeps the sender's, a
/// reinstatement has its own window), else the program's policy. Under an inactivity policy
/// the lot expires with the balance, at the deadline set by the last activity; points
/// credited when that deadline has passed (a staff adjustment, a purchase with a pending
/// period longer than the window) get a full window from availability rather than being
/// born expired.
#[inline]
pub(crate) fn lot_dates(
    program: &super::Program,
    explicit: Option<Option<DateTime<Utc>>>,
    available_at: DateTime<Utc>,
    available_day: NaiveDate,
    last_activity: Option<DateTime<Utc>>,
) -> LotDates {
    let policy = &program.config().expiry;
    let tz = program.time_zone();
    match explicit {
        Some(expires_at) => LotDates { expires_at, warn_at: warn_at(program, expires_at, available_at) },
        None => match policy {
            ExpiryPolicy::Inactivity { .. } => {
                let expires_at = match last_activity.and_then(|a| policy.inactivity_deadline(a, tz)) {
                    Some(deadline) if deadline > available_at => Some(deadline),
                    _ => policy.inactivity_deadline(available_at, tz),
                };
                LotDates { expires_at, warn_at: warn_at(program, expires_at, available_at) }
            }
            _ => match policy.last_valid_day(available_day) {
                None => LotDates { expires_at: None, warn_at: None },
                Some(last_valid) => {
                    let days = program.config().expiring_soon_days;
                    let warn_at = (days > 0).then(|| {
                        let first_warned = calendar::add_days(calendar::sub_days(last_valid, days), 1);
                        program.start_of_day(first_warned).max(available_at)
                    });
                    let expires_at = program.start_of_day(calendar::add_days(last_valid, 1));
                    LotDates { expires_at: Some(expires_at), warn_at }
                }
            },
        },
    }
}

/// When purchase points earned at `t` (on local day `today`) become usable, and that local
/// day: at local midnight `pending_days` days later (the return window; `T+1` is 1), or at
/// once without a pending period.
pub(crate) fn pending_until(
    program: &super::Program,
    t: DateTime<Utc>,
    today: NaiveDate,
) -> (DateTime<Utc>, NaiveDate) {
    let days = program.config().pending_days;
    let day = calendar::add_days(today, days);
    (if days == 0 { t } else { program.start_of_day(day) }, day)
}

/// When to warn about points that expire at `expires_at`: the local midnight that starts the
/// program's `expiring_soon_days` before it, never before the points are usable; `None`
/// without an expiry or without warnings.
pub(crate) fn warn_at(
    program: &super::Program,
    expires_at: Option<DateTime<Utc>>,
    available_at: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let days = program.config().expiring_soon_days;
    let expires_at = expires_at?;
    if days == 0 {
        return None;
    }
    let warn = program.start_of_day(calendar::sub_days(program.local_date(expires_at), days));
    Some(warn.max(available_at))
}

/// `month`/`day` of `year`, with a day past the month's end clamped to it.
fn calendar_day(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let clamped = day.min(chrono::Datelike::day(&calendar::last_day_of_month(first)));
    NaiveDate::from_ymd_opt(year, month, clamped)
}

fn round_up(last_valid: NaiveDate, to: Option<RoundUp>) -> NaiveDate {
    match to {
        None | Some(RoundUp::Day) => last_valid,
        Some(RoundUp::Month) => Period::Month.last_day(last_valid),
        Some(RoundUp::Quarter) => Period::Quarter.last_day(last_valid),
        Some(RoundUp::Year) => Period::Year.last_day(last_valid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().unwrap_or_default()
    }

    #[test]
    fn rolling_days_counts_whole_local_days() {
        let p = ExpiryPolicy::RollingDays { days: 30, round_up_to: None };
        // 2024-02-10 + 30 days = 2024-03-11 last valid day (leap February has 29 days).
        assert_eq!(p.expires_at(utc(2024, 2, 10, 23), chrono_tz::UTC), Some(utc(2024, 3, 12, 0)));
    }

    #[test]
    fn rolling_months_rounded_to_quarter_end() {
        let p = ExpiryPolicy::RollingMonths { months: 12, round_up_to: Some(RoundUp::Quarter) };
        assert_eq!(p.expires_at(utc(2024, 5, 5, 9), chrono_tz::UTC), Some(utc(2025, 7, 1, 0)));
    }

    #[test]
    fn calendar_uses_the_local_year_of_availability() {
        let tz: Tz = "Asia/Tokyo".parse().unwrap_or(chrono_tz::UTC);
        let p = ExpiryPolicy::Calendar { years_after: 1, month: 12, day: 31 };
        // 2024-12-31 16:00 UTC is already 2025-01-01 in Tokyo: valid through 2026-12-31 JST.
        assert_eq!(p.expires_at(utc(2024, 12, 31, 16), tz), Some(utc(2026, 12, 31, 15)));
    }

    #[test]
    fn calendar_clamps_february_29() {
        let p = ExpiryPolicy::Calendar { years_after: 1, month: 2, day: 29 };
        assert_eq!(p.expires_at(utc(2024, 6, 1, 0), chrono_tz::UTC), Some(utc(2025, 3, 1, 0)));
        assert_eq!(p.expires_at(utc(2023, 6, 1, 0), chrono_tz::UTC), Some(utc(2024, 3, 1, 0)));
    }

    #[test]
    fn calendar_never_makes_a_lot_born_expired() {
        let p = ExpiryPolicy::Calendar { years_after: 0, month: 6, day: 30 };
        assert_eq!(p.expires_at(utc(2024, 5, 1, 0), chrono_tz::UTC), Some(utc(2024, 7, 1, 0)));
        assert_eq!(p.expires_at(utc(2024, 8, 1, 0), chrono_tz::UTC), Some(utc(2025, 7, 1, 0)));
    }

    #[test]
    fn validation_names_the_field() {
        let err = ExpiryPolicy::Calendar { years_after: 1, month: 4, day: 31 }.validate().err();
        assert_eq!(err.map(|e| e.to_string()), Some("expiry.day: 31 is not a day of that month".to_string()));
    }
}
