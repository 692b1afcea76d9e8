//! One member's account: events in, new state and effects out.

#[cfg(feature = "compact")]
mod compact;
mod decide;
mod error;
mod evolve;
mod merge;
mod retire;
mod transfer;

pub(crate) use decide::{check_payload, Purchase, LATEST as LATEST_EVENT};
pub use error::{AccountError, SnapshotError};
pub use transfer::{transfer, Transfer};

use crate::effect::{Draw, Effect, Effects, Entry};
use crate::event::Event;
use crate::ledger::{Ledger, Lot, Rules};
use crate::points::Points;
use crate::program::Program;
use crate::tier::{Ctx, TierProgress, TierState};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// The snapshot format this version writes and reads.
pub const SNAPSHOT_FORMAT: u32 = 2;
/// The most events one account applies in its life.
pub const MAX_EVENTS: usize = 1_000_000;
/// The most lots one account holds in its life.
pub const MAX_LOTS: usize = 200_000;
/// The largest JSON snapshot [`Account::from_json`] reads (compact bytes inflate to at most
/// this too): an account at every limit stays well inside, and a damaged or hostile
/// snapshot cannot make the reader allocate without bound.
pub const MAX_SNAPSHOT_BYTES: usize = 256 << 20;
/// 10000-01-01T00:00:00Z as Unix seconds: a lot's dates may run past the last event's year
/// (an expiry years after an order in 8999), not past this.
const LATEST_INSTANT: i64 = 253_402_300_800;

/// What applying an event did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Outcome {
    /// The effects, in order: first those of the clock catching up to the event's time
    /// (activations, expiries, warnings), then those of the event itself. For a replayed
    /// event, the event's own effects as they were the first time.
    pub effects: Vec<Effect>,
    /// True when the event id had been applied before with the same payload: nothing changed.
    pub duplicate: bool,
    /// The account's revision after the call.
    pub revision: u64,
    /// The journal entries the call made, for the host to append to the member's journal
    /// (none for a replayed event): the member's history lives there, not in the snapshot.
    #[serde(default)]
    pub journal: Vec<crate::journal::JournalEntry>,
}

/// A member's points as of an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Balances {
    /// The instant.
    pub as_of: DateTime<Utc>,
    /// Usable points.
    pub available: Points,
    /// Points earned but not yet usable.
    pub pending: Points,
    /// Points owed.
    pub debt: Points,
    /// Usable points that expire within the program's `expiring_soon_days`.
    pub expiring_soon: Points,
}

/// Points that expire together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Expiring {
    /// When they expire.
    pub expires_at: DateTime<Utc>,
    /// How many points.
    pub points: Points,
}

/// What the account remembers of an order, for refunds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct OrderRecord {
    /// When it was placed (a snapshot of format 1 did not say: see [`Account::migrate`]).
    #[serde(default = "unix_epoch")]
    pub at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub amount: Decimal,
    pub points: Points,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot: Option<crate::ledger::LotId>,
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub refunded: Decimal,
    #[serde(default, skip_serializing_if = "Points::is_zero")]
    pub clawed: Points,
    #[serde(default, skip_serializing_if = "Points::is_zero")]
    pub forgiven: Points,
    /// The order's sequence number in the account (0, 1, ...).
    #[serde(default)]
    pub seq: u32,
    /// The coupons it used (`amount` is what was paid after them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupons: Vec<UsedCoupon>,
    /// The list value of the goods returned so far (orders with coupons).
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub returned: Decimal,
    /// Cancelled: refunded in full and its coupons given back.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cancelled: bool,
}

impl OrderRecord {
    /// The order before coupons.
    pub(crate) fn gross(&self) -> Decimal {
        if self.coupons.is_empty() {
            return self.amount;
        }
        self.coupons.iter().fold(self.amount, |sum, c| sum.saturating_add(c.discount))
    }
}

/// A coupon an order used, and what it took off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct UsedCoupon {
    pub coupon_id: String,
    pub definition: String,
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub discount: Decimal,
}

/// What the account remembers of a redemption, to cancel it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct RedemptionRecord {
    pub at: DateTime<Utc>,
    pub points: Points,
    pub draws: Vec<Draw>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cancelled: bool,
}

/// Facts about the member that rules depend on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct Facts {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub joined: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub profile_completed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_check_in: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday_year: Option<i32>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub referrals: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<String, (i64, u32)>,
    /// Purchase points earned on the local day with this key.
    #[serde(default)]
    pub day_earned: (i64, Points),
    /// Purchase points earned in the cap period with this key.
    #[serde(default)]
    pub period_earned: (i64, Points),
}

/// An applied event id: its payload fingerprint and its statement entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct Key {
    pub fingerprint: u64,
    pub entry: u32,
}

fn unix_epoch() -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH
}

fn is_default_tier(t: &TierState) -> bool {
    *t == TierState::default()
}

/// Brings the ledger and the tiers to `t`. At each instant something is due, in time order:
/// pending points activate (and repay debt), then tier expiries, grace ends, floors and
/// scheduled upgrades are processed, then upgrades on the metrics now counting, then points
/// expire, then points' and tiers' warnings go out. One statement entry per instant that did something.
/// `buffer` is scratch space, empty before and after (an account passes the one it keeps).
#[allow(clippy::too_many_arguments)]
fn catch_up(
    ledger: &mut Ledger,
    tier: &mut TierState,
    purse: &mut crate::purse::Purse,
    coupons: &mut crate::coupon::Wallet,
    birthday: Option<NaiveDate>,
    program: &Program,
    t: DateTime<Utc>,
    entries: &mut Vec<Entry>,
    buffer: &mut Vec<Effect>,
) {
    let rules = Rules { program };
    let ctx = Ctx::of(program);
    let sv = program.config().stored_value.as_ref();
    loop {
        // When the next thing is due, and when the first contribution not yet counted at the
        // clock starts counting.
        let tier_next = ctx.is_some().then(|| tier.next_boundary(ledger.clock));
        let (next, contribution) = next_due(ledger, purse, coupons, birthday, program, tier_next);
        let Some(next) = next.filter(|n| *n <= t) else { break };
        let b = next.max(ledger.clock);
        let effects = &mut *buffer;
        ledger.activate(b, effects);
        if let Some(ctx) = &ctx {
            // Expiries judge the period that ended at `b`; metrics that start counting at `b`
            // belong to the new one, so upgrades are checked after, when something changed.
            // (History is sorted by instant: something starts counting in (clock, b] exactly
            // when the first contribution after the clock does.)
            let counted = contribution.is_some_and(|c| c <= b);
            let level = tier.computed(ctx);
            let wallet = &mut *coupons;
            let pay = &mut |reward, effects: &mut Vec<Effect>| {
                evolve::pay_entry_points(ledger, wallet, program, reward, effects)
            };
            tier.process(ctx, pay, b, effects);
            if counted || tier.computed(ctx) != level {
                tier.check_upgrade(ctx, pay, b, effects);
            }
        }
        effects.extend(ledger.expire_and_warn(rules, b));
        purse.expire_and_warn(sv, program, b, effects);
        coupons.catch_up(program, birthday, b, effects);
        if let Some(ctx) = &ctx {
            tier.warn(ctx, b, effects);
        }
        if !effects.is_empty() {
            entries.push(Entry { at: b, event_id: None, effects: Effects::take_from(effects) });
        }
    }
    if t > ledger.clock {
        ledger.clock = t;
    }
}

/// The next instant something is due, and when the first contribution not yet counted
/// starts counting.
type Due = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The next instant the clock has something to do (a lot activating or expiring, a warning,
/// a tier's expiry or a contribution starting to count, stored value's bonus expiring, a
/// coupon's hold, reminder, expiry or issue), and when the first contribution not yet counted
/// at the clock starts counting.
/// `tier` is the tier's own next boundary and contribution, when the program has tiers.
fn next_due(
    ledger: &Ledger,
    purse: &crate::purse::Purse,
    coupons: &crate::coupon::Wallet,
    birthday: Option<NaiveDate>,
    program: &Program,
    tier: Option<Due>,
) -> Due {
    let mut next = ledger.next_boundary();
    if let Some(n) = purse.next_boundary(program.config().stored_value.as_ref(), program) {
        next = Some(next.map_or(n, |m| m.min(n)));
    }
    if let Some(n) = coupons.next_boundary(program, birthday, ledger.clock) {
        next = Some(next.map_or(n, |m| m.min(n)));
    }
    let mut contribution = None;
    if let Some((n, c)) = tier {
        contribution = c;
        if let Some(n) = n {
            next = Some(next.map_or(n, |m| m.min(n)));
        }
    }
    (next, contribution)
}

/// Brings the ledger alone to `t` (activations, expiries and warnings, as [`catch_up`] does
/// without tiers), one statement entry per instant that did something: a replay of a ledger's
/// history ([`Account::merge`]) does the clock's work again between entries.
fn catch_up_ledger(ledger: &mut Ledger, program: &Program, t: DateTime<Utc>, entries: &mut Vec<Entry>) {
    let rules = Rules { program };
    while let Some(b) = ledger.next_boundary().filter(|n| *n <= t) {
        let b = b.max(ledger.clock);
        let mut effects = Vec::new();
        ledger.activate(b, &mut effects);
        effects.extend(ledger.expire_and_warn(rules, b));
        if !effects.is_empty() {
            entries.push(Entry { at: b, event_id: None, effects: Effects::take_from(&mut effects) });
        }
    }
    if t > ledger.clock {
        ledger.clock = t;
    }
}

/// The hasher of the maps keyed by the host's ids (events, orders, redemptions): foldhash,
/// seeded per process like std's SipHash and several times faster on short strings. It is
/// only "minimally DoS-resistant" (its authors' words) where SipHash is designed to be: the
/// trade is acceptable because these maps belong to one member, whose event count is bounded
/// (`MAX_EVENTS`), so colliding ids can slow one account, not the host. Iteration order is
/// never exposed: snapshots serialize these maps sorted.
type IdHash = foldhash::fast::RandomState;

/// The first capacity of the maps keyed by ids (growing 3, 7, 14 would rehash twice on the
/// way: about 4% of applying the bench's purchases).
const FIRST_CAPACITY: usize = 14;

/// Serializes a map in key order, so snapshots are deterministic.
fn sorted<S: serde::Serializer, K: Ord + Serialize, V: Serialize, H>(
    map: &HashMap<K, V, H>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let ordered: BTreeMap<&K, &V> = map.iter().collect();
    ordered.serialize(s)
}

/// One member's loyalty account.
///
/// Apply [`Event`]s with [`Account::apply`] and move the clock with [`Account::advance_to`];
/// each returns the effects for the host. An account is deterministic: the same program and
/// the same calls give the same state and effects, and it serializes to a versioned JSON
/// snapshot that reads back to an equal account.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use loyalty::{Account, Event, EventKind, Program};
/// let program = Program::from_json(r#"{
///     "name": "Coffee", "version": 1, "currency": "EUR", "time_zone": "Europe/Paris",
///     "earning": {"rules": [{"name": "base", "points_per_unit": "10"}]},
///     "pending_days": 1,
///     "redemption": {"point_value": "0.01"}
/// }"#).unwrap();
/// let mut account = Account::new("member-1");
/// let at = Utc.with_ymd_and_hms(2024, 6, 1, 9, 30, 0).unwrap();
/// let order = EventKind::OrderPlaced { order_id: "o-1".into(), amount: "4.20".parse().unwrap(), channel: None, lines: vec![], stored_value: None, coupons: vec![], reservation_key: None };
/// account.apply(&program, &Event::new("e-1", at, order)).unwrap();
/// let b = account.balances(&program, at).unwrap();
/// assert_eq!((b.available.get(), b.pending.get()), (0, 42));
/// // Usable from local midnight the next day (22:00 UTC in Paris summer time).
/// let b = account.balances(&program, Utc.with_ymd_and_hms(2024, 6, 1, 22, 0, 0).unwrap()).unwrap();
/// assert_eq!((b.available.get(), b.pending.get()), (42, 0));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Account {
    format: u32,
    member_id: String,
    revision: u64,
    ledger: Ledger,
    #[serde(default)]
    facts: Facts,
    #[serde(default, skip_serializing_if = "is_default_tier")]
    tier: TierState,
    #[serde(default, skip_serializing_if = "HashMap::is_empty", serialize_with = "sorted")]
    pub(crate) orders: HashMap<String, OrderRecord, IdHash>,
    #[serde(default, skip_serializing_if = "HashMap::is_empty", serialize_with = "sorted")]
    redemptions: HashMap<String, RedemptionRecord, IdHash>,
    #[serde(default, skip_serializing_if = "HashMap::is_empty", serialize_with = "sorted")]
    keys: HashMap<Arc<str>, Key, IdHash>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    statement: Vec<Entry>,
    /// What has left the snapshot for the host's journal (`retire.rs`).
    #[serde(default, skip_serializing_if = "retire::Retired::is_empty")]
    retired: retire::Retired,
    /// Stored value: top-ups, payments and what returns gave back.
    #[serde(default, skip_serializing_if = "crate::purse::Purse::is_empty")]
    purse: crate::purse::Purse,
    /// Frozen or active.
    #[serde(default, skip_serializing_if = "crate::status::Status::is_active")]
    pub(crate) status: crate::status::Status,
    /// Coupons: those held, what counts toward per-member limits, birthday years issued.
    #[serde(default, skip_serializing_if = "crate::coupon::Wallet::is_empty")]
    pub(crate) coupons: crate::coupon::Wallet,
    /// Scratch space for the effects an event is producing, empty between calls: reused so
    /// that most statement entries, which hold one effect in place, allocate nothing.
    #[serde(skip)]
    buffer: Vec<Effect>,
}

impl Account {
    /// A new, empty account. Its clock starts at 1970-01-01T00:00:00Z.
    ///
    /// ```
    /// let account = loyalty::Account::new("m-42");
    /// assert_eq!(account.member_id(), "m-42");
    /// assert_eq!(account.revision(), 0);
    /// ```
    pub fn new(member_id: impl Into<String>) -> Account {
        Account {
            format: SNAPSHOT_FORMAT,
            member_id: member_id.into(),
            revision: 0,
            ledger: Ledger::new(DateTime::<Utc>::UNIX_EPOCH),
            facts: Facts::default(),
            tier: TierState::default(),
            orders: HashMap::default(),
            redemptions: HashMap::default(),
            purse: crate::purse::Purse::default(),
            status: crate::status::Status::default(),
            coupons: crate::coupon::Wallet::default(),
            keys: HashMap::default(),
            statement: Vec::new(),
            retired: retire::Retired::default(),
            buffer: Vec::new(),
        }
    }

    /// A new, empty account, with the member id checked as events check ids: 1 to 128
    /// characters, not blank, no control characters.
    ///
    /// ```
    /// assert!(loyalty::Account::try_new("m-42").is_ok());
    /// let err = loyalty::Account::try_new("\u{200b}").unwrap_err();
    /// assert_eq!(err.to_string(), r#"member_id: "\u{200b}" must not be only invisible characters"#);
    /// ```
    ///
    /// # Errors
    /// [`AccountError::InvalidField`] naming `member_id`.
    pub fn try_new(member_id: impl Into<String>) -> Result<Account, AccountError> {
        let member_id = member_id.into();
        decide::check_text("member_id", &member_id, crate::program::MAX_NAME_CHARS)?;
        Ok(Account::new(member_id))
    }

    /// The member's id.
    pub fn member_id(&self) -> &str {
        &self.member_id
    }

    /// Counts the changes made to the account: every applied event and every clock advance
    /// that changed something. Store it beside the snapshot and write with
    /// "update ... where revision = old" to never lose a concurrent update.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The instant the account has been brought up to.
    pub fn clock(&self) -> DateTime<Utc> {
        self.ledger.clock
    }

    /// The member's birthday, if an event told it.
    pub fn birthday(&self) -> Option<NaiveDate> {
        self.facts.birthday
    }

    /// Applies one event: first the clock catches up to `event.occurred_at`, then the event.
    ///
    /// Idempotent by event id: the same id with the same payload returns the original
    /// outcome (with `duplicate: true`) and changes nothing.
    ///
    /// # Errors
    /// An [`AccountError`], the first by its documented precedence; the account is then
    /// exactly as it was.
    pub fn apply(&mut self, program: &Program, event: &Event) -> Result<Outcome, AccountError> {
        if !event.is_external() {
            return Err(AccountError::invalid(
                "type",
                format!("{:?}", event.kind.name()),
                "is written only by loyalty::transfer, which applies both halves together",
            ));
        }
        self.apply_any(program, event)
    }

    /// [`Account::apply`] for every kind of event, the halves of a transfer included.
    pub(crate) fn apply_any(&mut self, program: &Program, event: &Event) -> Result<Outcome, AccountError> {
        let fingerprint = event.fingerprint();
        if let Some(key) = self.keys.get(event.id.as_str()) {
            if key.fingerprint != fingerprint {
                return Err(AccountError::IdConflict { event_id: event.id.clone() });
            }
            let effects = self.entry(key.entry).map(|e| e.effects.to_vec()).unwrap_or_default();
            return Ok(Outcome { effects, duplicate: true, revision: self.revision, journal: Vec::new() });
        }
        let (first_clock_entry, mut own, id) = self.run(program, event)?;
        let clock_entries = &self.statement[first_clock_entry..];
        let count = clock_entries.iter().map(|e| e.effects.len()).sum::<usize>() + own.len();
        let mut effects: Vec<Effect> = Vec::with_capacity(count);
        // Slice by slice: a flattening iterator cannot tell `extend` its length, and checked
        // the capacity for each effect (3% of applying a purchase).
        for entry in clock_entries {
            effects.extend_from_slice(&entry.effects);
        }
        effects.extend_from_slice(&own);
        if self.keys.is_empty() {
            // Members place several orders: start where the first few doublings would end.
            self.keys.reserve(FIRST_CAPACITY);
        }
        self.keys.insert(Arc::clone(&id), Key { fingerprint, entry: self.next_entry() });
        self.statement.push(Entry { at: event.occurred_at, event_id: Some(id), effects: Effects::take_from(&mut own) });
        self.buffer = own;
        self.revision += 1;
        let journal = self.journal_from(first_clock_entry);
        self.retire(program);
        self.debug_check();
        Ok(Outcome { effects, duplicate: false, revision: self.revision, journal })
    }

    /// Decides `event`, brings the clock to it and carries it out: the index of the clock's
    /// first statement entry, the event's own effects and its shared id. The statement entry,
    /// the idempotency key and the revision are the caller's.
    fn run(&mut self, program: &Program, event: &Event) -> Result<(usize, Vec<Effect>, Arc<str>), AccountError> {
        let command = decide::decide(self, program, event)?;
        let rules = Rules { program };
        if self.tier.joined.is_none() && program.config().tiers.is_some() {
            self.tier.joined = Some(program.local_date(event.occurred_at));
        }
        // The clock's own entries go straight into the statement (this call cannot fail now).
        let first_clock_entry = self.statement.len();
        let mut own = std::mem::take(&mut self.buffer);
        catch_up(
            &mut self.ledger,
            &mut self.tier,
            &mut self.purse,
            &mut self.coupons,
            self.facts.birthday,
            program,
            event.occurred_at,
            &mut self.statement,
            &mut own,
        );
        let t = event.occurred_at;
        let counting = self.tier.counted(t);
        // One copy of the id, shared by the idempotency key, the statement and the new lots.
        let id: Arc<str> = event.id.as_str().into();
        evolve::evolve(self, rules, event, &id, command, &mut own);
        if let Some(ctx) = Ctx::of(program) {
            // Only new metrics counting now can raise the tier (purchases still pending count
            // when they activate).
            if self.tier.counted(t) > counting {
                let (ledger, wallet) = (&mut self.ledger, &mut self.coupons);
                let pay = &mut |reward, effects: &mut Vec<Effect>| {
                    evolve::pay_entry_points(ledger, wallet, program, reward, effects)
                };
                self.tier.check_upgrade(&ctx, pay, t, &mut own);
            }
            self.tier.prune(&ctx, t);
        }

        Ok((first_clock_entry, own, id))
    }

    /// The statement entry numbered `seq` in the member's journal, if the snapshot still
    /// keeps it.
    fn entry(&self, seq: u32) -> Option<&Entry> {
        let i = u64::from(seq).checked_sub(self.retired.entries)?;
        self.statement.get(usize::try_from(i).ok()?)
    }

    /// The number the next statement entry gets in the member's journal.
    fn next_entry(&self) -> u32 {
        u32::try_from(self.retired.entries + self.statement.len() as u64).unwrap_or(u32::MAX)
    }

    /// The statement entries from index `first` on, as journal entries.
    fn journal_from(&self, first: usize) -> Vec<crate::journal::JournalEntry> {
        let base = self.retired.entries;
        self.statement
            .iter()
            .enumerate()
            .skip(first)
            .map(|(i, e)| crate::journal::JournalEntry::of(base + i as u64, e))
            .collect()
    }

    /// Applies events in order, all or nothing.
    ///
    /// # Errors
    /// The first event's error, with its index; the account is then exactly as it was.
    pub fn apply_all(&mut self, program: &Program, events: &[Event]) -> Result<Vec<Outcome>, (usize, AccountError)> {
        let mut next = self.clone();
        let mut outcomes = Vec::with_capacity(events.len());
        for (i, event) in events.iter().enumerate() {
            outcomes.push(next.apply(program, event).map_err(|e| (i, e))?);
        }
        *self = next;
        Ok(outcomes)
    }

    /// Moves the clock to `t`: at each instant where something is due, in time order,
    /// pending points activate (repaying debt first), then tiers expire (retained, downgraded
    /// or given grace), grace periods, floors and scheduled upgrades end, then upgrades on the
    /// metrics now counting, then points expire, then warnings go out (points expiring soon,
    /// tiers that may go down). Advancing once or in many steps to the same `t` gives the same state
    /// and the same effects. A `t` earlier than the clock does nothing.
    ///
    /// The revision counts the call whenever the snapshot changes: when the clock moves,
    /// with effects or without (a host compares revisions to detect a concurrent write).
    ///
    /// # Errors
    /// [`AccountError::InvalidField`] (field `t`) for an instant from the year 9000 on, where
    /// no event could follow; the account is then unchanged.
    pub fn advance_to(&mut self, program: &Program, t: DateTime<Utc>) -> Result<Vec<Effect>, AccountError> {
        self.advance(program, t).map(|o| o.effects)
    }

    /// [`Account::advance_to`], with the journal entries it made: a host that keeps the
    /// member's journal calls this one (what the clock did may leave the snapshot in the
    /// same call when it covers more than the idempotency horizon).
    ///
    /// # Errors
    /// As [`Account::advance_to`].
    pub fn advance(&mut self, program: &Program, t: DateTime<Utc>) -> Result<Outcome, AccountError> {
        if t.timestamp() >= decide::LATEST {
            return Err(AccountError::invalid("t", t, "must be before 9000-01-01T00:00:00Z, where events end"));
        }
        let (first, clock) = (self.statement.len(), self.ledger.clock);
        catch_up(
            &mut self.ledger,
            &mut self.tier,
            &mut self.purse,
            &mut self.coupons,
            self.facts.birthday,
            program,
            t,
            &mut self.statement,
            &mut self.buffer,
        );
        let effects: Vec<Effect> = self.statement[first..].iter().flat_map(|e| e.effects.iter().cloned()).collect();
        let journal = self.journal_from(first);
        if self.statement.len() > first || self.ledger.clock != clock {
            self.revision += 1;
        }
        self.retire(program);
        self.debug_check();
        Ok(Outcome { effects, duplicate: false, revision: self.revision, journal })
    }

    /// The member's coupons as of `as_of`, by coupon id, each with its state then (a hold
    /// past its time shows as issued, an unused coupon past its validity as expired; coupons
    /// the clock would issue by then are not shown until it has).
    ///
    /// ```
    /// use loyalty::{Account, CouponState, Event, EventKind, Program};
    /// let p = Program::from_json(r#"{"name": "Tea", "version": 1, "currency": "CNY", "time_zone": "Asia/Shanghai",
    ///     "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]}, "redemption": {"point_value": "0.01"},
    ///     "coupons": {"definitions": [{"id": "WELCOME", "discount": {"kind": "amount_off", "amount": "10"},
    ///        "validity": {"kind": "days", "days": 7}, "issue": {"on": "joined"}}]}}"#).unwrap();
    /// let mut a = Account::new("m");
    /// a.apply(&p, &Event::new("j", "2025-03-01T02:00:00Z".parse().unwrap(), EventKind::Joined { birthday: None })).unwrap();
    /// let c = a.coupons("2025-03-08T15:59:59Z".parse().unwrap()).unwrap();
    /// assert_eq!((c[0].coupon_id.as_str(), &c[0].state), ("joined:WELCOME", &CouponState::Issued));
    /// // Valid through 8 March, local time: expired at midnight in Shanghai.
    /// let c = a.coupons("2025-03-08T16:00:00Z".parse().unwrap()).unwrap();
    /// assert_eq!(c[0].state, CouponState::Expired);
    /// ```
    ///
    /// # Errors
    /// [`AccountError::AsOfBeforeClock`] for an instant the account has moved past.
    pub fn coupons(&self, as_of: DateTime<Utc>) -> Result<Vec<crate::MemberCoupon>, AccountError> {
        if as_of < self.ledger.clock {
            return Err(AccountError::AsOfBeforeClock { as_of, clock: self.ledger.clock });
        }
        Ok(self.coupons.view(as_of))
    }

    /// Whether the host has frozen the account (see [`crate::EventKind::AccountFrozen`]).
    pub fn is_frozen(&self) -> bool {
        !self.status.is_active()
    }

    /// The member's stored value as of `as_of`: principal, bonus (what expires by then left
    /// out), what the member can spend, and the liability at each top-up's discount (the
    /// account itself does not change).
    ///
    /// ```
    /// use loyalty::{Account, Event, EventKind, Program};
    /// let p = Program::from_json(r#"{"name": "Tea", "version": 1, "currency": "CNY", "time_zone": "Asia/Shanghai",
    ///     "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]}, "redemption": {"point_value": "0.01"},
    ///     "stored_value": {"bonus_tiers": [{"min_paid": "1000", "bonus": "100"}]}}"#).unwrap();
    /// let t = "2025-03-01T02:00:00Z".parse().unwrap();
    /// let mut a = Account::new("m");
    /// a.apply(&p, &Event::new("top-1", t, EventKind::StoredValueLoaded { paid: "1000".parse().unwrap(), payment_ref: None })).unwrap();
    /// let b = a.stored_value(&p, t).unwrap();
    /// assert_eq!((b.principal, b.bonus, b.available, b.liability), (1000.into(), 100.into(), 1100.into(), 1000.into()));
    /// ```
    ///
    /// # Errors
    /// [`AccountError::AsOfBeforeClock`] for an instant the account has moved past.
    pub fn stored_value(
        &self,
        program: &Program,
        as_of: DateTime<Utc>,
    ) -> Result<crate::StoredValueBalance, AccountError> {
        if as_of < self.ledger.clock {
            return Err(AccountError::AsOfBeforeClock { as_of, clock: self.ledger.clock });
        }
        Ok(self.purse.balance(program.minor_units(), as_of))
    }

    /// The member's points as of `as_of`, computed from the lots as if the clock had been
    /// advanced there (the account itself does not change).
    ///
    /// # Errors
    /// [`AccountError::AsOfBeforeClock`] for an instant the account has moved past.
    pub fn balances(&self, program: &Program, as_of: DateTime<Utc>) -> Result<Balances, AccountError> {
        let ledger = self.projected(program, as_of)?;
        let soon = crate::calendar::end_of_day(
            crate::calendar::add_days(
                crate::calendar::local_date(as_of, program.time_zone()),
                program.config().expiring_soon_days,
            ),
            program.time_zone(),
        );
        let expiring_soon = if program.config().expiring_soon_days == 0 {
            Points::ZERO
        } else {
            ledger.lots.iter().filter(|l| l.expires_at.is_some_and(|e| e <= soon)).map(|l| l.available(as_of)).sum()
        };
        Ok(Balances {
            as_of,
            available: ledger.available(),
            pending: ledger.pending(),
            debt: ledger.debt,
            expiring_soon,
        })
    }

    /// Usable points as of `as_of` that expire at or before `until`, grouped by expiry
    /// instant, soonest first.
    ///
    /// # Errors
    /// [`AccountError::AsOfBeforeClock`] for an instant the account has moved past.
    pub fn expiring(
        &self,
        program: &Program,
        as_of: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<Expiring>, AccountError> {
        let ledger = self.projected(program, as_of)?;
        let mut out: Vec<Expiring> = Vec::new();
        for lot in ledger.lots.iter() {
            let points = lot.available(as_of);
            let Some(expires_at) = lot.expires_at.filter(|e| *e <= until) else {
                continue;
            };
            if !points.is_positive() {
                continue;
            }
            match out.iter_mut().find(|e| e.expires_at == expires_at) {
                Some(e) => e.points += points,
                None => out.push(Expiring { expires_at, points }),
            }
        }
        out.sort_by_key(|e| e.expires_at);
        Ok(out)
    }

    /// The points an order of `amount` (with its `channel` and `lines`, for scoped rules)
    /// would earn at `at`, under the member's tier, multipliers and caps as they would be
    /// then, without changing the account: what a checkout or a cart shows before the order
    /// is placed. The order is checked as an `order_placed` event would be.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use loyalty::{Account, Program};
    /// let program = Program::from_json(r#"{"name": "Shop", "version": 1, "currency": "USD",
    ///     "time_zone": "UTC", "earning": {"rules": [{"name": "base", "points_per_unit": "2"}]},
    ///     "redemption": {"point_value": "0.01"}}"#).unwrap();
    /// let account = Account::new("m-1");
    /// let at = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
    /// assert_eq!(account.preview_order(&program, "19.99".parse().unwrap(), None, &[], at).unwrap().get(), 39);
    /// assert_eq!(account.revision(), 0);
    /// ```
    ///
    /// # Errors
    /// The errors an `order_placed` event at `at` would get: an invalid amount or line, an
    /// instant before the account's clock.
    pub fn preview_order(
        &self,
        program: &Program,
        amount: Decimal,
        channel: Option<&str>,
        lines: &[crate::event::OrderLine],
        at: DateTime<Utc>,
    ) -> Result<Points, AccountError> {
        let kind = crate::event::EventKind::OrderPlaced {
            order_id: String::new(),
            amount,
            channel: channel.map(str::to_string),
            lines: lines.to_vec(),
            stored_value: None,
            coupons: vec![],
            reservation_key: None,
        };
        self.preview(program, kind, at)
    }

    /// An event id this account has not used.
    pub(crate) fn free_event_id(&self) -> String {
        (0u32..).map(|n| format!("preview-{n}")).find(|id| !self.keys.contains_key(id.as_str())).unwrap_or_default()
    }

    /// The points the order `kind` (its id replaced by one the account has not used) would
    /// earn at `at`, applied to a copy that is thrown away.
    pub(crate) fn preview(
        &self,
        program: &Program,
        mut kind: crate::event::EventKind,
        at: DateTime<Utc>,
    ) -> Result<Points, AccountError> {
        let order_id =
            (0u32..).map(|n| format!("preview-{n}")).find(|id| !self.orders.contains_key(id)).unwrap_or_default();
        if let crate::event::EventKind::OrderPlaced { order_id: id, .. } = &mut kind {
            id.clone_from(&order_id);
        }
        let event = Event::new(self.free_event_id(), at, kind);
        // When the clock has nothing to do by `at`, the account is already as it will be then:
        // the order's points are the earning rules' on it, decided as the order would be,
        // without a copy.
        let tier_next = program.config().tiers.is_some().then(|| self.tier.peek_boundary(self.ledger.clock));
        let (next, _) = next_due(&self.ledger, &self.purse, &self.coupons, self.facts.birthday, program, tier_next);
        if at >= self.ledger.clock && next.is_none_or(|n| n > at) {
            if let decide::Command::Purchase(p) = decide::decide(self, program, &event)? {
                let base = crate::checkout::points_base(&self.purse, program, &p);
                let mut lists = crate::program::RuleLists::default();
                return Ok(decide::purchase_points(self, program, &event, p.today, base, &mut lists).points);
            }
        }
        // A copy without the statement, the idempotency keys and the past orders and
        // redemptions, which a new order's points do not depend on (its ids are fresh): a
        // quote need not copy a member's whole history.
        if self.keys.len() >= MAX_EVENTS {
            return Err(AccountError::TooMany { what: "events", limit: MAX_EVENTS });
        }
        let mut copy = Account {
            format: self.format,
            member_id: self.member_id.clone(),
            revision: self.revision,
            ledger: self.ledger.clone(),
            facts: self.facts.clone(),
            tier: self.tier.clone(),
            // The order's own id is fresh (`preview-n`, not one of the member's).
            orders: HashMap::default(),
            redemptions: HashMap::default(),
            keys: HashMap::default(),
            statement: Vec::new(),
            retired: self.retired.clone(),
            purse: self.purse.clone(),
            status: self.status.clone(),
            coupons: self.coupons.clone(),
            buffer: Vec::new(),
        };
        copy.run(program, &event)?;
        Ok(copy.orders.get(&order_id).map_or(Points::ZERO, |o| o.points))
    }

    /// Quotes paying part of an order of `order_amount` with points as of `as_of`: at most
    /// `requested` points, or the most allowed when `None`.
    ///
    /// # Errors
    /// [`AccountError::AsOfBeforeClock`], or [`AccountError::InvalidField`] for a bad amount.
    pub fn quote_payment(
        &self,
        program: &Program,
        order_amount: Decimal,
        requested: Option<Points>,
        as_of: DateTime<Utc>,
    ) -> Result<crate::program::PaymentQuote, AccountError> {
        crate::money::check_amount(order_amount).map_err(|r| AccountError::invalid("order_amount", order_amount, r))?;
        crate::money::check_minor_units(order_amount, program.minor_units())
            .map_err(|r| AccountError::invalid("order_amount", order_amount, r))?;
        if let Some(r) = requested.filter(|r| r.get() < 0 || *r > Points::MAX_PER_EVENT) {
            return Err(AccountError::invalid("requested", r, "must be from 0 to 1000000000000"));
        }
        let ledger = self.projected(program, as_of)?;
        // A frozen account may not pay with points: nothing to quote.
        let available =
            if ledger.debt.is_positive() || !self.status.is_active() { Points::ZERO } else { ledger.available() };
        Ok(program.config().redemption.quote(order_amount, available, requested))
    }

    fn projected(&self, program: &Program, as_of: DateTime<Utc>) -> Result<Ledger, AccountError> {
        if as_of < self.ledger.clock {
            return Err(AccountError::AsOfBeforeClock { as_of, clock: self.ledger.clock });
        }
        Ok(self.project(program, as_of).0)
    }

    /// The member's coupons as they will be at `t`, once the clock has issued what is due by
    /// then (birthday coupons, a tier's coupon) and released or expired what ends by then;
    /// the account itself unchanged. Borrowed when nothing is due.
    pub(crate) fn coupons_at(
        &self,
        program: &Program,
        t: DateTime<Utc>,
    ) -> std::borrow::Cow<'_, crate::coupon::Wallet> {
        use std::borrow::Cow;
        if program.config().coupons.is_none() {
            return Cow::Borrowed(&self.coupons);
        }
        let tier_coupons = program.config().tiers.as_ref().is_some_and(|tiers| {
            tiers.levels.iter().any(|l| l.entry_reward.as_ref().is_some_and(|r| r.coupon.is_some()))
        });
        let due = self.coupons.next_boundary(program, self.facts.birthday, self.ledger.clock).is_some_and(|n| n <= t);
        if !due && !tier_coupons {
            return Cow::Borrowed(&self.coupons);
        }
        let (mut ledger, mut tier, mut purse) = (self.ledger.clone(), self.tier.clone(), self.purse.clone());
        let mut coupons = self.coupons.clone();
        let birthday = self.facts.birthday;
        catch_up(
            &mut ledger,
            &mut tier,
            &mut purse,
            &mut coupons,
            birthday,
            program,
            t,
            &mut Vec::new(),
            &mut Vec::new(),
        );
        Cow::Owned(coupons)
    }

    /// The ledger and tiers as they will be at `t`, the account itself unchanged.
    pub(crate) fn project(&self, program: &Program, t: DateTime<Utc>) -> (Ledger, TierState) {
        let mut ledger = self.ledger.clone();
        let mut tier = self.tier.clone();
        // The purse's and the coupons' changes do not touch the ledger or the tiers: scratch
        // ones.
        let purse = &mut crate::purse::Purse::default();
        let coupons = &mut crate::coupon::Wallet::default();
        catch_up(&mut ledger, &mut tier, purse, coupons, None, program, t, &mut Vec::new(), &mut Vec::new());
        (ledger, tier)
    }

    /// The member's tier, its expiry, and what is missing to reach the next tier and to keep
    /// this one, as of `as_of`; `None` when the program has no tiers.
    ///
    /// # Errors
    /// [`AccountError::AsOfBeforeClock`] for an instant the account has moved past.
    pub fn tier_progress(&self, program: &Program, as_of: DateTime<Utc>) -> Result<Option<TierProgress>, AccountError> {
        if as_of < self.ledger.clock {
            return Err(AccountError::AsOfBeforeClock { as_of, clock: self.ledger.clock });
        }
        let Some(ctx) = Ctx::of(program) else { return Ok(None) };
        let (_, tier) = self.project(program, as_of);
        Ok(Some(tier.progress(&ctx, as_of)))
    }

    /// The lots the snapshot keeps, in id order: every lot credited, less the oldest ones
    /// that were spent or expired and that no kept order or redemption names (those left
    /// for the journal).
    pub fn lots(&self) -> &[Lot] {
        &self.ledger.lots
    }

    /// The statement entries the snapshot still keeps, in order: those of the last
    /// `idempotency.horizon_days` (older ones left with the outcomes that made them, as
    /// journal entries for the host to keep).
    pub fn statement(&self) -> &[Entry] {
        &self.statement
    }

    /// The journal `seq` of the first entry of [`Account::statement`] (entries before it
    /// have left the snapshot); the next entry made gets this plus the statement's length.
    pub fn statement_start(&self) -> u64 {
        self.retired.entries
    }

    /// The account as a JSON snapshot (with its format version).
    ///
    /// ```
    /// let account = loyalty::Account::new("m-1");
    /// let json = account.to_json();
    /// assert_eq!(loyalty::Account::from_json(&json).unwrap(), account);
    /// ```
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a snapshot written by [`Account::to_json`].
    ///
    /// # Errors
    /// [`SnapshotError`] when the text is not a snapshot, has another format, or contradicts
    /// itself.
    pub fn from_json(json: &str) -> Result<Account, SnapshotError> {
        let mut account = Account::parse(json)?;
        if account.format != SNAPSHOT_FORMAT {
            return Err(SnapshotError::Format { found: account.format, supported: SNAPSHOT_FORMAT });
        }
        account.ledger.rebuild();
        account.verify()?;
        Ok(account)
    }

    /// Reads a snapshot of an earlier format and returns the account in today's with the
    /// journal entries that leave it: the whole statement it kept, numbered from 0, for the
    /// host to store as the member's journal before saving the new snapshot. What the
    /// program's retention rules let go at the account's clock is then gone from the account.
    ///
    /// Format 1 kept every statement entry, idempotency key, order and lot for life and did
    /// not date orders: an order is dated by the lot it earned, or, when it earned none, by
    /// the account's clock (its return window runs from the migration). A snapshot already
    /// in today's format is read as [`Account::from_json`] reads it, with no entries.
    /// Compact bytes of an earlier format: read them with [`Account::compact_to_json`] first.
    ///
    /// ```
    /// use loyalty::{Account, Event, EventKind, Program};
    /// use chrono::{TimeZone, Utc};
    /// let program = Program::from_json(include_str!("../../../examples/programs/retail.json")).unwrap();
    /// let old = r#"{"format":1,"member_id":"m-1","revision":1,"ledger":{"lots":[{"id":0,"points":100,"remaining":100,
    ///   "earned_at":"2020-01-01T00:00:00Z","available_at":"2020-01-01T00:00:00Z","kind":"bonus","rule":"sign_up"}],
    ///   "clock":"2020-01-01T00:00:00Z"},"facts":{"joined":true},"keys":{"j":{"fingerprint":1,"entry":0}},
    ///   "statement":[{"at":"2020-01-01T00:00:00Z","event_id":"j","effects":[{"type":"points_earned","lot":0,"points":100,
    ///   "rules":["sign_up"],"available_at":"2020-01-01T00:00:00Z","expires_at":null,"pending":false}]}]}"#;
    /// assert_eq!(Account::from_json(old).unwrap_err().kind(), "format");
    /// let (account, journal) = Account::migrate(&program, old).unwrap();
    /// assert_eq!((journal.len(), journal[0].seq, journal[0].event_id.as_deref()), (1, 0, Some("j")));
    /// assert_eq!(account.lots()[0].remaining.get(), 100);
    /// ```
    ///
    /// # Errors
    /// [`SnapshotError`] as for [`Account::from_json`], and a format other than 1 or today's.
    pub fn migrate(
        program: &Program,
        json: &str,
    ) -> Result<(Account, Vec<crate::journal::JournalEntry>), SnapshotError> {
        let mut account = Account::parse(json)?;
        match account.format {
            SNAPSHOT_FORMAT => {
                account.ledger.rebuild();
                account.verify()?;
                return Ok((account, Vec::new()));
            }
            1 => {}
            found => return Err(SnapshotError::Format { found, supported: SNAPSHOT_FORMAT }),
        }
        if account.retired.any() || account.ledger.first_lot > 0 {
            return Err(SnapshotError::Corrupt {
                field: "retired".into(),
                reason: "format 1 kept its whole history".into(),
            });
        }
        account.format = SNAPSHOT_FORMAT;
        let clock = account.ledger.clock;
        for order in account.orders.values_mut() {
            order.at = order.lot.and_then(|l| account.ledger.lot(l)).map_or(clock, |l| l.earned_at);
        }
        account.ledger.rebuild();
        account.verify()?;
        let journal = account.journal_from(0);
        account.retire(program);
        account.verify()?;
        Ok((account, journal))
    }

    fn parse(json: &str) -> Result<Account, SnapshotError> {
        if json.len() > MAX_SNAPSHOT_BYTES {
            return Err(SnapshotError::TooLarge { bytes: json.len(), limit: MAX_SNAPSHOT_BYTES });
        }
        let de = &mut serde_json::Deserializer::from_str(json);
        let account: Account = serde_path_to_error::deserialize(&mut *de)
            .map_err(|e| SnapshotError::Parse { path: e.path().to_string(), message: e.inner().to_string() })?;
        de.end().map_err(|e| SnapshotError::Parse {
            path: ".".to_string(),
            message: format!("text after the snapshot: {e}"),
        })?;
        Ok(account)
    }

    fn debug_check(&self) {
        debug_assert_eq!(self.check(), Ok(()));
    }

    /// Checks the account's invariants: lot ids in order, no lot below zero or above its
    /// credit, no debt beside usable points, and a statement whose effects add up to the
    /// points the lots hold less the debt. Every change checks them in debug builds, and
    /// every snapshot load checks them.
    ///
    /// # Errors
    /// [`SnapshotError::Corrupt`] naming the first broken invariant.
    ///
    /// ```
    /// assert!(loyalty::Account::new("m").verify().is_ok());
    /// ```
    pub fn verify(&self) -> Result<(), SnapshotError> {
        self.check().map_err(|(field, reason)| SnapshotError::Corrupt { field, reason })
    }

    /// The invariants, checked after every change in debug builds and on every snapshot load.
    /// Together they bound every number later arithmetic meets (DESIGN.md, Limits): a
    /// snapshot from storage a user can touch cannot make a later event overflow.
    fn check(&self) -> Result<(), (String, String)> {
        let fail = |field: &str, reason: String| Err((field.to_string(), reason));
        if let Err(e) = decide::check_text("member_id", &self.member_id, crate::program::MAX_NAME_CHARS) {
            return fail("member_id", e.to_string());
        }
        let max = Points::MAX_PER_EVENT;
        let points_ok = |p: Points, top: Points| p.get() >= 0 && p <= top;
        let instant_ok = |t: DateTime<Utc>| (decide::EARLIEST..LATEST_INSTANT).contains(&t.timestamp());
        if !instant_ok(self.ledger.clock) || self.ledger.clock.timestamp() >= decide::LATEST {
            return fail("ledger.clock", format!("{} is outside 1970 to 8999", self.ledger.clock));
        }
        for (what, count, limit) in [
            ("ledger.lots", self.ledger.lots.len(), MAX_LOTS),
            ("keys", self.keys.len(), MAX_EVENTS),
            ("orders", self.orders.len(), MAX_EVENTS),
            ("redemptions", self.redemptions.len(), MAX_EVENTS),
            ("tier.history", self.tier.history.len(), MAX_EVENTS),
            ("purse.grants", self.purse.grants.len(), MAX_EVENTS),
            ("purse.spends", self.purse.spends.len(), MAX_EVENTS),
        ] {
            if count > limit {
                return fail(what, format!("has {count} entries, more than {limit}"));
            }
        }
        if let Err((field, reason)) = self.purse.verify(instant_ok) {
            return fail(&field, reason);
        }
        if let Some(freeze) = &self.status.frozen {
            if let Err(e) = decide::check_text("reason", &freeze.reason, decide::MAX_REASON_CHARS) {
                return fail("status.frozen.reason", e.to_string());
            }
            if !instant_ok(freeze.at) || freeze.at > self.ledger.clock {
                return fail("status.frozen.at", format!("{} is outside 1970 to the account's clock", freeze.at));
            }
        }
        if let Err((field, reason)) = self.coupons.verify(instant_ok, |o| self.orders.contains_key(o)) {
            return fail(&field, reason);
        }
        if let Some(order) = self.purse.spends.keys().find(|o| !self.orders.contains_key(*o)) {
            return fail(&format!("purse.spends.{order}"), "pays for an order the account does not have".into());
        }
        let first_lot = self.ledger.first_lot;
        if first_lot as usize > u32::MAX as usize - MAX_LOTS {
            return fail("ledger.first_lot", format!("{first_lot} leaves no room for the lots after it"));
        }
        // Journal numbers stay within what the idempotency keys hold, and the statement is in
        // time order (forgetting takes its oldest entries as a prefix).
        if self.retired.entries.saturating_add(self.statement.len() as u64) > u64::from(u32::MAX) {
            return fail(
                "retired.entries",
                format!("{} leaves no room for the entries after it", self.retired.entries),
            );
        }
        if let Some(w) = self.statement.windows(2).find(|w| w[1].at < w[0].at) {
            return fail("statement", format!("an entry at {} follows one at {}", w[1].at, w[0].at));
        }
        if let Some(last) = self.statement.last().filter(|e| e.at > self.ledger.clock) {
            return fail(
                "statement",
                format!("an entry at {} is after the account's clock {}", last.at, self.ledger.clock),
            );
        }
        for (i, lot) in self.ledger.lots.iter().enumerate() {
            let i = first_lot as usize + i;
            if lot.id.0 as usize != i {
                return fail("ledger.lots", format!("lot at index {i} has id {}", lot.id.0));
            }
            if lot.remaining.get() < 0 || lot.remaining > lot.points {
                return fail("ledger.lots", format!("lot {i} has {} remaining of {}", lot.remaining, lot.points));
            }
            let accounted = lot.remaining.get().saturating_add(lot.expired.get()).saturating_add(lot.cancelled.get());
            if !points_ok(lot.points, max)
                || !points_ok(lot.expired, lot.points)
                || !points_ok(lot.cancelled, lot.points)
                || accounted > lot.points.get()
            {
                return fail(
                    "ledger.lots",
                    format!("lot {i} has {} points, {} expired, {} cancelled", lot.points, lot.expired, lot.cancelled),
                );
            }
            let instants = [Some(lot.earned_at), Some(lot.available_at), lot.expires_at, lot.warn_at];
            if let Some(t) = instants.into_iter().flatten().find(|t| !instant_ok(*t)) {
                return fail("ledger.lots", format!("lot {i} has an instant {t} outside 1970 to 9999"));
            }
        }
        // Every lot is at most 10^12 and there are at most 200,000: 2 x 10^17 in all.
        if !points_ok(self.ledger.debt, Points::new(max.get() * MAX_LOTS as i64)) {
            return fail("ledger.debt", format!("{} is negative or more than any lots could owe", self.ledger.debt));
        }
        for (order_id, o) in &self.orders {
            let field = format!("orders.{order_id}");
            if crate::money::check_amount(o.amount).is_err()
                || o.refunded.is_sign_negative() && !o.refunded.is_zero()
                || o.refunded > o.amount
            {
                return fail(&field, format!("has amount {} and {} refunded", o.amount, o.refunded));
            }
            if !points_ok(o.points, max) || !points_ok(o.clawed, o.points) || !points_ok(o.forgiven, o.points) {
                return fail(&field, format!("has {} points, {} clawed, {} forgiven", o.points, o.clawed, o.forgiven));
            }
            if !instant_ok(o.at) || o.at > self.ledger.clock {
                return fail(&field, format!("was placed at {}, outside 1970 to the account's clock", o.at));
            }
            // A lot before the first kept one left when the order could no longer be returned.
            if o.lot.is_some_and(|l| l.0 >= self.ledger.first_lot && self.ledger.lot(l).is_none()) {
                return fail(&field, "names a lot the ledger does not have".to_string());
            }
        }
        // Coupons of orders, after the orders' amounts are known to be in range: each
        // discount in range, each coupon listed once, and a live order's coupons (and only
        // they) redeemed on it with the same discount.
        for (order_id, o) in &self.orders {
            let field = format!("orders.{order_id}.coupons");
            if o.coupons.len() > 16 || o.coupons.iter().any(|c| crate::money::check_amount(c.discount).is_err()) {
                return fail(&field, "has more than 16 coupons or a discount out of range".into());
            }
            if o.coupons.iter().enumerate().any(|(i, c)| o.coupons[..i].iter().any(|d| d.coupon_id == c.coupon_id)) {
                return fail(&field, "lists a coupon twice".into());
            }
            let redeemed = |c: &UsedCoupon| {
                self.coupons.held.get(&c.coupon_id).is_some_and(|h| {
                    h.definition == c.definition
                        && (o.cancelled
                            || matches!(&h.state, crate::coupon::CouponState::Redeemed { order_id: x, discount }
                                if x == order_id && *discount == c.discount))
                })
            };
            let gross = o.gross();
            if !o.coupons.iter().all(redeemed) || o.returned > gross || o.returned.is_sign_negative() {
                return fail(&field, "do not match the coupons redeemed on it".into());
            }
        }
        for (id, h) in &self.coupons.held {
            if let crate::coupon::CouponState::Redeemed { order_id, .. } = &h.state {
                let listed = self
                    .orders
                    .get(order_id)
                    .is_some_and(|o| !o.cancelled && o.coupons.iter().any(|c| c.coupon_id == *id));
                if !listed {
                    return fail(
                        &format!("coupons.held.{id}"),
                        format!("is redeemed on {order_id:?}, which does not list it"),
                    );
                }
            }
        }
        // What live redemptions hold of a lot was taken from it: restoring it on a
        // cancellation can never lift the lot above its own credit.
        let mut held: HashMap<u32, i64> = HashMap::new();
        for (id, r) in &self.redemptions {
            let field = format!("redemptions.{id}");
            if !points_ok(r.points, max) || !instant_ok(r.at) {
                return fail(&field, format!("has {} points at {}", r.points, r.at));
            }
            let mut sum = Points::ZERO;
            for d in &r.draws {
                let Some(lot) = self.ledger.lot(d.lot) else {
                    if d.lot.0 < self.ledger.first_lot {
                        continue;
                    }
                    return fail(&field, format!("draws from {}, which the ledger does not have", d.lot));
                };
                if !d.points.is_positive() || d.points > lot.points {
                    return fail(&field, format!("draws {} points from {} of {}", d.points, d.lot, lot.points));
                }
                sum += d.points;
                if !r.cancelled {
                    *held.entry(d.lot.0).or_default() += d.points.get();
                }
            }
            if sum > r.points {
                return fail(&field, format!("draws {sum} points for a redemption of {}", r.points));
            }
        }
        for (lot, h) in held {
            if let Some(l) = self.ledger.lot(crate::draw::LotId(lot)) {
                if l.remaining.get() + h > l.points.get() {
                    return fail(
                        "redemptions",
                        format!("hold {h} points of lot {lot}, which has {} of {} left", l.remaining, l.points),
                    );
                }
            }
        }
        if let Some((name, (_, count))) = self.facts.custom.iter().find(|(_, (_, n))| *n as usize > MAX_EVENTS) {
            return fail("facts.custom", format!("{name:?} counts {count} claims, more than {MAX_EVENTS}"));
        }
        for (i, c) in self.tier.history.iter().enumerate() {
            if crate::money::check_amount(c.spend).is_err()
                || !points_ok(c.points, max)
                || !instant_ok(c.at)
                || !(0..=MAX_EVENTS as i64).contains(&c.orders)
            {
                return fail("tier.history", format!("contribution {i} has spend {} and {} points", c.spend, c.points));
            }
        }
        if self.ledger.debt.is_positive() && self.ledger.available().is_positive() {
            return fail("ledger.debt", "debt and usable points coexist".to_string());
        }
        let change: Points = self.retired.points
            + self.statement.iter().flat_map(|e| e.effects.iter()).map(Effect::balance_change).sum();
        let held: Points = self.ledger.lots.iter().map(|l| l.remaining).sum();
        if change != held - self.ledger.debt {
            return fail(
                "statement",
                format!("adds up to {change} but lots hold {held} less {} debt", self.ledger.debt),
            );
        }
        if let Some((id, key)) = self.keys.iter().find(|(_, k)| self.entry(k.entry).is_none()) {
            return fail("keys", format!("{id:?} points to entry {} past the statement", key.entry));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;
    use chrono::TimeZone;

    /// Instants from 1970-01-01T00:00:00Z up to, not including, 9000-01-01T00:00:00Z are
    /// taken; a second outside either end is refused, naming the field and the instant, and
    /// the account is left as it was.
    #[test]
    fn events_from_1970_to_8999_are_taken_and_a_second_outside_is_not() {
        let program = Program::from_json(
            r#"{"name": "Cafe", "version": 1, "currency": "EUR", "time_zone": "UTC",
                "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
                "redemption": {"point_value": "0.01"}}"#,
        )
        .unwrap();
        let order = |i: u32, at: DateTime<Utc>| {
            let kind = EventKind::OrderPlaced {
                order_id: format!("o{i}"),
                amount: Decimal::TEN,
                channel: None,
                lines: vec![],
                stored_value: None,
                coupons: vec![],
                reservation_key: None,
            };
            Event::new(format!("e{i}"), at, kind)
        };
        let second = chrono::Duration::seconds(1);
        let (first, end) =
            (Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap(), Utc.with_ymd_and_hms(9000, 1, 1, 0, 0, 0).unwrap());
        let mut account = Account::new("m");
        let refused = |account: &mut Account, e: &Event| {
            let before = account.clone();
            let err = account.apply(&program, e).unwrap_err();
            assert_eq!(*account, before);
            err.to_string()
        };
        let early = refused(&mut account, &order(0, first - second));
        assert!(
            early.contains("occurred_at")
                && early.contains("1969-12-31 23:59:59 UTC")
                && early.contains("must be from 1970 to 8999"),
            "{early}"
        );
        account.apply(&program, &order(1, first)).unwrap();
        account.apply(&program, &order(2, end - second)).unwrap();
        let late = refused(&mut account, &order(3, end));
        assert!(late.contains("occurred_at") && late.contains("9000-01-01 00:00:00 UTC"), "{late}");
        assert_eq!(account.revision(), 2);
    }

    /// Entries are kept for life, so an entry with one effect (an order's points, a day's
    /// activations) holds it in place, with no allocation of its own; longer lists hold no
    /// spare room.
    #[test]
    fn statement_entries_hold_no_spare_room() {
        let program = Program::from_json(
            r#"{"name": "Cafe", "version": 1, "currency": "EUR", "time_zone": "Europe/Paris",
                "earning": {"rules": [{"name": "base", "points_per_unit": "10"}]}, "pending_days": 1,
                "redemption": {"point_value": "0.01"}}"#,
        )
        .unwrap();
        let mut account = Account::new("m");
        let start = Utc.with_ymd_and_hms(2024, 3, 1, 9, 0, 0).unwrap();
        for i in 0..10 {
            let kind = EventKind::OrderPlaced {
                order_id: format!("o{i}"),
                amount: "4.20".parse().unwrap(),
                channel: None,
                lines: vec![],
                stored_value: None,
                coupons: vec![],
                reservation_key: None,
            };
            account.apply(&program, &Event::new(format!("e{i}"), start + chrono::Duration::days(3 * i), kind)).unwrap();
        }
        // Ten orders, and nine activations (each the day after an order, seen at the next one).
        let single: Vec<&Entry> = account.statement().iter().filter(|e| e.effects.len() == 1).collect();
        assert_eq!(single.len(), 19);
        assert!(single.iter().all(|e| e.effects.in_place()));
        // A snapshot read back holds them the same way, and two effects get a list of two.
        let read = Account::from_json(&account.to_json()).unwrap();
        assert_eq!(read, account);
        assert!(read.statement().iter().all(|e| e.effects.in_place()));
        let two = Effects::from(vec![single[0].effects[0].clone(), single[1].effects[0].clone()]);
        assert_eq!((two.len(), two.in_place()), (2, false));
        assert_eq!(&two[..], &[single[0].effects[0].clone(), single[1].effects[0].clone()]);
    }
}
