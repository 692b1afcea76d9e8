//! Every custom type that crosses the FFI, in one place. Money crosses as a decimal string
//! (Kotlin `BigDecimal`, Swift `Foundation.Decimal`); lifting it never fails, so a malformed
//! amount becomes a `LoyaltyError` in the method that reads it, never an internal error.
//! Instants cross as `SystemTime` (Kotlin `Instant`, Swift `Date`).

use chrono::{DateTime, Utc};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A money amount as a decimal string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money(pub String);

uniffi::custom_newtype!(Money, String);

pub(crate) fn from_system_time(t: SystemTime) -> DateTime<Utc> {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => DateTime::from_timestamp(i64::try_from(d.as_secs()).unwrap_or(i64::MAX), d.subsec_nanos())
            .unwrap_or_default(),
        Err(e) => {
            let d = e.duration();
            DateTime::from_timestamp(-i64::try_from(d.as_secs()).unwrap_or(i64::MAX), 0).unwrap_or_default()
        }
    }
}

pub(crate) fn to_system_time(t: DateTime<Utc>) -> SystemTime {
    let secs = t.timestamp();
    if secs >= 0 {
        UNIX_EPOCH + Duration::new(secs.unsigned_abs(), t.timestamp_subsec_nanos())
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}
