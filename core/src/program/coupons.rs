//! The program's coupons: what each coupon takes off an order and when it applies (kind,
//! minimum spend, scope, combinability), how long it is valid, when it is reminded of, how it
//! is issued, and what a partial return of a coupon order refunds. The member's coupons and
//! their states live in [`crate::coupon`]; the rules that read this section live here.

use super::Invalid;
use crate::event::OrderLine;
use crate::points::Points;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The most coupon definitions a program has.
pub const MAX_DEFINITIONS: usize = 256;

/// The program's coupons.
///
/// ```
/// use loyalty::Program;
/// let p = Program::from_json(r#"{
///     "name": "Tea House", "version": 1, "currency": "CNY", "time_zone": "Asia/Shanghai",
///     "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
///     "redemption": {"point_value": "0.01"},
///     "coupons": {"definitions": [
///         {"id": "WELCOME", "discount": {"kind": "amount_off", "amount": "10"},
///          "validity": {"kind": "days", "days": 30}, "issue": {"on": "joined"}}]}
/// }"#).unwrap();
/// assert_eq!(p.config().coupons.as_ref().unwrap().definitions[0].id, "WELCOME");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Coupons {
    /// The coupons the program issues.
    pub definitions: Vec<CouponDefinition>,
    /// How long a reservation holds a coupon for one checkout, in minutes (15 by default).
    #[serde(default = "default_reservation_minutes")]
    pub reservation_minutes: u32,
    /// What a partial return of an order that used coupons refunds.
    #[serde(default)]
    pub partial_return: PartialReturn,
}

fn default_reservation_minutes() -> u32 {
    15
}

/// One kind of coupon.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CouponDefinition {
    /// The definition's id (e.g. `WELCOME10`).
    pub id: String,
    /// What it takes off.
    pub discount: Discount,
    /// The least the order must come to for the coupon to apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::money::strict::option")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::optional_decimal_schema"))]
    pub min_spend: Option<Decimal>,
    /// What `min_spend` is compared with.
    #[serde(default)]
    pub min_spend_on: MinSpendOn,
    /// Where it applies.
    #[serde(default)]
    pub scope: CouponScope,
    /// How long an issued coupon is valid.
    pub validity: Validity,
    /// The most times one member may redeem it (a redemption given back by a cancelled order
    /// does not count); no limit when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_member_limit: Option<u32>,
    /// An exclusive coupon is the only coupon on its order.
    #[serde(default)]
    pub exclusive: bool,
    /// Remind the member this many days before the last valid day (0: no reminder).
    #[serde(default)]
    pub remind_days: u32,
    /// Issued by the engine on this occasion (hosts may also grant any coupon).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<Issue>,
    /// Members may buy it for this many points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_points: Option<Points>,
}

/// What a coupon takes off.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Discount {
    /// A fixed amount, at most what is left of the order in scope.
    AmountOff {
        /// The amount.
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        amount: Decimal,
    },
    /// A percentage of what is left of the order in scope, rounded to the minor unit half to
    /// even, at most `max_discount`.
    PercentOff {
        /// The percentage (0 to 100).
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        percent: Decimal,
        /// The most it takes off.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[serde(deserialize_with = "crate::money::strict::option")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::optional_decimal_schema"))]
        max_discount: Option<Decimal>,
    },
    /// The first order line with this SKU, free.
    FreeItem {
        /// The SKU.
        sku: String,
    },
}

/// What a minimum spend is compared with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MinSpendOn {
    /// What is left of the order after the coupons listed before this one (the default).
    #[default]
    AfterDiscounts,
    /// The order's amount before any coupon.
    OrderAmount,
}

/// Where a coupon applies; an empty list does not restrict.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CouponScope {
    /// Channels the order must come through.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    /// Categories of the lines it discounts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// SKUs of the lines it discounts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skus: Vec<String>,
}

/// How long a coupon is valid, in the program's zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Validity {
    /// From its issue through the local day `days` after the issue day: issued 2025-01-31
    /// with 30 days, it is valid through 2025-03-02 (until local midnight after it).
    Days {
        /// Days after the issue day.
        days: u32,
    },
    /// From local midnight of `from` through the local day `through`.
    Window {
        /// The first valid day.
        from: NaiveDate,
        /// The last valid day.
        through: NaiveDate,
    },
}

/// When the engine issues a coupon itself, keyed so that a replay issues nothing twice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "on", rename_all = "snake_case", deny_unknown_fields)]
pub enum Issue {
    /// When the member joins (once).
    Joined,
    /// At local midnight `days_before` days before the member's birthday, once a year; a
    /// 29 February birthday falls on 28 February in a common year.
    Birthday {
        /// Days ahead of the birthday.
        #[serde(default)]
        days_before: u32,
    },
}

/// What a partial return of an order that used coupons refunds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PartialReturn {
    /// The member keeps the discount: the refund is the paid amount in proportion to the
    /// goods returned (the default).
    #[default]
    Keep,
    /// When the goods kept no longer meet a coupon's minimum spend, they are priced without
    /// that coupon: the refund is what was paid less what the kept goods cost then.
    ClawBack,
}

/// Why a coupon does not apply to an order (the reason in a
/// [`crate::AccountError::CouponNotApplicable`] and in a checkout quote).
pub(crate) type NotApplicable = String;

/// An order as the coupons see it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Basket<'a> {
    pub amount: Decimal,
    pub channel: Option<&'a str>,
    pub lines: &'a [OrderLine],
}

impl Coupons {
    /// The definition with this id.
    pub fn definition(&self, id: &str) -> Option<&CouponDefinition> {
        self.definitions.iter().find(|d| d.id == id)
    }

    /// The discounts of `coupons` on an order, in the order listed (the documented stacking
    /// order): each takes from what the ones before it left, never below zero. A coupon that
    /// does not apply says why and takes nothing; the others still apply.
    ///
    /// ```
    /// use loyalty::Program;
    /// let p = Program::from_json(r#"{"name": "Shop", "version": 1, "currency": "EUR", "time_zone": "UTC",
    ///     "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]}, "redemption": {"point_value": "0.01"},
    ///     "coupons": {"definitions": [
    ///       {"id": "TEN_PCT", "discount": {"kind": "percent_off", "percent": "10"}, "validity": {"kind": "days", "days": 30}},
    ///       {"id": "FIFTY", "discount": {"kind": "amount_off", "amount": "50"}, "validity": {"kind": "days", "days": 30}}]}}"#).unwrap();
    /// let c = p.config().coupons.as_ref().unwrap();
    /// // 10% of 50 is 5; the 50 off then takes the 45 left, not 50.
    /// let d = c.discounts(&["TEN_PCT", "FIFTY"], "50".parse().unwrap(), None, &[], 2);
    /// assert_eq!(d, vec![Ok("5.00".parse().unwrap()), Ok("45.00".parse().unwrap())]);
    /// // The other way round, nothing is left for the 10%: it does not apply.
    /// let d = c.discounts(&["FIFTY", "TEN_PCT"], "50".parse().unwrap(), None, &[], 2);
    /// assert_eq!(d[0], Ok("50".parse().unwrap()));
    /// assert!(d[1].as_ref().unwrap_err().contains("nothing left"));
    /// ```
    pub fn discounts(
        &self,
        definitions: &[&str],
        amount: Decimal,
        channel: Option<&str>,
        lines: &[OrderLine],
        minor_units: u32,
    ) -> Vec<Result<Decimal, String>> {
        let basket = Basket { amount, channel, lines };
        let defs: Vec<Option<&CouponDefinition>> = definitions.iter().map(|d| self.definition(d)).collect();
        let mut remaining = amount;
        // What is left of each line after the scoped coupons before (a line's discount is
        // taken from the lines in scope, first line first).
        let mut left: Vec<Decimal> = lines.iter().map(|l| l.amount).collect();
        let mut applied: Vec<&CouponDefinition> = Vec::new();
        defs.iter()
            .zip(definitions)
            .map(|(def, id)| {
                let def = def.ok_or_else(|| format!("{id:?} is not a coupon of the program"))?;
                let (d, line) = def.discount_on(&basket, remaining, &left, &applied, minor_units)?;
                remaining -= d;
                let mut take = d;
                if let Some(i) = line {
                    if let Some(l) = left.get_mut(i) {
                        *l -= take.min(*l);
                    }
                } else if def.scoped() {
                    for (l, line) in left.iter_mut().zip(lines) {
                        if def.in_scope(line) {
                            let t = take.min(*l);
                            *l -= t;
                            take -= t;
                        }
                    }
                }
                applied.push(def);
                Ok(d)
            })
            .collect()
    }

    /// The refund of a return from an order that used coupons: `gross` is the order before
    /// coupons, `used` the coupons' definitions and discounts, `paid` what the member paid
    /// (gross less the discounts), `refunded` what earlier returns gave back and
    /// `returned_gross` the list value of all goods returned so far, this return included.
    pub(crate) fn refund_for_return(
        &self,
        gross: Decimal,
        used: &[(&str, Decimal)],
        paid: Decimal,
        refunded: Decimal,
        returned_gross: Decimal,
        minor_units: u32,
    ) -> Decimal {
        let round =
            |d: Decimal| d.round_dp_with_strategy(minor_units, rust_decimal::RoundingStrategy::MidpointNearestEven);
        let open = paid - refunded;
        if returned_gross >= gross || gross.is_zero() {
            return open;
        }
        let kept_gross = gross - returned_gross;
        // What the kept goods cost: list value less each coupon's share of its discount that
        // the policy lets the member keep.
        let mut kept_paid = kept_gross;
        for (id, discount) in used {
            let met = match (self.partial_return, self.definition(id).and_then(|d| d.min_spend)) {
                (PartialReturn::ClawBack, Some(min)) => kept_gross >= min,
                _ => true,
            };
            if met {
                kept_paid -= round(*discount * kept_gross / gross);
            }
        }
        let kept_paid = kept_paid.max(Decimal::ZERO);
        (paid - kept_paid - refunded).max(Decimal::ZERO).min(open)
    }

    pub(crate) fn validate(&self, minor_units: u32, tiers: Option<&super::Tiers>) -> Result<(), Invalid> {
        if self.definitions.len() > MAX_DEFINITIONS {
            return Err(Invalid::new("coupons.definitions", self.definitions.len(), "must have at most 256 coupons"));
        }
        if !(1..=10_080).contains(&self.reservation_minutes) {
            return Err(Invalid::new(
                "coupons.reservation_minutes",
                self.reservation_minutes,
                "must be from 1 to 10080",
            ));
        }
        let money = |path: String, v: Decimal| -> Result<(), Invalid> {
            if v.is_sign_negative() || v.is_zero() {
                return Err(Invalid::new(path, v, "must be greater than 0"));
            }
            crate::money::check_amount(v).map_err(|reason| Invalid::new(path.clone(), v, reason))?;
            crate::money::check_minor_units(v, minor_units).map_err(|reason| Invalid::new(path, v, reason))
        };
        for (i, d) in self.definitions.iter().enumerate() {
            let path = format!("coupons.definitions[{i}]");
            super::check_name(&format!("{path}.id"), &d.id)?;
            if self.definitions[..i].iter().any(|o| o.id == d.id) {
                return Err(Invalid::new(format!("{path}.id"), format!("{:?}", d.id), "is used by another coupon"));
            }
            match &d.discount {
                Discount::AmountOff { amount } => money(format!("{path}.discount.amount"), *amount)?,
                Discount::PercentOff { percent, max_discount } => {
                    if *percent <= Decimal::ZERO || *percent > Decimal::ONE_HUNDRED {
                        return Err(Invalid::new(
                            format!("{path}.discount.percent"),
                            percent,
                            "must be above 0 and at most 100",
                        ));
                    }
                    if let Some(m) = max_discount {
                        money(format!("{path}.discount.max_discount"), *m)?;
                    }
                }
                Discount::FreeItem { sku } => super::check_name(&format!("{path}.discount.sku"), sku)?,
            }
            if let Some(m) = d.min_spend {
                money(format!("{path}.min_spend"), m)?;
            }
            for (what, list) in
                [("channels", &d.scope.channels), ("categories", &d.scope.categories), ("skus", &d.scope.skus)]
            {
                if list.len() > super::MAX_RULES {
                    return Err(Invalid::new(
                        format!("{path}.scope.{what}"),
                        list.len(),
                        "must have at most 64 entries",
                    ));
                }
                for (j, name) in list.iter().enumerate() {
                    super::check_name(&format!("{path}.scope.{what}[{j}]"), name)?;
                }
            }
            match d.validity {
                Validity::Days { days } if !(0..=3_650).contains(&days) => {
                    return Err(Invalid::new(format!("{path}.validity.days"), days, "must be at most 3650"));
                }
                Validity::Window { from, through } => {
                    if through < from {
                        return Err(Invalid::new(
                            format!("{path}.validity.through"),
                            through,
                            "must not be before from",
                        ));
                    }
                    let (low, high) = (NaiveDate::from_ymd_opt(1970, 1, 1), NaiveDate::from_ymd_opt(8999, 12, 30));
                    if Some(from) < low || Some(through) > high {
                        return Err(Invalid::new(format!("{path}.validity"), from, "must lie from 1970 to 8999"));
                    }
                }
                Validity::Days { .. } => {}
            }
            if d.per_member_limit == Some(0) {
                return Err(Invalid::new(format!("{path}.per_member_limit"), 0, "must be at least 1"));
            }
            if d.remind_days > 3_650 {
                return Err(Invalid::new(format!("{path}.remind_days"), d.remind_days, "must be at most 3650"));
            }
            if let Some(Issue::Birthday { days_before }) = d.issue {
                if days_before > 300 {
                    return Err(Invalid::new(format!("{path}.issue.days_before"), days_before, "must be at most 300"));
                }
            }
            if let Some(p) = d.price_points {
                if !p.is_positive() || p > Points::MAX_PER_EVENT {
                    return Err(Invalid::new(format!("{path}.price_points"), p, "must be from 1 to 1000000000000"));
                }
            }
        }
        for (i, level) in tiers.map_or(&[][..], |t| &t.levels[..]).iter().enumerate() {
            if let Some(id) = level.entry_reward.as_ref().and_then(|r| r.coupon.as_ref()) {
                if self.definition(id).is_none() {
                    return Err(Invalid::new(
                        format!("tiers.levels[{i}].entry_reward.coupon"),
                        format!("{id:?}"),
                        "is not a coupon of the program",
                    ));
                }
            }
        }
        Ok(())
    }
}

impl CouponDefinition {
    /// When a coupon issued at `at` starts and stops being valid (the end excluded), or
    /// `None` when a fixed window has already ended.
    pub(crate) fn validity_at(
        &self,
        program: &super::Program,
        at: DateTime<Utc>,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        match self.validity {
            Validity::Days { days } => {
                let last = crate::calendar::add_days(program.local_date(at), days);
                Some((at, crate::calendar::end_of_day(last, program.time_zone())))
            }
            Validity::Window { from, through } => {
                let end = crate::calendar::end_of_day(through, program.time_zone());
                (end > at).then(|| (program.start_of_day(from).max(at), end))
            }
        }
    }

    /// When to remind of a coupon valid until `until`: local midnight `remind_days` before
    /// its last valid day (a 3-day reminder for a coupon valid through 30 June comes on 27
    /// June at 00:00), or `None` without reminders.
    pub(crate) fn remind_at(&self, program: &super::Program, until: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.remind_days == 0 {
            return None;
        }
        let last_day = program.local_date(until - chrono::Duration::nanoseconds(1));
        Some(program.start_of_day(crate::calendar::sub_days(last_day, self.remind_days)))
    }

    /// The local day of a birthday coupon for the birthday in `year`: `days_before` days
    /// before it (29 February is 28 February in a common year).
    pub(crate) fn birthday_issue_day(days_before: u32, birthday: NaiveDate, year: i32) -> Option<NaiveDate> {
        let day = NaiveDate::from_ymd_opt(year, birthday.month(), birthday.day())
            .or_else(|| NaiveDate::from_ymd_opt(year, birthday.month(), birthday.day() - 1))?;
        Some(crate::calendar::sub_days(day, days_before))
    }

    /// Whether the coupon applies to some lines only.
    fn scoped(&self) -> bool {
        !self.scope.categories.is_empty() || !self.scope.skus.is_empty()
    }

    /// Whether `line` is in the coupon's scope.
    fn in_scope(&self, l: &OrderLine) -> bool {
        let scope = &self.scope;
        (scope.categories.is_empty() || l.category.as_ref().is_some_and(|c| scope.categories.contains(c)))
            && (scope.skus.is_empty() || scope.skus.contains(&l.sku))
    }

    /// What the coupon takes off `basket`, with `remaining` left of the order and `left` of
    /// each line after the coupons `before` it (and the line a free item takes), or why it
    /// does not apply.
    fn discount_on(
        &self,
        basket: &Basket<'_>,
        remaining: Decimal,
        left: &[Decimal],
        before: &[&CouponDefinition],
        minor_units: u32,
    ) -> Result<(Decimal, Option<usize>), NotApplicable> {
        if let Some(other) = before.iter().find(|o| o.exclusive || self.exclusive) {
            return Err(if self.exclusive {
                format!("is exclusive: it cannot be combined with {:?}", other.id)
            } else {
                format!("cannot be combined with the exclusive coupon {:?}", other.id)
            });
        }
        let scope = &self.scope;
        if !scope.channels.is_empty() && !basket.channel.is_some_and(|c| scope.channels.iter().any(|s| s == c)) {
            return Err(format!("is not valid on channel {:?}", basket.channel.unwrap_or("")));
        }
        if let Some(min) = self.min_spend {
            let base = match self.min_spend_on {
                MinSpendOn::AfterDiscounts => remaining,
                MinSpendOn::OrderAmount => basket.amount,
            };
            if base < min {
                return Err(format!("needs a spend of at least {min}; the order comes to {base}"));
            }
        }
        let eligible = if self.scoped() {
            let in_scope: Vec<usize> = (0..basket.lines.len()).filter(|i| self.in_scope(&basket.lines[*i])).collect();
            if in_scope.is_empty() {
                return Err("no line of the order is in its scope".to_string());
            }
            let sum: Decimal = in_scope.iter().map(|i| left.get(*i).copied().unwrap_or_default()).sum();
            sum.min(remaining)
        } else {
            remaining
        };
        let mut line = None;
        let discount = match &self.discount {
            Discount::AmountOff { amount } => (*amount).min(eligible),
            Discount::PercentOff { percent, max_discount } => {
                let d = (eligible * *percent / Decimal::ONE_HUNDRED)
                    .round_dp_with_strategy(minor_units, rust_decimal::RoundingStrategy::MidpointNearestEven);
                max_discount.map_or(d, |m| d.min(m)).min(eligible)
            }
            Discount::FreeItem { sku } => {
                let lines = basket.lines.iter().enumerate().filter(|(_, l)| &l.sku == sku && self.in_scope(l));
                let mut with_sku = lines.peekable();
                if with_sku.peek().is_none() {
                    return Err(format!("the order has no line with SKU {sku:?}"));
                }
                // The first such line not already made free by a coupon before.
                let free = with_sku.find(|(i, _)| left.get(*i).is_some_and(|x| !x.is_zero()));
                let (i, _) = free.ok_or_else(|| format!("every line with SKU {sku:?} is already free"))?;
                line = Some(i);
                left.get(i).copied().unwrap_or_default().min(remaining)
            }
        };
        if discount.is_zero() {
            return Err("takes nothing off: nothing left of the order to discount".to_string());
        }
        Ok((discount, line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(extra: &str) -> super::super::Program {
        super::super::Program::from_json(&format!(
            r#"{{"name": "Shop", "version": 1, "currency": "CNY", "time_zone": "Asia/Shanghai",
                "earning": {{"rules": [{{"name": "base", "points_per_unit": "1"}}]}},
                "redemption": {{"point_value": "0.01"}}, "coupons": {{{extra}}}}}"#
        ))
        .unwrap()
    }

    /// wallet.md §4.14: six items at 50 with "10% off from 300", paid 270. Returning five
    /// refunds 225 when the member keeps the discount, 220 when the kept item is priced
    /// without it (50 is below the 300 minimum).
    #[test]
    fn a_partial_return_keeps_or_claws_back_the_discount() {
        for (policy, refund) in [("keep", "225"), ("claw_back", "220")] {
            let p = program(&format!(
                r#""partial_return": "{policy}", "definitions": [{{"id": "TEN", "min_spend": "300",
                   "discount": {{"kind": "percent_off", "percent": "10"}}, "validity": {{"kind": "days", "days": 30}}}}]"#
            ));
            let c = p.config().coupons.as_ref().unwrap();
            let got = c.refund_for_return(
                Decimal::from(300),
                &[("TEN", Decimal::from(30))],
                Decimal::from(270),
                Decimal::ZERO,
                Decimal::from(250),
                2,
            );
            assert_eq!(got, refund.parse::<Decimal>().unwrap(), "{policy}");
            // Returning the last item afterwards refunds the rest: 45 or 50.
            let last = c.refund_for_return(
                Decimal::from(300),
                &[("TEN", Decimal::from(30))],
                Decimal::from(270),
                got,
                Decimal::from(300),
                2,
            );
            assert_eq!(got + last, Decimal::from(270));
        }
    }

    /// wallet.md §4.11: issued 2025-01-31 with 30 days, valid through 2025-03-02 local time,
    /// so until 2025-03-02T16:00:00Z in Shanghai.
    #[test]
    fn days_of_validity_end_at_local_midnight() {
        let p = program(
            r#""definitions": [{"id": "C", "discount": {"kind": "amount_off", "amount": "5"}, "validity": {"kind": "days", "days": 30}, "remind_days": 3}]"#,
        );
        let d = p.config().coupons.as_ref().unwrap().definition("C").unwrap();
        let at: DateTime<Utc> = "2025-01-31T04:00:00Z".parse().unwrap();
        let (from, until) = d.validity_at(&p, at).unwrap();
        assert_eq!((from, until.to_rfc3339()), (at, "2025-03-02T16:00:00+00:00".to_string()));
        // Three days before the last valid day (2 March): 27 February, 00:00 in Shanghai.
        assert_eq!(d.remind_at(&p, until).unwrap().to_rfc3339(), "2025-02-26T16:00:00+00:00");
    }

    #[test]
    fn a_29_february_birthday_is_28_february_in_a_common_year() {
        let b = NaiveDate::from_ymd_opt(2000, 2, 29).unwrap();
        assert_eq!(CouponDefinition::birthday_issue_day(3, b, 2027), NaiveDate::from_ymd_opt(2027, 2, 25));
        assert_eq!(CouponDefinition::birthday_issue_day(3, b, 2028), NaiveDate::from_ymd_opt(2028, 2, 26));
    }

    #[test]
    fn bad_definitions_name_the_field_and_the_value() {
        let cases = [
            (
                r#"{"id": "A", "discount": {"kind": "percent_off", "percent": "120"}, "validity": {"kind": "days", "days": 1}}"#,
                "coupons.definitions[0].discount.percent",
            ),
            (
                r#"{"id": "A", "discount": {"kind": "amount_off", "amount": "-1"}, "validity": {"kind": "days", "days": 1}}"#,
                "coupons.definitions[0].discount.amount",
            ),
            (
                r#"{"id": "A", "discount": {"kind": "amount_off", "amount": "1.001"}, "validity": {"kind": "days", "days": 1}}"#,
                "coupons.definitions[0].discount.amount",
            ),
            (
                r#"{"id": "A", "discount": {"kind": "amount_off", "amount": "1"}, "validity": {"kind": "window", "from": "2025-02-01", "through": "2025-01-01"}}"#,
                "coupons.definitions[0].validity.through",
            ),
            (
                r#"{"id": "A", "discount": {"kind": "amount_off", "amount": "1"}, "validity": {"kind": "days", "days": 1}, "per_member_limit": 0}"#,
                "coupons.definitions[0].per_member_limit",
            ),
        ];
        for (def, field) in cases {
            let json = format!(
                r#"{{"name": "Shop", "version": 1, "currency": "CNY", "time_zone": "Asia/Shanghai",
                    "earning": {{"rules": [{{"name": "base", "points_per_unit": "1"}}]}},
                    "redemption": {{"point_value": "0.01"}}, "coupons": {{"definitions": [{def}]}}}}"#
            );
            let err = super::super::Program::from_json(&json).unwrap_err();
            assert!(err.to_string().starts_with(field), "{err} for {def}");
        }
    }
}

#[cfg(test)]
mod stacking {
    use super::*;

    fn line(sku: &str, category: Option<&str>, amount: &str) -> OrderLine {
        OrderLine {
            sku: sku.into(),
            category: category.map(str::to_string),
            amount: amount.parse().unwrap(),
            discount: Decimal::ZERO,
        }
    }

    /// Two free-cake coupons on one cake: the second has nothing left of the line. Two 50%
    /// coupons on a category's line of 100: 50, then 25 of the 50 left of it.
    #[test]
    fn scoped_coupons_take_from_what_the_ones_before_left_of_their_lines() {
        let p = crate::Program::from_json(
            r#"{"name": "Shop", "version": 1, "currency": "CNY", "time_zone": "UTC",
                "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]}, "redemption": {"point_value": "0.01"},
                "coupons": {"definitions": [
                  {"id": "CAKE", "discount": {"kind": "free_item", "sku": "cake"}, "validity": {"kind": "days", "days": 7}},
                  {"id": "HALF_X", "discount": {"kind": "percent_off", "percent": "50"}, "scope": {"categories": ["x"]},
                   "validity": {"kind": "days", "days": 7}}]}}"#,
        )
        .unwrap();
        let c = p.config().coupons.as_ref().unwrap();
        let cake = [line("cake", None, "28"), line("tea", None, "12")];
        let d = c.discounts(&["CAKE", "CAKE"], "40".parse().unwrap(), None, &cake, 2);
        assert_eq!(d[0], Ok("28".parse().unwrap()));
        assert_eq!(d[1], Err("every line with SKU \"cake\" is already free".to_string()));
        let x = [line("a", Some("x"), "100"), line("b", Some("y"), "100")];
        let d = c.discounts(&["HALF_X", "HALF_X"], "200".parse().unwrap(), None, &x, 2);
        assert_eq!(d, vec![Ok("50".parse().unwrap()), Ok("25".parse().unwrap())]);
    }
}
