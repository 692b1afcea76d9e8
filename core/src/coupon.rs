//! The member's coupons and their lifecycle: issued → reserved (under a key, for one
//! checkout; released by the host or when the hold times out) → redeemed on an order →
//! returned to issued when that order is cancelled before the coupon's validity ends, or
//! expired if it has ended. Bought coupons can also be cancelled while unused. Whether a
//! coupon may be used at an instant is decided here; what it takes off an order is the
//! program's (`program/coupons.rs`).

use crate::effect::Effect;
use crate::program::{CouponDefinition, Coupons, Issue, Program};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most coupons one account holds in its life.
pub const MAX_COUPONS: usize = 10_000;

/// A member's coupons.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct Wallet {
    /// Every coupon the member was issued, by coupon id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub held: BTreeMap<String, HeldCoupon>,
    /// Redemptions per definition that count toward its per-member limit.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub redeemed: BTreeMap<String, u32>,
    /// The last birthday year each birthday definition was issued for.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub birthday_years: BTreeMap<String, i32>,
    /// Redeemed coupons forgotten with their orders (`account/retire.rs`), per definition: they
    /// still count in `redeemed`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub forgotten: BTreeMap<String, u32>,
}

/// One coupon a member holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct HeldCoupon {
    pub definition: String,
    pub issued_at: DateTime<Utc>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    /// When the reminder goes out; `None` once sent, or without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remind_at: Option<DateTime<Utc>>,
    pub state: CouponState,
    /// Bought with points (the redemption has the coupon's id).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bought: bool,
}

/// Where a coupon is in its lifecycle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "state", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum CouponState {
    /// Usable.
    Issued,
    /// Held for one checkout under `key` until `until`.
    Reserved {
        /// The checkout's key.
        key: String,
        /// When the hold ends by itself.
        until: DateTime<Utc>,
    },
    /// Used on an order.
    Redeemed {
        /// The order.
        order_id: String,
        /// What it took off.
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        discount: Decimal,
    },
    /// Its validity ended unused.
    Expired,
    /// A bought coupon given back for its points.
    Cancelled,
}

/// A coupon as the member sees it (see [`crate::Account::coupons`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MemberCoupon {
    /// The coupon's id.
    pub coupon_id: String,
    /// Its definition in the program.
    pub definition: String,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// When it becomes usable.
    pub valid_from: DateTime<Utc>,
    /// When it stops being usable (excluded).
    pub valid_until: DateTime<Utc>,
    /// Its state as of the instant asked about.
    #[serde(flatten)]
    pub state: CouponState,
}

/// How a coupon came to the member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    Joined,
    Birthday(i32),
    Tier(String),
    Bought,
    Granted(String),
}

impl Origin {
    fn source(&self) -> String {
        match self {
            Origin::Joined => "joined".into(),
            Origin::Birthday(y) => format!("birthday:{y}"),
            Origin::Tier(t) => format!("tier:{t}"),
            Origin::Bought => "bought".into(),
            Origin::Granted(_) => "granted".into(),
        }
    }
}

impl Wallet {
    pub(crate) fn is_empty(&self) -> bool {
        *self == Wallet::default()
    }

    /// Forgets coupons that are done with: used on an order the account no longer keeps,
    /// or expired or cancelled with a validity that ended before `cut` (what counts toward
    /// per-member limits is kept apart, in `redeemed`).
    pub(crate) fn forget(&mut self, cut: DateTime<Utc>, order_kept: impl Fn(&str) -> bool) {
        let forgotten = &mut self.forgotten;
        self.held.retain(|_, c| match &c.state {
            CouponState::Redeemed { order_id, .. } => {
                let keep = order_kept(order_id);
                if !keep {
                    let n = forgotten.entry(c.definition.clone()).or_default();
                    *n = n.saturating_add(1);
                }
                keep
            }
            CouponState::Expired | CouponState::Cancelled => c.valid_until >= cut,
            CouponState::Issued | CouponState::Reserved { .. } => true,
        });
    }

    /// The coupon's state as it will be at `t`: a hold past its time is released, an
    /// unused coupon past its validity has expired.
    pub(crate) fn state_at(c: &HeldCoupon, t: DateTime<Utc>) -> CouponState {
        match &c.state {
            CouponState::Issued | CouponState::Reserved { .. } if c.valid_until <= t => CouponState::Expired,
            CouponState::Reserved { until, .. } if *until <= t => CouponState::Issued,
            s => s.clone(),
        }
    }

    /// Whether `coupon_id` can be used at `t` by a checkout holding `key`: why not, if not.
    /// A coupon reserved under another key is not available; one reserved under `key` is.
    pub(crate) fn usable(&self, coupon_id: &str, key: Option<&str>, t: DateTime<Utc>) -> Result<&HeldCoupon, Refusal> {
        let c = self.held.get(coupon_id).ok_or(Refusal::Unknown)?;
        let why = match Self::state_at(c, t) {
            CouponState::Issued if c.valid_from > t => format!("is valid from {}", c.valid_from.to_rfc3339()),
            CouponState::Issued => return Ok(c),
            CouponState::Reserved { key: k, .. } if Some(k.as_str()) == key => return Ok(c),
            CouponState::Reserved { .. } => "is reserved for another checkout".to_string(),
            CouponState::Redeemed { order_id, .. } => format!("was redeemed on order {order_id:?}"),
            CouponState::Expired => format!("expired at {}", c.valid_until.to_rfc3339()),
            CouponState::Cancelled => "was cancelled".to_string(),
        };
        Err(Refusal::Not(why))
    }

    /// Why a member may not redeem one more coupon of `definition` (its per-member limit),
    /// `already` of them being on the same order.
    pub(crate) fn over_limit(&self, def: &CouponDefinition, already: u32) -> Option<String> {
        let limit = def.per_member_limit?;
        let used = self.redeemed.get(&def.id).copied().unwrap_or(0).saturating_add(already);
        (used >= limit).then(|| format!("has been redeemed {used} times, the most per member ({limit})"))
    }

    /// Issues a coupon of `def` with id `coupon_id` at `at`, unless its fixed window has
    /// ended (nothing is issued then) or the account holds the most coupons it may.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn issue(
        &mut self,
        program: &Program,
        def: &CouponDefinition,
        coupon_id: String,
        origin: Origin,
        at: DateTime<Utc>,
        effects: &mut Vec<Effect>,
    ) {
        if self.held.len() >= MAX_COUPONS || self.held.contains_key(&coupon_id) {
            return;
        }
        let Some((valid_from, valid_until)) = def.validity_at(program, at) else { return };
        let remind_at = def.remind_at(program, valid_until);
        let reason = match &origin {
            Origin::Granted(r) => Some(r.clone()),
            _ => None,
        };
        effects.push(Effect::CouponIssued {
            coupon_id: coupon_id.clone(),
            definition: def.id.clone(),
            source: origin.source(),
            reason,
            valid_from,
            valid_until,
        });
        let mut coupon = HeldCoupon {
            definition: def.id.clone(),
            issued_at: at,
            valid_from,
            valid_until,
            remind_at,
            state: CouponState::Issued,
            bought: origin == Origin::Bought,
        };
        // A reminder that falls at or before the issue goes out with it.
        if remind_at.is_some_and(|r| r <= at) {
            coupon.remind_at = None;
            effects.push(Effect::CouponExpiringSoon {
                coupon_id: coupon_id.clone(),
                definition: def.id.clone(),
                valid_until,
            });
        }
        self.held.insert(coupon_id, coupon);
    }

    /// Issues the coupons the program gives on joining.
    pub(crate) fn welcome(&mut self, program: &Program, at: DateTime<Utc>, effects: &mut Vec<Effect>) {
        let Some(coupons) = program.config().coupons.as_ref() else { return };
        for def in coupons.definitions.iter().filter(|d| d.issue == Some(Issue::Joined)) {
            self.issue(program, def, format!("joined:{}", def.id), Origin::Joined, at, effects);
        }
    }

    /// The next instant something is due: a hold timing out, a reminder, an expiry, a
    /// birthday coupon (for a member whose birthday is known) at or after `clock`.
    pub(crate) fn next_boundary(
        &self,
        program: &Program,
        birthday: Option<NaiveDate>,
        clock: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let coupons = program.config().coupons.as_ref()?;
        let mut next: Option<DateTime<Utc>> = None;
        let mut at = |t: DateTime<Utc>| next = Some(next.map_or(t, |n| n.min(t)));
        for c in self.held.values() {
            match &c.state {
                CouponState::Issued | CouponState::Reserved { .. } => {
                    at(c.valid_until);
                    if let Some(r) = c.remind_at {
                        at(r);
                    }
                    if let CouponState::Reserved { until, .. } = &c.state {
                        at(*until);
                    }
                }
                _ => {}
            }
        }
        if let Some(birthday) = birthday {
            for def in &coupons.definitions {
                if let Some((_, t)) = self.next_birthday(program, def, birthday, clock) {
                    at(t);
                }
            }
        }
        next
    }

    /// The next birthday year not yet issued for `def`, and its instant, at or after `clock`.
    fn next_birthday(
        &self,
        program: &Program,
        def: &CouponDefinition,
        birthday: NaiveDate,
        clock: DateTime<Utc>,
    ) -> Option<(i32, DateTime<Utc>)> {
        let Some(Issue::Birthday { days_before }) = def.issue else { return None };
        let year = program.local_date(clock).year();
        let done = self.birthday_years.get(&def.id).copied().unwrap_or(i32::MIN);
        // The issue day of a year's birthday may fall up to 300 days before it, in the year
        // before: three years cover every issue day from the clock's on.
        (year..=year.saturating_add(2)).filter(|y| *y > done).find_map(|y| {
            let day = CouponDefinition::birthday_issue_day(days_before, birthday, y)?;
            let t = program.start_of_day(day);
            (t >= clock && t.timestamp() < crate::account::LATEST_EVENT).then_some((y, t))
        })
    }

    /// Carries out what is due at `b`: holds that timed out are released, birthday coupons
    /// are issued, unused coupons past their validity expire, reminders go out.
    pub(crate) fn catch_up(
        &mut self,
        program: &Program,
        birthday: Option<NaiveDate>,
        b: DateTime<Utc>,
        effects: &mut Vec<Effect>,
    ) {
        let Some(coupons) = program.config().coupons.as_ref() else { return };
        for (id, c) in self.held.iter_mut() {
            if let CouponState::Reserved { key, until } = &c.state {
                if *until <= b && c.valid_until > b {
                    effects.push(Effect::CouponReleased { coupon_id: id.clone(), key: key.clone(), timed_out: true });
                    c.state = CouponState::Issued;
                }
            }
        }
        if let Some(birthday) = birthday {
            for def in &coupons.definitions {
                if let Some((year, t)) = self.next_birthday(program, def, birthday, b) {
                    if t <= b {
                        self.birthday_years.insert(def.id.clone(), year);
                        let id = format!("birthday:{}:{year}", def.id);
                        self.issue(program, def, id, Origin::Birthday(year), t, effects);
                    }
                }
            }
        }
        for (id, c) in self.held.iter_mut() {
            if !matches!(c.state, CouponState::Issued | CouponState::Reserved { .. }) {
                continue;
            }
            if c.valid_until <= b {
                c.state = CouponState::Expired;
                c.remind_at = None;
                effects.push(Effect::CouponExpired {
                    coupon_id: id.clone(),
                    definition: c.definition.clone(),
                    valid_until: c.valid_until,
                });
            } else if c.remind_at.is_some_and(|r| r <= b) {
                c.remind_at = None;
                effects.push(Effect::CouponExpiringSoon {
                    coupon_id: id.clone(),
                    definition: c.definition.clone(),
                    valid_until: c.valid_until,
                });
            }
        }
    }

    /// Holds the coupon for a checkout.
    pub(crate) fn reserve(&mut self, coupon_id: &str, key: String, until: DateTime<Utc>, effects: &mut Vec<Effect>) {
        if let Some(c) = self.held.get_mut(coupon_id) {
            effects.push(Effect::CouponReserved { coupon_id: coupon_id.to_string(), key: key.clone(), until });
            c.state = CouponState::Reserved { key, until };
        }
    }

    /// Lets the coupon go back to issued.
    pub(crate) fn release(&mut self, coupon_id: &str, effects: &mut Vec<Effect>) {
        if let Some(c) = self.held.get_mut(coupon_id) {
            if let CouponState::Reserved { key, .. } = std::mem::replace(&mut c.state, CouponState::Issued) {
                effects.push(Effect::CouponReleased { coupon_id: coupon_id.to_string(), key, timed_out: false });
            }
        }
    }

    /// Uses the coupon on an order.
    pub(crate) fn redeem(&mut self, coupon_id: &str, order_id: &str, discount: Decimal, effects: &mut Vec<Effect>) {
        if let Some(c) = self.held.get_mut(coupon_id) {
            c.state = CouponState::Redeemed { order_id: order_id.to_string(), discount };
            c.remind_at = None;
            *self.redeemed.entry(c.definition.clone()).or_insert(0) += 1;
            effects.push(Effect::CouponRedeemed {
                coupon_id: coupon_id.to_string(),
                definition: c.definition.clone(),
                order_id: order_id.to_string(),
                discount,
            });
        }
    }

    /// Gives a coupon back from a cancelled order at `t`: issued again while it is valid
    /// (its reminder, if still ahead, too), expired otherwise. It no longer counts toward
    /// the per-member limit either way.
    pub(crate) fn give_back(
        &mut self,
        program: &Program,
        coupon_id: &str,
        order_id: &str,
        t: DateTime<Utc>,
        effects: &mut Vec<Effect>,
    ) {
        let Some(c) = self.held.get_mut(coupon_id) else { return };
        if let Some(n) = self.redeemed.get_mut(&c.definition) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.redeemed.remove(&c.definition);
            }
        }
        if c.valid_until > t {
            c.state = CouponState::Issued;
            let def = program.config().coupons.as_ref().and_then(|s| s.definition(&c.definition));
            c.remind_at = def.and_then(|d| d.remind_at(program, c.valid_until)).filter(|r| *r > t);
            effects.push(Effect::CouponReturned { coupon_id: coupon_id.to_string(), order_id: order_id.to_string() });
        } else {
            c.state = CouponState::Expired;
            effects.push(Effect::CouponExpired {
                coupon_id: coupon_id.to_string(),
                definition: c.definition.clone(),
                valid_until: c.valid_until,
            });
        }
    }

    /// Cancels a bought coupon (its points are given back by the redemption's reversal).
    pub(crate) fn cancel(&mut self, coupon_id: &str, effects: &mut Vec<Effect>) {
        if let Some(c) = self.held.get_mut(coupon_id) {
            c.state = CouponState::Cancelled;
            c.remind_at = None;
            effects.push(Effect::CouponCancelled { coupon_id: coupon_id.to_string() });
        }
    }

    /// The member's coupons as of `as_of`, by id.
    pub(crate) fn view(&self, as_of: DateTime<Utc>) -> Vec<MemberCoupon> {
        self.held
            .iter()
            .map(|(id, c)| MemberCoupon {
                coupon_id: id.clone(),
                definition: c.definition.clone(),
                issued_at: c.issued_at,
                valid_from: c.valid_from,
                valid_until: c.valid_until,
                state: Self::state_at(c, as_of),
            })
            .collect()
    }

    /// Checks a wallet read from a snapshot against the program-independent invariants.
    pub(crate) fn verify(
        &self,
        instant_ok: impl Fn(DateTime<Utc>) -> bool,
        order_exists: impl Fn(&str) -> bool,
    ) -> Result<(), (String, String)> {
        if self.held.len() > MAX_COUPONS {
            return Err(("coupons.held".into(), format!("has {} coupons, more than {MAX_COUPONS}", self.held.len())));
        }
        let mut counted: BTreeMap<&str, u32> = BTreeMap::new();
        for (id, c) in &self.held {
            let field = format!("coupons.held.{id}");
            let instants = [Some(c.issued_at), Some(c.valid_from), Some(c.valid_until), c.remind_at];
            if instants.iter().flatten().any(|t| !instant_ok(*t)) || c.valid_until <= c.valid_from {
                return Err((field, "has an instant outside 1970 to 9999 or ends before it starts".to_string()));
            }
            match &c.state {
                CouponState::Redeemed { order_id, discount } => {
                    if !order_exists(order_id)
                        || discount.is_sign_negative()
                        || crate::money::check_amount(*discount).is_err()
                    {
                        return Err((field, format!("was redeemed on order {order_id:?} for {discount}")));
                    }
                    *counted.entry(c.definition.as_str()).or_default() += 1;
                }
                CouponState::Reserved { until, .. } if !instant_ok(*until) => {
                    return Err((field, format!("is reserved until {until}")));
                }
                _ => {}
            }
        }
        for (definition, n) in &self.forgotten {
            let c = counted.entry(definition.as_str()).or_default();
            *c = c.saturating_add(*n);
        }
        counted.retain(|_, n| *n > 0);
        let recorded: BTreeMap<&str, u32> =
            self.redeemed.iter().filter(|(_, n)| **n > 0).map(|(d, n)| (d.as_str(), *n)).collect();
        if recorded != counted {
            return Err((
                "coupons.redeemed".into(),
                format!("counts {recorded:?} but the coupons redeemed are {counted:?}"),
            ));
        }
        Ok(())
    }
}

/// Why a coupon cannot be used.
#[derive(Debug)]
pub(crate) enum Refusal {
    Unknown,
    Not(String),
}

impl Refusal {
    pub(crate) fn into_error(self, coupon_id: &str) -> crate::AccountError {
        match self {
            Refusal::Unknown => crate::AccountError::UnknownCoupon { coupon_id: coupon_id.to_string() },
            Refusal::Not(reason) => {
                crate::AccountError::CouponNotApplicable { coupon_id: coupon_id.to_string(), reason }
            }
        }
    }
}

/// The definition a held coupon was issued under, if the program still has it.
pub(crate) fn definition<'p>(coupons: &'p Coupons, c: &HeldCoupon) -> Option<&'p CouponDefinition> {
    coupons.definition(&c.definition)
}
