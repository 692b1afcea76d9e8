//! The native half of the `loyalty` npm package: wrappers that convert and map errors.
//! Values cross as JSON text (snake_case, instants as ISO-8601, money as decimal strings);
//! `loyalty.js` turns them into camelCase objects, `Date`s and `LoyaltyError`s.
#![allow(missing_docs)]

pub mod analytics;
mod errors;
mod tape;

use chrono::{DateTime, Utc};
use napi::bindgen_prelude::{Buffer, BufferSlice, External};
use napi::Result;
use napi_derive::napi;
use std::cell::RefCell;
use std::rc::Rc;

fn instant(field: &str, iso: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(iso)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| errors::input(field, iso, "is not an ISO-8601 instant with an offset"))
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A validated loyalty program.
#[napi]
pub struct NativeProgram {
    inner: Rc<loyalty::Program>,
    /// The names this program's tape outcomes have used (`tape.rs`).
    names: Rc<RefCell<tape::Names>>,
}

#[napi]
impl NativeProgram {
    /// Parses and validates a program from JSON text.
    #[napi(factory, catch_unwind)]
    pub fn from_json(json: String) -> Result<NativeProgram> {
        loyalty::Program::from_json(&json)
            .map(|inner| NativeProgram { inner: Rc::new(inner), names: Rc::default() })
            .map_err(errors::program)
    }

    /// The program as JSON text.
    #[napi(catch_unwind)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }
}

/// One member's account.
#[napi]
pub struct NativeAccount {
    shared: Rc<Shared>,
}

/// An account's state, shared by its class object and the handle of the purchase path
/// (`apply_order`).
pub struct Shared {
    account: RefCell<loyalty::Account>,
    /// The program `apply_order` applies, with its tape names (set by `bind`).
    bound: RefCell<Option<Bound>>,
}

/// A program and its tape names, as `bind` sets them.
type Bound = (Rc<loyalty::Program>, Rc<RefCell<tape::Names>>);

impl NativeAccount {
    fn of(account: loyalty::Account) -> NativeAccount {
        NativeAccount { shared: Rc::new(Shared { account: RefCell::new(account), bound: RefCell::new(None) }) }
    }

    fn account(&self) -> std::cell::Ref<'_, loyalty::Account> {
        self.shared.account.borrow()
    }

    fn account_mut(&self) -> Result<std::cell::RefMut<'_, loyalty::Account>> {
        self.shared.account_mut()
    }
}

impl Shared {
    /// The account to change; an error rather than a panic if a call already held it (a
    /// guard: napi-rs already refuses the same account as both sides of a transfer).
    fn account_mut(&self) -> Result<std::cell::RefMut<'_, loyalty::Account>> {
        self.account.try_borrow_mut().map_err(|_| errors::input("account", "busy", "is already in use by this call"))
    }
}

#[napi]
impl NativeAccount {
    /// A new, empty account.
    #[napi(constructor, catch_unwind)]
    pub fn new(member_id: String) -> Result<NativeAccount> {
        loyalty::Account::try_new(member_id).map(NativeAccount::of).map_err(errors::account)
    }

    /// Reads a snapshot.
    #[napi(factory, catch_unwind)]
    pub fn from_json(json: String) -> Result<NativeAccount> {
        loyalty::Account::from_json(&json).map(NativeAccount::of).map_err(errors::snapshot)
    }

    /// The snapshot.
    #[napi(catch_unwind)]
    pub fn to_json(&self) -> String {
        self.account().to_json()
    }

    /// Reads bytes written by `toCompact`.
    #[napi(factory, catch_unwind)]
    pub fn from_compact(bytes: Buffer) -> Result<NativeAccount> {
        loyalty::Account::from_compact(&bytes).map(NativeAccount::of).map_err(errors::snapshot)
    }

    /// The snapshot in its compact binary form.
    #[napi(catch_unwind)]
    pub fn to_compact(&self) -> Buffer {
        self.account().to_compact().into()
    }

    /// The member id.
    #[napi(getter, catch_unwind)]
    pub fn member_id(&self) -> String {
        self.account().member_id().to_string()
    }

    /// The revision.
    #[napi(getter, catch_unwind)]
    pub fn is_frozen(&self) -> bool {
        self.account().is_frozen()
    }

    #[napi(getter, catch_unwind)]
    pub fn revision(&self) -> i64 {
        i64::try_from(self.account().revision()).unwrap_or(i64::MAX)
    }

    /// Applies one event (JSON); returns the outcome (JSON).
    #[napi(catch_unwind)]
    pub fn apply(&mut self, program: &NativeProgram, event_json: String) -> Result<String> {
        errors::guard(|| {
            let event = loyalty::Event::from_json(&event_json).map_err(errors::account)?;
            self.account_mut()?.apply(&program.inner, &event).map(|o| json(&o)).map_err(errors::account)
        })
    }

    /// Makes `program` the one `apply_order` applies.
    #[napi(catch_unwind)]
    pub fn bind(&mut self, program: &NativeProgram) {
        self.shared.bound.replace(Some((Rc::clone(&program.inner), Rc::clone(&program.names))));
    }

    /// The handle `apply_order` takes.
    #[napi(catch_unwind, ts_return_type = "ExternalObject<unknown>")]
    pub fn handle(&self) -> External<Rc<Shared>> {
        External::new(Rc::clone(&self.shared))
    }

    /// Moves the clock; returns the outcome with its journal entries (JSON).
    #[napi(catch_unwind)]
    pub fn advance(&mut self, program: &NativeProgram, at: String) -> Result<String> {
        errors::guard(|| {
            let outcome = self.account_mut()?.advance(&program.inner, instant("at", &at)?).map_err(errors::account)?;
            Ok(json(&outcome))
        })
    }

    /// The journal seq of the first statement entry the snapshot keeps.
    #[napi(getter, catch_unwind)]
    pub fn statement_start(&self) -> f64 {
        self.account().statement_start() as f64
    }

    /// Moves the clock; returns the effects (JSON).
    #[napi(catch_unwind)]
    pub fn advance_to(&mut self, program: &NativeProgram, at: String) -> Result<String> {
        errors::guard(|| {
            let effects =
                self.account_mut()?.advance_to(&program.inner, instant("at", &at)?).map_err(errors::account)?;
            Ok(json(&effects))
        })
    }

    /// Balances as of an instant (JSON).
    #[napi(catch_unwind)]
    pub fn balances(&self, program: &NativeProgram, as_of: String) -> Result<String> {
        self.account().balances(&program.inner, instant("asOf", &as_of)?).map(|b| json(&b)).map_err(errors::account)
    }

    /// Stored value as of an instant (JSON: principal, bonus, available, liability).
    #[napi(catch_unwind)]
    pub fn stored_value(&self, program: &NativeProgram, as_of: String) -> Result<String> {
        self.account().stored_value(&program.inner, instant("asOf", &as_of)?).map(|b| json(&b)).map_err(errors::account)
    }

    /// The member's coupons as of an instant (JSON array).
    #[napi(catch_unwind)]
    pub fn coupons(&self, as_of: String) -> Result<String> {
        self.account().coupons(instant("asOf", &as_of)?).map(|c| json(&c)).map_err(errors::account)
    }

    /// Quotes a checkout given as the core's JSON (JSON object).
    #[napi(catch_unwind)]
    pub fn quote_checkout(&self, program: &NativeProgram, checkout_json: String, at: String) -> Result<String> {
        let checkout = loyalty::Checkout::from_json(&checkout_json).map_err(errors::account)?;
        self.account()
            .quote_checkout(&program.inner, &checkout, instant("at", &at)?)
            .map(|q| json(&q))
            .map_err(errors::account)
    }

    /// Quotes the refund of returning goods worth `returned` from an order (JSON object).
    #[napi(catch_unwind)]
    pub fn quote_return(
        &self,
        program: &NativeProgram,
        order_id: String,
        returned: String,
        at: String,
    ) -> Result<String> {
        let value = loyalty::parse_decimal(&returned).map_err(|r| errors::input("returned", &returned, r))?;
        self.account()
            .quote_return(&program.inner, &order_id, value, instant("at", &at)?)
            .map(|q| json(&q))
            .map_err(errors::account)
    }

    /// Tier progress (JSON, or null without tiers).
    #[napi(catch_unwind)]
    pub fn tier_progress(&self, program: &NativeProgram, as_of: String) -> Result<Option<String>> {
        self.account()
            .tier_progress(&program.inner, instant("asOf", &as_of)?)
            .map(|p| p.map(|p| json(&p)))
            .map_err(errors::account)
    }

    /// The statement (JSON).
    #[napi(catch_unwind)]
    pub fn statement(&self) -> String {
        json(&self.account().statement())
    }

    /// Applies events (a JSON array) all or nothing; returns the outcomes (JSON array).
    #[napi(catch_unwind)]
    pub fn apply_all(&mut self, program: &NativeProgram, events_json: String) -> Result<String> {
        errors::guard(|| {
            let events = loyalty::Event::list_from_json(&events_json).map_err(errors::account)?;
            self.account_mut()?
                .apply_all(&program.inner, &events)
                .map(|o| json(&o))
                .map_err(|(i, e)| errors::account(e.at_index(i)))
        })
    }

    /// Points expiring by `until` (JSON).
    #[napi(catch_unwind)]
    pub fn expiring(&self, program: &NativeProgram, as_of: String, until: String) -> Result<String> {
        self.account()
            .expiring(&program.inner, instant("asOf", &as_of)?, instant("until", &until)?)
            .map(|e| json(&e))
            .map_err(errors::account)
    }

    /// The points an order would earn at `at` (lines as the core's JSON list), the account
    /// unchanged.
    #[napi(catch_unwind)]
    pub fn preview_order(
        &self,
        program: &NativeProgram,
        amount: String,
        at: String,
        channel: Option<String>,
        lines_json: Option<String>,
    ) -> Result<f64> {
        errors::guard(|| {
            let amount = loyalty::parse_decimal(&amount).map_err(|r| errors::input("amount", &amount, r))?;
            let lines: Vec<loyalty::OrderLine> = match &lines_json {
                Some(text) => serde_json::from_str(text).map_err(|e| errors::input("lines", text, &e.to_string()))?,
                None => Vec::new(),
            };
            let points = self
                .account()
                .preview_order(&program.inner, amount, channel.as_deref(), &lines, instant("at", &at)?)
                .map_err(errors::account)?;
            // At most 10^12: exact as a JavaScript number.
            Ok(points.get() as f64)
        })
    }

    /// Quotes paying part of an order with points (JSON).
    #[napi(catch_unwind)]
    pub fn quote_payment(
        &self,
        program: &NativeProgram,
        order_amount: String,
        requested: Option<f64>,
        as_of: String,
    ) -> Result<String> {
        let amount =
            loyalty::parse_decimal(&order_amount).map_err(|r| errors::input("orderAmount", &order_amount, r))?;
        let requested = requested.map(|r| errors::whole("requested", r)).transpose()?;
        self.account()
            .quote_payment(&program.inner, amount, requested.map(loyalty::Points::new), instant("asOf", &as_of)?)
            .map(|q| json(&q))
            .map_err(errors::account)
    }

    /// Merges another account of the same person into a copy of this one.
    #[napi(catch_unwind)]
    pub fn merge(
        &self,
        program: &NativeProgram,
        other: &NativeAccount,
        id: String,
        at: String,
    ) -> Result<NativeAccount> {
        self.account()
            .merge(&program.inner, &other.account(), &id, instant("at", &at)?)
            .map(|(inner, _)| NativeAccount::of(inner))
            .map_err(errors::account)
    }
}

/// The purchase path: an order, its outcome written to `tape` (see `tape.rs`) rather than
/// as JSON. `fields` holds the order's strings, each followed by a NUL (one string crosses
/// faster than several; the layout is `plain_order`'s); `loyalty.js` sends only fields
/// without NULs. Returns `null` when the outcome is on the
/// tape and used no new names; `"N"` and the new names, each followed by a NUL, when
/// it did; `"J"` and the outcome's JSON when the tape does not carry it; `"S"` when the
/// arguments are not for this path (an instant that is not a whole millisecond of the
/// years 0000 to 9999, an amount that is not a plain decimal): `loyalty.js` then takes the
/// JSON path, which names the problem.
///
/// A free function over the account's `handle`, not a method: napi-rs registers a
/// borrow of `this` and of every class argument, under a global lock, on each method
/// call, which made a method cost about twice a function here (BENCHMARKS.md).
#[napi(
    catch_unwind,
    ts_args_type = "handle: ExternalObject<unknown>, occurredAtMs: number, fields: string, tape: Buffer"
)]
pub fn apply_order(
    handle: &External<Rc<Shared>>,
    occurred_at_ms: f64,
    fields: String,
    mut tape: BufferSlice,
) -> Result<Option<String>> {
    // Years 0000 to 9999, as the JSON path's RFC 3339 text can spell them.
    let at = (occurred_at_ms.fract() == 0.0
        && (-62_167_219_200_000.0..=253_402_300_799_999.0).contains(&occurred_at_ms))
    .then(|| DateTime::from_timestamp_millis(occurred_at_ms as i64))
    .flatten();
    let Some((at, id, kind)) = at.and_then(|at| plain_order(&fields).map(|(id, kind)| (at, id, kind))) else {
        return Ok(Some("S".into()));
    };
    let bound = handle.bound.borrow();
    let Some((program, names)) = &*bound else {
        return Ok(Some("S".into()));
    };
    let outcome = errors::guard(|| {
        handle.account_mut()?.apply(program, &loyalty::Event::new(id, at, kind)).map_err(errors::account)
    })?;
    let Ok(mut names) = names.try_borrow_mut() else {
        return Ok(Some(format!("J{}", json(&outcome))));
    };
    match tape::write(&outcome, &mut names, &mut tape) {
        Some(new) if new.is_empty() => Ok(None),
        Some(new) => {
            let mut out = String::from("N");
            for name in new {
                out.push_str(&name);
                out.push('\0');
            }
            Ok(Some(out))
        }
        None => Ok(Some(format!("J{}", json(&outcome)))),
    }
}

/// The event id and the order of `apply_order`'s `fields`: id, order id, amount, the channel
/// (`-` for none, `+` and the name), then per line its SKU, category (`-` or `+` and the
/// name), amount and discount (`-` or `+` and the amount), each followed by a NUL. `None` for
/// anything else, or an amount that is not a plain decimal.
fn plain_order(fields: &str) -> Option<(String, loyalty::EventKind)> {
    fn optional(marked: &str) -> Option<Option<&str>> {
        match marked.split_at_checked(1)? {
            ("-", "") => Some(None),
            ("+", text) => Some(Some(text)),
            _ => None,
        }
    }
    let mut parts = fields.split_terminator('\0');
    // The core's strict grammar: an amount it refuses goes the JSON path, which names it.
    let decimal = |text: &str| loyalty::parse_decimal(text).ok();
    let (id, order_id, amount) = (parts.next()?, parts.next()?, decimal(parts.next()?)?);
    let channel = optional(parts.next()?)?.map(str::to_string);
    let mut lines = Vec::new();
    while let Some(sku) = parts.next() {
        let category = optional(parts.next()?)?.map(str::to_string);
        let amount = decimal(parts.next()?)?;
        let discount = match optional(parts.next()?)? {
            Some(d) => decimal(d)?,
            None => Default::default(),
        };
        lines.push(loyalty::OrderLine { sku: sku.to_string(), category, amount, discount });
    }
    Some((
        id.to_string(),
        loyalty::EventKind::OrderPlaced {
            order_id: order_id.to_string(),
            amount,
            channel,
            lines,
            stored_value: None,
            coupons: vec![],
            reservation_key: None,
        },
    ))
}

/// Reads a snapshot of an earlier format: `{"snapshot": today's JSON, "journal": [entries]}`.
#[napi(catch_unwind)]
pub fn migrate(program: &NativeProgram, json_text: String) -> Result<String> {
    let (account, journal) = loyalty::Account::migrate(&program.inner, &json_text).map_err(errors::snapshot)?;
    Ok(json(&serde_json::json!({"snapshot": account.to_json(), "journal": journal})))
}

/// The journal entries' format ([`loyalty::JOURNAL_FORMAT`]).
#[napi(catch_unwind)]
pub fn journal_format() -> u32 {
    loyalty::JOURNAL_FORMAT
}

/// Renders a statement page from journal entries (a JSON array); returns the page (JSON).
#[napi(catch_unwind)]
pub fn statement_page(entries_json: String, opening: f64, page: f64, per_page: f64) -> Result<String> {
    let opening = errors::whole("opening", opening)?;
    let page = errors::whole("page", page)?;
    let per_page = errors::whole("perPage", per_page)?;
    let entries: Vec<loyalty::JournalEntry> = serde_json::from_str(&entries_json)
        .map_err(|e| errors::input("entries", &e.to_string(), "is not a list of journal entries"))?;
    let page = usize::try_from(page).map_err(|_| errors::input("page", &page.to_string(), "must not be negative"))?;
    let per_page = usize::try_from(per_page)
        .map_err(|_| errors::input("perPage", &per_page.to_string(), "must not be negative"))?;
    loyalty::journal::statement_page(&entries, loyalty::Points::new(opening), page, per_page)
        .map(|p| json(&p))
        .map_err(errors::account)
}

/// Moves points between two members atomically; returns `[sent, received]` outcomes (JSON).
#[napi(catch_unwind)]
pub fn transfer(
    program: &NativeProgram,
    sender: &mut NativeAccount,
    receiver: &mut NativeAccount,
    id: String,
    at: String,
    points: f64,
) -> Result<String> {
    let points = errors::whole("points", points)?;
    let at = instant("at", &at)?;
    let (mut sender, mut receiver) = (sender.account_mut()?, receiver.account_mut()?);
    let t = loyalty::transfer(&program.inner, &mut sender, &mut receiver, &id, at, points).map_err(errors::account)?;
    Ok(json(&(t.sent, t.received)))
}
