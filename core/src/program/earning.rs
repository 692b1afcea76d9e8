//! Earning rules: points per currency unit, scopes, multipliers and caps for purchases.

use super::{Invalid, MAX_LIST, MAX_RULES};
use crate::calendar::Period;
use crate::event::OrderLine;
use crate::money::Rounding;
use crate::points::Points;
use chrono::{Datelike, NaiveDate, Weekday};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What contributed to an order's points, by position in the configuration.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Source {
    /// `rules[i]`.
    Rule(usize),
    /// `multipliers[i]`.
    Multiplier(usize),
    /// The member's tier.
    Tier,
}

/// The names of the earning rules and multipliers, shared: an effect names them without
/// copying the strings.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Names {
    rules: Vec<Arc<str>>,
    multipliers: Vec<Arc<str>>,
}

impl Names {
    pub(crate) fn of(earning: &Earning) -> Names {
        Names {
            rules: earning.rules.iter().map(|r| Arc::from(r.name.as_str())).collect(),
            multipliers: earning.multipliers.iter().map(|m| Arc::from(m.name.as_str())).collect(),
        }
    }
}

/// How purchases earn points.
///
/// Each order line earns under the first rule (in configuration order) whose scope matches
/// it; an order without lines earns on its whole amount under the first rule whose scope
/// matches its channel and names no categories or SKUs. The raw points of all lines are
/// summed, multiplied by the combined multiplier, rounded once with `rounding`, then capped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Earning {
    /// How fractional points become whole points (floor by default).
    #[serde(default)]
    pub rounding: Rounding,
    /// Orders below this amount earn nothing.
    #[serde(default)]
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub min_order_amount: Decimal,
    /// The rules, most specific first: the first matching rule wins for each line.
    pub rules: Vec<EarningRule>,
    /// Multipliers that apply to a whole order when their condition holds.
    #[serde(default)]
    pub multipliers: Vec<Multiplier>,
    /// How several applicable multipliers combine (multiply by default).
    #[serde(default)]
    pub combine: Combine,
    /// Limits on purchase points.
    #[serde(default)]
    pub caps: Caps,
}

/// One earning rule: a rate over a scope.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EarningRule {
    /// A name for statements and effects.
    pub name: String,
    /// Points per currency unit spent, more than zero.
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub points_per_unit: Decimal,
    /// What the rule applies to; empty lists match everything.
    #[serde(default)]
    pub scope: Scope,
}

/// What an earning rule applies to. An empty list matches anything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Sales channels, e.g. `"web"`, `"store"`.
    #[serde(default)]
    pub channels: Vec<String>,
    /// Product categories of order lines.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Stock-keeping units of order lines.
    #[serde(default)]
    pub skus: Vec<String>,
}

/// A factor applied to an order's points when its condition holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Multiplier {
    /// A name for effects, e.g. `"member_day"`.
    pub name: String,
    /// The factor, more than zero and at most 100.
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub factor: Decimal,
    /// When the factor applies.
    pub when: When,
}

/// A condition on the order's local date (in the program's time zone) or on the member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum When {
    /// On these weekdays (a weekly member day).
    Weekdays {
        /// The weekdays, e.g. `["tue"]`.
        days: Vec<Weekday>,
    },
    /// On these days of every month (a monthly member day, 1 to 31).
    MonthDays {
        /// The days of the month.
        days: Vec<u32>,
    },
    /// In the member's birthday month (the member must have told a birthday).
    BirthdayMonth,
    /// From `from` to `to`, both local dates included (a campaign).
    DateRange {
        /// The first day.
        from: NaiveDate,
        /// The last day.
        to: NaiveDate,
    },
    /// Always (a flat program-wide bonus).
    Always,
}

/// How several applicable multipliers combine.
///
/// ```
/// use loyalty::program::Combine;
/// use rust_decimal::Decimal;
/// let factors = [Decimal::from(2), Decimal::new(15, 1)];
/// assert_eq!(Combine::Multiply.combine(&factors), Decimal::from(3));
/// assert_eq!(Combine::Max.combine(&factors), Decimal::from(2));
/// assert_eq!(Combine::Add.combine(&factors), Decimal::new(25, 1));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// The product of the factors (2x and 1.5x give 3x). The default.
    #[default]
    Multiply,
    /// The largest factor only (2x and 1.5x give 2x).
    Max,
    /// The bonuses add up: 1 + the sum of (factor - 1) (2x and 1.5x give 2.5x).
    Add,
}

impl Combine {
    /// Combines factors; no factors give 1.
    pub fn combine(self, factors: &[Decimal]) -> Decimal {
        factors.iter().fold(Decimal::ONE, |acc, f| self.fold(acc, *f))
    }

    /// Adds one factor to a combination so far (which starts at 1).
    pub fn fold(self, acc: Decimal, factor: Decimal) -> Decimal {
        match self {
            Combine::Multiply => acc.saturating_mul(factor),
            // As `Ord::max`: the second when equal (1.0 and 1.00 keep the factor's scale).
            Combine::Max => {
                if crate::money::cmp(acc, factor).is_gt() {
                    acc
                } else {
                    factor
                }
            }
            Combine::Add => acc.saturating_add(factor - Decimal::ONE),
        }
    }
}

/// Limits on purchase points. Event-rule points (sign-up, check-in, ...) are not capped here.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Caps {
    /// At most this many points from one order.
    #[serde(default)]
    pub per_order: Option<Points>,
    /// At most this many purchase points in one local day.
    #[serde(default)]
    pub per_day: Option<Points>,
    /// At most this many purchase points in one calendar period.
    #[serde(default)]
    pub per_period: Option<PeriodCap>,
}

impl Caps {
    /// What a running counter `(key, points)` holds for `key`: its points while the key is
    /// the same, none once a new day or period has started.
    pub(crate) fn so_far(counter: (i64, Points), key: i64) -> Points {
        if counter.0 == key {
            counter.1
        } else {
            Points::ZERO
        }
    }

    /// A running counter after `points` more are earned under `key`.
    pub(crate) fn counted(counter: (i64, Points), key: i64, points: Points) -> (i64, Points) {
        (key, Caps::so_far(counter, key) + points)
    }

    /// The keys of `today` and of its cap period: what was earned is counted per key, and a
    /// new key starts from zero.
    pub(crate) fn keys(&self, today: NaiveDate) -> (i64, i64) {
        (Period::Day.key(today), self.per_period.map_or(0, |p| p.period.key(today)))
    }

    /// What an order may earn of `raw` points under the caps per order, per local day and per
    /// period, given the purchase points already earned on the day and in the period.
    ///
    /// ```
    /// use loyalty::{program::Caps, Points};
    /// let caps: Caps = serde_json::from_str(r#"{"per_order": 300, "per_day": 500}"#).unwrap();
    /// // 400 raw points: 300 by the order cap; then 200 left of the day's 500.
    /// assert_eq!(caps.cap(Points::new(400), Points::ZERO, Points::ZERO).get(), 300);
    /// assert_eq!(caps.cap(Points::new(400), Points::new(300), Points::ZERO).get(), 200);
    /// ```
    pub fn cap(&self, raw: Points, earned_today: Points, earned_in_period: Points) -> Points {
        let mut points = raw;
        if let Some(cap) = self.per_order {
            points = points.min(cap);
        }
        if let Some(cap) = self.per_day {
            points = points.min((cap - earned_today).max(Points::ZERO));
        }
        if let Some(cap) = self.per_period {
            points = points.min((cap.points - earned_in_period).max(Points::ZERO));
        }
        points
    }
}

impl Earning {
    /// Why a purchase of `amount` that came to `raw` points before the caps earned `points`
    /// after them: `None` when it earned something, else `below_minimum`, `no_matching_rule`
    /// or `capped`.
    pub(crate) fn why_nothing(&self, amount: Decimal, raw: Points, points: Points) -> Option<&'static str> {
        if points.is_positive() {
            None
        } else if amount < self.min_order_amount {
            Some("below_minimum")
        } else if raw.is_zero() {
            Some("no_matching_rule")
        } else {
            Some("capped")
        }
    }
}

/// A cap over a calendar period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PeriodCap {
    /// The most purchase points in one period.
    pub points: Points,
    /// The period (week, month, quarter or year).
    pub period: Period,
}

/// The purchase points of one order before caps.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Quote {
    /// Whole points after multipliers and rounding.
    pub points: Points,
    /// The combined multiplier.
    pub multiplier: Decimal,
    /// Names of the rules and multipliers that applied.
    pub rules: Arc<[Arc<str>]>,
}

/// The last few lists of rule names an account's purchases produced: a purchase that earns
/// by the same rules as an earlier one shares its list instead of allocating a new one (the
/// effect and the statement each hold it). Matched by the names' identity, so a list from
/// another program version is never reused by mistake. A memo: never serialized or compared.
#[derive(Clone, Debug, Default)]
pub(crate) struct RuleLists {
    slots: [Option<Arc<[Arc<str>]>>; 4],
    next: usize,
}

impl RuleLists {
    /// The shared list holding exactly `names` (the same `Arc`s, in order; all `Some`).
    fn get(&mut self, names: &[Option<&Arc<str>>]) -> Arc<[Arc<str>]> {
        let same = |list: &Arc<[Arc<str>]>| {
            list.len() == names.len() && list.iter().zip(names).all(|(a, b)| b.is_some_and(|b| Arc::ptr_eq(a, b)))
        };
        if let Some(list) = self.slots.iter().flatten().find(|l| same(l)) {
            return Arc::clone(list);
        }
        let list: Arc<[Arc<str>]> = names.iter().flatten().map(|n| Arc::clone(n)).collect();
        self.slots[self.next] = Some(Arc::clone(&list));
        self.next = (self.next + 1) % self.slots.len();
        list
    }
}

impl Earning {
    pub(crate) fn validate(&self) -> Result<(), Invalid> {
        if self.min_order_amount.is_sign_negative() && !self.min_order_amount.is_zero() {
            return Err(Invalid::new("earning.min_order_amount", self.min_order_amount, "must not be negative"));
        }
        if self.rules.len() > MAX_RULES {
            return Err(Invalid::new("earning.rules", self.rules.len(), "must have at most 64 rules"));
        }
        for (i, rule) in self.rules.iter().enumerate() {
            super::check_name(&format!("earning.rules[{i}].name"), &rule.name)?;
            if self.rules[..i].iter().any(|r| r.name == rule.name) {
                return Err(Invalid::new(
                    format!("earning.rules[{i}].name"),
                    format!("{:?}", rule.name),
                    "is a duplicate rule name",
                ));
            }
            let rate = rule.points_per_unit;
            if rate <= Decimal::ZERO || rate > Decimal::from(10_000) {
                return Err(Invalid::new(
                    format!("earning.rules[{i}].points_per_unit"),
                    rate,
                    "must be > 0 and <= 10000",
                ));
            }
            for (list, name) in
                [(&rule.scope.channels, "channels"), (&rule.scope.categories, "categories"), (&rule.scope.skus, "skus")]
            {
                if list.len() > MAX_LIST {
                    return Err(Invalid::new(
                        format!("earning.rules[{i}].scope.{name}"),
                        list.len(),
                        "must have at most 1000 entries",
                    ));
                }
            }
        }
        if self.multipliers.len() > MAX_RULES {
            return Err(Invalid::new(
                "earning.multipliers",
                self.multipliers.len(),
                "must have at most 64 multipliers",
            ));
        }
        for (i, m) in self.multipliers.iter().enumerate() {
            super::check_name(&format!("earning.multipliers[{i}].name"), &m.name)?;
            if self.multipliers[..i].iter().any(|o| o.name == m.name) || self.rules.iter().any(|r| r.name == m.name) {
                return Err(Invalid::new(
                    format!("earning.multipliers[{i}].name"),
                    format!("{:?}", m.name),
                    "is a duplicate name (of a rule or an earlier multiplier)",
                ));
            }
            if m.factor <= Decimal::ZERO || m.factor > Decimal::from(100) {
                return Err(Invalid::new(
                    format!("earning.multipliers[{i}].factor"),
                    m.factor,
                    "must be > 0 and <= 100",
                ));
            }
            match &m.when {
                When::MonthDays { days } => {
                    if let Some(bad) = days.iter().find(|d| !(1..=31).contains(*d)) {
                        return Err(Invalid::new(
                            format!("earning.multipliers[{i}].when.days"),
                            bad,
                            "must be a day of the month from 1 to 31",
                        ));
                    }
                }
                When::DateRange { from, to } if from > to => {
                    return Err(Invalid::new(
                        format!("earning.multipliers[{i}].when.to"),
                        to,
                        "must not be before `from`",
                    ));
                }
                _ => {}
            }
        }
        for (name, cap) in [
            ("per_order", self.caps.per_order),
            ("per_day", self.caps.per_day),
            ("per_period.points", self.caps.per_period.map(|c| c.points)),
        ] {
            if let Some(cap) = cap {
                if cap.get() < 0 || cap > Points::MAX_PER_EVENT {
                    return Err(Invalid::new(format!("earning.caps.{name}"), cap, "must be >= 0 and <= 1000000000000"));
                }
            }
        }
        if let Some(PeriodCap { period: period @ Period::Ever, .. }) = self.caps.per_period {
            return Err(Invalid::new(
                "earning.caps.per_period.period",
                period.name(),
                "must be day, week, month, quarter or year",
            ));
        }
        Ok(())
    }

    /// Points for an order before caps. `None` means the raw points do not fit the limits.
    /// `tier` is the member's tier name and multiplier, if any.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn quote(
        &self,
        names: &Names,
        amount: Decimal,
        channel: Option<&str>,
        lines: &[OrderLine],
        local_date: NaiveDate,
        birthday: Option<NaiveDate>,
        tier: Option<(&Arc<str>, Decimal)>,
        lists: &mut RuleLists,
    ) -> Option<Quote> {
        // The names in order of first use; a handful, so kept on the stack (more than eight,
        // a very unusual program, are collected in a list).
        let mut picked: [Option<&Arc<str>>; 8] = [None; 8];
        let mut count = 0;
        let mut spilled: Vec<&Arc<str>> = Vec::new();
        let factor = tier.map(|(_, f)| f);
        let (points, multiplier) =
            self.points(amount, channel, lines, local_date, birthday, factor, &mut |source| {
                let name = match source {
                    Source::Rule(i) => &names.rules[i],
                    Source::Multiplier(i) => &names.multipliers[i],
                    Source::Tier => match tier {
                        Some((name, _)) => name,
                        None => return,
                    },
                };
                let seen = picked[..count].iter().flatten().chain(spilled.iter()).any(|r| **r == *name);
                if !seen {
                    if count < picked.len() {
                        picked[count] = Some(name);
                        count += 1;
                    } else {
                        spilled.push(name);
                    }
                }
            })?;
        let rules = if spilled.is_empty() {
            lists.get(&picked[..count])
        } else {
            picked.iter().flatten().copied().chain(spilled).map(Arc::clone).collect()
        };
        Some(Quote { points, multiplier, rules })
    }

    /// The points an order earns and the combined multiplier, naming each rule and multiplier
    /// that applies to `note` (which may ignore them: a check that only needs the points
    /// allocates nothing). `None` when the points overflow or exceed the per-event maximum.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn points(
        &self,
        amount: Decimal,
        channel: Option<&str>,
        lines: &[OrderLine],
        local_date: NaiveDate,
        birthday: Option<NaiveDate>,
        tier: Option<Decimal>,
        note: &mut dyn FnMut(Source),
    ) -> Option<(Points, Decimal)> {
        if crate::money::cmp(amount, self.min_order_amount).is_lt() {
            return Some((Points::ZERO, Decimal::ONE));
        }
        let mut raw = Decimal::ZERO;
        if lines.is_empty() {
            let rule = self.rules.iter().position(|r| {
                r.scope.categories.is_empty() && r.scope.skus.is_empty() && matches(&r.scope.channels, channel)
            });
            if let Some(i) = rule {
                raw = amount.checked_mul(self.rules[i].points_per_unit)?;
                note(Source::Rule(i));
            }
        } else {
            for line in lines {
                let rule = self.rules.iter().position(|r| {
                    matches(&r.scope.channels, channel)
                        && matches(&r.scope.categories, line.category.as_deref())
                        && matches(&r.scope.skus, Some(line.sku.as_str()))
                });
                if let Some(i) = rule {
                    raw = raw.checked_add(line.amount.checked_mul(self.rules[i].points_per_unit)?)?;
                    note(Source::Rule(i));
                }
            }
        }
        let mut multiplier = Decimal::ONE;
        for (i, m) in self.multipliers.iter().enumerate() {
            let applies = match &m.when {
                When::Weekdays { days } => days.contains(&local_date.weekday()),
                When::MonthDays { days } => days.contains(&local_date.day()),
                When::BirthdayMonth => birthday.is_some_and(|b| b.month() == local_date.month()),
                When::DateRange { from, to } => *from <= local_date && local_date <= *to,
                When::Always => true,
            };
            if applies {
                multiplier = self.combine.fold(multiplier, m.factor);
                note(Source::Multiplier(i));
            }
        }
        // The member's tier multiplier is one more factor, combined by the same policy.
        if let Some(factor) = tier {
            multiplier = self.combine.fold(multiplier, factor);
            note(Source::Tier);
        }
        let points = self.rounding.to_points(raw.checked_mul(multiplier)?)?;
        if points > Points::MAX_PER_EVENT {
            return None;
        }
        Some((points, multiplier))
    }
}

fn matches(allowed: &[String], value: Option<&str>) -> bool {
    allowed.is_empty() || value.is_some_and(|v| allowed.iter().any(|a| a == v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purchases_by_the_same_rules_share_one_list_of_names() {
        let (base, day): (Arc<str>, Arc<str>) = ("base".into(), "member_day".into());
        let mut lists = RuleLists::default();
        let a = lists.get(&[Some(&base), Some(&day)]);
        let b = lists.get(&[Some(&base), Some(&day)]);
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*a, &[Arc::clone(&base), Arc::clone(&day)]);
        // Another order, another list; equal text from another program, another list.
        let c = lists.get(&[Some(&day), Some(&base)]);
        assert_eq!(&*c, &[Arc::clone(&day), Arc::clone(&base)]);
        let other: Arc<str> = "base".into();
        let d = lists.get(&[Some(&other), Some(&day)]);
        assert!(!Arc::ptr_eq(&a, &d) && Arc::ptr_eq(&d[0], &other));
        // The memo keeps four lists: a fifth evicts the oldest, answers stay right.
        for name in ["w", "x", "y", "z"] {
            let n: Arc<str> = name.into();
            assert_eq!(&*lists.get(&[Some(&n)]), &[Arc::clone(&n)]);
        }
        let e = lists.get(&[Some(&base), Some(&day)]);
        assert!(!Arc::ptr_eq(&a, &e) && *e == *a);
    }
}
