//! Kotlin and Swift bindings of the loyalty engine: the same rules on the phone as on the
//! server. Wrappers that convert and map errors; every rule lives in the core.
#![allow(missing_docs)]

mod surface;
mod uniffi_support;
mod wallet;

use std::sync::{Arc, Mutex};
use std::time::SystemTime;
pub use surface::{
    CashOutMode, Day, Draw, Effect, Event, EventKind, Fund, FundDraw, MissingMetric, OrderLine, ReceivedLot,
};
pub use uniffi_support::Money;
use uniffi_support::{from_system_time, to_system_time};
pub use wallet::{Checkout, CheckoutQuote, CouponQuote, CouponState, MemberCoupon};

uniffi::setup_scaffolding!();

/// One error: a variant per core error kind, each with the core's own kind, field and value
/// (`kind()`, `field()`, `value()` of the core error) and its message as `reason`. Kotlin sees
/// `LoyaltyException.InsufficientPoints(kind, field, value, reason)`, Swift an enum case.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum LoyaltyError {
    /// A program configuration was refused.
    #[error("{reason}")]
    InvalidProgram { kind: String, field: String, value: String, reason: String },
    /// A snapshot could not be read.
    #[error("{reason}")]
    InvalidSnapshot { kind: String, field: String, value: String, reason: String },
    /// An argument the binding could not read (a decimal that is not one).
    #[error("{reason}")]
    InvalidInput { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    IdConflict { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    InvalidField { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    OutOfOrder { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    UnknownOrder { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    DuplicateOrder { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    RefundExceedsOrder { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    UnknownRedemption { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    AlreadyCancelled { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    UnknownReward { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    NoSuchBonus { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    LimitReached { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    DebtOutstanding { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    InsufficientPoints { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    InsufficientFunds { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    CapExceeded { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    AccountFrozen { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    UnknownCoupon { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    CouponNotApplicable { kind: String, field: String, value: String, reason: String },
    /// A refund or cancellation came after the program's return window closed.
    #[error("{reason}")]
    ReturnWindowClosed { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    TooMany { kind: String, field: String, value: String, reason: String },
    #[error("{reason}")]
    AsOfBeforeClock { kind: String, field: String, value: String, reason: String },
    /// A bug in the engine (a Rust panic caught at the boundary), never the caller's input.
    #[error("{reason}")]
    Internal { kind: String, field: String, value: String, reason: String },
}

impl LoyaltyError {
    /// The variant for a core error of `kind`, with its field, value and message.
    fn of(kind: &str, field: String, value: String, reason: String) -> LoyaltyError {
        let k = kind.to_string();
        match kind {
            "id_conflict" => LoyaltyError::IdConflict { kind: k, field, value, reason },
            "invalid_field" => LoyaltyError::InvalidField { kind: k, field, value, reason },
            "out_of_order" => LoyaltyError::OutOfOrder { kind: k, field, value, reason },
            "unknown_order" => LoyaltyError::UnknownOrder { kind: k, field, value, reason },
            "duplicate_order" => LoyaltyError::DuplicateOrder { kind: k, field, value, reason },
            "refund_exceeds_order" => LoyaltyError::RefundExceedsOrder { kind: k, field, value, reason },
            "unknown_redemption" => LoyaltyError::UnknownRedemption { kind: k, field, value, reason },
            "already_cancelled" => LoyaltyError::AlreadyCancelled { kind: k, field, value, reason },
            "unknown_reward" => LoyaltyError::UnknownReward { kind: k, field, value, reason },
            "no_such_bonus" => LoyaltyError::NoSuchBonus { kind: k, field, value, reason },
            "limit_reached" => LoyaltyError::LimitReached { kind: k, field, value, reason },
            "debt_outstanding" => LoyaltyError::DebtOutstanding { kind: k, field, value, reason },
            "insufficient_points" => LoyaltyError::InsufficientPoints { kind: k, field, value, reason },
            "insufficient_funds" => LoyaltyError::InsufficientFunds { kind: k, field, value, reason },
            "cap_exceeded" => LoyaltyError::CapExceeded { kind: k, field, value, reason },
            "account_frozen" => LoyaltyError::AccountFrozen { kind: k, field, value, reason },
            "unknown_coupon" => LoyaltyError::UnknownCoupon { kind: k, field, value, reason },
            "coupon_not_applicable" => LoyaltyError::CouponNotApplicable { kind: k, field, value, reason },
            "return_window_closed" => LoyaltyError::ReturnWindowClosed { kind: k, field, value, reason },
            "too_many" => LoyaltyError::TooMany { kind: k, field, value, reason },
            "as_of_before_clock" => LoyaltyError::AsOfBeforeClock { kind: k, field, value, reason },
            "internal" => LoyaltyError::Internal { kind: k, field, value, reason },
            _ => LoyaltyError::InvalidInput { kind: k, field, value, reason },
        }
    }

    /// An argument the binding could not read.
    fn input(field: &str, value: &str, reason: String) -> LoyaltyError {
        LoyaltyError::InvalidInput { kind: "invalid_input".into(), field: field.into(), value: value.into(), reason }
    }
}

impl From<loyalty::AccountError> for LoyaltyError {
    fn from(e: loyalty::AccountError) -> LoyaltyError {
        LoyaltyError::of(e.kind(), e.field(), e.value(), e.to_string())
    }
}

impl From<loyalty::ProgramError> for LoyaltyError {
    fn from(e: loyalty::ProgramError) -> LoyaltyError {
        LoyaltyError::InvalidProgram {
            kind: e.kind().into(),
            field: e.field(),
            value: e.value(),
            reason: e.to_string(),
        }
    }
}

impl From<loyalty::SnapshotError> for LoyaltyError {
    fn from(e: loyalty::SnapshotError) -> LoyaltyError {
        LoyaltyError::InvalidSnapshot {
            kind: e.kind().into(),
            field: e.field(),
            value: e.value(),
            reason: e.to_string(),
        }
    }
}

/// Runs `f`, turning a panic into [`LoyaltyError::Internal`] (uniffi would raise its own
/// `InternalException`, outside the app's `LoyaltyException` handling).
fn guard<T>(f: impl FnOnce() -> Result<T, LoyaltyError>) -> Result<T, LoyaltyError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string());
        let reason = format!("internal error (a bug in loyalty, please report it): {what}");
        Err(LoyaltyError::Internal { kind: "internal".into(), field: String::new(), value: what, reason })
    })
}

/// A validated loyalty program.
#[derive(uniffi::Object)]
pub struct Program {
    inner: loyalty::Program,
}

#[uniffi::export]
impl Program {
    /// Parses and validates a program from JSON text.
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<Program>, LoyaltyError> {
        guard(|| {
            loyalty::Program::from_json(&json).map(|inner| Arc::new(Program { inner })).map_err(LoyaltyError::from)
        })
    }

    pub fn name(&self) -> String {
        self.inner.config().name.clone()
    }

    pub fn currency(&self) -> String {
        self.inner.config().currency.clone()
    }
}

/// A member's points as of an instant.
#[derive(uniffi::Record)]
pub struct Balances {
    pub available: i64,
    pub pending: i64,
    pub debt: i64,
    pub expiring_soon: i64,
}

/// A member's stored value as of an instant: principal, bonus (what expires by then left
/// out), what the member can spend, and the liability at each top-up's discount.
#[derive(uniffi::Record)]
pub struct StoredValueBalance {
    pub principal: Money,
    pub bonus: Money,
    pub available: Money,
    pub liability: Money,
}

/// Points that expire together.
#[derive(uniffi::Record)]
pub struct ExpiringPoints {
    pub expires_at: SystemTime,
    pub points: i64,
}

/// Where a member stands in the tier ladder.
#[derive(uniffi::Record)]
pub struct TierStatus {
    pub tier: String,
    pub valid_until: Option<SystemTime>,
    pub next_tier: Option<String>,
    pub to_next: Vec<MissingMetric>,
    pub to_keep: Vec<MissingMetric>,
}

/// A quote for paying part of an order with points.
#[derive(uniffi::Record)]
pub struct PaymentQuote {
    pub points: i64,
    pub value: Money,
    pub cash: Money,
    pub max_points: i64,
}

/// What applying an event did (the core's `Outcome`), with the effects' total change to the
/// available balance.
#[derive(uniffi::Record)]
pub struct Outcome {
    /// The effects, in order: the clock's catching up first, then the event's own.
    pub effects: Vec<Effect>,
    /// True when the event id had been applied before with the same payload: nothing changed.
    pub duplicate: bool,
    /// The account's revision after the call.
    pub revision: u64,
    /// The sum of the effects' changes to the balance (the core's `Effect::balance_change`).
    pub balance_change: i64,
    /// The journal entries the call made (the core's `JournalEntry`): what the server appends
    /// to the member's history; an app keeping history offline appends them too.
    pub journal: Vec<JournalEntry>,
}

/// One entry of a member's journal: what one event (`event_id`) or one clock instant did.
#[derive(uniffi::Record)]
pub struct JournalEntry {
    /// The core's journal format.
    pub format: u32,
    /// The entry's number in the member's journal (0, 1, 2, ... without gaps).
    pub seq: u64,
    /// When.
    pub at: SystemTime,
    /// The event, or none for the clock.
    pub event_id: Option<String>,
    /// What it did.
    pub effects: Vec<Effect>,
}

impl Outcome {
    fn from_core(o: &loyalty::Outcome) -> Result<Outcome, LoyaltyError> {
        let journal = o
            .journal
            .iter()
            .map(|j| {
                Ok(JournalEntry {
                    format: j.format,
                    seq: j.seq,
                    at: to_system_time(j.at),
                    event_id: j.event_id.clone(),
                    effects: Effect::list(&j.effects)?,
                })
            })
            .collect::<Result<_, LoyaltyError>>()?;
        Ok(Outcome {
            effects: Effect::list(&o.effects)?,
            duplicate: o.duplicate,
            revision: o.revision,
            balance_change: o.effects.iter().map(|e| e.balance_change().get()).sum(),
            journal,
        })
    }
}

fn decimal(field: &str, m: &Money) -> Result<rust_decimal::Decimal, LoyaltyError> {
    loyalty::parse_decimal(&m.0).map_err(|r| LoyaltyError::input(field, &m.0, format!("{field}: {:?} {r}", m.0)))
}

/// One member's account, as the server keeps it.
#[derive(uniffi::Object)]
pub struct Account {
    inner: Mutex<loyalty::Account>,
}

impl Account {
    fn with<T>(&self, f: impl FnOnce(&mut loyalty::Account) -> T) -> T {
        let mut guard = self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }

    /// [`Account::with`] for a fallible call, with a panic as [`LoyaltyError::Internal`].
    fn try_with<T>(
        &self,
        f: impl FnOnce(&mut loyalty::Account) -> Result<T, loyalty::AccountError>,
    ) -> Result<T, LoyaltyError> {
        guard(|| self.with(f).map_err(LoyaltyError::from))
    }
}

#[uniffi::export]
impl Account {
    /// A new, empty account.
    #[uniffi::constructor]
    pub fn new(member_id: String) -> Result<Arc<Account>, LoyaltyError> {
        let account = loyalty::Account::try_new(member_id)?;
        Ok(Arc::new(Account { inner: Mutex::new(account) }))
    }

    /// An account from the server's JSON snapshot.
    #[uniffi::constructor]
    pub fn from_snapshot(json: String) -> Result<Arc<Account>, LoyaltyError> {
        guard(|| {
            loyalty::Account::from_json(&json)
                .map(|a| Arc::new(Account { inner: Mutex::new(a) }))
                .map_err(LoyaltyError::from)
        })
    }

    /// The snapshot, byte for byte what the server would store.
    pub fn snapshot(&self) -> String {
        self.with(|a| a.to_json())
    }

    pub fn revision(&self) -> u64 {
        self.with(|a| a.revision())
    }

    /// Whether the host froze the account (it cannot spend points or stored value).
    pub fn is_frozen(&self) -> bool {
        self.with(|a| a.is_frozen())
    }

    /// Applies a local event optimistically: the typed event is read by the core's strict
    /// reader, so a bad amount is an error naming the field.
    pub fn apply(&self, program: &Program, event: Event) -> Result<Outcome, LoyaltyError> {
        guard(|| {
            let event = event.to_core()?;
            let outcome = self.try_with(|a| a.apply(&program.inner, &event))?;
            Outcome::from_core(&outcome)
        })
    }

    /// Applies an event the server sent as the core's JSON.
    pub fn apply_json(&self, program: &Program, event_json: String) -> Result<Outcome, LoyaltyError> {
        guard(|| {
            let event = loyalty::Event::from_json(&event_json)?;
            let outcome = self.try_with(|a| a.apply(&program.inner, &event))?;
            Outcome::from_core(&outcome)
        })
    }

    /// Moves the clock as `advance_to` does; returns the outcome with its journal entries.
    pub fn advance(&self, program: &Program, at: SystemTime) -> Result<Outcome, LoyaltyError> {
        let at = from_system_time("at", at)?;
        guard(|| Outcome::from_core(&self.try_with(|a| a.advance(&program.inner, at))?))
    }

    /// The journal seq of the first statement entry the snapshot still keeps.
    pub fn statement_start(&self) -> u64 {
        self.with(|a| a.statement_start())
    }

    /// Moves the clock; returns the effects (activations, expiries, warnings, tier changes).
    pub fn advance_to(&self, program: &Program, at: SystemTime) -> Result<Vec<Effect>, LoyaltyError> {
        let at = from_system_time("at", at)?;
        guard(|| Effect::list(&self.try_with(|a| a.advance_to(&program.inner, at))?))
    }

    pub fn balances(&self, program: &Program, as_of: SystemTime) -> Result<Balances, LoyaltyError> {
        let as_of = from_system_time("as_of", as_of)?;
        let b = self.try_with(|a| a.balances(&program.inner, as_of))?;
        Ok(Balances {
            available: b.available.get(),
            pending: b.pending.get(),
            debt: b.debt.get(),
            expiring_soon: b.expiring_soon.get(),
        })
    }

    /// The member's coupons as of `as_of`, each with its state then.
    pub fn coupons(&self, as_of: SystemTime) -> Result<Vec<MemberCoupon>, LoyaltyError> {
        let as_of = from_system_time("as_of", as_of)?;
        let c = self.try_with(|a| a.coupons(as_of))?;
        wallet::render("coupons", &c)
    }

    /// Quotes a checkout: coupons, then points, then stored value; a coupon that does not
    /// apply says why.
    pub fn quote_checkout(
        &self,
        program: &Program,
        checkout: Checkout,
        at: SystemTime,
    ) -> Result<CheckoutQuote, LoyaltyError> {
        let at = from_system_time("at", at)?;
        let checkout = checkout.to_core()?;
        let q = self.try_with(|a| a.quote_checkout(&program.inner, &checkout, at))?;
        wallet::render("checkout quote", &q)
    }

    pub fn stored_value(&self, program: &Program, as_of: SystemTime) -> Result<StoredValueBalance, LoyaltyError> {
        let as_of = from_system_time("as_of", as_of)?;
        let b = self.try_with(|a| a.stored_value(&program.inner, as_of))?;
        Ok(StoredValueBalance {
            principal: Money(b.principal.to_string()),
            bonus: Money(b.bonus.to_string()),
            available: Money(b.available.to_string()),
            liability: Money(b.liability.to_string()),
        })
    }

    pub fn expiring(
        &self,
        program: &Program,
        as_of: SystemTime,
        until: SystemTime,
    ) -> Result<Vec<ExpiringPoints>, LoyaltyError> {
        let (as_of, until) = (from_system_time("as_of", as_of)?, from_system_time("until", until)?);
        let list = self.try_with(|a| a.expiring(&program.inner, as_of, until))?;
        Ok(list
            .into_iter()
            .map(|e| ExpiringPoints { expires_at: to_system_time(e.expires_at), points: e.points.get() })
            .collect())
    }

    pub fn tier_progress(&self, program: &Program, as_of: SystemTime) -> Result<Option<TierStatus>, LoyaltyError> {
        let as_of = from_system_time("as_of", as_of)?;
        let p = self.try_with(|a| a.tier_progress(&program.inner, as_of))?;
        let missing = |list: Vec<loyalty::program::Missing>| {
            list.into_iter().map(|m| MissingMetric { metric: m.metric, needed: Money(m.needed.to_string()) }).collect()
        };
        Ok(p.map(|p| TierStatus {
            tier: p.tier,
            valid_until: p.valid_until.map(to_system_time),
            next_tier: p.next_tier,
            to_next: missing(p.to_next),
            to_keep: missing(p.to_keep),
        }))
    }

    /// The points an order of `amount` would earn at `at`, without changing the account.
    pub fn preview_order(&self, program: &Program, amount: Money, at: SystemTime) -> Result<i64, LoyaltyError> {
        let amount = decimal("amount", &amount)?;
        let at = from_system_time("at", at)?;
        self.try_with(|a| a.preview_order(&program.inner, amount, None, &[], at)).map(|p| p.get())
    }

    pub fn quote_payment(
        &self,
        program: &Program,
        order_amount: Money,
        requested: Option<i64>,
        as_of: SystemTime,
    ) -> Result<PaymentQuote, LoyaltyError> {
        let as_of = from_system_time("as_of", as_of)?;
        let amount = decimal("order_amount", &order_amount)?;
        let q =
            self.try_with(|a| a.quote_payment(&program.inner, amount, requested.map(loyalty::Points::new), as_of))?;
        Ok(PaymentQuote {
            points: q.points.get(),
            value: Money(q.value.to_string()),
            cash: Money(q.cash.to_string()),
            max_points: q.max_points.get(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::panic)]
    fn a_panic_is_a_loyalty_error_of_its_own_kind() {
        let r: Result<(), LoyaltyError> = guard(|| panic!("index out of bounds"));
        match r {
            Err(LoyaltyError::Internal { kind, value, reason, .. }) => {
                assert_eq!((kind.as_str(), value.as_str()), ("internal", "index out of bounds"));
                assert!(reason.ends_with("index out of bounds"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(guard(|| Ok(7)), Ok(7)));
    }
}
