//! Points moving between two members' accounts, both sides at once.

use super::{decide, Account, AccountError, Outcome};
use crate::event::{Event, EventKind, ReceivedLot};
use crate::points::Points;
use crate::program::Program;
use chrono::{DateTime, Utc};

/// What a transfer did to each side.
#[derive(Clone, Debug, PartialEq)]
pub struct Transfer {
    /// The sender's outcome.
    pub sent: Outcome,
    /// The receiver's outcome.
    pub received: Outcome,
}

/// Moves `points` usable points from one member to another, atomically: either both accounts
/// change or neither does. The sender's lots are drawn in spend order; the receiver gets one
/// lot per lot drawn, with its original earning date and (unless the program's
/// `transfers.reset_expiry` is set) its original expiry. Both statements record it, and `id`
/// makes it idempotent on both sides. Transfers count toward no one's tier.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use loyalty::{transfer, Account, Event, EventKind, Program};
/// let program = Program::from_json(r#"{"name": "Family", "version": 1, "currency": "USD",
///     "time_zone": "UTC", "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
///     "redemption": {"point_value": "0.01"}}"#).unwrap();
/// let t = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
/// let (mut mum, mut kid) = (Account::new("mum"), Account::new("kid"));
/// mum.apply(&program, &Event::new("o1", t, EventKind::OrderPlaced {
///     order_id: "o1".into(), amount: "80".parse().unwrap(), channel: None, lines: vec![], stored_value: None, coupons: vec![], reservation_key: None })).unwrap();
/// transfer(&program, &mut mum, &mut kid, "tr-1", t, 30).unwrap();
/// assert_eq!(mum.balances(&program, t).unwrap().available.get(), 50);
/// assert_eq!(kid.balances(&program, t).unwrap().available.get(), 30);
/// // The same transfer again changes nothing.
/// assert!(transfer(&program, &mut mum, &mut kid, "tr-1", t, 30).unwrap().sent.duplicate);
/// ```
///
/// # Errors
/// The sender's or the receiver's [`AccountError`] (the sender's first); neither account
/// changes.
pub fn transfer(
    program: &Program,
    from: &mut Account,
    to: &mut Account,
    id: &str,
    at: DateTime<Utc>,
    points: i64,
) -> Result<Transfer, AccountError> {
    let sent = Event::new(id, at, EventKind::PointsSent { to_member_id: to.member_id.clone(), points });
    if from.keys.contains_key(id) || to.keys.contains_key(id) {
        // A replay: both sides must know it, with the same sending payload.
        let (Some(key), Some(_)) = (from.keys.get(id), to.keys.get(id)) else {
            return Err(AccountError::IdConflict { event_id: id.to_string() });
        };
        if key.fingerprint != sent.fingerprint() {
            return Err(AccountError::IdConflict { event_id: id.to_string() });
        }
        let (Some(s), Some(r)) = (from.outcome_of(id), to.outcome_of(id)) else {
            return Err(AccountError::IdConflict { event_id: id.to_string() });
        };
        return Ok(Transfer { sent: s, received: r });
    }
    decide::decide(from, program, &sent)?;
    // Which lots will move: the sender as it will be at `at`, drawn in spend order.
    let (mut ledger, _) = from.project(program, at);
    let draws = ledger.draw(Points::new(points));
    let lots: Vec<ReceivedLot> = draws
        .iter()
        .filter_map(|d| {
            ledger.lot(d.lot).map(|l| ReceivedLot {
                points: d.points.get(),
                earned_at: l.earned_at,
                expires_at: l.expires_at,
            })
        })
        .collect();
    let received = Event::new(id, at, EventKind::PointsReceived { from_member_id: from.member_id.clone(), lots });
    decide::decide(to, program, &received)?;
    // Both sides decided: neither can fail now.
    let sent = from.apply_any(program, &sent)?;
    let received = to.apply_any(program, &received)?;
    Ok(Transfer { sent, received })
}

impl Account {
    /// The outcome of an applied event, as a replay would return it.
    pub(crate) fn outcome_of(&self, id: &str) -> Option<Outcome> {
        let key = self.keys.get(id)?;
        let effects = self.entry(key.entry).map(|e| e.effects.to_vec()).unwrap_or_default();
        Some(Outcome { effects, duplicate: true, revision: self.revision, journal: Vec::new() })
    }
}
