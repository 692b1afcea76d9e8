//! The journal: a member's history, which the host appends and keeps, and the statement
//! rendered from it.
//!
//! The account keeps only what later decisions need (`account/retire.rs`); what each event
//! and each clock instant did leaves with the [`Outcome`](crate::Outcome) of the call as
//! [`JournalEntry`]s, numbered from 0 per member. A host appends them (one row each, unique
//! by member and `seq`) and reads a member's history back from there:
//! [`statement_page`] renders a page of it with running balances.

use crate::effect::{Effect, Entry};
use crate::points::Points;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The format of [`JournalEntry`]: raised when its meaning changes, so a host can tell old
/// rows from new ones.
pub const JOURNAL_FORMAT: u32 = 1;

/// One entry of a member's journal: what one event or one clock instant did.
///
/// ```
/// use loyalty::{Account, Event, EventKind, Program};
/// use chrono::{TimeZone, Utc};
/// let program = Program::from_json(include_str!("../../examples/programs/retail.json")).unwrap();
/// let mut account = Account::new("m-1");
/// let at = Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap();
/// let out = account.apply(&program, &Event::new("e-1", at, EventKind::Joined { birthday: None })).unwrap();
/// let entry = &out.journal[0];
/// assert_eq!((entry.format, entry.seq, entry.event_id.as_deref()), (1, 0, Some("e-1")));
/// assert_eq!(entry.effects, out.effects);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct JournalEntry {
    /// [`JOURNAL_FORMAT`] when written.
    pub format: u32,
    /// The entry's number in the member's journal: 0, 1, 2, ... without gaps.
    pub seq: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// The event that caused it, or `None` for the clock (activations, expiries, warnings).
    pub event_id: Option<String>,
    /// What it did.
    pub effects: Vec<Effect>,
}

impl JournalEntry {
    pub(crate) fn of(seq: u64, entry: &Entry) -> JournalEntry {
        JournalEntry {
            format: JOURNAL_FORMAT,
            seq,
            at: entry.at,
            event_id: entry.event_id.as_deref().map(str::to_string),
            effects: entry.effects.to_vec(),
        }
    }

    /// What the entry changed the points balance by (usable, pending and debt together).
    pub fn balance_change(&self) -> Points {
        self.effects.iter().map(Effect::balance_change).sum()
    }
}

/// One line of a statement: one effect of a journal entry, with the balance after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StatementLine {
    /// The journal entry's `seq`.
    pub seq: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// The event, or `None` for the clock.
    pub event_id: Option<String>,
    /// The effect's type, e.g. `points_earned`.
    pub kind: String,
    /// What it changed the balance by (0 for a notice).
    pub points: Points,
    /// The balance after it: points held (usable and pending) less debt.
    pub balance: Points,
}

/// A page of a member's statement, newest line first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StatementPage {
    /// The lines of this page, newest first.
    pub lines: Vec<StatementLine>,
    /// Lines in the whole statement.
    pub total: usize,
    /// The balance after the newest line.
    pub balance: Points,
}

/// The largest page [`statement_page`] renders.
pub const MAX_PAGE_LINES: usize = 1_000;

/// Renders page `page` (0 is the newest) of `per_page` lines of the statement told by
/// `entries`, a member's journal from `seq` 0 in order (or from a later entry, with
/// `opening` the balance before it).
///
/// ```
/// use loyalty::{journal, Account, Event, EventKind, Program};
/// use chrono::{TimeZone, Utc};
/// let program = Program::from_json(include_str!("../../examples/programs/retail.json")).unwrap();
/// let mut account = Account::new("m-1");
/// let mut entries = Vec::new();
/// let at = Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap();
/// entries.extend(account.apply(&program, &Event::new("join", at, EventKind::Joined { birthday: None })).unwrap().journal);
/// let later = Utc.with_ymd_and_hms(2025, 3, 2, 12, 0, 0).unwrap();
/// entries.extend(account.apply(&program, &Event::new("in", later, EventKind::CheckedIn)).unwrap().journal);
/// let page = journal::statement_page(&entries, loyalty::Points::ZERO, 0, 10).unwrap();
/// assert_eq!(page.total, 2);
/// assert_eq!((page.lines[0].kind.as_str(), page.lines[0].points.get(), page.lines[0].balance.get()), ("points_earned", 5, 105));
/// assert_eq!(page.balance.get(), 105);
/// ```
///
/// # Errors
/// [`AccountError::InvalidField`](crate::AccountError::InvalidField) naming `per_page` (0 or
/// more than [`MAX_PAGE_LINES`]) or `entries` (not numbered one after another).
pub fn statement_page(
    entries: &[JournalEntry],
    opening: Points,
    page: usize,
    per_page: usize,
) -> Result<StatementPage, crate::AccountError> {
    if per_page == 0 || per_page > MAX_PAGE_LINES {
        return Err(crate::AccountError::invalid("per_page", per_page, format!("must be 1 to {MAX_PAGE_LINES}")));
    }
    if let Some(w) = entries.windows(2).find(|w| w[1].seq != w[0].seq.wrapping_add(1)) {
        return Err(crate::AccountError::invalid(
            "entries",
            w[1].seq,
            format!("must follow entry {} without a gap", w[0].seq),
        ));
    }
    let mut balance = opening;
    let mut lines = Vec::new();
    for entry in entries {
        for effect in &entry.effects {
            let points = effect.balance_change();
            balance = balance.checked_add(points).ok_or_else(|| {
                crate::AccountError::invalid("entries", entry.seq, "adds up to more points than a balance can hold")
            })?;
            lines.push((entry, effect, points, balance));
        }
    }
    let total = lines.len();
    let page_lines = lines
        .iter()
        .rev()
        .skip(page.saturating_mul(per_page))
        .take(per_page)
        .map(|(entry, effect, points, balance)| StatementLine {
            seq: entry.seq,
            at: entry.at,
            event_id: entry.event_id.clone(),
            kind: kind_of(effect),
            points: *points,
            balance: *balance,
        })
        .collect();
    Ok(StatementPage { lines: page_lines, total, balance })
}

/// An effect's type as JSON writes it (`points_earned`).
fn kind_of(effect: &Effect) -> String {
    match serde_json::to_value(effect) {
        Ok(serde_json::Value::Object(map)) => map.get("type").and_then(|t| t.as_str()).unwrap_or_default().to_string(),
        _ => String::new(),
    }
}
