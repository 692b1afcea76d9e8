//! `Program` and `Account`: thin wrappers over the core types.

use crate::errors;
use pyo3::prelude::*;

use errors::instant;

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A validated loyalty program.
#[pyclass(module = "loyalty._native", frozen)]
pub struct Program {
    pub(crate) inner: loyalty::Program,
}

#[pymethods]
impl Program {
    /// Parses and validates a program from JSON text.
    #[new]
    fn new(json: &str) -> PyResult<Program> {
        loyalty::Program::from_json(json).map(|inner| Program { inner }).map_err(errors::program)
    }

    /// The program as JSON text.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The program's name.
    #[getter]
    fn name(&self) -> String {
        self.inner.config().name.clone()
    }

    /// The ISO 4217 currency.
    #[getter]
    fn currency(&self) -> String {
        self.inner.config().currency.clone()
    }

    /// The IANA time zone.
    #[getter]
    fn time_zone(&self) -> String {
        self.inner.config().time_zone.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "Program(name={:?}, version={}, currency={:?})",
            self.inner.config().name,
            self.inner.config().version,
            self.inner.config().currency
        )
    }
}

/// One member's account.
#[pyclass(module = "loyalty._native")]
pub struct Account {
    pub(crate) inner: loyalty::Account,
}

fn event(json: &str) -> PyResult<loyalty::Event> {
    loyalty::Event::from_json(json).map_err(errors::account)
}

#[pymethods]
impl Account {
    /// A new, empty account.
    #[new]
    fn new(member_id: &str) -> PyResult<Account> {
        Ok(Account { inner: loyalty::Account::try_new(member_id).map_err(errors::account)? })
    }

    /// Reads a snapshot written by `to_json`.
    #[staticmethod]
    fn from_json(json: &str) -> PyResult<Account> {
        loyalty::Account::from_json(json).map(|inner| Account { inner }).map_err(errors::snapshot)
    }

    /// Reads a snapshot of an earlier format: (account, journal entries as a JSON array).
    #[staticmethod]
    fn migrate(program: &Program, json: &str) -> PyResult<(Account, String)> {
        let (inner, journal) = loyalty::Account::migrate(&program.inner, json).map_err(errors::snapshot)?;
        Ok((Account { inner }, self::json(&journal)))
    }

    /// The account as a JSON snapshot.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Reads bytes written by `to_compact`.
    #[staticmethod]
    fn from_compact(bytes: &[u8]) -> PyResult<Account> {
        loyalty::Account::from_compact(bytes).map(|inner| Account { inner }).map_err(errors::snapshot)
    }

    /// The snapshot in its compact binary form.
    fn to_compact<'py>(&self, py: Python<'py>) -> Bound<'py, pyo3::types::PyBytes> {
        pyo3::types::PyBytes::new(py, &self.inner.to_compact())
    }

    /// The member's id.
    #[getter]
    fn member_id(&self) -> String {
        self.inner.member_id().to_string()
    }

    /// The revision (state changes so far).
    #[getter]
    fn revision(&self) -> u64 {
        self.inner.revision()
    }

    /// Whether the host froze the account.
    #[getter]
    fn is_frozen(&self) -> bool {
        self.inner.is_frozen()
    }

    /// The account's clock, ISO-8601.
    #[getter]
    fn clock(&self) -> String {
        self.inner.clock().to_rfc3339()
    }

    /// Applies one event (JSON); returns the outcome (JSON).
    fn apply(&mut self, program: &Program, event_json: &str) -> PyResult<String> {
        let e = event(event_json)?;
        self.inner.apply(&program.inner, &e).map(|o| json(&o)).map_err(errors::account)
    }

    /// Applies events (a JSON array) all or nothing; returns the outcomes (JSON array).
    fn apply_all(&mut self, program: &Program, events_json: &str) -> PyResult<String> {
        let events = loyalty::Event::list_from_json(events_json).map_err(errors::account)?;
        self.inner.apply_all(&program.inner, &events).map(|o| json(&o)).map_err(|(i, e)| errors::account(e.at_index(i)))
    }

    /// Moves the clock; returns the outcome with its journal entries (JSON).
    fn advance(&mut self, program: &Program, at: &str) -> PyResult<String> {
        Ok(json(&self.inner.advance(&program.inner, instant("at", at)?).map_err(errors::account)?))
    }

    /// The journal seq of the first statement entry the snapshot keeps.
    fn statement_start(&self) -> u64 {
        self.inner.statement_start()
    }

    /// Moves the clock; returns the effects (JSON array).
    fn advance_to(&mut self, program: &Program, at: &str) -> PyResult<String> {
        Ok(json(&self.inner.advance_to(&program.inner, instant("at", at)?).map_err(errors::account)?))
    }

    /// Balances as of an instant (JSON object).
    fn balances(&self, program: &Program, as_of: &str) -> PyResult<String> {
        self.inner.balances(&program.inner, instant("as_of", as_of)?).map(|b| json(&b)).map_err(errors::account)
    }

    /// Stored value as of `as_of` (JSON: principal, bonus, available, liability).
    fn stored_value(&self, program: &Program, as_of: &str) -> PyResult<String> {
        self.inner.stored_value(&program.inner, instant("as_of", as_of)?).map(|b| json(&b)).map_err(errors::account)
    }

    /// The member's coupons as of `as_of` (JSON array).
    fn coupons(&self, as_of: &str) -> PyResult<String> {
        self.inner.coupons(instant("as_of", as_of)?).map(|c| json(&c)).map_err(errors::account)
    }

    /// Quotes a checkout given as the core's JSON (JSON object).
    fn quote_checkout(&self, program: &Program, checkout_json: &str, at: &str) -> PyResult<String> {
        let checkout = loyalty::Checkout::from_json(checkout_json).map_err(errors::account)?;
        self.inner
            .quote_checkout(&program.inner, &checkout, instant("at", at)?)
            .map(|q| json(&q))
            .map_err(errors::account)
    }

    /// Quotes the refund of returning goods worth `returned` from an order (JSON object).
    fn quote_return(&self, program: &Program, order_id: &str, returned: &str, at: &str) -> PyResult<String> {
        let returned = loyalty::parse_decimal(returned).map_err(|r| errors::input("returned", returned, r))?;
        self.inner
            .quote_return(&program.inner, order_id, returned, instant("at", at)?)
            .map(|q| json(&q))
            .map_err(errors::account)
    }

    /// Points expiring by `until` (JSON array).
    fn expiring(&self, program: &Program, as_of: &str, until: &str) -> PyResult<String> {
        self.inner
            .expiring(&program.inner, instant("as_of", as_of)?, instant("until", until)?)
            .map(|e| json(&e))
            .map_err(errors::account)
    }

    /// Tier progress (JSON object, or None without tiers).
    fn tier_progress(&self, program: &Program, as_of: &str) -> PyResult<Option<String>> {
        self.inner
            .tier_progress(&program.inner, instant("as_of", as_of)?)
            .map(|p| p.map(|p| json(&p)))
            .map_err(errors::account)
    }

    /// The points an order would earn at `at` (lines as the core's JSON list), the account
    /// unchanged.
    #[pyo3(signature = (program, amount, at, channel, lines_json))]
    fn preview_order(
        &self,
        program: &Program,
        amount: &str,
        at: &str,
        channel: Option<&str>,
        lines_json: Option<&str>,
    ) -> PyResult<i64> {
        let amount = loyalty::parse_decimal(amount).map_err(|r| errors::input("amount", amount, r))?;
        let lines: Vec<loyalty::OrderLine> = match lines_json {
            Some(text) => serde_json::from_str(text).map_err(|e| errors::input("lines", text, &e.to_string()))?,
            None => Vec::new(),
        };
        self.inner
            .preview_order(&program.inner, amount, channel, &lines, instant("at", at)?)
            .map(|p| p.get())
            .map_err(errors::account)
    }

    /// Quotes paying part of an order with points (JSON object).
    #[pyo3(signature = (program, order_amount, requested, as_of))]
    fn quote_payment(
        &self,
        program: &Program,
        order_amount: &str,
        requested: Option<i64>,
        as_of: &str,
    ) -> PyResult<String> {
        let amount =
            order_amount.parse().map_err(|_| errors::input("order_amount", order_amount, "is not a decimal"))?;
        self.inner
            .quote_payment(&program.inner, amount, requested.map(loyalty::Points::new), instant("as_of", as_of)?)
            .map(|q| json(&q))
            .map_err(errors::account)
    }

    /// The statement (JSON array of entries).
    fn statement(&self) -> String {
        json(&self.inner.statement())
    }

    /// Every lot (JSON array).
    fn lots(&self) -> String {
        json(&self.inner.lots())
    }

    /// Merges another account of the same person into a copy of this one.
    fn merge(&self, program: &Program, other: &Account, id: &str, at: &str) -> PyResult<(Account, String)> {
        self.inner
            .merge(&program.inner, &other.inner, id, instant("at", at)?)
            .map(|(inner, outcome)| (Account { inner }, json(&outcome)))
            .map_err(errors::account)
    }

    fn __repr__(&self) -> String {
        format!("Account(member_id={:?}, revision={})", self.inner.member_id(), self.inner.revision())
    }
}

/// Renders a statement page from journal entries (JSON array); returns the page (JSON).
#[pyfunction]
pub fn statement_page(entries_json: &str, opening: i64, page: usize, per_page: usize) -> PyResult<String> {
    let entries: Vec<loyalty::JournalEntry> = serde_json::from_str(entries_json)
        .map_err(|e| errors::input("entries", &e.to_string(), "is not a list of journal entries"))?;
    loyalty::journal::statement_page(&entries, loyalty::Points::new(opening), page, per_page)
        .map(|p| json(&p))
        .map_err(errors::account)
}

/// Moves points between two members atomically; returns (sent, received) outcomes as JSON.
#[pyfunction]
pub fn transfer(
    program: &Program,
    sender: &Bound<'_, Account>,
    receiver: &Bound<'_, Account>,
    id: &str,
    at: &str,
    points: i64,
) -> PyResult<(String, String)> {
    // One account as both sides would be borrowed twice ("Already borrowed"): name it.
    if sender.is(receiver) {
        return Err(errors::input(
            "receiver",
            sender.borrow().inner.member_id(),
            "is the sender; a transfer needs two accounts",
        ));
    }
    let (mut sender, mut receiver) = (sender.borrow_mut(), receiver.borrow_mut());
    let t = loyalty::transfer(&program.inner, &mut sender.inner, &mut receiver.inner, id, instant("at", at)?, points)
        .map_err(errors::account)?;
    Ok((json(&t.sent), json(&t.received)))
}
