//! The purchase path's outcomes as numbers instead of JSON text.
//!
//! An order's outcome is almost always a few effects made of numbers, instants and the
//! program's own names (points earned, pending points activated, points expired or expiring
//! soon, a tier reached, kept or lost). Writing them as `f64`s into a buffer that
//! `loyalty.js` reads through a `Float64Array`, and building the objects there with
//! literals, costs a fraction of serializing JSON, crossing it as a string and
//! `JSON.parse`-ing it. Any other effect (a downgrade warning, with its missing amounts, is
//! one), or an outcome too long for the buffer, goes as JSON as before: the tape is a faster
//! spelling of the same outcome, never a different one (`test/tape.test.js` compares the two
//! on every path).
//!
//! Layout, in `f64`s: revision, duplicate (0 or 1), the number of effects, then per effect a
//! kind code and its fields in the order of their JSON:
//!
//! | code | effect | fields |
//! |---|---|---|
//! | 1 | `pointsEarned` | lot, points, rule count, rule name indices, availableAt ms, expiresAt ms or NaN, pending |
//! | 2 | `pendingActivated` | lot, points, expiresAt ms or NaN |
//! | 3 | `pointsExpired` | points, lot count, lots, at ms |
//! | 4 | `pointsExpiringSoon` | points, lot count, lots, expiresAt ms |
//! | 5 | `tierUpgraded` | from, to, validUntil ms or NaN, reason, rewardPoints or NaN, rewardId or NaN |
//! | 6 | `tierRetained` | tier, validUntil ms or NaN |
//! | 7 | `tierDowngraded` | from, to, reason, validUntil ms or NaN |
//!
//! After the effects: the number of journal entries, then per entry its seq, its instant in
//! ms, its number of effects (the outcome's effects in order), 1 when it is the event's own
//! entry (its id is the event's) or 0 for the clock's, and its format.
//!
//! Rule names, tier names, reasons and reward ids (all a program's own words) are indices into
//! a table per program that grows as names first appear; the names new to a call are returned
//! beside the tape, for `loyalty.js` to append to its copy.

use chrono::{DateTime, Utc};
use loyalty::{Effect, Outcome};
use std::collections::HashMap;

/// The rule names a program's outcomes have used, numbered in order of first use.
#[derive(Default)]
pub(crate) struct Names {
    index: HashMap<Box<str>, u32, foldhash::fast::FixedState>,
}

impl Names {
    /// The name's number; a name never seen before is numbered next and pushed to `new`.
    fn number(&mut self, name: &str, new: &mut Vec<Box<str>>) -> f64 {
        if let Some(&i) = self.index.get(name) {
            return f64::from(i);
        }
        let i = u32::try_from(self.index.len()).unwrap_or(u32::MAX);
        self.index.insert(name.into(), i);
        new.push(name.into());
        f64::from(i)
    }
}

/// A cursor over the caller's buffer; `None` once it is full.
struct Writer<'a> {
    out: &'a mut [u8],
    at: usize,
}

impl Writer<'_> {
    fn put(&mut self, v: f64) -> Option<()> {
        let slot = self.out.get_mut(self.at..self.at + 8)?;
        slot.copy_from_slice(&v.to_ne_bytes());
        self.at += 8;
        Some(())
    }

    fn count(&mut self, n: usize) -> Option<()> {
        self.put(n as f64)
    }

    fn instant(&mut self, t: DateTime<Utc>) -> Option<()> {
        self.put(t.timestamp_millis() as f64)
    }

    fn maybe_instant(&mut self, t: Option<DateTime<Utc>>) -> Option<()> {
        self.put(t.map_or(f64::NAN, |t| t.timestamp_millis() as f64))
    }

    /// A name's number in the program's table; `None` (the outcome goes as JSON) for a name
    /// with a NUL, since new names cross NUL-terminated.
    fn name(&mut self, name: &str, names: &mut Names, new: &mut Vec<Box<str>>) -> Option<()> {
        if name.contains('\0') {
            return None;
        }
        let n = names.number(name, new);
        self.put(n)
    }

    /// An effect of points over lots at an instant (expired, expiring soon).
    fn lots(&mut self, code: f64, points: loyalty::Points, lots: &[loyalty::LotId], t: DateTime<Utc>) -> Option<()> {
        self.put(code)?;
        self.put(points.get() as f64)?;
        self.count(lots.len())?;
        for lot in lots {
            self.put(f64::from(lot.0))?;
        }
        self.instant(t)
    }
}

/// Instants the tape can carry as the JSON path's `new Date(text)` reads them: whole
/// milliseconds (a `Date`'s precision) of the years 0000 to 9999 (chrono spells later years
/// `+10000-...`, which `Date` does not parse).
fn whole_ms(t: DateTime<Utc>) -> bool {
    t.timestamp_subsec_nanos().is_multiple_of(1_000_000)
        && (-62_167_219_200_000..=253_402_300_799_999).contains(&t.timestamp_millis())
}

/// Writes the outcome to `out`; returns the rule names new to `names`, or `None` when the
/// outcome must go as JSON (an effect the tape does not carry, or too long for `out`). On
/// `None`, `names` is as it was.
pub(crate) fn write(outcome: &Outcome, names: &mut Names, out: &mut [u8]) -> Option<Vec<Box<str>>> {
    let mut w = Writer { out, at: 0 };
    let mut new = Vec::new();
    let written = (|| {
        w.put(outcome.revision as f64)?;
        w.put(if outcome.duplicate { 1.0 } else { 0.0 })?;
        w.count(outcome.effects.len())?;
        for effect in &outcome.effects {
            match effect {
                Effect::PointsEarned { lot, points, rules, available_at, expires_at, pending }
                    if whole_ms(*available_at) && expires_at.is_none_or(whole_ms) =>
                {
                    w.put(1.0)?;
                    w.put(f64::from(lot.0))?;
                    w.put(points.get() as f64)?;
                    w.count(rules.len())?;
                    for rule in rules.iter() {
                        w.name(rule, names, &mut new)?;
                    }
                    w.instant(*available_at)?;
                    w.maybe_instant(*expires_at)?;
                    w.put(if *pending { 1.0 } else { 0.0 })?;
                }
                Effect::PendingActivated { lot, points, expires_at } if expires_at.is_none_or(whole_ms) => {
                    w.put(2.0)?;
                    w.put(f64::from(lot.0))?;
                    w.put(points.get() as f64)?;
                    w.maybe_instant(*expires_at)?;
                }
                Effect::PointsExpired { points, lots, at } if whole_ms(*at) => w.lots(3.0, *points, lots, *at)?,
                Effect::PointsExpiringSoon { points, lots, expires_at } if whole_ms(*expires_at) => {
                    w.lots(4.0, *points, lots, *expires_at)?
                }
                Effect::TierUpgraded { from, to, valid_until, reason, reward_points, reward_id }
                    if valid_until.is_none_or(whole_ms) =>
                {
                    w.put(5.0)?;
                    w.name(from, names, &mut new)?;
                    w.name(to, names, &mut new)?;
                    w.maybe_instant(*valid_until)?;
                    w.name(reason, names, &mut new)?;
                    w.put(reward_points.map_or(f64::NAN, |p| p.get() as f64))?;
                    match reward_id {
                        Some(id) => w.name(id, names, &mut new)?,
                        None => w.put(f64::NAN)?,
                    }
                }
                Effect::TierRetained { tier, valid_until } if valid_until.is_none_or(whole_ms) => {
                    w.put(6.0)?;
                    w.name(tier, names, &mut new)?;
                    w.maybe_instant(*valid_until)?;
                }
                Effect::TierDowngraded { from, to, reason, valid_until } if valid_until.is_none_or(whole_ms) => {
                    w.put(7.0)?;
                    w.name(from, names, &mut new)?;
                    w.name(to, names, &mut new)?;
                    w.name(reason, names, &mut new)?;
                    w.maybe_instant(*valid_until)?;
                }
                _ => return None,
            }
        }
        // The journal entries split the same effects: per entry its seq, instant, number of
        // effects and whether it is the event's own (its id is the event's).
        w.count(outcome.journal.len())?;
        for entry in &outcome.journal {
            if !whole_ms(entry.at) {
                return None;
            }
            w.put(entry.seq as f64)?;
            w.instant(entry.at)?;
            w.count(entry.effects.len())?;
            w.put(if entry.event_id.is_some() { 1.0 } else { 0.0 })?;
            w.put(f64::from(entry.format))?;
        }
        Some(())
    })();
    match written {
        Some(()) => Some(new),
        None => {
            // Names numbered by this call are forgotten again, so the table stays the one
            // `loyalty.js` holds.
            for name in &new {
                names.index.remove(name);
            }
            None
        }
    }
}
