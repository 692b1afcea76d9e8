//! The declarative loyalty program: what earns points, when they become usable, when they
//! expire and how they are spent.
//!
//! A program is plain data ([`ProgramConfig`], serde JSON) checked once into a [`Program`].
//! Every validation error names the path of the field, the bad value and why.
//!
//! ```
//! use loyalty::Program;
//! let err = Program::from_json(r#"{
//!     "name": "Demo", "version": 1, "currency": "USD", "time_zone": "UTC",
//!     "earning": {"rules": [{"name": "base", "points_per_unit": "-1"}]},
//!     "redemption": {"point_value": "0.01"}
//! }"#).unwrap_err();
//! assert_eq!(err.to_string(), "earning.rules[0].points_per_unit: -1 must be > 0 and <= 10000");
//! ```

mod bonuses;
pub(crate) mod coupons;
mod earning;
pub(crate) mod expiry;
mod redemption;
pub(crate) mod retention;
pub(crate) mod stored_value;
mod tiers;

pub use bonuses::{Bonuses, CustomBonus, Limit};
pub use coupons::{
    CouponDefinition, CouponScope, Coupons, Discount, Issue, MinSpendOn, PartialReturn, Validity, MAX_DEFINITIONS,
};
pub(crate) use earning::RuleLists;
pub use earning::{Caps, Combine, Earning, EarningRule, Multiplier, PeriodCap, Scope, When};
pub use expiry::{ExpiryPolicy, RoundUp};
pub use redemption::{PaymentQuote, Redemption, RestorePolicy, Reward};
pub use retention::{Idempotency, Returns};
pub use stored_value::{BonusExpiry, BonusTier, CashOutMode, PointsBase, SpendPolicy, StoredValue};
pub use tiers::{
    Anchor, DowngradeMode, EntryReward, MetricCombine, Metrics, Missing, QualificationPeriod, Threshold, TierLevel,
    TierRefunds, Tiers, UpgradeTiming,
};

use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt::Display;

pub(crate) const MAX_RULES: usize = 64;
pub(crate) const MAX_LIST: usize = 1_000;
pub(crate) const MAX_NAME_CHARS: usize = 128;

/// Why a program configuration was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProgramError {
    /// The text is not JSON of the program's shape: a syntax error, a missing or unknown
    /// field, or a value of the wrong type. `path` is where (e.g. `earning.rules[0].name`).
    #[error("{path}: {message}")]
    Parse {
        /// Where in the document, as a dotted path (`.` for the document itself).
        path: String,
        /// What the parser found wrong, with line and column.
        message: String,
    },
    /// A field parsed but its value breaks a rule.
    #[error("{path}: {value} {reason}")]
    Invalid {
        /// The field, as a dotted path.
        path: String,
        /// The offending value.
        value: String,
        /// The rule it breaks.
        reason: String,
    },
}

impl ProgramError {
    /// The error's kind: `parse` (not a program's JSON) or `invalid` (a value breaks a rule).
    pub fn kind(&self) -> &'static str {
        match self {
            ProgramError::Parse { .. } => "parse",
            ProgramError::Invalid { .. } => "invalid",
        }
    }

    /// The field, as a dotted path (`earning.rules[0].name`; `.` for the document).
    pub fn field(&self) -> String {
        match self {
            ProgramError::Parse { path, .. } | ProgramError::Invalid { path, .. } => path.clone(),
        }
    }

    /// The offending value (for a parse error, the parser's message).
    pub fn value(&self) -> String {
        match self {
            ProgramError::Parse { message, .. } => message.clone(),
            ProgramError::Invalid { value, .. } => value.clone(),
        }
    }
}

/// A validation failure before it becomes a [`ProgramError`].
#[derive(Debug)]
pub(crate) struct Invalid {
    path: String,
    value: String,
    reason: String,
}

impl Invalid {
    pub(crate) fn new(path: impl Into<String>, value: impl Display, reason: impl Into<String>) -> Invalid {
        Invalid { path: path.into(), value: value.to_string(), reason: reason.into() }
    }
}

impl Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} {}", self.path, self.value, self.reason)
    }
}

impl From<Invalid> for ProgramError {
    fn from(e: Invalid) -> ProgramError {
        ProgramError::Invalid { path: e.path, value: e.value, reason: e.reason }
    }
}

/// Characters that print nothing: whitespace, and the format characters that only steer
/// layout (soft hyphen, zero-width spaces and joiners, direction marks and embeddings, word
/// joiner and invisible operators, the byte-order mark). A name of only these is blank.
pub(crate) fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, '\u{ad}' | '\u{34f}' | '\u{61c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
            | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{ffa0}')
}

/// Why a name or an id cannot be shown or stored as it is: blank (nothing visible) or with a
/// control character (NUL, a line break, escape sequences).
pub(crate) fn unprintable(text: &str) -> Option<&'static str> {
    if text.trim().is_empty() {
        Some("must not be empty")
    } else if text.chars().all(is_invisible) {
        Some("must not be only invisible characters")
    } else if text.chars().any(char::is_control) {
        Some("must not contain control characters")
    } else {
        None
    }
}

pub(crate) fn check_name(path: &str, name: &str) -> Result<(), Invalid> {
    if let Some(reason) = unprintable(name) {
        Err(Invalid::new(path, format!("{name:?}"), reason))
    } else if name.chars().count() > MAX_NAME_CHARS {
        Err(Invalid::new(
            path,
            format!("{:?}...", name.chars().take(16).collect::<String>()),
            "must be at most 128 characters",
        ))
    } else {
        Ok(())
    }
}

/// A loyalty program as written: plain data that (de)serializes with serde.
///
/// Turn it into a usable [`Program`] with [`Program::new`], which validates it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ProgramConfig {
    /// The program's name.
    pub name: String,
    /// The program's own version, for hosts that keep several (at least 1).
    pub version: u32,
    /// ISO 4217 code of the currency amounts are in (three capital letters, e.g. `EUR`).
    pub currency: String,
    /// IANA time zone that defines the program's days (e.g. `Europe/Paris`).
    pub time_zone: String,
    /// Purchase earning.
    pub earning: Earning,
    /// Fixed bonuses for member actions.
    #[serde(default)]
    pub bonuses: Bonuses,
    /// Purchase points become usable this many local days after the purchase, at local
    /// midnight (the return window; 1 is "T+1"). 0 means at once.
    #[serde(default)]
    pub pending_days: u32,
    /// When points expire.
    #[serde(default)]
    pub expiry: ExpiryPolicy,
    /// Warn this many days before points expire (0: no warnings).
    #[serde(default)]
    pub expiring_soon_days: u32,
    /// Spending points.
    pub redemption: Redemption,
    /// What happens when a refund claws back more points than the member has.
    #[serde(default)]
    pub clawback_shortfall: Shortfall,
    /// Points moving between members.
    #[serde(default, skip_serializing_if = "is_default_transfers")]
    pub transfers: Transfers,
    /// The tier ladder, if the program has tiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Tiers>,
    /// Stored value (a prepaid balance with top-up bonuses), if the program has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_value: Option<StoredValue>,
    /// Coupons, if the program has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupons: Option<Coupons>,
    /// Whether a frozen account still earns purchase points and bonuses (by default it does
    /// not: a freeze is for suspected fraud or a dispute).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub frozen_accounts_earn: bool,
    /// How long orders may be refunded and redemptions cancelled.
    #[serde(default, skip_serializing_if = "retention::is_default_returns")]
    pub returns: Returns,
    /// How long event ids are remembered.
    #[serde(default, skip_serializing_if = "retention::is_default_idempotency")]
    pub idempotency: Idempotency,
}

/// Points moving between members (family pooling).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Transfers {
    /// Received points expire by the program's policy from the transfer date, instead of
    /// keeping the sender's expiry (the default).
    #[serde(default)]
    pub reset_expiry: bool,
}

impl Transfers {
    /// The expiry a lot received from another member keeps: the sender's (`Some`), or none
    /// given (`None`: the program's policy dates it from the transfer) under `reset_expiry`.
    pub(crate) fn received_expiry(
        &self,
        at_sender: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Option<Option<chrono::DateTime<chrono::Utc>>> {
        if self.reset_expiry {
            None
        } else {
            Some(at_sender)
        }
    }
}

fn is_default_transfers(t: &Transfers) -> bool {
    *t == Transfers::default()
}

/// What happens when a clawback exceeds the member's balance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Shortfall {
    /// The rest becomes debt, paid by the next points the member earns (the default).
    #[default]
    Debt,
    /// The clawback stops at a zero balance; the rest is waived.
    WithinBalance,
}

/// A validated loyalty program, ready to run accounts.
///
/// ```
/// let json = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/programs/retail.json")).unwrap();
/// let program = loyalty::Program::from_json(&json).unwrap();
/// assert_eq!(program.config().currency, "USD");
/// assert_eq!(program.time_zone().name(), "America/New_York");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    config: ProgramConfig,
    tz: Tz,
    /// The currency's minor units: amounts have at most this many decimal places.
    minor_units: u32,
    /// The largest earning multiplier of any tier (1 without tiers), derived once.
    highest_tier_multiplier: Decimal,
    /// Points per currency unit no order can exceed: the highest rate times every multiplier
    /// above 1 and the highest tier multiplier (a product bounds a maximum and a sum of
    /// bonuses too).
    earning_bound: Decimal,
    /// Orders spending less than this cannot reach the per-event limit under `earning_bound`
    /// (see `Program::may_exceed_event_limit`).
    surely_within: Decimal,
    /// Shared names of the earning rules and multipliers, and of the tiers in ladder order.
    names: earning::Names,
    tier_names: Vec<std::sync::Arc<str>>,
    /// The zone's local midnights as they are resolved, shared by clones (a memo: equal
    /// programs compare equal whatever each has resolved).
    midnights: std::sync::Arc<crate::calendar::Midnights>,
}

impl Program {
    /// Validates a configuration.
    ///
    /// # Errors
    /// [`ProgramError::Invalid`] naming the first field (in document order) that breaks a rule.
    pub fn new(config: ProgramConfig) -> Result<Program, ProgramError> {
        let (tz, minor_units) = validate(&config)?;
        let highest_tier_multiplier = config
            .tiers
            .as_ref()
            .map_or(Decimal::ONE, |t| t.levels.iter().map(|l| l.multiplier()).fold(Decimal::ONE, Decimal::max));
        // The highest rate times every multiplier above 1 and the highest tier's: whatever
        // applies and however it combines (multiply, max or add), no order earns more per unit.
        let highest_rate = config.earning.rules.iter().map(|r| r.points_per_unit).fold(Decimal::ZERO, Decimal::max);
        let earning_bound = config
            .earning
            .multipliers
            .iter()
            .map(|m| m.factor.max(Decimal::ONE))
            .chain([highest_tier_multiplier])
            .fold(highest_rate, Decimal::saturating_mul);
        // floor(limit / bound) - 1: below it, amount x bound < limit even if the division
        // rounded up to an integer. No rate at all: nothing can earn, everything is within.
        let limit = Decimal::from(crate::points::Points::MAX_PER_EVENT.get() - 1);
        let surely_within =
            limit.checked_div(earning_bound).map_or(Decimal::MAX, |q| q.floor().saturating_sub(Decimal::ONE));
        let names = earning::Names::of(&config.earning);
        let tier_names =
            config.tiers.as_ref().map_or(Vec::new(), |t| t.levels.iter().map(|l| l.name.as_str().into()).collect());
        let midnights = std::sync::Arc::new(crate::calendar::Midnights::new(tz));
        Ok(Program {
            config,
            tz,
            minor_units,
            highest_tier_multiplier,
            earning_bound,
            surely_within,
            names,
            tier_names,
            midnights,
        })
    }

    /// Parses and validates a program from JSON text.
    ///
    /// # Errors
    /// [`ProgramError::Parse`] for text that is not a program, [`ProgramError::Invalid`] for
    /// values that break a rule.
    pub fn from_json(json: &str) -> Result<Program, ProgramError> {
        let de = &mut serde_json::Deserializer::from_str(json);
        let config: ProgramConfig = serde_path_to_error::deserialize(&mut *de)
            .map_err(|e| ProgramError::Parse { path: e.path().to_string(), message: e.inner().to_string() })?;
        de.end().map_err(|e| ProgramError::Parse {
            path: ".".to_string(),
            message: format!("text after the program: {e}"),
        })?;
        Program::new(config)
    }

    /// The program as JSON text; [`Program::from_json`] reads it back to an equal program.
    ///
    /// ```
    /// # let json = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/programs/retail.json")).unwrap();
    /// let program = loyalty::Program::from_json(&json).unwrap();
    /// assert_eq!(loyalty::Program::from_json(&program.to_json()).unwrap(), program);
    /// ```
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.config).unwrap_or_default()
    }

    /// The configuration.
    pub fn config(&self) -> &ProgramConfig {
        &self.config
    }

    /// The minor units of the program's currency: how many decimal places an amount may
    /// have (2 for `USD`, 0 for `JPY`).
    pub fn minor_units(&self) -> u32 {
        self.minor_units
    }

    /// The program's time zone.
    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// The local date of an instant in the program's zone ([`crate::calendar::local_date`]),
    /// from the program's memo of the zone's offsets.
    pub(crate) fn local_date(&self, t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        self.midnights.local_date(t)
    }

    /// The instant a local day starts in the program's zone ([`crate::calendar::start_of_day`]),
    /// from the program's memo.
    pub(crate) fn start_of_day(&self, date: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
        self.midnights.start_of_day(date)
    }

    /// The largest earning multiplier of any tier, 1 without tiers: what an order could earn
    /// at most is checked against it before the member's tier is known.
    pub(crate) fn highest_tier_multiplier(&self) -> Decimal {
        self.highest_tier_multiplier
    }

    /// Whether an order spending `spent` in all could reach the per-event points limit at
    /// the program's highest rate and multipliers (only such orders need an exact quote).
    /// Most orders are answered by one comparison with a threshold worked out on load.
    pub(crate) fn may_exceed_event_limit(&self, spent: Decimal) -> bool {
        if crate::money::cmp(spent, self.surely_within).is_lt() {
            return false;
        }
        let limit = Decimal::from(crate::points::Points::MAX_PER_EVENT.get() - 1);
        crate::money::cmp(spent.saturating_mul(self.earning_bound), limit).is_ge()
    }

    /// The shared names of the earning rules and multipliers.
    pub(crate) fn earning_names(&self) -> &earning::Names {
        &self.names
    }

    /// The shared name of the tier at `level` in the ladder.
    pub(crate) fn tier_name(&self, level: usize) -> Option<&std::sync::Arc<str>> {
        self.tier_names.get(level)
    }
}

fn validate(c: &ProgramConfig) -> Result<(Tz, u32), Invalid> {
    check_name("name", &c.name)?;
    if c.version == 0 {
        return Err(Invalid::new("version", 0, "must be at least 1"));
    }
    if c.currency.len() != 3 || !c.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Invalid::new(
            "currency",
            format!("{:?}", c.currency),
            "must be an ISO 4217 code of three capital letters",
        ));
    }
    let minor_units = crate::currency::minor_units(&c.currency).ok_or_else(|| {
        Invalid::new("currency", format!("{:?}", c.currency), "is not an active ISO 4217 currency code")
    })?;
    let tz: Tz = c
        .time_zone
        .parse()
        .map_err(|_| Invalid::new("time_zone", format!("{:?}", c.time_zone), "is not an IANA time zone name"))?;
    c.earning.validate()?;
    crate::money::check_minor_units(c.earning.min_order_amount, minor_units)
        .map_err(|reason| Invalid::new("earning.min_order_amount", c.earning.min_order_amount, reason))?;
    c.bonuses.validate()?;
    if c.pending_days > 3_650 {
        return Err(Invalid::new("pending_days", c.pending_days, "must be at most 3650"));
    }
    c.expiry.validate()?;
    if c.expiring_soon_days > 3_650 {
        return Err(Invalid::new("expiring_soon_days", c.expiring_soon_days, "must be at most 3650"));
    }
    c.redemption.validate()?;
    c.returns.validate()?;
    c.idempotency.validate()?;
    if let Some(tiers) = &c.tiers {
        tiers.validate()?;
    }
    if let Some(sv) = &c.stored_value {
        sv.validate(minor_units)?;
    }
    match &c.coupons {
        Some(coupons) => coupons.validate(minor_units, c.tiers.as_ref())?,
        None => {
            let levels = c.tiers.as_ref().map_or(&[][..], |t| &t.levels[..]);
            if let Some((i, id)) =
                levels.iter().enumerate().find_map(|(i, l)| Some((i, l.entry_reward.as_ref()?.coupon.as_ref()?)))
            {
                return Err(Invalid::new(
                    format!("tiers.levels[{i}].entry_reward.coupon"),
                    format!("{id:?}"),
                    "needs a coupons section that defines it",
                ));
            }
        }
    }
    if c.earning.combine == Combine::Add {
        // 1 + the sum of (factor - 1): factors below 1 that all apply at once (and the lowest
        // tier multiplier) must not take it below zero.
        let tier_factors = c.tiers.iter().flat_map(|t| t.levels.iter().map(|l| l.multiplier()));
        let lowest = c
            .earning
            .multipliers
            .iter()
            .map(|m| m.factor)
            .chain(tier_factors.min())
            .map(|f| (f - Decimal::ONE).min(Decimal::ZERO))
            .fold(Decimal::ONE, |acc, d| acc + d);
        if lowest.is_sign_negative() && !lowest.is_zero() {
            return Err(Invalid::new(
                "earning.combine",
                "\"add\"",
                format!("makes the multiplier negative ({lowest}) when every factor below 1 applies"),
            ));
        }
    }
    Ok((tz, minor_units))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"name": "Demo", "version": 1, "currency": "USD", "time_zone": "UTC",
        "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
        "redemption": {"point_value": "0.01"}}"#;

    fn error_for(patch: &str, value: serde_json::Value) -> String {
        let mut doc: serde_json::Value = serde_json::from_str(MINIMAL).unwrap();
        let mut target = &mut doc;
        let parts: Vec<&str> = patch.split('.').collect();
        for part in &parts[..parts.len() - 1] {
            target = &mut target[*part];
        }
        target[parts[parts.len() - 1]] = value;
        Program::from_json(&doc.to_string()).unwrap_err().to_string()
    }

    #[test]
    fn only_orders_near_the_event_limit_need_an_exact_quote() {
        // The shipped retail program: rate 2 (vinyl) x member day 2 x birthday 1.5 x
        // Platinum 1.5 = 9 points per unit at most; 999,999,999,999 / 9 = 111,111,111,111.
        let retail = include_str!("../../../examples/programs/retail.json");
        let p = Program::from_json(retail).unwrap();
        assert_eq!(p.earning_bound, Decimal::from(9));
        assert_eq!(p.surely_within, Decimal::from(111_111_111_110i64));
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        // Below the threshold: no exact quote.
        assert!(!p.may_exceed_event_limit(d("111111111109.99")));
        // At or above it the product decides: 111,111,111,110.50 x 9 = 999,999,999,994.50.
        assert!(!p.may_exceed_event_limit(d("111111111110.50")));
        // 111,111,111,111 x 9 = 999,999,999,999, the limit itself.
        assert!(p.may_exceed_event_limit(d("111111111111")));
        assert!(p.may_exceed_event_limit(Decimal::MAX));
    }

    #[test]
    fn the_limit_gate_never_skips_an_order_that_could_reach_the_limit() {
        let limit = Decimal::from(crate::points::Points::MAX_PER_EVENT.get() - 1);
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        // An uneven bound, a tiny one, an ordinary one with multipliers, one past the limit
        // for any spend of a unit or more, and no earning rule at all.
        let cases: [(&[&str], &[&str]); 5] = [
            (&["0.3"], &[]),
            (&["0.0001"], &[]),
            (&["7", "2"], &["1.5", "3"]),
            (&["10000"], &["100", "100", "100"]),
            (&[], &[]),
        ];
        for (rates, factors) in cases {
            let mut doc: serde_json::Value = serde_json::from_str(MINIMAL).unwrap();
            doc["earning"]["rules"] = rates
                .iter()
                .enumerate()
                .map(|(i, r)| serde_json::json!({"name": format!("r{i}"), "points_per_unit": r}))
                .collect();
            doc["earning"]["multipliers"] = factors
                .iter()
                .enumerate()
                .map(|(i, f)| serde_json::json!({"name": format!("m{i}"), "factor": f, "when": {"kind": "always"}}))
                .collect();
            let p = Program::from_json(&doc.to_string()).unwrap();
            let w = p.surely_within;
            let steps = [-Decimal::ONE, d("-0.01"), Decimal::ZERO, d("0.01"), Decimal::ONE];
            let near = steps.iter().filter_map(|s| w.checked_add(*s));
            let spends = near.chain([Decimal::ZERO, d("0.01"), d("1000000000000"), Decimal::MAX]);
            for spend in spends.filter(|s| !s.is_sign_negative()) {
                let reaches = spend.checked_mul(p.earning_bound).is_none_or(|x| x >= limit);
                if reaches {
                    assert!(p.may_exceed_event_limit(spend), "{rates:?} {factors:?}: {spend} passed the gate");
                }
                if spend < w {
                    assert!(!reaches, "{rates:?} {factors:?}: the threshold {w} is too high at {spend}");
                }
            }
        }
    }

    #[test]
    fn minimal_program_loads_with_defaults() {
        let p = Program::from_json(MINIMAL).unwrap();
        assert_eq!(p.config().pending_days, 0);
        assert_eq!(p.config().expiry, ExpiryPolicy::Never);
        assert_eq!(p.config().redemption.step.get(), 1);
        assert_eq!(p.config().clawback_shortfall, Shortfall::Debt);
    }

    #[test]
    fn errors_name_path_value_and_reason() {
        assert_eq!(
            error_for("time_zone", "Mars/Olympus".into()),
            r#"time_zone: "Mars/Olympus" is not an IANA time zone name"#
        );
        assert_eq!(
            error_for("currency", "usd".into()),
            r#"currency: "usd" must be an ISO 4217 code of three capital letters"#
        );
        assert_eq!(
            error_for("redemption.max_order_share", "1.5".into()),
            "redemption.max_order_share: 1.5 must be > 0 and <= 1"
        );
        assert_eq!(error_for("pending_days", 5000.into()), "pending_days: 5000 must be at most 3650");
    }

    #[test]
    fn parse_errors_carry_the_path() {
        let err = error_for("earning.rules", serde_json::json!([{"name": "base", "points_per_unit": "1", "rate": 2}]));
        assert!(err.starts_with("earning.rules[0].rate: unknown field `rate`"), "{err}");
        let err = error_for("expiry", serde_json::json!({"kind": "rolling_months"}));
        assert!(err.starts_with("expiry: missing field `months`"), "{err}");
    }
}
