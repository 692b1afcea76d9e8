//! The program's stored-value section: the bonus a top-up earns, how long bonus funds last,
//! the cap on a member's balance, the order a spend takes principal and bonus in, and what a
//! member who cashes out the balance is paid. The purse that holds the funds is
//! [`crate::purse`]; the rules that read this section live here.

use super::Invalid;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Stored value (a prepaid balance, 储值): top-ups with an optional bonus, spent as tender.
///
/// ```
/// use loyalty::Program;
/// let p = Program::from_json(r#"{
///     "name": "Tea House", "version": 1, "currency": "CNY", "time_zone": "Asia/Shanghai",
///     "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
///     "redemption": {"point_value": "0.01"},
///     "stored_value": {"bonus_tiers": [{"min_paid": "500", "bonus": "30"}, {"min_paid": "1000", "bonus": "100"}],
///                      "bonus_expiry": {"kind": "rolling_days", "days": 180}, "cap": "5000"}
/// }"#).unwrap();
/// let sv = p.config().stored_value.as_ref().unwrap();
/// assert_eq!(sv.bonus_for("999".parse().unwrap()), "30".parse().unwrap());
/// assert_eq!(sv.bonus_for("1000".parse().unwrap()), "100".parse().unwrap());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StoredValue {
    /// Bonus by amount paid: the highest tier met applies (not cumulative). Tiers ascend by
    /// `min_paid`.
    #[serde(default)]
    pub bonus_tiers: Vec<BonusTier>,
    /// When bonus funds expire (principal never does).
    #[serde(default)]
    pub bonus_expiry: BonusExpiry,
    /// Warn this many days before bonus funds expire (0: no warnings).
    #[serde(default)]
    pub bonus_warn_days: u32,
    /// The most a member may hold (e.g. 5000 for a named card under MOFCOM Order 9 of
    /// 2012); none by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::money::strict::option")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::optional_decimal_schema"))]
    pub cap: Option<Decimal>,
    /// Whether bonus funds count toward `cap` (by default only principal does: the cap
    /// limits the money a business holds for its members).
    #[serde(default)]
    pub cap_counts_bonus: bool,
    /// Which funds a payment takes first.
    #[serde(default)]
    pub spend: SpendPolicy,
    /// What a member who cashes out the balance is paid.
    #[serde(default)]
    pub cash_out: CashOutMode,
    /// The amount an order earns points on when stored value pays part of it.
    #[serde(default)]
    pub points_base: PointsBase,
}

/// One bonus tier: a top-up paying at least `min_paid` gets `bonus`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BonusTier {
    /// The least a top-up pays to get this bonus.
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub min_paid: Decimal,
    /// The bonus funds added.
    #[serde(deserialize_with = "crate::money::strict::decimal")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
    pub bonus: Decimal,
}

/// When bonus funds expire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum BonusExpiry {
    /// Never (the default).
    #[default]
    Never,
    /// At the end of the local day `days` after the top-up's day.
    RollingDays {
        /// Days the bonus stays usable after the top-up's day.
        days: u32,
    },
}

/// Which funds a payment from the balance takes first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SpendPolicy {
    /// Principal and bonus in proportion to what the member holds of each (the default):
    /// principal is the amount times principal / (principal + bonus), rounded to the
    /// currency's minor unit half to even, and bonus the rest, so the parts sum exactly.
    #[default]
    Proportional,
    /// Principal until it is gone, then bonus.
    PrincipalFirst,
    /// Bonus until it is gone, then principal.
    BonusFirst,
}

/// What a member who cashes out the balance is paid; bonus funds are never paid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CashOutMode {
    /// What was consumed is valued at face (a refund for the member's own reasons, Judicial
    /// Interpretation 法释〔2025〕4号 Art. 19): principal paid in, less everything spent.
    #[default]
    FaceValue,
    /// What was consumed is valued at the discount the bonus gave (paid ÷ (paid + bonus) per
    /// top-up): the principal that would remain had every payment been proportional.
    Proportional,
}

/// The amount an order paid partly with stored value earns points on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PointsBase {
    /// The order's amount less the bonus funds that paid it (the default): bonus funds were
    /// given, not paid, so they earn nothing, and a top-up cannot be turned into points twice.
    #[default]
    ExcludingBonus,
    /// The order's full amount, as if every tender were cash.
    FullAmount,
}

/// The largest amount a stored-value figure may be (a hundred million units, far above any
/// legal cap), so sums of a member's funds stay exact.
pub(crate) const MAX_AMOUNT: Decimal = Decimal::from_parts(100_000_000, 0, 0, false, 0);

impl StoredValue {
    /// The bonus a top-up paying `paid` earns: that of the highest tier met, or zero.
    pub fn bonus_for(&self, paid: Decimal) -> Decimal {
        self.bonus_tiers.iter().rev().find(|t| paid >= t.min_paid).map_or(Decimal::ZERO, |t| t.bonus)
    }

    /// When bonus funds loaded at `at` expire, in the program's zone.
    pub(crate) fn bonus_expires_at(&self, program: &super::Program, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self.bonus_expiry {
            BonusExpiry::Never => None,
            BonusExpiry::RollingDays { days } => {
                let day = crate::calendar::add_days(program.local_date(at), days);
                Some(crate::calendar::end_of_day(day, program.time_zone()))
            }
        }
    }

    /// When to warn about bonus funds expiring at `expires_at`, if the program warns.
    pub(crate) fn bonus_warn_at(&self, program: &super::Program, expires_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.bonus_warn_days == 0 {
            return None;
        }
        // Counted back from the last day the bonus is usable (the day before the midnight it
        // expires at): a 3-day warning for bonus usable through 30 June comes on 27 June.
        let last_day = program.local_date(expires_at - chrono::Duration::nanoseconds(1));
        Some(program.start_of_day(crate::calendar::sub_days(last_day, self.bonus_warn_days)))
    }

    /// What counts toward the cap after a top-up of `paid` with `bonus`, given the member's
    /// `principal` and `bonus_held`.
    pub(crate) fn toward_cap(&self, principal: Decimal, bonus_held: Decimal, paid: Decimal, bonus: Decimal) -> Decimal {
        if self.cap_counts_bonus {
            principal + bonus_held + paid + bonus
        } else {
            principal + paid
        }
    }

    pub(crate) fn validate(&self, minor_units: u32) -> Result<(), Invalid> {
        let money = |path: String, v: Decimal, positive: bool| -> Result<(), Invalid> {
            if v.is_sign_negative() || (positive && v.is_zero()) {
                return Err(Invalid::new(
                    path,
                    v,
                    if positive { "must be greater than 0" } else { "must not be negative" },
                ));
            }
            if v > MAX_AMOUNT {
                return Err(Invalid::new(path, v, "must be at most 100000000"));
            }
            crate::money::check_minor_units(v, minor_units).map_err(|reason| Invalid::new(path, v, reason))
        };
        if self.bonus_tiers.len() > super::MAX_RULES {
            return Err(Invalid::new("stored_value.bonus_tiers", self.bonus_tiers.len(), "must have at most 64 tiers"));
        }
        for (i, t) in self.bonus_tiers.iter().enumerate() {
            money(format!("stored_value.bonus_tiers[{i}].min_paid"), t.min_paid, true)?;
            money(format!("stored_value.bonus_tiers[{i}].bonus"), t.bonus, false)?;
            if i > 0 && t.min_paid <= self.bonus_tiers[i - 1].min_paid {
                return Err(Invalid::new(
                    format!("stored_value.bonus_tiers[{i}].min_paid"),
                    t.min_paid,
                    "must be above the previous tier's",
                ));
            }
        }
        if let BonusExpiry::RollingDays { days } = self.bonus_expiry {
            if !(1..=3_650).contains(&days) {
                return Err(Invalid::new("stored_value.bonus_expiry.days", days, "must be from 1 to 3650"));
            }
        }
        if self.bonus_warn_days > 3_650 {
            return Err(Invalid::new("stored_value.bonus_warn_days", self.bonus_warn_days, "must be at most 3650"));
        }
        if let Some(cap) = self.cap {
            money("stored_value.cap".into(), cap, true)?;
        }
        Ok(())
    }
}
