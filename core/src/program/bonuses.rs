//! Fixed-point bonuses for things a member does other than buying.

use super::{Invalid, MAX_RULES};
use crate::calendar::Period;
use crate::points::Points;
use serde::{Deserialize, Serialize};

/// Points awarded for member actions. A bonus left out is not offered: the matching event is
/// refused with [`crate::AccountError::NoSuchBonus`], so a host notices a misconfiguration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Bonuses {
    /// Points for joining the program (once).
    #[serde(default)]
    pub sign_up: Option<Points>,
    /// Points for a daily check-in (once per local day).
    #[serde(default)]
    pub daily_check_in: Option<Points>,
    /// Points for completing the profile (once ever).
    #[serde(default)]
    pub profile_completed: Option<Points>,
    /// Points per referred member who joins (once per referred member).
    #[serde(default)]
    pub referral: Option<Points>,
    /// Points on the member's birthday (once per local calendar year).
    #[serde(default)]
    pub birthday: Option<Points>,
    /// Named bonuses with their own limits (e.g. writing a review, at most 3 a month).
    #[serde(default)]
    pub custom: Vec<CustomBonus>,
}

/// A named bonus with an optional frequency limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomBonus {
    /// The name events use to claim it.
    pub name: String,
    /// Points per claim.
    pub points: Points,
    /// How often it may be claimed; unlimited when absent.
    #[serde(default)]
    pub limit: Option<Limit>,
}

/// At most `count` claims per `per` period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// Claims allowed in one period (at least 1).
    pub count: u32,
    /// The period the count resets with.
    pub per: Period,
}

impl Bonuses {
    pub(crate) fn validate(&self) -> Result<(), Invalid> {
        let fixed = [
            ("sign_up", self.sign_up),
            ("daily_check_in", self.daily_check_in),
            ("profile_completed", self.profile_completed),
            ("referral", self.referral),
            ("birthday", self.birthday),
        ];
        for (name, points) in fixed {
            if let Some(p) = points {
                check_points(&format!("bonuses.{name}"), p)?;
            }
        }
        if self.custom.len() > MAX_RULES {
            return Err(Invalid::new("bonuses.custom", self.custom.len(), "must have at most 64 bonuses"));
        }
        for (i, bonus) in self.custom.iter().enumerate() {
            super::check_name(&format!("bonuses.custom[{i}].name"), &bonus.name)?;
            if self.custom[..i].iter().any(|b| b.name == bonus.name) {
                return Err(Invalid::new(
                    format!("bonuses.custom[{i}].name"),
                    &bonus.name,
                    "is a duplicate bonus name",
                ));
            }
            check_points(&format!("bonuses.custom[{i}].points"), bonus.points)?;
            if let Some(limit) = bonus.limit {
                if limit.count == 0 {
                    return Err(Invalid::new(format!("bonuses.custom[{i}].limit.count"), 0, "must be at least 1"));
                }
            }
        }
        Ok(())
    }

    /// The custom bonus of that name.
    pub fn custom(&self, name: &str) -> Option<&CustomBonus> {
        self.custom.iter().find(|b| b.name == name)
    }
}

fn check_points(path: &str, p: Points) -> Result<(), Invalid> {
    if p.get() < 1 || p > Points::MAX_PER_EVENT {
        return Err(Invalid::new(path, p, "must be >= 1 and <= 1000000000000"));
    }
    Ok(())
}
