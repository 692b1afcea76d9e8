//! Every custom type that crosses the FFI, in one place. Money crosses as a decimal string
//! (Kotlin `BigDecimal`, Swift `Foundation.Decimal`); lifting it never fails, so a malformed
//! amount becomes a `LoyaltyError` in the method that reads it, never an internal error.
//! Instants cross as `SystemTime` (Kotlin `Instant`, Swift `Date`); one outside what a
//! `DateTime` holds is a `LoyaltyError` naming the argument.

use chrono::{DateTime, Utc};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A money amount as a decimal string.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Money(pub String);

uniffi::custom_newtype!(Money, String);

/// An instant from the platform's, or an error naming `field` for one outside what a
/// `DateTime` holds (never a silent default).
pub(crate) fn from_system_time(field: &str, t: SystemTime) -> Result<DateTime<Utc>, crate::LoyaltyError> {
    let out = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).ok().and_then(|s| DateTime::from_timestamp(s, d.subsec_nanos())),
        Err(e) => {
            // Before 1970: whole seconds down, and the nanoseconds counted up from there.
            let d = e.duration();
            let (secs, nanos) = match d.subsec_nanos() {
                0 => (i64::try_from(d.as_secs()).ok().map(|s| -s), 0),
                n => (i64::try_from(d.as_secs()).ok().map(|s| -s - 1), 1_000_000_000 - n),
            };
            secs.and_then(|s| DateTime::from_timestamp(s, nanos))
        }
    };
    out.ok_or_else(|| {
        crate::LoyaltyError::input(
            field,
            &format!("{t:?}"),
            format!("{field}: {t:?} is not an instant this engine can hold"),
        )
    })
}

pub(crate) fn to_system_time(t: DateTime<Utc>) -> SystemTime {
    let secs = t.timestamp();
    if secs >= 0 {
        UNIX_EPOCH + Duration::new(secs.unsigned_abs(), t.timestamp_subsec_nanos())
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
            + Duration::from_nanos(u64::from(t.timestamp_subsec_nanos()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_cross_exactly_both_sides_of_1970_and_out_of_range_is_an_error() {
        for (secs, nanos) in [(0i64, 0u32), (1_714_564_800, 5), (-1, 500_000_000), (-86_400, 0)] {
            let t = DateTime::from_timestamp(secs, nanos).unwrap();
            assert_eq!(from_system_time("at", to_system_time(t)).unwrap(), t, "{secs} {nanos}");
        }
        let far = UNIX_EPOCH + Duration::from_secs(u64::MAX / 2);
        assert!(
            matches!(from_system_time("at", far), Err(crate::LoyaltyError::InvalidInput { field, .. }) if field == "at")
        );
    }
}
