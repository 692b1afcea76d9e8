//! Spending points: rewards, and points as part payment of an order.

use super::{Invalid, MAX_LIST};
use crate::points::Points;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How members spend points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Redemption {
    /// What one point is worth in the program's currency when paying for an order
    /// (e.g. `0.01`: 100 points pay 1.00).
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub point_value: Decimal,
    /// The fewest points one redemption may use.
    #[serde(default)]
    pub min_points: Points,
    /// Points are paid in multiples of this step (1 by default).
    #[serde(default = "one_point")]
    pub step: Points,
    /// The largest share of an order's amount that points may pay (1 by default: all of it).
    #[serde(default = "whole_order")]
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub max_order_share: Decimal,
    /// What happens to redeemed points that are given back after their lot expired.
    #[serde(default)]
    pub after_expiry: RestorePolicy,
    /// An optional reward catalog. When it is not empty, a reward redemption must name one of
    /// these rewards at its price.
    #[serde(default)]
    pub rewards: Vec<Reward>,
}

/// The least a point may be worth: one millionth of a currency unit.
const MIN_POINT_VALUE: Decimal = Decimal::from_parts(1, 0, 0, false, 6);

fn one_point() -> Points {
    Points::new(1)
}

fn whole_order() -> Decimal {
    Decimal::ONE
}

/// A reward in the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Reward {
    /// The reward's id, as the host's catalog knows it.
    pub id: String,
    /// Its price in points.
    pub points: Points,
}

/// What happens when a cancelled redemption gives back points whose lot has expired since.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RestorePolicy {
    /// The points stay expired (the default): the member gets back only what is still valid.
    #[default]
    StayExpired,
    /// The points come back as a new lot valid for N more days from the cancellation.
    Reinstate {
        /// Days of validity for the reinstated points (1 to 36500).
        days: u32,
    },
}

impl RestorePolicy {
    /// When points given back at `t` after their lot expired expire again: under
    /// `reinstate`, at the end of the local day `days` after `t`'s; `None` when they stay
    /// expired.
    pub(crate) fn reinstated_until(
        &self,
        program: &super::Program,
        t: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        match *self {
            RestorePolicy::StayExpired => None,
            RestorePolicy::Reinstate { days } => {
                let today = program.local_date(t);
                Some(crate::calendar::end_of_day(crate::calendar::add_days(today, days), program.time_zone()))
            }
        }
    }
}

/// How many points may pay part of an order, and what they are worth.
///
/// See [`Redemption::quote`] for an example.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PaymentQuote {
    /// The points that would be used.
    pub points: Points,
    /// What those points pay, in the program's currency.
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub value: Decimal,
    /// What is left to pay in cash.
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub cash: Decimal,
    /// The most points this order could take, given the member's balance.
    pub max_points: Points,
}

impl Redemption {
    pub(crate) fn validate(&self) -> Result<(), Invalid> {
        // At least a millionth: an order's share (at most 10^12) over the point value is then
        // at most 10^18 points, inside a `Decimal` and an `i64` (DESIGN.md, Limits).
        if self.point_value < MIN_POINT_VALUE || self.point_value > Decimal::from(1_000_000) {
            return Err(Invalid::new("redemption.point_value", self.point_value, "must be >= 0.000001 and <= 1000000"));
        }
        if self.min_points.get() < 0 || self.min_points > Points::MAX_PER_EVENT {
            return Err(Invalid::new("redemption.min_points", self.min_points, "must be >= 0 and <= 1000000000000"));
        }
        if self.step.get() < 1 || self.step > Points::MAX_PER_EVENT {
            return Err(Invalid::new("redemption.step", self.step, "must be >= 1 and <= 1000000000000"));
        }
        if self.max_order_share <= Decimal::ZERO || self.max_order_share > Decimal::ONE {
            return Err(Invalid::new("redemption.max_order_share", self.max_order_share, "must be > 0 and <= 1"));
        }
        if let RestorePolicy::Reinstate { days } = self.after_expiry {
            if !(1..=36_500).contains(&days) {
                return Err(Invalid::new("redemption.after_expiry.days", days, "must be from 1 to 36500"));
            }
        }
        if self.rewards.len() > MAX_LIST {
            return Err(Invalid::new("redemption.rewards", self.rewards.len(), "must have at most 1000 rewards"));
        }
        for (i, reward) in self.rewards.iter().enumerate() {
            super::check_name(&format!("redemption.rewards[{i}].id"), &reward.id)?;
            if reward.points.get() < 1 || reward.points > Points::MAX_PER_EVENT {
                return Err(Invalid::new(
                    format!("redemption.rewards[{i}].points"),
                    reward.points,
                    "must be >= 1 and <= 1000000000000",
                ));
            }
            if self.rewards[..i].iter().any(|r| r.id == reward.id) {
                return Err(Invalid::new(
                    format!("redemption.rewards[{i}].id"),
                    &reward.id,
                    "is a duplicate reward id",
                ));
            }
        }
        Ok(())
    }

    /// The most points that may pay an order of `order_amount`, ignoring the balance:
    /// `max_order_share` of the amount in points, rounded down to the step.
    ///
    /// ```
    /// use loyalty::program::Redemption;
    /// let r: Redemption = serde_json::from_str(
    ///     r#"{"point_value": "0.01", "step": 100, "max_order_share": "0.5"}"#).unwrap();
    /// // Half of 25.99 is 12.995, worth 1299.5 points, rounded down to the step of 100.
    /// assert_eq!(r.max_points_for_order("25.99".parse().unwrap()).get(), 1200);
    /// ```
    pub fn max_points_for_order(&self, order_amount: Decimal) -> Points {
        let share = order_amount.saturating_mul(self.max_order_share);
        // A validated program and an amount within MAX_AMOUNT keep this inside 10^18; the
        // checked division and the clamp only guard a config built without validation.
        let points = share
            .checked_div(self.point_value)
            .map_or(Points::MAX_PER_EVENT.get(), |q| q.floor().to_i64().unwrap_or(Points::MAX_PER_EVENT.get()));
        self.round_to_step(Points::new(points.clamp(0, Points::MAX_PER_EVENT.get())))
    }

    /// Whether a redemption of `points` meets the minimum (`min_points`): what a reward must
    /// cost to be redeemable at all.
    ///
    /// ```
    /// use loyalty::program::Redemption;
    /// use loyalty::Points;
    /// let r: Redemption = serde_json::from_str(r#"{"point_value": "0.01", "min_points": 500}"#).unwrap();
    /// assert!(!r.meets_minimum(Points::new(100)));
    /// assert!(r.meets_minimum(Points::new(500)));
    /// ```
    pub fn meets_minimum(&self, points: Points) -> bool {
        points >= self.min_points
    }

    /// What `points` are worth in money.
    pub fn value_of(&self, points: Points) -> Decimal {
        Decimal::from(points.get()).saturating_mul(self.point_value)
    }

    fn round_to_step(&self, points: Points) -> Points {
        let step = self.step.get().max(1);
        Points::new(points.get().max(0) / step * step)
    }

    /// Quotes paying part of an order with points: at most `requested` points (or as many as
    /// allowed when `None`), within the balance, the share limit, the step and the minimum.
    ///
    /// ```
    /// use loyalty::{Points, program::Redemption};
    /// let r: Redemption = serde_json::from_str(
    ///     r#"{"point_value": "0.01", "min_points": 500, "step": 100, "max_order_share": "0.5"}"#).unwrap();
    /// let q = r.quote("80.00".parse().unwrap(), Points::new(2_345), None);
    /// assert_eq!((q.points.get(), q.value.to_string(), q.cash.to_string()), (2_300, "23.00".into(), "57.00".into()));
    /// let q = r.quote("80.00".parse().unwrap(), Points::new(450), None);
    /// assert_eq!(q.points.get(), 0); // below the minimum of 500
    /// ```
    pub fn quote(&self, order_amount: Decimal, available: Points, requested: Option<Points>) -> PaymentQuote {
        let max_points = self.max_points_for_order(order_amount).min(self.round_to_step(available));
        let max_points = if max_points < self.min_points { Points::ZERO } else { max_points };
        let wanted = requested.map_or(max_points, |r| self.round_to_step(r));
        let points = wanted.min(max_points);
        let points = if points < self.min_points { Points::ZERO } else { points };
        let value = self.value_of(points);
        PaymentQuote { points, value, cash: order_amount.saturating_sub(value), max_points }
    }
}
