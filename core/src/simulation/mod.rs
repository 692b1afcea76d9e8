//! What-if simulation: one order log replayed under several programs, month by month, so two
//! programs can be compared on the same members making the same choices.
//!
//! Each member's orders (before `as_of`) become `order_placed` events in time order (ties in
//! the log's order), each followed by the [`Behaviour`]'s redemption decision; the account is
//! then brought to `as_of`. Every effect is counted in the program's local month of the journal
//! entry that carries it, so a lot expiring in March counts in March even when the member's
//! next event is in June. Members are independent: inside
//! [`crate::analytics::with_threads`] they are replayed on the pool's threads, and the figures
//! (sums of whole points, counts and exact decimals) are the same on any number of threads.

mod behaviour;

pub use behaviour::Behaviour;

use crate::account::{Account, AccountError};
use crate::analytics::Orders;
use crate::effect::{Effect, Totals};
use crate::event::{Event, EventKind};
use crate::journal::JournalEntry;
use crate::points::Points;
use crate::program::Program;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most months a simulation covers (a century): the month-by-month figures are kept for
/// every program, so a log spanning more is refused rather than allowed to ask for gigabytes.
pub const MAX_MONTHS: i64 = 1200;

/// What a simulation is asked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Orders at or after this instant are left out; every account is brought to it at the end.
    pub as_of: DateTime<Utc>,
    /// How members redeem.
    pub behaviour: Behaviour,
    /// The seed of the members' redemption draws.
    pub seed: u64,
}

/// Why a simulation could not run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SimulationError {
    /// An argument or a column value that cannot be simulated.
    #[error("{field}: {value:?} {reason}")]
    Invalid {
        /// What (`behaviour.probability`, `programs[1].currency`, `ordered_at[4]`, ...).
        field: String,
        /// The value, as text.
        value: String,
        /// Why.
        reason: String,
    },
    /// The order columns do not fit together.
    #[error(transparent)]
    Orders(#[from] crate::analytics::AnalyticsError),
    /// A member's account refused an event: which program, which member, which row.
    #[error("program {program}, member {member_id}, row {row}: {source}")]
    Member {
        /// The program's position in the list.
        program: usize,
        /// The member.
        member_id: u64,
        /// The order's row in the columns (the last row of the member for the final advance).
        row: usize,
        /// What the account said.
        #[source]
        source: AccountError,
    },
}

impl SimulationError {
    /// The kind: `invalid`, the order columns' own kinds (`length_mismatch`,
    /// `negative_amount`, `time_out_of_range`), or the account error's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            SimulationError::Invalid { .. } => "invalid",
            SimulationError::Orders(e) => e.kind(),
            SimulationError::Member { source, .. } => source.kind(),
        }
    }

    /// The field the error is about (the account error's field for a member).
    pub fn field(&self) -> String {
        match self {
            SimulationError::Invalid { field, .. } => field.clone(),
            SimulationError::Orders(e) => e.field(),
            SimulationError::Member { source, .. } => source.field().to_string(),
        }
    }

    /// The offending value, as text.
    pub fn value(&self) -> String {
        match self {
            SimulationError::Invalid { value, .. } => value.clone(),
            SimulationError::Orders(e) => e.value(),
            SimulationError::Member { source, .. } => source.value().to_string(),
        }
    }
}

/// One program's month.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Month {
    /// The month's first day, in the program's time zone.
    pub month: NaiveDate,
    /// Orders placed.
    pub orders: u64,
    /// What they were worth.
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub revenue: Decimal,
    /// Members with an order this month.
    pub active_members: u64,
    /// Members whose first order was this month.
    pub new_members: u64,
    /// Rewards redeemed by the behaviour.
    pub redemptions: u64,
    /// The month's point movements (earned, redeemed, expired, clawed back, ...).
    pub totals: Totals,
    /// Points held (usable and pending) at the month's end; for the last month, at `as_of`
    /// (the last month is the one before `as_of`, so an `as_of` at a month's start ends the
    /// month before).
    pub outstanding: Points,
    /// Their money value at the program's point value.
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub liability: Decimal,
    /// Members at each tier level at the month's end, lowest level first (empty without tiers).
    pub members_by_tier: Vec<u64>,
    /// `flows[from][to]`: members who moved from one level to another during the month.
    pub flows: Vec<Vec<u64>>,
    /// Members who reached each level from a lower one during the month (its threshold
    /// crossings).
    pub upgraded_into: Vec<u64>,
    /// Members who fell to each level from a higher one during the month.
    pub downgraded_into: Vec<u64>,
    /// Tier entry rewards granted (points or a reward for the host).
    pub entry_rewards: u64,
    /// The points those entry rewards credited.
    pub entry_reward_points: Points,
    /// The money value of the points earned per unit of revenue (`None` without revenue).
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::optional_decimal_schema"))]
    pub cost_per_revenue: Option<Decimal>,
}

/// One program's run over the whole log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Run {
    /// The program's name.
    pub program: String,
    /// Its version.
    pub version: u32,
    /// The tier levels, lowest first (empty without tiers).
    pub tiers: Vec<String>,
    /// Members with at least one order before `as_of`.
    pub members: u64,
    /// Orders replayed.
    pub orders: u64,
    /// What they were worth.
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub revenue: Decimal,
    /// Rewards redeemed.
    pub redemptions: u64,
    /// Every point movement.
    pub totals: Totals,
    /// Usable points at `as_of`.
    pub available: Points,
    /// Pending points at `as_of`.
    pub pending: Points,
    /// Debt at `as_of`.
    pub debt: Points,
    /// Money value of the points held at `as_of`.
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub liability: Decimal,
    /// Usable points expiring within 30, 60 and 90 days of `as_of`.
    pub expiring: [Points; 3],
    /// Points expired per point earned (`None` when nothing was earned): the breakage so far.
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::optional_decimal_schema"))]
    pub breakage_rate: Option<Decimal>,
    /// The money value of the points earned, at the program's point value, per unit of
    /// revenue (`None` without revenue).
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::optional_decimal_schema"))]
    pub cost_per_revenue: Option<Decimal>,
    /// The months, from the first order's to the one holding the last instant before `as_of`,
    /// in the program's time zone.
    pub months: Vec<Month>,
}

fn ratio(a: Decimal, b: Decimal) -> Option<Decimal> {
    if b.is_zero() {
        None
    } else {
        a.checked_div(b)
    }
}

/// What one program needs while its members are replayed.
struct Plan<'a> {
    program: &'a Program,
    tz: Tz,
    reward: Option<(String, Points)>,
    threshold: Option<u64>,
    first_month: i64,
    months: usize,
    tiers: Vec<String>,
}

/// A month being counted.
#[derive(Clone, Default)]
struct Tally {
    orders: u64,
    revenue: Decimal,
    active: u64,
    new: u64,
    redemptions: u64,
    totals: Totals,
    /// Members entering minus members leaving each level this month, by level.
    tier_change: BTreeMap<usize, i64>,
    /// Moves by (from, to) level.
    flows: BTreeMap<(usize, usize), u64>,
    entry_rewards: u64,
    entry_reward_points: Points,
}

/// A program's figures over a run of members; runs add up. Only the months the members
/// touched are held (a run of 64 members in a century-long log holds a few of 1,200).
#[derive(Default)]
struct Part {
    members: u64,
    available: Points,
    pending: Points,
    debt: Points,
    expiring: [Points; 3],
    months: BTreeMap<usize, Tally>,
}

impl Part {
    fn month(&mut self, index: usize) -> &mut Tally {
        self.months.entry(index).or_default()
    }

    fn add(&mut self, other: Part) {
        self.members += other.members;
        self.available += other.available;
        self.pending += other.pending;
        self.debt += other.debt;
        for (a, b) in self.expiring.iter_mut().zip(other.expiring) {
            *a += b;
        }
        for (index, b) in other.months {
            let a = self.month(index);
            a.orders += b.orders;
            a.revenue = a.revenue.saturating_add(b.revenue);
            a.active += b.active;
            a.new += b.new;
            a.redemptions += b.redemptions;
            a.totals.merge(&b.totals);
            for (level, change) in b.tier_change {
                *a.tier_change.entry(level).or_default() += change;
            }
            for (to_from, moved) in b.flows {
                *a.flows.entry(to_from).or_default() += moved;
            }
            a.entry_rewards += b.entry_rewards;
            a.entry_reward_points += b.entry_reward_points;
        }
    }
}

/// The months since year 0 of `t`'s local date.
fn month_number(t: DateTime<Utc>, tz: Tz) -> i64 {
    let d = crate::calendar::local_date(t, tz);
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

/// Replays `orders` under each of `programs` and returns one [`Run`] per program, in order.
///
/// Amounts are minor units of the programs' currency (which they must share). Orders at or
/// after `settings.as_of` are left out.
///
/// ```
/// use loyalty::analytics::Orders;
/// use loyalty::simulation::{simulate, Behaviour, Settings};
/// use loyalty::Program;
/// use chrono::{TimeZone, Utc};
/// let program = Program::from_json(r#"{"name": "A", "version": 1, "currency": "USD", "time_zone": "UTC",
///     "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
///     "redemption": {"point_value": "0.01", "rewards": [{"id": "r", "points": 100}]}}"#).unwrap();
/// // Member 1 spends 80.00 on 5 January and 50.00 on 3 February 2024.
/// let orders = Orders { member_id: &[1, 1], ordered_at: &[1_704_456_000, 1_706_961_600],
///     amount_minor: &[8000, 5000] };
/// let settings = Settings { as_of: Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(),
///     behaviour: Behaviour::Cheapest { probability: 1.0 }, seed: 1 };
/// let runs = simulate(&[&program], &orders, &settings).unwrap();
/// let months = &runs[0].months;
/// assert_eq!(months.len(), 2); // January and February: as_of is the end of February
/// assert_eq!(months[0].totals.earned.get(), 80);
/// // 130 points after the second order: the 100-point reward is redeemed in February.
/// assert_eq!((months[1].redemptions, months[1].totals.redeemed.get()), (1, 100));
/// assert_eq!(months[1].outstanding.get(), 30);
/// ```
///
/// # Errors
/// [`SimulationError::Orders`] for columns that do not fit (naming the column and row),
/// [`SimulationError::Invalid`] for a probability outside 0 to 1, a reward a program lacks,
/// programs in different currencies or a log spanning more than [`MAX_MONTHS`], and
/// [`SimulationError::Member`] when an account refuses an order (an amount too large, say).
pub fn simulate(programs: &[&Program], orders: &Orders<'_>, settings: &Settings) -> Result<Vec<Run>, SimulationError> {
    simulate_with_progress(programs, orders, settings, &|_| {})
}

/// [`simulate`], calling `progress` with the number of members just replayed (under every
/// program) after each run of members, from whichever thread replayed them: what a progress
/// bar needs. The calls add up to the number of members.
///
/// # Errors
/// As [`simulate`].
pub fn simulate_with_progress(
    programs: &[&Program],
    orders: &Orders<'_>,
    settings: &Settings,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Run>, SimulationError> {
    settings.behaviour.check()?;
    let n = orders.member_id.len();
    for (column, len) in [("ordered_at", orders.ordered_at.len()), ("amount_minor", orders.amount_minor.len())] {
        if len != n {
            return Err(crate::analytics::AnalyticsError::LengthMismatch { column, len, expected: n }.into());
        }
    }
    // Instants from 1970 to 9000-01-01, as the analytics take them.
    const LATEST: i64 = 221_845_392_000;
    for (row, (&at, &amount)) in orders.ordered_at.iter().zip(orders.amount_minor).enumerate() {
        if !(0..LATEST).contains(&at) {
            return Err(crate::analytics::AnalyticsError::TimeOutOfRange { row, value: at }.into());
        }
        if amount < 0 {
            return Err(crate::analytics::AnalyticsError::NegativeAmount { row, value: amount }.into());
        }
    }
    let as_of = settings.as_of;
    // Every program is checked before the log is looked at: an empty log is no excuse for a
    // program in another currency or a reward one lacks.
    let currency = programs.first().map(|p| p.config().currency.clone()).unwrap_or_default();
    let mut rewards = Vec::with_capacity(programs.len());
    for (i, &program) in programs.iter().enumerate() {
        let c = program.config();
        if c.currency != currency {
            return Err(SimulationError::Invalid {
                field: format!("programs[{i}].currency"),
                value: c.currency.clone(),
                reason: format!("differs from {currency}: one log's amounts are in one currency"),
            });
        }
        rewards.push(settings.behaviour.reward(program, i)?);
    }
    // Orders strictly before `as_of`, to the nanosecond (the columns hold whole seconds).
    let before = |t: i64| t < as_of.timestamp() || (t == as_of.timestamp() && as_of.timestamp_subsec_nanos() > 0);
    let mut rows: Vec<usize> = (0..n).filter(|&i| orders.ordered_at.get(i).is_some_and(|&t| before(t))).collect();
    // By member, then time, then row: unique keys, so the order is the same on any threads.
    crate::analytics::parallel::sort_unstable_by_key(&mut rows, |&i| {
        (orders.member_id.get(i).copied(), orders.ordered_at.get(i).copied(), i)
    });
    let Some(&first_row) = rows.iter().min_by_key(|&&i| (orders.ordered_at.get(i), i)) else {
        return Ok(programs.iter().map(|p| empty_run(p)).collect());
    };
    let first_at = at_of(orders, first_row);
    let mut plans = Vec::with_capacity(programs.len());
    for (&program, reward) in programs.iter().zip(rewards) {
        let tz = program.time_zone();
        let first_month = month_number(first_at, tz);
        // The last month is the one holding the last instant before `as_of`; what the clock
        // does at `as_of` itself (a midnight expiry) closes that month.
        let months = month_number(as_of - Duration::nanoseconds(1), tz) - first_month + 1;
        if months > MAX_MONTHS {
            return Err(SimulationError::Invalid {
                field: "as_of".into(),
                value: as_of.to_rfc3339(),
                reason: format!(
                    "is {months} months after the earliest order (row {first_row}, {}); a simulation covers at most \
                     {MAX_MONTHS}",
                    first_at.to_rfc3339()
                ),
            });
        }
        plans.push(Plan {
            program,
            tz,
            reward,
            threshold: settings.behaviour.threshold(),
            first_month,
            months: usize::try_from(months.max(1)).unwrap_or(1),
            tiers: program
                .config()
                .tiers
                .as_ref()
                .map_or_else(Vec::new, |t| t.levels.iter().map(|l| l.name.clone()).collect()),
        });
    }
    let scale = crate::currency::minor_units(&currency).unwrap_or(2);

    // Members as runs of `rows`, then those runs in chunks for the threads.
    let mut members: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    for i in 1..=rows.len() {
        if i == rows.len() || orders.member_id.get(rows[i]) != orders.member_id.get(rows[start]) {
            members.push(start..i);
            start = i;
        }
    }
    // Runs of at least 64 members, at most 256 runs: enough to share among threads and to
    // move a progress bar, few enough that adding up the runs' months costs nothing.
    let chunk = members.len().div_ceil(256).max(64);
    let mut chunks: Vec<&[std::ops::Range<usize>]> = members.chunks(chunk).collect();
    let parts = crate::analytics::parallel::map_mut(&mut chunks, |group| {
        let mut parts: Vec<Part> = plans.iter().map(|_| Part::default()).collect();
        for member in group.iter() {
            let rows = &rows[member.clone()];
            for (p, (plan, part)) in plans.iter().zip(parts.iter_mut()).enumerate() {
                replay_member(plan, p, orders, rows, scale, settings, part)?;
            }
        }
        progress(group.len() as u64);
        Ok::<_, SimulationError>(parts)
    });
    let mut total: Vec<Part> = plans.iter().map(|_| Part::default()).collect();
    for chunk in parts {
        for (t, p) in total.iter_mut().zip(chunk?) {
            t.add(p);
        }
    }
    Ok(plans.iter().zip(total).map(|(plan, part)| finish(plan, part)).collect())
}

fn at_of(orders: &Orders<'_>, row: usize) -> DateTime<Utc> {
    orders.ordered_at.get(row).and_then(|&t| DateTime::from_timestamp(t, 0)).unwrap_or(DateTime::UNIX_EPOCH)
}

fn empty_run(program: &Program) -> Run {
    let c = program.config();
    Run {
        program: c.name.clone(),
        version: c.version,
        tiers: c.tiers.as_ref().map_or_else(Vec::new, |t| t.levels.iter().map(|l| l.name.clone()).collect()),
        members: 0,
        orders: 0,
        revenue: Decimal::ZERO,
        redemptions: 0,
        totals: Totals::default(),
        available: Points::ZERO,
        pending: Points::ZERO,
        debt: Points::ZERO,
        liability: Decimal::ZERO,
        expiring: [Points::ZERO; 3],
        breakage_rate: None,
        cost_per_revenue: None,
        months: Vec::new(),
    }
}

/// One member under one program: its orders and redemptions, then the clock to `as_of`.
fn replay_member(
    plan: &Plan<'_>,
    p: usize,
    orders: &Orders<'_>,
    rows: &[usize],
    scale: u32,
    settings: &Settings,
    part: &mut Part,
) -> Result<(), SimulationError> {
    let Some(&first) = rows.first() else { return Ok(()) };
    let member = orders.member_id.get(first).copied().unwrap_or(0);
    let program = plan.program;
    let fail = |row: usize| move |source| SimulationError::Member { program: p, member_id: member, row, source };
    let index = |t: DateTime<Utc>| -> usize {
        let i = month_number(t, plan.tz) - plan.first_month;
        usize::try_from(i.clamp(0, plan.months as i64 - 1)).unwrap_or(0)
    };
    let mut account = Account::new(member.to_string());
    let mut tier = 0usize;
    part.members += 1;
    let start = part.month(index(at_of(orders, first)));
    start.new += 1;
    if !plan.tiers.is_empty() {
        *start.tier_change.entry(0).or_default() += 1;
    }
    let mut last_active = usize::MAX;
    for (k, &row) in rows.iter().enumerate() {
        let at = at_of(orders, row);
        let amount = Decimal::new(orders.amount_minor.get(row).copied().unwrap_or(0), scale);
        let m = index(at);
        let t = part.month(m);
        t.orders += 1;
        t.revenue = t.revenue.saturating_add(amount);
        if m != last_active {
            t.active += 1;
            last_active = m;
        }
        let kind = EventKind::OrderPlaced {
            order_id: format!("o{row}"),
            amount,
            channel: None,
            lines: vec![],
            stored_value: None,
            coupons: vec![],
            reservation_key: None,
        };
        let outcome = account.apply(program, &Event::new(format!("o{row}"), at, kind)).map_err(fail(row))?;
        count(plan, &outcome.journal, &mut tier, part, &index);
        let Some((reward_id, price)) = &plan.reward else { continue };
        if !behaviour::redeems(plan.threshold, settings.seed, member, k as u64) {
            continue;
        }
        if account.balances(program, at).map_err(fail(row))?.available < *price {
            continue;
        }
        let kind = EventKind::RewardRedeemed { reward_id: reward_id.clone(), points: price.get() };
        let outcome = account.apply(program, &Event::new(format!("r{row}"), at, kind)).map_err(fail(row))?;
        part.month(m).redemptions += 1;
        count(plan, &outcome.journal, &mut tier, part, &index);
    }
    let last = rows.last().copied().unwrap_or(first);
    let outcome = account.advance(program, settings.as_of).map_err(fail(last))?;
    count(plan, &outcome.journal, &mut tier, part, &index);
    let b = account.balances(program, settings.as_of).map_err(fail(last))?;
    part.available += b.available;
    part.pending += b.pending;
    part.debt += b.debt;
    for (slot, days) in part.expiring.iter_mut().zip([30, 60, 90]) {
        let soon =
            account.expiring(program, settings.as_of, settings.as_of + Duration::days(days)).map_err(fail(last))?;
        *slot += soon.iter().map(|e| e.points).sum::<Points>();
    }
    Ok(())
}

/// Counts a call's journal entries in their months: point movements, tier moves and entry
/// rewards.
fn count(
    plan: &Plan<'_>,
    journal: &[JournalEntry],
    tier: &mut usize,
    part: &mut Part,
    index: &dyn Fn(DateTime<Utc>) -> usize,
) {
    for entry in journal {
        let t = part.month(index(entry.at));
        for effect in &entry.effects {
            t.totals.record(effect);
            let to = match effect {
                Effect::TierUpgraded { to, reward_points, reward_id, .. } => {
                    if reward_points.is_some() || reward_id.is_some() {
                        t.entry_rewards += 1;
                        t.entry_reward_points += reward_points.unwrap_or(Points::ZERO);
                    }
                    to
                }
                Effect::TierDowngraded { to, .. } => to,
                _ => continue,
            };
            let Some(to) = plan.tiers.iter().position(|l| l == to) else { continue };
            *t.flows.entry((*tier, to)).or_default() += 1;
            *t.tier_change.entry(*tier).or_default() -= 1;
            *t.tier_change.entry(to).or_default() += 1;
            *tier = to;
        }
    }
}

/// A program's months with running balances and tier counts.
fn finish(plan: &Plan<'_>, part: Part) -> Run {
    let c = plan.program.config();
    let n = plan.tiers.len();
    let mut held = Totals::default();
    let mut at_tier = vec![0i64; n];
    let mut run = empty_run(plan.program);
    run.members = part.members;
    run.available = part.available;
    run.pending = part.pending;
    run.debt = part.debt;
    run.expiring = part.expiring;
    run.liability = c.redemption.value_of(part.available + part.pending);
    let cost = |totals: &Totals, revenue: Decimal| ratio(c.redemption.value_of(totals.earned), revenue);
    let mut month = NaiveDate::from_ymd_opt(
        i32::try_from(plan.first_month.div_euclid(12)).unwrap_or(1970),
        u32::try_from(plan.first_month.rem_euclid(12) + 1).unwrap_or(1),
        1,
    )
    .unwrap_or_default();
    let mut tallies = part.months;
    for index in 0..plan.months {
        let t = tallies.remove(&index).unwrap_or_default();
        held.merge(&t.totals);
        run.totals.merge(&t.totals);
        run.orders += t.orders;
        run.revenue = run.revenue.saturating_add(t.revenue);
        run.redemptions += t.redemptions;
        for (&level, &change) in &t.tier_change {
            if let Some(a) = at_tier.get_mut(level) {
                *a += change;
            }
        }
        let flow = |from: usize, to: usize| t.flows.get(&(from, to)).copied().unwrap_or(0);
        let outstanding = held.held();
        run.months.push(Month {
            month,
            orders: t.orders,
            revenue: t.revenue,
            active_members: t.active,
            new_members: t.new,
            redemptions: t.redemptions,
            totals: t.totals,
            outstanding,
            liability: c.redemption.value_of(outstanding),
            members_by_tier: at_tier.iter().map(|&v| u64::try_from(v).unwrap_or(0)).collect(),
            flows: (0..n).map(|from| (0..n).map(|to| flow(from, to)).collect()).collect(),
            upgraded_into: (0..n).map(|to| (0..to).map(|from| flow(from, to)).sum()).collect(),
            downgraded_into: (0..n).map(|to| (to + 1..n).map(|from| flow(from, to)).sum()).collect(),
            entry_rewards: t.entry_rewards,
            entry_reward_points: t.entry_reward_points,
            cost_per_revenue: cost(&t.totals, t.revenue),
        });
        month = crate::calendar::add_months(month, 1);
    }
    run.breakage_rate = ratio(Decimal::from(run.totals.expired.get()), Decimal::from(run.totals.earned.get()));
    run.cost_per_revenue = cost(&run.totals, run.revenue);
    run
}

#[cfg(test)]
mod tests;
