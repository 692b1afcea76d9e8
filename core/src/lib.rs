//! # loyalty
//!
//! A pure, deterministic loyalty engine: the member-points, expiry, redemption and
//! customer-value logic that ecommerce, retail, restaurant and fitness businesses
//! re-implement, correct to the cent and to the day.
//!
//! ## Overview
//!
//! - A [`Program`] is a declarative configuration (JSON), validated on load with errors that
//!   name the field, the value and the rule: earning rules, multipliers and caps, bonuses,
//!   the pending period, the expiry policy and redemption.
//! - An [`Account`] is one member's state. [`Event`]s go in, [`Effect`]s come out for the host
//!   to act on. Points live in lots ([`Lot`]); balances are derived from the lots as of an
//!   instant, so a late clock can never let expired points be spent.
//! - The core has no I/O, no clock and no globals: time is always an argument. Money is
//!   [`rust_decimal::Decimal`], never a float; points are whole numbers.
//!
//! ## Usage
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use loyalty::{Account, Effect, Event, EventKind, Program};
//!
//! let program = Program::from_json(r#"{
//!     "name": "Shop", "version": 1, "currency": "USD", "time_zone": "America/New_York",
//!     "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
//!     "expiry": {"kind": "rolling_months", "months": 12},
//!     "redemption": {"point_value": "0.01"}
//! }"#)?;
//!
//! let mut account = Account::new("member-7");
//! let bought = Event::new(
//!     "evt-1",
//!     Utc.with_ymd_and_hms(2024, 3, 5, 15, 0, 0).unwrap(),
//!     EventKind::OrderPlaced { order_id: "A-100".into(), amount: "59.99".parse()?, channel: None, lines: vec![], stored_value: None, coupons: vec![], reservation_key: None },
//! );
//! let outcome = account.apply(&program, &bought)?;
//! assert!(matches!(outcome.effects[0], Effect::PointsEarned { points, .. } if points.get() == 59));
//!
//! // Applying the same event again changes nothing and returns the same effects.
//! assert!(account.apply(&program, &bought)?.duplicate);
//!
//! // Points bought on 5 March 2024 are valid through 5 March 2025, New York time.
//! let expiring = account.expiring(&program, bought.occurred_at, Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap())?;
//! assert_eq!(expiring[0].expires_at, Utc.with_ymd_and_hms(2025, 3, 6, 5, 0, 0).unwrap());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Examples
//!
//! `examples/` in the repository replays the CDNOW order log through a retail program and
//! prints a liability report: `cargo run --release -p loyalty-examples --bin replay`.
//!
//! ## Crate features
//!
//! - `compact` (default): compact snapshots, [`Account::to_compact`] and
//!   [`Account::from_compact`] (flate2 on zlib-rs, pure Rust).
//! - `parallel` (default): the analytics' per-member stages on threads when asked
//!   ([`analytics::with_threads`]), with rayon.
//! - `schema`: JSON Schemas of programs, events, effects and snapshots ([`schema`]), with
//!   schemars.
//!
//! The types of [`chrono`], [`chrono_tz`] and [`rust_decimal`] that appear in this API come
//! re-exported, so a caller needs no version of its own.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use chrono;
pub use chrono_tz;
pub use rust_decimal;

mod account;
pub mod analytics;
pub mod calendar;
mod checkout;
mod coupon;
mod currency;
mod draw;
mod effect;
mod event;
pub mod interop;
pub mod journal;
mod json;
mod ledger;
mod money;
mod points;
pub mod program;
mod purse;
mod refund;
#[cfg(feature = "schema")]
#[cfg_attr(docsrs, doc(cfg(feature = "schema")))]
pub mod schema;
pub mod simulation;
mod status;
mod tier;

pub use account::{
    transfer, Account, AccountError, Balances, Expiring, Outcome, SnapshotError, Transfer, MAX_EVENTS, MAX_LOTS,
    MAX_SNAPSHOT_BYTES, SNAPSHOT_FORMAT,
};
pub use checkout::{Checkout, CheckoutQuote, CouponQuote, ReturnQuote};
pub use coupon::{CouponState, MemberCoupon, MAX_COUPONS};
pub use currency::minor_units;
pub use effect::{Draw, Effect, Effects, Entry, Totals};
pub use event::{
    Event, EventKind, OrderLine, ReceivedLot, MAX_EVENTS_JSON_BYTES, MAX_EVENTS_PER_CALL, MAX_EVENT_JSON_BYTES,
};
pub use journal::{JournalEntry, JOURNAL_FORMAT};
pub use ledger::{Lot, LotId, LotKind};
pub use money::{parse_decimal, Rounding, MAX_AMOUNT};
pub use points::Points;
pub use program::{Program, ProgramConfig, ProgramError};
pub use purse::{Fund, FundDraw, StoredValueBalance, StoredValueTotals};
pub use tier::TierProgress;

/// The README's Rust examples, run as doc tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
