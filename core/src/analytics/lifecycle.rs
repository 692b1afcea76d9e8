//! Lifecycle stages, activity levels and purchase cycles.

use super::summary::{local_day, MemberSummary};
use crate::analytics::clv::ChurnRisk;
use crate::analytics::AnalyticsError;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Thresholds for lifecycle tags, in local days. Fields left out of a serialized form take
/// their defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LifecycleSettings {
    /// A member whose first order is at most this many days old is new.
    pub new_days: i64,
    /// A member whose last order is at most this many days old is active.
    pub active_days: i64,
    /// A member whose last order is at least this many days old has churned; between active
    /// and churned a member is sleeping.
    pub churn_days: i64,
    /// A member this many days or more without an order, not yet churned, gets a churn
    /// warning.
    pub warn_days: i64,
    /// Recent orders (in the summaries' recent window) for a high activity level.
    pub high_orders: u64,
    /// Recent orders for a medium activity level (one recent order is low; none is dormant).
    pub medium_orders: u64,
    /// The next order is overdue when the days since the last order exceed the typical
    /// interval times this factor, in percent (150: one and a half intervals).
    pub overdue_percent: i64,
}

impl Default for LifecycleSettings {
    fn default() -> LifecycleSettings {
        LifecycleSettings {
            new_days: 30,
            active_days: 90,
            churn_days: 180,
            warn_days: 30,
            high_orders: 6,
            medium_orders: 3,
            overdue_percent: 150,
        }
    }
}

/// Where a member is in their life with the business.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// First order within `new_days`.
    New,
    /// Ordered within `active_days` after a gap of at least `churn_days`.
    Reactivated,
    /// Ordered within `active_days`.
    Active,
    /// Last order between `active_days` and `churn_days` ago.
    Sleeping,
    /// No order for `churn_days` or more.
    Churned,
}

/// How much a member buys lately.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// At least `high_orders` recent orders.
    High,
    /// At least `medium_orders`.
    Medium,
    /// At least one.
    Low,
    /// None.
    Dormant,
}

impl Stage {
    /// The stage's name, as serialized.
    ///
    /// ```
    /// assert_eq!(loyalty::analytics::Stage::Reactivated.as_str(), "reactivated");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::New => "new",
            Stage::Reactivated => "reactivated",
            Stage::Active => "active",
            Stage::Sleeping => "sleeping",
            Stage::Churned => "churned",
        }
    }
}

impl Activity {
    /// The level's name, as serialized.
    ///
    /// ```
    /// assert_eq!(loyalty::analytics::Activity::Dormant.as_str(), "dormant");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Activity::High => "high",
            Activity::Medium => "medium",
            Activity::Low => "low",
            Activity::Dormant => "dormant",
        }
    }
}

/// A member's lifecycle tags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    /// The member.
    pub member_id: u64,
    /// The stage.
    pub stage: Stage,
    /// The activity level.
    pub activity: Activity,
    /// Whole local days since the last order.
    pub days_since_last: i64,
    /// The typical days between purchases (last day − first day) / (purchase days − 1),
    /// rounded down; `None` with a single purchase day. When the summaries do not count
    /// distinct days ([`super::Settings::distinct_days`]), orders stand in for purchase days
    /// (at most one a day from the first to the last): several orders on one day shorten it.
    pub cycle_days: Option<i64>,
    /// True when the next purchase is overdue by the cycle (time to restock).
    pub overdue: bool,
    /// True when `warn_days` have passed without an order and the member has not churned.
    pub churn_warning: bool,
    /// The CLV model's churn risk (from P(alive)), when given with [`tag_churn_risk`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub churn_risk: Option<ChurnRisk>,
}

/// Adds the CLV model's churn-risk tags to lifecycle tags, by member: `member_id[i]` has
/// `risk[i]` (from [`crate::analytics::clv::churn_risks`] on the BG/NBD P(alive) of a CLV
/// summary). Members not listed get `None`, whatever they had (a member whose first order came
/// after the model's calibration window has no prediction).
///
/// ```
/// use loyalty::analytics::{lifecycle, tag_churn_risk, LifecycleSettings, MemberSummary};
/// use loyalty::analytics::clv::ChurnRisk;
/// use chrono::{TimeZone, Utc};
/// let m = |member_id| MemberSummary { member_id, first_at: 1_704_067_200, last_at: 1_704_067_200,
///     previous_at: None, orders: 1, days: 1, total_minor: 100, recent_orders: 0 };
/// let as_of = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap();
/// let mut tags = lifecycle(&[m(1), m(2), m(3)], as_of, chrono_tz::UTC, &LifecycleSettings::default());
/// tag_churn_risk(&mut tags, &[3, 1], &[ChurnRisk::High, ChurnRisk::Low]).unwrap();
/// assert_eq!(tags.iter().map(|t| t.churn_risk).collect::<Vec<_>>(), [Some(ChurnRisk::Low), None, Some(ChurnRisk::High)]);
/// assert!(tag_churn_risk(&mut tags, &[1, 1], &[ChurnRisk::Low, ChurnRisk::High]).is_err());
/// ```
///
/// # Errors
/// [`AnalyticsError::LengthMismatch`] when the columns differ in length,
/// [`AnalyticsError::Invalid`] for a member listed twice; the tags are then unchanged.
pub fn tag_churn_risk(tags: &mut [Lifecycle], member_id: &[u64], risk: &[ChurnRisk]) -> Result<(), AnalyticsError> {
    if risk.len() != member_id.len() {
        return Err(AnalyticsError::LengthMismatch {
            column: "churn_risk",
            len: risk.len(),
            expected: member_id.len(),
        });
    }
    let mut by_member: Vec<(u64, ChurnRisk)> = member_id.iter().copied().zip(risk.iter().copied()).collect();
    by_member.sort_unstable_by_key(|&(m, _)| m);
    if let Some(w) = by_member.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(AnalyticsError::Invalid {
            field: "churn_risk.member_id".into(),
            reason: format!("member {} is listed twice", w[0].0),
        });
    }
    for t in tags.iter_mut() {
        t.churn_risk = by_member.binary_search_by_key(&t.member_id, |&(m, _)| m).ok().map(|i| by_member[i].1);
    }
    Ok(())
}

/// Lifecycle tags of members as of `as_of`.
///
/// ```
/// use loyalty::analytics::{lifecycle, LifecycleSettings, MemberSummary, Stage};
/// use chrono::{TimeZone, Utc};
/// let day = |d: i64| 1_704_067_200 + d * 86_400; // 2024-01-01 + d days, UTC
/// let m = MemberSummary { member_id: 1, first_at: day(0), last_at: day(300), previous_at: Some(day(100)),
///     orders: 3, days: 3, total_minor: 0, recent_orders: 1 };
/// let as_of = Utc.with_ymd_and_hms(2024, 11, 7, 0, 0, 0).unwrap(); // day 311
/// let tags = lifecycle(&[m], as_of, chrono_tz::UTC, &LifecycleSettings::default());
/// // A gap of 200 days (>= 180) before an order 11 days ago: reactivated.
/// assert_eq!((tags[0].stage, tags[0].days_since_last, tags[0].cycle_days), (Stage::Reactivated, 11, Some(150)));
/// ```
pub fn lifecycle(summaries: &[MemberSummary], as_of: DateTime<Utc>, tz: Tz, s: &LifecycleSettings) -> Vec<Lifecycle> {
    let today = local_day(as_of.timestamp(), tz);
    super::parallel::map(summaries, |m| {
        let last_day = local_day(m.last_at, tz);
        let first_day = local_day(m.first_at, tz);
        let since_last = today - last_day;
        let since_first = today - first_day;
        let gap = m.previous_at.map(|p| last_day - local_day(p, tz));
        let stage = if since_first <= s.new_days {
            Stage::New
        } else if since_last <= s.active_days && gap.is_some_and(|g| g >= s.churn_days) {
            Stage::Reactivated
        } else if since_last <= s.active_days {
            Stage::Active
        } else if since_last < s.churn_days {
            Stage::Sleeping
        } else {
            Stage::Churned
        };
        let activity = match m.recent_orders {
            n if n >= s.high_orders.max(1) => Activity::High,
            n if n >= s.medium_orders.max(1) => Activity::Medium,
            0 => Activity::Dormant,
            _ => Activity::Low,
        };
        // Without distinct days counted, orders stand in for purchase days, as many as the
        // days from the first to the last at most: orders all on one day are one purchase
        // day, and the cycle is never 0 days.
        let occasions = if m.days > 0 { m.days } else { m.orders.min((last_day - first_day + 1).max(1) as u64) };
        let cycle_days = (occasions > 1).then(|| (last_day - first_day) / (occasions as i64 - 1));
        let overdue = cycle_days.is_some_and(|c| since_last * 100 > c * s.overdue_percent);
        let churn_warning = since_last >= s.warn_days && since_last < s.churn_days;
        Lifecycle {
            member_id: m.member_id,
            stage,
            activity,
            days_since_last: since_last,
            cycle_days,
            overdue,
            churn_warning,
            churn_risk: None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_stand_in_for_purchase_days_but_one_day_is_one_day() {
        // As of 2024-07-01 UTC. Member 1: three orders on 2024-06-01, days not counted: one
        // purchase day, no cycle (it was 0 days). Member 2: orders on 2024-05-01, 2024-05-01
        // and 2024-06-30, days not counted: 60 days / (3 orders - 1) = 30. Member 3: the same
        // with its 2 distinct days counted: 60 / 1 = 60. Member 4: five orders on 1 June and
        // one on 3 June, days not counted: at most 3 purchase days in those 3 days, 2 / 2 = 1
        // (not 2 / 5 = 0).
        let at = |d: &str| DateTime::parse_from_rfc3339(d).unwrap().timestamp();
        let m = |id, first: &str, last: &str, orders, days| MemberSummary {
            member_id: id,
            first_at: at(first),
            last_at: at(last),
            previous_at: None,
            orders,
            days,
            total_minor: 100,
            recent_orders: orders,
        };
        let summaries = [
            m(1, "2024-06-01T09:00:00Z", "2024-06-01T18:00:00Z", 3, 0),
            m(2, "2024-05-01T09:00:00Z", "2024-06-30T09:00:00Z", 3, 0),
            m(3, "2024-05-01T09:00:00Z", "2024-06-30T09:00:00Z", 3, 2),
            m(4, "2024-06-01T09:00:00Z", "2024-06-03T09:00:00Z", 6, 0),
        ];
        let as_of = DateTime::parse_from_rfc3339("2024-07-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let tags = lifecycle(&summaries, as_of, chrono_tz::UTC, &LifecycleSettings::default());
        assert_eq!(tags.iter().map(|t| t.cycle_days).collect::<Vec<_>>(), [None, Some(30), Some(60), Some(1)]);
    }

    #[test]
    fn names_are_the_serialized_names() {
        for stage in [Stage::New, Stage::Reactivated, Stage::Active, Stage::Sleeping, Stage::Churned] {
            assert_eq!(serde_json::to_value(stage).ok(), Some(serde_json::Value::from(stage.as_str())));
        }
        for level in [Activity::High, Activity::Medium, Activity::Low, Activity::Dormant] {
            assert_eq!(serde_json::to_value(level).ok(), Some(serde_json::Value::from(level.as_str())));
        }
    }
}
