//! The tier ladder: thresholds, qualification periods, and what happens at a tier's expiry.

use super::{Invalid, MAX_RULES};
use crate::calendar;
use crate::points::Points;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A tier ladder, lowest first. The first level is the base every member starts in.
///
/// ```
/// use loyalty::Program;
/// let err = Program::from_json(r#"{
///     "name": "T", "version": 1, "currency": "USD", "time_zone": "UTC",
///     "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
///     "redemption": {"point_value": "0.01"},
///     "tiers": {"period": {"kind": "calendar_year"}, "levels": [
///         {"name": "Member"},
///         {"name": "Silver", "entry": {"spend": "500"}},
///         {"name": "Gold", "entry": {"spend": "400"}}
///     ]}
/// }"#).unwrap_err();
/// assert_eq!(err.to_string(), "tiers.levels[2].entry.spend: 400 must be more than the level below (500)");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Tiers {
    /// The levels, lowest first.
    pub levels: Vec<TierLevel>,
    /// Over which span the qualifying metrics are counted.
    pub period: QualificationPeriod,
    /// When an upgrade takes effect.
    #[serde(default)]
    pub upgrade: UpgradeTiming,
    /// What happens when a member misses the retain threshold at a tier's expiry.
    #[serde(default)]
    pub downgrade: DowngradeMode,
    /// Days between a missed retain threshold and the downgrade (0: at once).
    #[serde(default)]
    pub grace_days: u32,
    /// How refunds affect the tier.
    #[serde(default)]
    pub refunds: TierRefunds,
    /// Warn this many days before a tier expires when the member does not yet meet its
    /// retain threshold (0: no warning).
    #[serde(default)]
    pub warn_days: u32,
}

/// One level of the ladder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TierLevel {
    /// The name members see, unique in the ladder.
    pub name: String,
    /// What it takes to enter (absent only for the base level).
    #[serde(default)]
    pub entry: Option<Threshold>,
    /// What it takes to keep the level at its expiry (the entry threshold when absent).
    #[serde(default)]
    pub retain: Option<Threshold>,
    /// A multiplier on purchase points for members in this level (1 when absent).
    #[serde(default)]
    #[serde(deserialize_with = "crate::money::strict::option")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::optional_decimal_schema"))]
    pub earn_multiplier: Option<Decimal>,
    /// Granted once on upgrade into this level: never on retain, nor on re-entry within the
    /// same qualification period.
    #[serde(default)]
    pub entry_reward: Option<EntryReward>,
}

/// A reward for reaching a level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EntryReward {
    /// Bonus points credited on upgrade.
    #[serde(default)]
    pub points: Option<Points>,
    /// A reward the host hands out (named in the `tier_upgraded` effect).
    #[serde(default)]
    pub reward_id: Option<String>,
    /// A coupon (by definition id, from the program's `coupons`) issued on upgrade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<String>,
}

/// Qualifying metrics a threshold asks for; unknown metric names are refused.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// Qualifying spend: order amounts less refunds, counted when the order leaves its
    /// pending period.
    #[serde(default)]
    #[serde(deserialize_with = "crate::money::strict::option")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::optional_decimal_schema"))]
    pub spend: Option<Decimal>,
    /// Qualifying points: points earned (purchases and bonuses) less clawbacks. Redeeming
    /// never reduces them.
    #[serde(default)]
    pub points: Option<Points>,
    /// Orders placed, less orders refunded in full.
    #[serde(default)]
    pub orders: Option<u32>,
    /// Whether any one or all of the named metrics must be met (any by default).
    #[serde(default)]
    pub combine: MetricCombine,
}

/// How the metrics of a threshold combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MetricCombine {
    /// Meeting one metric is enough (the default).
    #[default]
    Any,
    /// Every metric must be met.
    All,
}

/// The span over which metrics count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum QualificationPeriod {
    /// The calendar year in the program's time zone. An upgrade lasts through the end of the
    /// following year.
    CalendarYear,
    /// The last N days, sliding with the clock. An upgrade lasts N days.
    RollingDays {
        /// Window length in days (1 to 3650).
        days: u32,
    },
    /// The last N months, sliding with the clock. An upgrade lasts N months.
    RollingMonths {
        /// Window length in months (1 to 120).
        months: u32,
    },
    /// Years starting on an anniversary: of joining, or of reaching the current tier.
    Anniversary {
        /// Which date starts the years.
        of: Anchor,
    },
    /// Periods of N months starting on a fixed date (e.g. a fiscal year from 1 April).
    Fixed {
        /// The start of one period; the others follow and precede it.
        start: NaiveDate,
        /// Period length in months (1 to 120).
        months: u32,
    },
}

/// The date anniversary periods count from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// The day the member joined (the first event, if no `joined` event came).
    Joined,
    /// The day the member reached the current tier.
    TierReached,
}

/// When an upgrade takes effect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum UpgradeTiming {
    /// At the event (or activation) that crosses the entry threshold (the default).
    #[default]
    Immediately,
    /// At the start of the next qualification period (not with rolling periods).
    NextPeriod,
}

/// What happens at a tier's expiry when the retain threshold is missed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DowngradeMode {
    /// Never downgrade: a tier, once reached, is kept.
    None,
    /// Down one level.
    OneLevel,
    /// To the highest level whose retain threshold the member meets (the default).
    #[default]
    Requalify,
    /// Back to the base level.
    ToBase,
}

/// How refunds affect the tier.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TierRefunds {
    /// Refunds lower the metrics; the tier is judged at the period's end (the default: a
    /// returned holiday order does not flip a member's status back and forth, and the
    /// retain check at expiry sees the refund anyway).
    #[default]
    PeriodEnd,
    /// A refund of an order that counted toward the upgrade to the current tier, in the
    /// tier's first window, demotes at once (one level at most) when the metrics that earned
    /// it no longer meet its entry threshold: the window so far, or for `next_period`
    /// upgrades the period that earned it.
    Immediately,
}

/// Qualifying metrics over a window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Metrics {
    /// Qualifying spend.
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub spend: Decimal,
    /// Qualifying points.
    pub points: Points,
    /// Qualifying orders.
    pub orders: i64,
}

/// What is still missing on one metric.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Missing {
    /// `spend`, `points` or `orders`.
    pub metric: String,
    /// How much more is needed.
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub needed: Decimal,
}

impl Threshold {
    fn parts(&self, m: &Metrics) -> Vec<(&'static str, Decimal, Decimal)> {
        let mut parts = Vec::new();
        if let Some(s) = self.spend {
            parts.push(("spend", s, m.spend));
        }
        if let Some(p) = self.points {
            parts.push(("points", Decimal::from(p.get()), Decimal::from(m.points.get())));
        }
        if let Some(o) = self.orders {
            parts.push(("orders", Decimal::from(o), Decimal::from(m.orders)));
        }
        parts
    }

    /// True when the metrics meet the threshold.
    ///
    /// ```
    /// use loyalty::program::{Metrics, Threshold, MetricCombine};
    /// let t = Threshold { spend: Some("500".parse().unwrap()), orders: Some(10), combine: MetricCombine::Any, ..Default::default() };
    /// let m = Metrics { spend: "120".parse().unwrap(), orders: 10, ..Default::default() };
    /// assert!(t.is_met(&m));
    /// assert!(!Threshold { combine: MetricCombine::All, ..t }.is_met(&m));
    /// ```
    pub fn is_met(&self, m: &Metrics) -> bool {
        // Checked on every purchase of every member: compared in place, no list, no decimals
        // for the integer metrics.
        let met = [
            self.spend.map(|need| crate::money::cmp(m.spend, need).is_ge()),
            self.points.map(|need| m.points >= need),
            self.orders.map(|need| m.orders >= i64::from(need)),
        ];
        let mut named = met.iter().flatten();
        match self.combine {
            MetricCombine::Any => named.any(|ok| *ok),
            MetricCombine::All => named.all(|ok| *ok),
        }
    }

    /// What each metric still needs (only metrics not yet met).
    pub fn missing(&self, m: &Metrics) -> Vec<Missing> {
        self.parts(m)
            .into_iter()
            .filter(|(_, need, have)| have < need)
            .map(|(metric, need, have)| Missing { metric: metric.to_string(), needed: need - have })
            .collect()
    }

    fn validate(&self, path: &str) -> Result<(), Invalid> {
        if self.spend.is_none() && self.points.is_none() && self.orders.is_none() {
            return Err(Invalid::new(path, "{}", "must name at least one of spend, points, orders"));
        }
        if let Some(s) = self.spend {
            if s <= Decimal::ZERO || s > crate::money::MAX_AMOUNT {
                return Err(Invalid::new(format!("{path}.spend"), s, "must be > 0 and <= 1000000000000"));
            }
        }
        if let Some(p) = self.points {
            if p.get() < 1 || p > Points::MAX_PER_EVENT {
                return Err(Invalid::new(format!("{path}.points"), p, "must be >= 1 and <= 1000000000000"));
            }
        }
        if self.orders == Some(0) {
            return Err(Invalid::new(format!("{path}.orders"), 0, "must be at least 1"));
        }
        Ok(())
    }
}

impl TierLevel {
    /// The retain threshold: `retain`, or the entry threshold when absent.
    pub fn retain_threshold(&self) -> Option<&Threshold> {
        self.retain.as_ref().or(self.entry.as_ref())
    }

    /// The purchase multiplier of this level.
    pub fn multiplier(&self) -> Decimal {
        self.earn_multiplier.unwrap_or(Decimal::ONE)
    }
}

impl QualificationPeriod {
    fn is_rolling(&self) -> bool {
        matches!(self, QualificationPeriod::RollingDays { .. } | QualificationPeriod::RollingMonths { .. })
    }

    /// The first day of the window that ends on `day` (included): the current period so far,
    /// or the last N days or months. `anchor` is the anniversary date where one applies.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use loyalty::program::QualificationPeriod;
    /// let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    /// let fiscal = QualificationPeriod::Fixed { start: d(2020, 4, 1), months: 12 };
    /// assert_eq!(fiscal.window_start(d(2024, 3, 31), d(2020, 1, 1)), d(2023, 4, 1));
    /// let rolling = QualificationPeriod::RollingDays { days: 7 };
    /// assert_eq!(rolling.window_start(d(2024, 3, 1), d(2020, 1, 1)), d(2024, 2, 24));
    /// ```
    pub fn window_start(&self, day: NaiveDate, anchor: NaiveDate) -> NaiveDate {
        match *self {
            QualificationPeriod::CalendarYear => NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day),
            QualificationPeriod::RollingDays { days } => calendar::sub_days(day, days.saturating_sub(1)),
            QualificationPeriod::RollingMonths { months } => calendar::add_days(calendar::sub_months(day, months), 1),
            QualificationPeriod::Anniversary { .. } => periodic_start(anchor, 12, day),
            QualificationPeriod::Fixed { start, months } => periodic_start(start, months, day),
        }
    }

    /// The first day after the period that contains `day` (for rolling periods: one window
    /// length after `day`).
    pub fn after_one_period(&self, day: NaiveDate, anchor: NaiveDate) -> NaiveDate {
        match *self {
            QualificationPeriod::CalendarYear => calendar::add_months(self.window_start(day, anchor), 12),
            QualificationPeriod::RollingDays { days } => calendar::add_days(day, days),
            QualificationPeriod::RollingMonths { months } => calendar::add_months(day, months),
            QualificationPeriod::Anniversary { .. } => periodic_next(anchor, 12, day),
            QualificationPeriod::Fixed { start, months } => periodic_next(start, months, day),
        }
    }

    /// The first day after the validity of a tier reached on `day`: the end of the next
    /// full period (the end of the following calendar year, say), or one window for rolling
    /// periods and anniversaries of the tier itself.
    pub fn valid_until_day(&self, day: NaiveDate, anchor: NaiveDate) -> NaiveDate {
        match self {
            QualificationPeriod::RollingDays { .. } | QualificationPeriod::RollingMonths { .. } => {
                self.after_one_period(day, anchor)
            }
            // The tier's own anniversary: the period starting today is a full one.
            QualificationPeriod::Anniversary { of: Anchor::TierReached } => self.after_one_period(day, day),
            _ => {
                let next = self.after_one_period(day, anchor);
                self.after_one_period(next, anchor)
            }
        }
    }

    /// The first day of the period after the one containing `day` (for `next_period`
    /// upgrades).
    pub fn next_period_start(&self, day: NaiveDate, anchor: NaiveDate) -> NaiveDate {
        self.after_one_period(day, anchor)
    }

    /// A number equal for two days exactly when they fall in the same period (rolling
    /// periods, whose window slides: the same block of the window's length counted from the
    /// anchor). Entry rewards are granted once per level and period by it.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use loyalty::program::QualificationPeriod;
    /// let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    /// let quarter = QualificationPeriod::RollingMonths { months: 3 };
    /// let joined = d(2024, 1, 10);
    /// // 2024-01-10 to 2024-04-09 is one block, 2024-04-10 starts the next.
    /// assert_eq!(quarter.index(d(2024, 1, 20), joined), quarter.index(d(2024, 4, 9), joined));
    /// assert_eq!(quarter.index(d(2024, 4, 10), joined), quarter.index(d(2024, 1, 20), joined) + 1);
    /// ```
    pub fn index(&self, day: NaiveDate, anchor: NaiveDate) -> i64 {
        match *self {
            QualificationPeriod::RollingDays { days } => (day - anchor).num_days().div_euclid(i64::from(days.max(1))),
            QualificationPeriod::RollingMonths { months } => periodic_index(anchor, months, day).0,
            _ => i64::from(self.window_start(day, anchor).num_days_from_ce()),
        }
    }
}

/// The start of the period after the one of `months` months, aligned on `start`, that
/// contains `day`; counted from `start` so a 29 February anchor comes back in leap years.
fn periodic_next(start: NaiveDate, months: u32, day: NaiveDate) -> NaiveDate {
    let (k, _) = periodic_index(start, months, day);
    nth_period(start, months, k + 1)
}

fn nth_period(start: NaiveDate, months: u32, k: i64) -> NaiveDate {
    let shift = k * i64::from(months.max(1));
    if shift >= 0 {
        calendar::add_months(start, u32::try_from(shift).unwrap_or(u32::MAX))
    } else {
        calendar::sub_months(start, u32::try_from(-shift).unwrap_or(u32::MAX))
    }
}

/// The index and start of the period of `months` months, aligned on `start`, containing `day`.
fn periodic_index(start: NaiveDate, months: u32, day: NaiveDate) -> (i64, NaiveDate) {
    let span = i64::from(months.max(1));
    let diff =
        (i64::from(day.year()) - i64::from(start.year())) * 12 + i64::from(day.month0()) - i64::from(start.month0());
    let mut k = diff.div_euclid(span);
    if nth_period(start, months, k) > day {
        k -= 1;
    }
    (k, nth_period(start, months, k))
}

/// The start of the period of `months` months, aligned on `start`, that contains `day`.
fn periodic_start(start: NaiveDate, months: u32, day: NaiveDate) -> NaiveDate {
    periodic_index(start, months, day).1
}

impl Tiers {
    pub(crate) fn validate(&self) -> Result<(), Invalid> {
        if self.levels.is_empty() || self.levels.len() > MAX_RULES {
            return Err(Invalid::new("tiers.levels", self.levels.len(), "must have 1 to 64 levels"));
        }
        match self.period {
            QualificationPeriod::RollingDays { days } if !(1..=3_650).contains(&days) => {
                return Err(Invalid::new("tiers.period.days", days, "must be from 1 to 3650"));
            }
            QualificationPeriod::RollingMonths { months } | QualificationPeriod::Fixed { months, .. }
                if !(1..=120).contains(&months) =>
            {
                return Err(Invalid::new("tiers.period.months", months, "must be from 1 to 120"));
            }
            _ => {}
        }
        if self.upgrade == UpgradeTiming::NextPeriod && self.period.is_rolling() {
            return Err(Invalid::new("tiers.upgrade", "next_period", "needs a period with a start: not a rolling one"));
        }
        if self.grace_days > 3_650 || self.warn_days > 3_650 {
            return Err(Invalid::new("tiers.grace_days", self.grace_days.max(self.warn_days), "must be at most 3650"));
        }
        for (i, level) in self.levels.iter().enumerate() {
            let path = format!("tiers.levels[{i}]");
            super::check_name(&format!("{path}.name"), &level.name)?;
            if self.levels[..i].iter().any(|l| l.name == level.name) {
                return Err(Invalid::new(format!("{path}.name"), &level.name, "is a duplicate tier name"));
            }
            if let Some(m) = level.earn_multiplier {
                if m <= Decimal::ZERO || m > Decimal::from(100) {
                    return Err(Invalid::new(format!("{path}.earn_multiplier"), m, "must be > 0 and <= 100"));
                }
            }
            if let Some(reward) = &level.entry_reward {
                if let Some(p) = reward.points {
                    if p.get() < 1 || p > Points::MAX_PER_EVENT {
                        return Err(Invalid::new(
                            format!("{path}.entry_reward.points"),
                            p,
                            "must be >= 1 and <= 1000000000000",
                        ));
                    }
                }
                if let Some(id) = &reward.reward_id {
                    super::check_name(&format!("{path}.entry_reward.reward_id"), id)?;
                }
            }
            if i == 0 {
                if level.entry.is_some() || level.retain.is_some() {
                    return Err(Invalid::new(
                        format!("{path}.entry"),
                        &level.name,
                        "is the base level and takes no thresholds",
                    ));
                }
                continue;
            }
            let Some(entry) = &level.entry else {
                return Err(Invalid::new(format!("{path}.entry"), "null", "is required above the base level"));
            };
            entry.validate(&format!("{path}.entry"))?;
            if let Some(retain) = &level.retain {
                retain.validate(&format!("{path}.retain"))?;
                let above = |r: Option<Decimal>, e: Option<Decimal>| matches!((r, e), (Some(r), Some(e)) if r > e);
                let pts = |p: Option<Points>| p.map(|p| Decimal::from(p.get()));
                let ord = |o: Option<u32>| o.map(Decimal::from);
                for (metric, r, e) in [
                    ("spend", retain.spend, entry.spend),
                    ("points", pts(retain.points), pts(entry.points)),
                    ("orders", ord(retain.orders), ord(entry.orders)),
                ] {
                    if above(r, e) {
                        return Err(Invalid::new(
                            format!("{path}.retain.{metric}"),
                            r.unwrap_or_default(),
                            "must not be above the entry threshold",
                        ));
                    }
                }
            }
            // Each metric must rise over the nearest level below that names it (not only the
            // level just below: Silver spend 500, Gold orders 5, Platinum spend 400 is refused).
            let pts = |p: Option<Points>| p.map(|p| Decimal::from(p.get()));
            let ord = |o: Option<u32>| o.map(Decimal::from);
            let metrics = |t: &Threshold| [("spend", t.spend), ("points", pts(t.points)), ("orders", ord(t.orders))];
            for (k, (metric, here)) in metrics(entry).into_iter().enumerate() {
                let Some(h) = here else { continue };
                let below = self.levels[1..i]
                    .iter()
                    .enumerate()
                    .rev()
                    .find_map(|(j, l)| l.entry.as_ref().and_then(|t| metrics(t)[k].1).map(|t| (j + 1, l, t)));
                if let Some((j, lower, t)) = below {
                    if h <= t {
                        let reason = if j + 1 == i {
                            format!("must be more than the level below ({t})")
                        } else {
                            format!("must be more than {}'s, the nearest level below with {metric} ({t})", lower.name)
                        };
                        return Err(Invalid::new(format!("{path}.entry.{metric}"), h, reason));
                    }
                }
            }
        }
        Ok(())
    }

    /// The index of the level with this name.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
    }

    /// A ladder as JSON levels, validated.
    fn ladder(levels: serde_json::Value) -> Result<(), Invalid> {
        let tiers: Tiers =
            serde_json::from_value(serde_json::json!({"period": {"kind": "calendar_year"}, "levels": levels}))
                .map_err(|e| Invalid::new("json", e.to_string(), "parse"))?;
        tiers.validate()
    }

    #[test]
    fn each_metric_rises_over_the_nearest_level_below_that_names_it() {
        // Gold names only orders, so Platinum's spend is compared with Silver's.
        let err = ladder(serde_json::json!([
            {"name": "Member"},
            {"name": "Silver", "entry": {"spend": "500"}},
            {"name": "Gold", "entry": {"orders": 5}},
            {"name": "Platinum", "entry": {"spend": "400"}}
        ]))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "tiers.levels[3].entry.spend: 400 must be more than Silver's, the nearest level below with spend (500)"
        );
        // Equal is not more; the level just below keeps its short message.
        let err = ladder(serde_json::json!([
            {"name": "Member"},
            {"name": "Silver", "entry": {"orders": 5}},
            {"name": "Gold", "entry": {"orders": 5, "spend": "100"}}
        ]))
        .unwrap_err();
        assert_eq!(err.to_string(), "tiers.levels[2].entry.orders: 5 must be more than the level below (5)");
        // Mixed metrics that each rise are a working ladder.
        ladder(serde_json::json!([
            {"name": "Member"},
            {"name": "Silver", "entry": {"spend": "500"}},
            {"name": "Gold", "entry": {"orders": 5}},
            {"name": "Platinum", "entry": {"spend": "1500", "orders": 6}}
        ]))
        .unwrap();
    }

    #[test]
    fn unknown_metric_names_are_refused() {
        let err = crate::Program::from_json(
            &serde_json::json!({
                "name": "T", "version": 1, "currency": "USD", "time_zone": "UTC",
                "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
                "redemption": {"point_value": "0.01"},
                "tiers": {"period": {"kind": "calendar_year"}, "levels": [
                    {"name": "Member"}, {"name": "Silver", "entry": {"visits": 5}}
                ]}
            })
            .to_string(),
        )
        .unwrap_err();
        // The path and the unknown name; the position is serde_json's, in the compact text.
        assert_eq!(
            err.to_string(),
            "tiers.levels[1].entry.visits: unknown field `visits`, expected one of `spend`, `points`, `orders`, \
             `combine` at line 1 column 180"
        );
    }

    #[test]
    fn a_leap_day_anchor_comes_back_in_leap_years() {
        let anchor = d(2024, 2, 29);
        assert_eq!(periodic_start(anchor, 12, d(2025, 2, 27)), d(2024, 2, 29));
        assert_eq!(periodic_start(anchor, 12, d(2025, 2, 28)), d(2025, 2, 28));
        assert_eq!(periodic_next(anchor, 12, d(2027, 3, 1)), d(2028, 2, 29));
        assert_eq!(periodic_start(anchor, 12, d(2023, 6, 1)), d(2023, 2, 28));
    }

    #[test]
    fn fixed_periods_before_their_start() {
        assert_eq!(periodic_start(d(2024, 4, 1), 3, d(2024, 1, 15)), d(2024, 1, 1));
        assert_eq!(periodic_next(d(2024, 4, 1), 3, d(2024, 1, 15)), d(2024, 4, 1));
    }

    #[test]
    fn calendar_year_validity_ends_after_the_following_year() {
        let p = QualificationPeriod::CalendarYear;
        assert_eq!(p.valid_until_day(d(2024, 5, 10), d(2020, 1, 1)), d(2026, 1, 1));
        let p = QualificationPeriod::RollingMonths { months: 12 };
        assert_eq!(p.valid_until_day(d(2024, 2, 29), d(2020, 1, 1)), d(2025, 2, 28));
    }
}
