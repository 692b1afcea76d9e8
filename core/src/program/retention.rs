//! How long a member's past stays answerable: the return window and the idempotency
//! horizon, and from them what an account may forget.
//!
//! The account keeps what later decisions need and nothing older (`account/retire.rs` does
//! the forgetting; this module says what may go):
//! - statement entries and event ids: for [`Idempotency::horizon_days`] whole UTC days;
//!   after that a repeat of an event can never be applied again, because events must arrive
//!   in time order and the repeat is older than the account's clock
//!   ([`AccountError::OutOfOrder`]);
//! - orders and redemptions: for [`Returns::window_days`] plus the horizon, so that a late
//!   refund is refused naming the order and its date ([`AccountError::ReturnWindowClosed`])
//!   rather than as unknown;
//! - lots: while they hold points, while they were earned within the horizon, or while an
//!   order or redemption that can still be returned names them (a kept statement entry may
//!   name a lot that has left: one received with an old earning date, or one expired or
//!   spent within the horizon).
//!
//! Once an order is forgotten its id is free again: a new `order_placed` with it is a new
//! order. Hosts that reuse order ids across years keep them unique themselves (the reference
//! backend's `events` table keys event ids, not order ids).

use crate::account::AccountError;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The return window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Returns {
    /// An order may be refunded or cancelled, and a redemption cancelled, up to this many
    /// days (of 24 hours) after it was made; later ones are refused (1 to 3650; 365 by
    /// default).
    pub window_days: u32,
}

impl Default for Returns {
    fn default() -> Returns {
        Returns { window_days: 365 }
    }
}

/// How long an event id is remembered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Idempotency {
    /// A repeat of an event within this many whole UTC days before the account's clock
    /// returns the original outcome; an older repeat is refused as out of order (1 to 3650;
    /// 90 by default).
    pub horizon_days: u32,
}

impl Default for Idempotency {
    fn default() -> Idempotency {
        Idempotency { horizon_days: 90 }
    }
}

pub(crate) fn is_default_returns(r: &Returns) -> bool {
    *r == Returns::default()
}

pub(crate) fn is_default_idempotency(i: &Idempotency) -> bool {
    *i == Idempotency::default()
}

impl Returns {
    pub(crate) fn validate(&self) -> Result<(), super::Invalid> {
        if !(1..=3_650).contains(&self.window_days) {
            return Err(super::Invalid::new("returns.window_days", self.window_days, "must be 1 to 3650"));
        }
        Ok(())
    }

    /// Refuses a return at `at` of what was made at `made_at`, once the window has closed.
    pub(crate) fn check(
        &self,
        field: &'static str,
        id: &str,
        made_at: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<(), AccountError> {
        let closes = made_at.checked_add_signed(Duration::days(i64::from(self.window_days)));
        if closes.is_none_or(|closes| at > closes) {
            return Err(AccountError::ReturnWindowClosed {
                field,
                id: id.to_string(),
                at: made_at,
                window_days: self.window_days,
            });
        }
        Ok(())
    }
}

impl Idempotency {
    pub(crate) fn validate(&self) -> Result<(), super::Invalid> {
        if !(1..=3_650).contains(&self.horizon_days) {
            return Err(super::Invalid::new("idempotency.horizon_days", self.horizon_days, "must be 1 to 3650"));
        }
        Ok(())
    }
}

/// What an account whose clock reads `clock` may forget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cuts {
    /// Statement entries before this, and the event ids they answer for.
    pub entries: DateTime<Utc>,
    /// Orders placed and redemptions made before this.
    pub records: DateTime<Utc>,
    /// Orders placed and redemptions made before this can no longer be returned: the lots
    /// they name need not be kept for them.
    pub returns: DateTime<Utc>,
}

/// The cuts for `clock`: whole UTC days, so that they move once a day and forgetting is
/// the same whenever it is done within one.
pub(crate) fn cuts(program: &super::Program, clock: DateTime<Utc>) -> Cuts {
    let c = program.config();
    let midnight = clock.date_naive().and_hms_opt(0, 0, 0).map_or(clock, |t| t.and_utc());
    let horizon = Duration::days(i64::from(c.idempotency.horizon_days));
    let window = Duration::days(i64::from(c.returns.window_days));
    let floor = DateTime::<Utc>::UNIX_EPOCH;
    Cuts {
        entries: midnight.checked_sub_signed(horizon).unwrap_or(floor).max(floor),
        records: midnight.checked_sub_signed(horizon + window).unwrap_or(floor).max(floor),
        returns: midnight.checked_sub_signed(window).unwrap_or(floor).max(floor),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_return_on_the_last_second_of_the_window_is_taken_and_one_second_later_refused() {
        let r = Returns { window_days: 30 };
        let placed = Utc.with_ymd_and_hms(2025, 1, 10, 12, 0, 0).unwrap();
        assert!(r.check("order_id", "o-1", placed, Utc.with_ymd_and_hms(2025, 2, 9, 12, 0, 0).unwrap()).is_ok());
        let err = r.check("order_id", "o-1", placed, Utc.with_ymd_and_hms(2025, 2, 9, 12, 0, 1).unwrap()).unwrap_err();
        assert_eq!((err.kind(), err.field(), err.value()), ("return_window_closed", "order_id".into(), "o-1".into()));
        assert_eq!(
            err.to_string(),
            "order_id: \"o-1\" was made at 2025-01-10 12:00:00 UTC, more than 30 days before; its return window is closed"
        );
    }

    #[test]
    fn windows_out_of_range_are_refused_by_path() {
        assert_eq!(
            Returns { window_days: 0 }.validate().unwrap_err().to_string().split(':').next(),
            Some("returns.window_days")
        );
        assert!(Idempotency { horizon_days: 3_651 }.validate().is_err());
        assert!(Idempotency { horizon_days: 1 }.validate().is_ok());
    }
}
