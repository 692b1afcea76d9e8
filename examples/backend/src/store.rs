//! The SQLite store: one row per member (snapshot and revision), the member's journal, the
//! outcome of each applied event id, HTTP idempotency keys, and resumable clock runs.
//!
//! Every event is one transaction (`BEGIN IMMEDIATE`): a stored outcome for the event id
//! answers a repeat at once (also after the core's idempotency horizon); otherwise the
//! snapshot is loaded, the event applied, the row written only if its revision is still the
//! one read (compare-and-swap: a lost race retries), and the journal entries the outcome
//! carries appended. SQLite runs in WAL mode; `synchronous = NORMAL` keeps every committed
//! transaction through a crash of the process (what the crash test kills), `FULL` also
//! through a power cut.

use chrono::{DateTime, Utc};
use loyalty::{Account, AccountError, Event, JournalEntry, Outcome, Program, SnapshotError};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Why a call failed: the client's fault (the core's typed errors, bad input, an unknown
/// member) or the store's.
#[derive(Debug)]
pub enum Failure {
    /// The core refused the event or the query.
    Core(AccountError),
    /// A parameter the core never sees was bad.
    Input {
        /// The parameter.
        field: String,
        /// Its value.
        value: String,
        /// Why.
        reason: String,
    },
    /// No such member.
    UnknownMember(String),
    /// An idempotency key was sent again with another request.
    KeyReused(String),
    /// A stored snapshot does not load (the store was changed by hand).
    Snapshot(SnapshotError),
    /// The database failed.
    Db(rusqlite::Error),
    /// Too many lost races in a row.
    Contended,
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Failure {
        Failure::Db(e)
    }
}

/// How hard a commit waits for the disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// Committed transactions survive a crash of the process (`synchronous = NORMAL`).
    Process,
    /// Committed transactions survive a power cut as well (`synchronous = FULL`).
    Power,
}

/// The store: a pool of SQLite connections and the programs by version.
pub struct Store {
    path: PathBuf,
    durability: Durability,
    pool: Mutex<Vec<Connection>>,
    programs: Mutex<HashMap<i64, Arc<Program>>>,
    current: i64,
    /// Writers queue here rather than in SQLite's busy handler, which sleeps in growing steps
    /// (up to 100 ms) while another connection holds the write lock: with it the load bench's
    /// p99 was 34 ms, most of it asleep. Readers do not take it (WAL lets them read while a
    /// write is under way).
    writer: Mutex<()>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS programs (
    version INTEGER PRIMARY KEY, body TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS members (
    member_id TEXT PRIMARY KEY, program_version INTEGER NOT NULL REFERENCES programs(version),
    revision INTEGER NOT NULL, snapshot TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS journal (
    member_id TEXT NOT NULL, seq INTEGER NOT NULL, event_id TEXT, at TEXT NOT NULL, entry TEXT NOT NULL,
    PRIMARY KEY (member_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
    member_id TEXT NOT NULL, event_id TEXT NOT NULL, fingerprint INTEGER NOT NULL, outcome TEXT NOT NULL,
    PRIMARY KEY (member_id, event_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS requests (
    idempotency_key TEXT PRIMARY KEY, request_hash INTEGER NOT NULL, body TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS advance_runs (
    at TEXT PRIMARY KEY, last_member TEXT NOT NULL, members INTEGER NOT NULL, done INTEGER NOT NULL);
";

/// Lost compare-and-swap races retried before giving up.
const MAX_ATTEMPTS: usize = 8;

/// What a nightly clock run did.
#[derive(Debug, serde::Serialize)]
pub struct AdvanceReport {
    /// The instant members were brought to.
    pub at: DateTime<Utc>,
    /// Members looked at by this call.
    pub members: u64,
    /// Members whose snapshot changed in this call.
    pub changed: u64,
    /// Members whose stored snapshot did not load (left as they are).
    pub skipped: u64,
    /// Whether the run has reached the last member (calling again does nothing).
    pub done: bool,
}

impl Store {
    /// Opens (or creates) the database at `path` and registers `program_json` as the current
    /// program (a new version when it differs from the latest stored one).
    ///
    /// # Errors
    /// A database error, or the program's own validation error as [`Failure::Input`].
    pub fn open(path: &Path, program_json: &str, durability: Durability) -> Result<Store, Failure> {
        let program = Program::from_json(program_json).map_err(|e| Failure::Input {
            field: "program".into(),
            value: e.field(),
            reason: e.to_string(),
        })?;
        let conn = connect(path, durability)?;
        conn.execute_batch(SCHEMA)?;
        let latest: Option<(i64, String)> = conn
            .query_row("SELECT version, body FROM programs ORDER BY version DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let body = program.to_json();
        let current = match latest {
            Some((v, b)) if b == body => v,
            other => {
                let v = other.map_or(1, |(v, _)| v + 1);
                conn.execute(
                    "INSERT INTO programs (version, body, created_at) VALUES (?1, ?2, ?3)",
                    params![v, body, Utc::now().to_rfc3339()],
                )?;
                v
            }
        };
        let mut programs = HashMap::new();
        programs.insert(current, Arc::new(program));
        Ok(Store {
            path: path.to_path_buf(),
            durability,
            pool: Mutex::new(vec![conn]),
            programs: Mutex::new(programs),
            current,
            writer: Mutex::new(()),
        })
    }

    /// The version new members get.
    pub fn current_version(&self) -> i64 {
        self.current
    }

    fn with_conn<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, Failure>) -> Result<T, Failure> {
        let taken = self.pool.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
        let mut conn = match taken {
            Some(c) => c,
            None => connect(&self.path, self.durability)?,
        };
        let out = f(&mut conn);
        self.pool.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(conn);
        out
    }

    fn program(&self, conn: &Connection, version: i64) -> Result<Arc<Program>, Failure> {
        if let Some(p) = self.programs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&version) {
            return Ok(Arc::clone(p));
        }
        let body: String = conn.query_row("SELECT body FROM programs WHERE version = ?1", [version], |r| r.get(0))?;
        let program = Program::from_json(&body).map_err(|e| Failure::Input {
            field: "program".into(),
            value: version.to_string(),
            reason: e.to_string(),
        })?;
        let program = Arc::new(program);
        self.programs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(version, Arc::clone(&program));
        Ok(program)
    }

    /// Applies `event` to `member_id` (created on its first event) in one transaction; returns
    /// the outcome as JSON. With an idempotency key, a repeat of the same request returns the
    /// stored response and a different request under the same key is refused.
    ///
    /// # Errors
    /// The core's refusal, [`Failure::KeyReused`], or the store's failure.
    pub fn apply(&self, member_id: &str, event: &Event, key: Option<(&str, u64)>) -> Result<String, Failure> {
        self.with_conn(|conn| {
            // A panic elsewhere while holding it leaves nothing half-done here (the
            // transaction rolled back), so a poisoned lock is taken as it is.
            let _writing = self.writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            for _ in 0..MAX_ATTEMPTS {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                if let Some((key, hash)) = key {
                    let stored: Option<(i64, String)> = tx
                        .query_row(
                            "SELECT request_hash, body FROM requests WHERE idempotency_key = ?1",
                            [key],
                            |r| Ok((r.get(0)?, r.get(1)?)),
                        )
                        .optional()?;
                    if let Some((h, body)) = stored {
                        return if h == hash as i64 { Ok(body) } else { Err(Failure::KeyReused(key.to_string())) };
                    }
                }
                let fingerprint = event.fingerprint() as i64;
                let seen: Option<(i64, String)> = tx
                    .query_row(
                        "SELECT fingerprint, outcome FROM events WHERE member_id = ?1 AND event_id = ?2",
                        params![member_id, event.id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                if let Some((f, outcome)) = seen {
                    if f != fingerprint {
                        return Err(Failure::Core(AccountError::IdConflict { event_id: event.id.clone() }));
                    }
                    return Ok(replayed(&outcome));
                }
                let row: Option<(i64, i64, String)> = tx
                    .query_row(
                        "SELECT program_version, revision, snapshot FROM members WHERE member_id = ?1",
                        [member_id],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?;
                let (version, revision, mut account) = match row {
                    Some((v, rev, snapshot)) => (v, Some(rev), Account::from_json(&snapshot).map_err(Failure::Snapshot)?),
                    None => (self.current, None, Account::try_new(member_id).map_err(Failure::Core)?),
                };
                let program = self.program(&tx, version)?;
                let outcome = account.apply(&program, event).map_err(Failure::Core)?;
                let body = serde_json::to_string(&outcome).unwrap_or_default();
                let written = match revision {
                    Some(old) => tx.execute(
                        "UPDATE members SET revision = ?1, snapshot = ?2 WHERE member_id = ?3 AND revision = ?4",
                        params![account.revision() as i64, account.to_json(), member_id, old],
                    )?,
                    None => tx.execute(
                        "INSERT OR IGNORE INTO members (member_id, program_version, revision, snapshot) VALUES (?1, ?2, ?3, ?4)",
                        params![member_id, version, account.revision() as i64, account.to_json()],
                    )?,
                };
                if written == 0 {
                    // Another writer moved the member on since the read: read again.
                    drop(tx);
                    continue;
                }
                append(&tx, member_id, &outcome.journal)?;
                tx.execute(
                    "INSERT INTO events (member_id, event_id, fingerprint, outcome) VALUES (?1, ?2, ?3, ?4)",
                    params![member_id, event.id, fingerprint, body],
                )?;
                if let Some((key, hash)) = key {
                    tx.execute(
                        "INSERT INTO requests (idempotency_key, request_hash, body) VALUES (?1, ?2, ?3)",
                        params![key, hash as i64, body],
                    )?;
                }
                tx.commit()?;
                return Ok(body);
            }
            Err(Failure::Contended)
        })
    }

    /// The member's account and program as stored.
    fn load(&self, conn: &Connection, member_id: &str) -> Result<(Account, Arc<Program>), Failure> {
        let row: Option<(i64, String)> = conn
            .query_row("SELECT program_version, snapshot FROM members WHERE member_id = ?1", [member_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let (version, snapshot) = row.ok_or_else(|| Failure::UnknownMember(member_id.to_string()))?;
        let account = Account::from_json(&snapshot).map_err(Failure::Snapshot)?;
        Ok((account, self.program(conn, version)?))
    }

    /// Balances as of `as_of` (by default the later of now and the account's clock), JSON.
    ///
    /// # Errors
    /// [`Failure::UnknownMember`], the core's `as_of_before_clock`, or the store's failure.
    pub fn balances(&self, member_id: &str, as_of: Option<DateTime<Utc>>) -> Result<String, Failure> {
        self.with_conn(|conn| {
            let (account, program) = self.load(conn, member_id)?;
            let as_of = as_of.unwrap_or_else(|| Utc::now().max(account.clock()));
            let b = account.balances(&program, as_of).map_err(Failure::Core)?;
            Ok(serde_json::to_string(&b).unwrap_or_default())
        })
    }

    /// Tier progress as of `as_of` (default as for balances), JSON (`null` without tiers).
    ///
    /// # Errors
    /// As [`Store::balances`].
    pub fn tier(&self, member_id: &str, as_of: Option<DateTime<Utc>>) -> Result<String, Failure> {
        self.with_conn(|conn| {
            let (account, program) = self.load(conn, member_id)?;
            let as_of = as_of.unwrap_or_else(|| Utc::now().max(account.clock()));
            let t = account.tier_progress(&program, as_of).map_err(Failure::Core)?;
            Ok(serde_json::to_string(&t).unwrap_or_default())
        })
    }

    /// A page of the member's statement (0 is the newest), rendered from the journal, JSON.
    ///
    /// # Errors
    /// [`Failure::UnknownMember`], the core's refusal of the page size, or the store's failure.
    pub fn history(&self, member_id: &str, page: usize, per_page: usize) -> Result<String, Failure> {
        self.with_conn(|conn| {
            let entries = journal(conn, member_id)?;
            if entries.is_empty() {
                let known: Option<i64> = conn
                    .query_row("SELECT 1 FROM members WHERE member_id = ?1", [member_id], |r| r.get(0))
                    .optional()?;
                if known.is_none() {
                    return Err(Failure::UnknownMember(member_id.to_string()));
                }
            }
            let page = loyalty::journal::statement_page(&entries, loyalty::Points::ZERO, page, per_page)
                .map_err(Failure::Core)?;
            Ok(serde_json::to_string(&page).unwrap_or_default())
        })
    }

    /// The member's whole journal, in order.
    ///
    /// # Errors
    /// The store's failure.
    pub fn journal(&self, member_id: &str) -> Result<Vec<JournalEntry>, Failure> {
        self.with_conn(|conn| journal(conn, member_id))
    }

    /// Brings every member's clock to `at`, `batch` members per transaction, in member id
    /// order; a run interrupted (a crash) starts again after the last batch committed.
    ///
    /// # Errors
    /// The store's failure (the batch in hand is rolled back).
    pub fn advance(&self, at: DateTime<Utc>, batch: usize) -> Result<AdvanceReport, Failure> {
        let key = at.to_rfc3339();
        let mut report = AdvanceReport { at, members: 0, changed: 0, skipped: 0, done: false };
        self.with_conn(|conn| loop {
            // A panic elsewhere while holding it leaves nothing half-done here (the
            // transaction rolled back), so a poisoned lock is taken as it is.
            let _writing = self.writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let run: Option<(String, i64)> = tx
                .query_row("SELECT last_member, done FROM advance_runs WHERE at = ?1", [&key], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            let last = match run {
                Some((_, 1)) => {
                    report.done = true;
                    return Ok(report);
                }
                Some((last, _)) => last,
                None => String::new(),
            };
            let rows: Vec<(String, i64, i64, String)> = {
                let mut stmt = tx.prepare(
                    "SELECT member_id, program_version, revision, snapshot FROM members WHERE member_id > ?1 ORDER BY member_id LIMIT ?2",
                )?;
                let rows = stmt.query_map(params![last, batch as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
                rows.collect::<Result<_, _>>()?
            };
            let Some(end) = rows.last().map(|r| r.0.clone()) else {
                tx.execute(
                    "INSERT INTO advance_runs (at, last_member, members, done) VALUES (?1, ?2, 0, 1)
                     ON CONFLICT (at) DO UPDATE SET done = 1",
                    params![key, last],
                )?;
                tx.commit()?;
                report.done = true;
                return Ok(report);
            };
            for (member_id, version, revision, snapshot) in &rows {
                report.members += 1;
                // A member whose stored snapshot does not load (edited by hand) or who cannot
                // advance is skipped and counted, not allowed to stop the run for everyone.
                let Ok(mut account) = Account::from_json(snapshot) else {
                    report.skipped += 1;
                    continue;
                };
                let program = self.program(&tx, *version)?;
                let Ok(outcome) = account.advance(&program, at) else {
                    report.skipped += 1;
                    continue;
                };
                if account.revision() as i64 != *revision {
                    let written = tx.execute(
                        "UPDATE members SET revision = ?1, snapshot = ?2 WHERE member_id = ?3 AND revision = ?4",
                        params![account.revision() as i64, account.to_json(), member_id, revision],
                    )?;
                    if written == 0 {
                        // Written by another process since the read: the batch runs again.
                        return Err(Failure::Contended);
                    }
                    append(&tx, member_id, &outcome.journal)?;
                    report.changed += 1;
                }
            }
            tx.execute(
                "INSERT INTO advance_runs (at, last_member, members, done) VALUES (?1, ?2, ?3, 0)
                 ON CONFLICT (at) DO UPDATE SET last_member = ?2, members = members + ?3",
                params![key, end, rows.len() as i64],
            )?;
            tx.commit()?;
        })
    }

    /// Counts for the health check: members, journal entries, applied events.
    ///
    /// # Errors
    /// The store's failure.
    pub fn counts(&self) -> Result<(i64, i64, i64), Failure> {
        self.with_conn(|conn| {
            let count =
                |table: &str| conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get::<_, i64>(0));
            Ok((count("members")?, count("journal")?, count("events")?))
        })
    }
}

fn connect(path: &Path, durability: Durability) -> Result<Connection, Failure> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let sync = match durability {
        Durability::Process => "NORMAL",
        Durability::Power => "FULL",
    };
    conn.execute_batch(&format!("PRAGMA journal_mode = WAL; PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON;"))?;
    Ok(conn)
}

fn append(tx: &rusqlite::Transaction<'_>, member_id: &str, entries: &[JournalEntry]) -> Result<(), Failure> {
    let mut stmt =
        tx.prepare_cached("INSERT INTO journal (member_id, seq, event_id, at, entry) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for e in entries {
        stmt.execute(params![
            member_id,
            e.seq as i64,
            e.event_id,
            e.at.to_rfc3339(),
            serde_json::to_string(e).unwrap_or_default()
        ])?;
    }
    Ok(())
}

fn journal(conn: &Connection, member_id: &str) -> Result<Vec<JournalEntry>, Failure> {
    let mut stmt = conn.prepare_cached("SELECT entry FROM journal WHERE member_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map([member_id], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        let text = row?;
        let entry: JournalEntry = serde_json::from_str(&text).map_err(|e| {
            Failure::Snapshot(SnapshotError::Corrupt { field: "journal".into(), reason: e.to_string() })
        })?;
        out.push(entry);
    }
    Ok(out)
}

/// A stored outcome as a repeat gets it: the same effects, `duplicate`, no new journal entries.
fn replayed(stored: &str) -> String {
    match serde_json::from_str::<Outcome>(stored) {
        Ok(mut o) => {
            o.duplicate = true;
            o.journal.clear();
            serde_json::to_string(&o).unwrap_or_default()
        }
        Err(_) => stored.to_string(),
    }
}
