//! Tiers: qualification windows, upgrade, retain and downgrade, for one member.
//!
//! The tier state keeps the member's qualifying history as dated contributions (spend,
//! points, orders), each dated when it starts to count: a purchase counts when it leaves its
//! pending period, a refund when it happens. Windows are sums over that history.

use crate::calendar;
use crate::effect::Effect;

use crate::points::Points;
use crate::program::{Anchor, DowngradeMode, Metrics, Missing, Program, QualificationPeriod, Tiers, UpgradeTiming};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Something that counts toward tiers, from the instant `at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct Contribution {
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub spend: Decimal,
    #[serde(default, skip_serializing_if = "Points::is_zero")]
    pub points: Points,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub orders: i64,
    /// The order's sequence number in the account, for refunds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<u32>,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// The last window sum, so a check after new contributions adds only those. Derived, never
/// stored, and ignored by equality.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Memo {
    valid: bool,
    /// The window start holds for instants in `[from, until)`.
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    start: DateTime<Utc>,
    end: usize,
    metrics: Metrics,
    /// Where the last search for the first contribution after an instant ended: the clock
    /// moves forward, so the next search starts there and usually moves a step or none.
    /// Only a hint: the search checks it against the history, so no change has to update it.
    cursor: usize,
}

impl PartialEq for Memo {
    fn eq(&self, _: &Memo) -> bool {
        true
    }
}

impl Eq for Memo {}

/// Entry-reward points an upgrade grants: the tier decides them (once per tier and
/// qualification period); the account credits them as a bonus lot (`account/evolve.rs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EntryPoints {
    /// Points to credit, if the reward has them.
    pub points: Option<Points>,
    /// A coupon definition to issue, and the coupon's id (`tier:<tier>:<period>:<definition>`).
    pub coupon: Option<(String, String)>,
    /// The tier entered.
    pub tier: String,
    /// The lot's rule: `tier_entry:<tier>`.
    pub rule: String,
    /// When, and the local day.
    pub at: DateTime<Utc>,
    pub day: NaiveDate,
}

/// Carries out [`EntryPoints`] as the tier grants them, pushing its effects after the
/// upgrade's.
pub(crate) type Payer<'a> = &'a mut dyn FnMut(EntryPoints, &mut Vec<Effect>);

/// A manual tier assignment: a floor until a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct Floor {
    pub tier: String,
    pub until: DateTime<Utc>,
    pub reason: String,
}

fn rank_is_zero(n: &usize) -> bool {
    *n == 0
}

/// How a member reached the current level: what a refund under `refunds: immediately` may
/// take back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum Reached {
    /// Not recorded (snapshots written before it was): a refund re-judges a level reached in
    /// the current window, on the window so far.
    #[default]
    Unrecorded,
    /// By an upgrade that the contributions from `from` through `through` earned (the window
    /// so far, or for an upgrade at a period's start, the period before it): only a refund of
    /// an order counted there re-judges the level, and a refund's one-level drop keeps the
    /// span for the next refund.
    Upgrade {
        /// The first instant of the span.
        from: DateTime<Utc>,
        /// Its last instant (included).
        through: DateTime<Utc>,
    },
    /// By a downgrade at an expiry: no refund re-judges it.
    Downgrade,
}

impl Reached {
    fn is_unrecorded(&self) -> bool {
        *self == Reached::Unrecorded
    }
}

/// One member's tier state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct TierState {
    /// The tier earned by qualification ("" before any evaluation: the base level).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub level: String,
    /// The level's place in the ladder when it was set: a program version that renames or
    /// drops the level keeps the member at that place until the next evaluation, instead of
    /// demoting at once.
    #[serde(default, skip_serializing_if = "rank_is_zero")]
    pub rank: usize,
    /// When the current tier was reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// When it expires (checked against the retain threshold); `None` for the base level or
    /// when tiers never downgrade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<DateTime<Utc>>,
    /// A missed retain check waiting for the end of its grace period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_until: Option<DateTime<Utc>>,
    /// When to warn that the tier may not be kept; `None` once warned or with no warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_at: Option<DateTime<Utc>>,
    /// A manual floor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<Floor>,
    /// An upgrade waiting for the next period: (tier, when).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled: Option<(String, DateTime<Utc>)>,
    /// How the current level was reached, for refunds under `refunds: immediately`.
    #[serde(default, skip_serializing_if = "Reached::is_unrecorded")]
    pub reached: Reached,
    /// The day anniversary periods count from (the day the member joined).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined: Option<NaiveDate>,
    /// Entry rewards granted: (tier, period index).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rewarded: Vec<(String, i64)>,
    /// Qualifying history, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Contribution>,
    #[serde(skip)]
    memo: Memo,
}

/// Where a member stands in the tier ladder as of an instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TierProgress {
    /// The instant.
    pub as_of: DateTime<Utc>,
    /// The member's tier (a manual floor included).
    pub tier: String,
    /// Until when it is held before its retain check; `None` for the base level or a
    /// program that never downgrades.
    pub valid_until: Option<DateTime<Utc>>,
    /// The qualifying metrics of the current window so far.
    pub metrics: Metrics,
    /// The next tier up, if any.
    pub next_tier: Option<String>,
    /// What is still needed to reach it (per metric; under `any`, one of them suffices).
    pub to_next: Vec<Missing>,
    /// What is still needed to keep the current tier at its expiry.
    pub to_keep: Vec<Missing>,
}

/// What tiers need from the program.
pub(crate) struct Ctx<'a> {
    pub program: &'a Program,
    pub tiers: &'a Tiers,
}

impl<'a> Ctx<'a> {
    pub fn of(program: &'a Program) -> Option<Ctx<'a>> {
        program.config().tiers.as_ref().map(|tiers| Ctx { program, tiers })
    }

    fn day(&self, t: DateTime<Utc>) -> NaiveDate {
        self.program.local_date(t)
    }

    fn start(&self, day: NaiveDate) -> DateTime<Utc> {
        self.program.start_of_day(day)
    }

    fn period(&self) -> &QualificationPeriod {
        &self.tiers.period
    }
}

impl TierState {
    /// The index of the tier earned by qualification. A name the ladder no longer has (a
    /// program version renamed or dropped it) falls back to the level's recorded place in the
    /// ladder, capped at the top, until the next evaluation places the member: a program
    /// change never demotes anyone at once. (On a shorter ladder that place can be a higher
    /// name than before; the next evaluation settles it.)
    pub fn computed(&self, ctx: &Ctx<'_>) -> usize {
        // The rank names the level unless the program changed since it was set.
        if ctx.tiers.levels.get(self.rank).is_some_and(|l| l.name == self.level) {
            return self.rank;
        }
        ctx.tiers.position(&self.level).unwrap_or_else(|| self.rank.min(ctx.tiers.levels.len().saturating_sub(1)))
    }

    /// Sets the earned level (by its index in the ladder).
    fn set_level(&mut self, ctx: &Ctx<'_>, index: usize) {
        self.level = Self::name(ctx, index);
        self.rank = index;
    }

    /// The index of the effective tier: the earned one, or a manual floor above it.
    pub fn effective(&self, ctx: &Ctx<'_>, t: DateTime<Utc>) -> usize {
        let floor = self.floor.as_ref().filter(|f| f.until > t).and_then(|f| ctx.tiers.position(&f.tier)).unwrap_or(0);
        self.computed(ctx).max(floor)
    }

    fn name(ctx: &Ctx<'_>, index: usize) -> String {
        ctx.tiers.levels.get(index).map(|l| l.name.clone()).unwrap_or_default()
    }

    fn anchor(&self, ctx: &Ctx<'_>, day: NaiveDate) -> NaiveDate {
        match ctx.period() {
            QualificationPeriod::Anniversary { of: Anchor::TierReached } => {
                self.since.map(|s| ctx.day(s)).or(self.joined).unwrap_or(day)
            }
            _ => self.joined.unwrap_or(day),
        }
    }

    /// The sum of contributions with `from <= at < to`.
    pub fn metrics(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Metrics {
        let mut m = Metrics::default();
        let first = self.history.partition_point(|c| c.at < from);
        let end = self.history.partition_point(|c| c.at < to);
        for c in self.history.get(first..end.max(first)).unwrap_or_default() {
            m.spend += c.spend;
            m.points += c.points;
            m.orders += c.orders;
        }
        m
    }

    /// The metrics of the window containing the day of `t`, up to and including `t`.
    pub fn window_metrics(&self, ctx: &Ctx<'_>, t: DateTime<Utc>) -> Metrics {
        let day = ctx.day(t);
        let start = ctx.start(ctx.period().window_start(day, self.anchor(ctx, day)));
        self.metrics(start, t + chrono::Duration::nanoseconds(1))
    }

    /// The metrics of the period that ends at `end` (exclusive), plus anything up to `to`.
    fn period_metrics(&self, ctx: &Ctx<'_>, end: DateTime<Utc>, to: DateTime<Utc>) -> Metrics {
        let last_day = calendar::sub_days(ctx.day(end), 1);
        let start = ctx.start(ctx.period().window_start(last_day, self.anchor(ctx, last_day)));
        self.metrics(start, to)
    }

    /// Records something that counts from `at`.
    pub fn contribute(&mut self, c: Contribution) {
        let at = c.at;
        let i = self.history.partition_point(|x| x.at <= at);
        if i < self.memo.end {
            self.memo.valid = false;
        }
        self.history.insert(i, c);
    }

    /// [`TierState::window_metrics`], adding only what came since the last call where it can.
    fn window_metrics_memo(&mut self, ctx: &Ctx<'_>, t: DateTime<Utc>) -> Metrics {
        let known = self.memo.valid && self.memo.from <= t && t < self.memo.until;
        let (start, from, until) = if known {
            (self.memo.start, self.memo.from, self.memo.until)
        } else {
            // Where this window starts, and until when that stays so: the next period for
            // calendar, fixed and anniversary periods; the next local day for rolling ones.
            let day = ctx.day(t);
            let anchor = self.anchor(ctx, day);
            let first_day = ctx.period().window_start(day, anchor);
            let until_day = match ctx.period() {
                QualificationPeriod::RollingDays { .. } | QualificationPeriod::RollingMonths { .. } => {
                    calendar::add_days(day, 1)
                }
                period => period.after_one_period(first_day, anchor),
            };
            (ctx.start(first_day), ctx.start(day), ctx.start(until_day))
        };
        let end = self.history.partition_point(|c| c.at <= t);
        let (first, mut m) = if self.memo.valid && self.memo.start == start && self.memo.end <= end {
            (self.memo.end, self.memo.metrics)
        } else {
            (self.history.partition_point(|c| c.at < start), Metrics::default())
        };
        for c in self.history.get(first..end.max(first)).unwrap_or_default() {
            m.spend += c.spend;
            m.points += c.points;
            m.orders += c.orders;
        }
        let from = if known { from } else { from.min(t) };
        self.memo = Memo { valid: true, from, until, start, end, metrics: m, cursor: self.memo.cursor };
        m
    }

    /// The earliest instant something tier-related is due after `clock`, and the instant
    /// the next contribution starts counting (one of the candidates; the clock's loop also
    /// uses it to know whether new metrics count at a boundary).
    pub fn next_boundary(&mut self, clock: DateTime<Utc>) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let i = self.counted(clock);
        self.boundary_after(i)
    }

    /// [`TierState::next_boundary`] without moving the cursor (for a read-only look).
    pub fn peek_boundary(&self, clock: DateTime<Utc>) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        self.boundary_after(self.history.partition_point(|c| c.at <= clock))
    }

    /// The next boundary, `i` contributions counting at the clock.
    fn boundary_after(&self, i: usize) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let mut next: Option<DateTime<Utc>> = None;
        let mut consider = |t: Option<DateTime<Utc>>| {
            if let Some(t) = t {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        };
        consider(self.scheduled.as_ref().map(|s| s.1));
        consider(self.floor.as_ref().map(|f| f.until));
        consider(self.grace_until.or(self.valid_until));
        consider(self.warn_at);
        let contribution = self.history.get(i).map(|c| c.at);
        consider(contribution);
        (next, contribution)
    }

    /// How many contributions count at `t` (those with `at <= t`): a walk from the last
    /// answer, which is where the next one usually is.
    pub fn counted(&mut self, t: DateTime<Utc>) -> usize {
        let h = &self.history;
        let mut i = self.memo.cursor.min(h.len());
        if i > 0 && h[i - 1].at > t {
            // Back in time (a query, or history changed): search.
            i = h[..i].partition_point(|c| c.at <= t);
        } else {
            while i < h.len() && h[i].at <= t {
                i += 1;
            }
        }
        self.memo.cursor = i;
        i
    }

    /// Sets the tier's expiry and the instant to warn before it.
    fn set_valid_until(&mut self, ctx: &Ctx<'_>, until: Option<DateTime<Utc>>) {
        self.valid_until = until;
        let days = ctx.tiers.warn_days;
        self.warn_at = until.filter(|_| days > 0).map(|u| ctx.start(calendar::sub_days(ctx.day(u), days)));
    }

    /// Upgrades the member if the current window meets a higher entry threshold.
    pub fn check_upgrade(&mut self, ctx: &Ctx<'_>, pay: Payer<'_>, t: DateTime<Utc>, effects: &mut Vec<Effect>) {
        let current = self.computed(ctx);
        if current + 1 >= ctx.tiers.levels.len() {
            return; // Already at the top of the ladder.
        }
        let m = self.window_metrics_memo(ctx, t);
        // The highest level above the current one whose entry threshold is met (from the top
        // down: thresholds may combine metrics, so a lower level can fail where a higher one
        // passes, but only levels above the current one can upgrade).
        let levels = &ctx.tiers.levels;
        let Some(target) =
            (current + 1..levels.len()).rev().find(|&i| levels[i].entry.as_ref().is_some_and(|e| e.is_met(&m)))
        else {
            return;
        };
        match ctx.tiers.upgrade {
            UpgradeTiming::Immediately => self.upgrade(ctx, pay, target, t, "qualified", effects),
            UpgradeTiming::NextPeriod => {
                let day = ctx.day(t);
                let at = ctx.start(ctx.period().next_period_start(day, self.anchor(ctx, day)));
                let better = self.scheduled.as_ref().and_then(|s| ctx.tiers.position(&s.0)).is_none_or(|s| s < target);
                if better {
                    self.scheduled = Some((Self::name(ctx, target), at));
                }
            }
        }
    }

    fn upgrade(
        &mut self,
        ctx: &Ctx<'_>,
        pay: Payer<'_>,
        target: usize,
        t: DateTime<Utc>,
        reason: &str,
        effects: &mut Vec<Effect>,
    ) {
        let before = self.effective(ctx, t);
        let day = ctx.day(t);
        // What earned it: the window so far, or for an upgrade at a period's start, the period
        // that just ended (taken before the anchor moves with the tier).
        let from = match ctx.tiers.upgrade {
            UpgradeTiming::Immediately => ctx.start(ctx.period().window_start(day, self.anchor(ctx, day))),
            UpgradeTiming::NextPeriod => {
                let last_day = calendar::sub_days(day, 1);
                ctx.start(ctx.period().window_start(last_day, self.anchor(ctx, last_day)))
            }
        };
        self.reached = Reached::Upgrade { from, through: t };
        if matches!(ctx.period(), QualificationPeriod::Anniversary { of: Anchor::TierReached }) {
            // The window is anchored on the day the tier was reached, which this changes.
            self.memo.valid = false;
        }
        self.set_level(ctx, target);
        self.since = Some(t);
        self.grace_until = None;
        let until = match ctx.tiers.downgrade {
            DowngradeMode::None => None,
            _ => Some(ctx.start(ctx.period().valid_until_day(day, self.anchor(ctx, day)))),
        };
        self.set_valid_until(ctx, until);
        if target <= before {
            return;
        }
        let level = &ctx.tiers.levels[target];
        let period = ctx.period().index(day, self.joined.unwrap_or(day));
        let mut reward_points = None;
        let mut reward_id = None;
        let mut coupon = None;
        if let Some(reward) = &level.entry_reward {
            let key = (level.name.clone(), period);
            if !self.rewarded.contains(&key) {
                self.rewarded.push(key);
                reward_id = reward.reward_id.clone();
                reward_points = reward.points;
                coupon = reward.coupon.as_ref().map(|d| (d.clone(), format!("tier:{}:{period}:{d}", level.name)));
            }
        }
        effects.push(Effect::TierUpgraded {
            from: Self::name(ctx, before),
            to: level.name.clone(),
            valid_until: self.valid_until,
            reason: reason.to_string(),
            reward_points,
            reward_id,
        });
        if reward_points.is_some() || coupon.is_some() {
            let rule = format!("tier_entry:{}", level.name);
            pay(EntryPoints { points: reward_points, coupon, tier: level.name.to_string(), rule, at: t, day }, effects);
        }
    }

    /// Processes tier events due at `b`: scheduled upgrades, the end of a manual floor,
    /// expiries (retain, downgrade, or the start of a grace period) and grace ends. Warnings
    /// ahead of an expiry are [`TierState::warn`]'s.
    pub fn process(&mut self, ctx: &Ctx<'_>, pay: Payer<'_>, b: DateTime<Utc>, effects: &mut Vec<Effect>) {
        if let Some((tier, at)) = self.scheduled.clone() {
            if at <= b {
                self.scheduled = None;
                if let Some(scheduled) = ctx.tiers.position(&tier) {
                    // The period that earned it, as it ended: refunds since may have lowered
                    // it to a lower level, or to none.
                    let m = self.period_metrics(ctx, at, at);
                    let levels = &ctx.tiers.levels;
                    let target = (1..=scheduled)
                        .rev()
                        .find(|&i| levels[i].entry.as_ref().is_some_and(|e| e.is_met(&m)))
                        .unwrap_or(0);
                    if target > self.computed(ctx) {
                        self.upgrade(ctx, pay, target, at, "qualified", effects);
                    }
                }
            }
        }
        if let Some(floor) = self.floor.clone() {
            if floor.until <= b {
                self.floor = None;
                let had = ctx.tiers.position(&floor.tier).unwrap_or(0);
                let now = self.computed(ctx);
                if had > now {
                    effects.push(Effect::TierDowngraded {
                        from: floor.tier,
                        to: Self::name(ctx, now),
                        reason: "manual_floor_ended".into(),
                        valid_until: self.valid_until,
                    });
                }
            }
        }
        if let Some(grace) = self.grace_until.filter(|g| *g <= b) {
            let end = self.valid_until.unwrap_or(grace);
            self.grace_until = None;
            let m = self.period_metrics(ctx, end, grace);
            self.judge(ctx, end, &m, effects);
        } else if let Some(end) = self.valid_until.filter(|e| *e <= b && self.grace_until.is_none()) {
            let m = self.period_metrics(ctx, end, end);
            let level = &ctx.tiers.levels[self.computed(ctx)];
            let kept = level.retain_threshold().is_none_or(|r| r.is_met(&m));
            if !kept && ctx.tiers.grace_days > 0 {
                let grace = ctx.start(calendar::add_days(ctx.day(end), ctx.tiers.grace_days));
                self.grace_until = Some(grace);
                self.warn_at = None;
                let missing = level.retain_threshold().map(|r| r.missing(&m)).unwrap_or_default();
                effects.push(Effect::TierWillDowngrade { tier: level.name.clone(), on: grace, missing });
            } else {
                self.judge(ctx, end, &m, effects);
            }
        }
    }

    /// Warns, once, at the warning instant before the tier's expiry when the member does not
    /// yet meet its retain threshold. Warnings go out last at an instant, after points expire.
    pub fn warn(&mut self, ctx: &Ctx<'_>, b: DateTime<Utc>, effects: &mut Vec<Effect>) {
        if self.warn_at.is_some_and(|w| w <= b) && self.grace_until.is_none() {
            let until = self.valid_until;
            self.warn_at = None;
            if let Some(until) = until {
                let m = self.period_metrics(ctx, until, b + chrono::Duration::nanoseconds(1));
                let level = &ctx.tiers.levels[self.computed(ctx)];
                if let Some(retain) = level.retain_threshold() {
                    if !retain.is_met(&m) {
                        effects.push(Effect::TierWillDowngrade {
                            tier: level.name.clone(),
                            on: until,
                            missing: retain.missing(&m),
                        });
                    }
                }
            }
        }
    }

    /// The retain check of a tier that expired at `end`, with the metrics `m` of its period.
    fn judge(&mut self, ctx: &Ctx<'_>, end: DateTime<Utc>, m: &Metrics, effects: &mut Vec<Effect>) {
        self.memo.valid = false;
        let current = self.computed(ctx);
        let level = &ctx.tiers.levels[current];
        let end_day = ctx.day(end);
        let next_end = ctx.start(ctx.period().after_one_period(end_day, self.anchor(ctx, end_day)));
        if level.retain_threshold().is_none_or(|r| r.is_met(m)) || ctx.tiers.downgrade == DowngradeMode::None {
            self.set_valid_until(ctx, Some(next_end));
            effects.push(Effect::TierRetained { tier: level.name.clone(), valid_until: Some(next_end) });
            return;
        }
        let to = match ctx.tiers.downgrade {
            DowngradeMode::None => current,
            DowngradeMode::OneLevel => current.saturating_sub(1),
            DowngradeMode::ToBase => 0,
            DowngradeMode::Requalify => (1..current)
                .rev()
                .find(|&i| ctx.tiers.levels[i].retain_threshold().is_some_and(|r| r.is_met(m)))
                .unwrap_or(0),
        };
        let from_effective = self.effective(ctx, end);
        self.set_level(ctx, to);
        self.since = Some(end);
        self.reached = Reached::Downgrade;
        self.set_valid_until(ctx, (to > 0).then_some(next_end));
        let now_effective = self.effective(ctx, end);
        if now_effective < from_effective {
            effects.push(Effect::TierDowngraded {
                from: Self::name(ctx, from_effective),
                to: Self::name(ctx, now_effective),
                reason: "not_retained".into(),
                valid_until: self.valid_until,
            });
        }
    }

    /// A refund lowers the metrics of the order's own contribution. Under
    /// `refunds: immediately`, a tier reached in the current window whose entry threshold is no
    /// longer met drops one level.
    #[allow(clippy::too_many_arguments)]
    pub fn refund(
        &mut self,
        ctx: &Ctx<'_>,
        order: u32,
        amount: Decimal,
        points: Points,
        order_closed: bool,
        t: DateTime<Utc>,
        effects: &mut Vec<Effect>,
    ) {
        // The refund undoes part of the order: it lowers the order's own contribution, in
        // whatever window that falls. (Dating it at the refund instead would make metrics rise
        // again when the refund slides out of a rolling window.) An order older than every
        // window kept is outside all windows already.
        self.memo.valid = false;
        let mut counted_at = None;
        if let Some(c) = self.history.iter_mut().find(|c| c.order == Some(order)) {
            // Never below zero: a snapshot that loaded with a contribution smaller than its
            // order (it was edited) must not turn a refund into negative metrics.
            c.spend = (c.spend - amount).max(Decimal::ZERO);
            c.points = (c.points - points).max(Points::ZERO);
            c.orders = (c.orders - i64::from(order_closed)).max(0);
            counted_at = Some(c.at);
        }
        if ctx.tiers.refunds != crate::program::TierRefunds::Immediately {
            return;
        }
        let current = self.computed(ctx);
        if current == 0 {
            return;
        }
        let day = ctx.day(t);
        let window_start = ctx.start(ctx.period().window_start(day, self.anchor(ctx, day)));
        let reached_in_window = self.since.is_some_and(|s| s >= window_start);
        // Only a level an upgrade reached in the current window, and only a refund of an
        // order that counted toward that upgrade: a small unrelated return, or a level kept
        // or reached by a downgrade, re-judges nothing. The level is judged on what earned
        // it: the span from its start through now, or for an upgrade at a period's start, the
        // period that earned it.
        let m = match self.reached {
            Reached::Downgrade => return,
            Reached::Unrecorded => self.window_metrics(ctx, t),
            Reached::Upgrade { from, through } => {
                if !counted_at.is_some_and(|at| from <= at && at <= through) {
                    return;
                }
                match ctx.tiers.upgrade {
                    UpgradeTiming::Immediately => self.metrics(from, t + chrono::Duration::nanoseconds(1)),
                    UpgradeTiming::NextPeriod => self.metrics(from, through),
                }
            }
        };
        let still = ctx.tiers.levels[current].entry.as_ref().is_none_or(|e| e.is_met(&m));
        if reached_in_window && !still {
            let before = self.effective(ctx, t);
            self.set_level(ctx, current - 1);
            let after = self.effective(ctx, t);
            if current - 1 == 0 {
                self.set_valid_until(ctx, None);
            }
            if after < before {
                effects.push(Effect::TierDowngraded {
                    from: Self::name(ctx, before),
                    to: Self::name(ctx, after),
                    reason: "refund".into(),
                    valid_until: self.valid_until,
                });
            }
        }
    }

    /// Sets a manual floor.
    pub fn assign(
        &mut self,
        ctx: &Ctx<'_>,
        tier: usize,
        until: DateTime<Utc>,
        reason: &str,
        t: DateTime<Utc>,
        effects: &mut Vec<Effect>,
    ) {
        let before = self.effective(ctx, t);
        self.floor = Some(Floor { tier: Self::name(ctx, tier), until, reason: reason.to_string() });
        let after = self.effective(ctx, t);
        if after > before {
            effects.push(Effect::TierUpgraded {
                from: Self::name(ctx, before),
                to: Self::name(ctx, after),
                valid_until: Some(until),
                reason: "manual".into(),
                reward_points: None,
                reward_id: None,
            });
        }
    }

    /// Drops history no window can reach any more.
    pub fn prune(&mut self, ctx: &Ctx<'_>, t: DateTime<Utc>) {
        if self.history.len() < 64 {
            return;
        }
        let day = ctx.day(t);
        let anchor = self.anchor(ctx, day);
        let oldest_needed = {
            let current = ctx.period().window_start(day, anchor);
            let previous = ctx.period().window_start(calendar::sub_days(current, 1), anchor);
            let before_valid = self.valid_until.map_or(previous, |v| {
                let last = calendar::sub_days(ctx.day(v), 1);
                ctx.period().window_start(last, anchor).min(previous)
            });
            before_valid.min(previous)
        };
        let cut = ctx.start(oldest_needed);
        let keep_from = self.history.partition_point(|c| c.at < cut);
        if keep_from > 0 {
            self.history.drain(..keep_from);
            self.memo.valid = false;
        }
    }

    /// Where the member stands as of `t` (the state must be caught up to `t`).
    pub fn progress(&self, ctx: &Ctx<'_>, t: DateTime<Utc>) -> TierProgress {
        let m = self.window_metrics(ctx, t);
        let effective = self.effective(ctx, t);
        let next = ctx.tiers.levels.get(effective + 1);
        let current = &ctx.tiers.levels[effective];
        let to_keep = match (self.valid_until, current.retain_threshold()) {
            (Some(until), Some(retain)) => {
                retain.missing(&self.period_metrics(ctx, until, t + chrono::Duration::nanoseconds(1)))
            }
            _ => Vec::new(),
        };
        TierProgress {
            as_of: t,
            tier: current.name.clone(),
            valid_until: if effective == self.computed(ctx) {
                self.valid_until
            } else {
                self.floor.as_ref().map(|f| f.until)
            },
            metrics: m,
            next_tier: next.map(|l| l.name.clone()),
            to_next: next.and_then(|l| l.entry.as_ref()).map(|e| e.missing(&m)).unwrap_or_default(),
            to_keep,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, day, 12, 0, 0).single().unwrap_or_default()
    }

    fn state(days: &[u32]) -> TierState {
        let history = days
            .iter()
            .map(|&d| Contribution { at: at(d), spend: Decimal::ONE, points: Points::ZERO, orders: 1, order: None })
            .collect();
        TierState { history, ..TierState::default() }
    }

    #[test]
    fn counted_walks_forward_and_searches_back() {
        let mut s = state(&[2, 4, 4, 9]);
        // Forward from the hint, the clock's usual direction.
        assert_eq!([1, 3, 4, 5, 9, 10].map(|d| s.counted(at(d))), [0, 1, 3, 3, 4, 4]);
        // Back in time (a query for an earlier instant): a search, not the stale hint.
        assert_eq!(s.counted(at(3)), 1);
        assert_eq!(s.counted(at(1)), 0);
        // A contribution inserted before the hint is counted.
        assert_eq!(s.counted(at(10)), 4);
        s.contribute(Contribution { at: at(5), spend: Decimal::ONE, points: Points::ZERO, orders: 1, order: None });
        assert_eq!(s.counted(at(10)), 5);
        // A shorter history than the hint (pruned) is searched from its end.
        s.history.truncate(2);
        assert_eq!(s.counted(at(10)), 2);
        assert_eq!(s.counted(at(3)), 1);
    }
}
