//! Program metrics over a period.

use super::lifecycle::{lifecycle, LifecycleSettings};
use super::lifecycle::{Lifecycle, Stage};
use super::rfm::RfmScores;
use super::rfm::{rfm_values, CutPoints, Monetary};
use super::summary::{MemberSummary, Orders, Settings, Summarizer};
use super::AnalyticsError;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Program-level figures from member summaries. `new_members`, `active_members` and
/// `lapsed_members` are about the period (from `period_start` to `as_of`); `members`, orders,
/// revenue and the ratios named without `period_` count every order before `as_of` (lifetime
/// figures), and `churned_members` is judged at `as_of`; the `period_` figures count the
/// period's orders only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramMetrics {
    /// Members with at least one order.
    pub members: u64,
    /// Members whose first order falls in the period.
    pub new_members: u64,
    /// Members with an order in the period (their last order is in it).
    pub active_members: u64,
    /// Members whose last order is before the period.
    pub lapsed_members: u64,
    /// Members tagged churned (no order for the lifecycle settings' `churn_days`), when
    /// lifecycle tags are given; 0 otherwise.
    pub churned_members: u64,
    /// Orders before `as_of`.
    pub orders: u64,
    /// Revenue before `as_of`, in currency units.
    pub revenue: Decimal,
    /// Share of members with two orders or more.
    pub repurchase_rate: Decimal,
    /// Revenue per order.
    pub average_order_value: Decimal,
    /// Orders per member.
    pub purchase_frequency: Decimal,
    /// Revenue per member (historical lifetime value).
    pub historical_ltv: Decimal,
    /// Share of revenue from the top 20% of members by revenue (ties by member id).
    pub top_20_percent_revenue_share: Decimal,
    /// Revenue by segment, when scores are given.
    pub revenue_by_segment: BTreeMap<String, Decimal>,
    /// Each segment's share of the revenue (rounded to 6 places), when scores are given.
    pub revenue_share_by_segment: BTreeMap<String, Decimal>,
    /// Orders in the period.
    #[serde(default)]
    pub period_orders: u64,
    /// Revenue in the period, in currency units.
    #[serde(default)]
    pub period_revenue: Decimal,
    /// Revenue per order in the period.
    #[serde(default)]
    pub period_average_order_value: Decimal,
    /// Orders in the period per member who ordered in it.
    #[serde(default)]
    pub period_purchase_frequency: Decimal,
    /// Share of the members who ordered in the period that ordered twice or more in it.
    #[serde(default)]
    pub period_repurchase_rate: Decimal,
}

/// Program metrics for the period from `period_start` (Unix seconds) to the summaries'
/// `as_of`; `scale` is the number of minor-unit digits. Ratios are exact decimals rounded to
/// 6 places.
///
/// `before` is the same log summarized as of `period_start` (empty when no order is that
/// early): the period's orders and revenue are each member's figures less those. A member
/// of `before` with more orders than in `summaries` counts no period orders (the two do not
/// come from one log). [`MetricsBuilder`](super::MetricsBuilder) makes both from one feed.
///
/// ```
/// use loyalty::analytics::{program_metrics, MemberSummary};
/// let m = |id, first, last, orders, total| MemberSummary { member_id: id, first_at: first, last_at: last,
///     previous_at: None, orders, days: 0, total_minor: total, recent_orders: 0 };
/// // Member 1 ordered twice before the period (second 300) and once in it; member 2 once.
/// let now = [m(1, 10, 500, 3, 9000), m(2, 400, 400, 1, 1000)];
/// let before = [m(1, 10, 200, 2, 4000)];
/// let x = program_metrics(&now, &before, 300, 2, None, None);
/// assert_eq!((x.members, x.new_members, x.active_members, x.lapsed_members), (2, 1, 2, 0));
/// assert_eq!(x.average_order_value, "25".parse().unwrap());
/// assert_eq!(x.top_20_percent_revenue_share, "0.9".parse().unwrap());
/// // The period: 50.00 and 10.00 in two orders.
/// assert_eq!((x.period_orders, x.period_revenue), (2, "60".parse().unwrap()));
/// assert_eq!(x.period_average_order_value, "30".parse().unwrap());
/// ```
pub fn program_metrics(
    summaries: &[MemberSummary],
    before: &[MemberSummary],
    period_start: i64,
    scale: u32,
    scores: Option<&[RfmScores]>,
    tags: Option<&[Lifecycle]>,
) -> ProgramMetrics {
    let money = |minor: i128| Decimal::try_from_i128_with_scale(minor, scale.min(28)).unwrap_or(Decimal::MAX);
    let members = summaries.len() as u64;
    let orders: u64 = summaries.iter().map(|s| s.orders).sum();
    let total: i128 = summaries.iter().map(|s| s.total_minor).sum();
    let ratio = |a: Decimal, b: Decimal| if b.is_zero() { Decimal::ZERO } else { (a / b).round_dp(6) };
    // The top fifth by (revenue descending, member id): a selection, not a sort.
    let mut by_revenue: Vec<(i128, u64)> = summaries.iter().map(|s| (s.total_minor, s.member_id)).collect();
    let top = by_revenue.len().div_ceil(5);
    let top_total: i128 = match top.checked_sub(1) {
        Some(last) => {
            by_revenue.select_nth_unstable_by(last, |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            by_revenue[..top].iter().map(|x| x.0).sum()
        }
        None => 0,
    };
    let revenue_by_segment = scores.map_or_else(BTreeMap::new, |scores| segment_revenue(summaries, scores, money));
    let revenue_share_by_segment =
        revenue_by_segment.iter().map(|(name, revenue)| (name.clone(), ratio(*revenue, money(total)))).collect();
    // The period: each member's orders and spend less what they had before it.
    let (mut period_orders, mut period_total, mut buyers, mut repeaters) = (0u64, 0i128, 0u64, 0u64);
    for (s, (orders, total)) in summaries.iter().zip(earlier(summaries, before)) {
        let n = s.orders.saturating_sub(orders);
        if n == 0 {
            continue;
        }
        period_orders += n;
        period_total += (s.total_minor - total).max(0);
        buyers += 1;
        repeaters += u64::from(n >= 2);
    }
    ProgramMetrics {
        members,
        new_members: summaries.iter().filter(|s| s.first_at >= period_start).count() as u64,
        active_members: summaries.iter().filter(|s| s.last_at >= period_start).count() as u64,
        lapsed_members: summaries.iter().filter(|s| s.last_at < period_start).count() as u64,
        churned_members: tags.map_or(0, |t| t.iter().filter(|t| t.stage == Stage::Churned).count() as u64),
        orders,
        revenue: money(total),
        repurchase_rate: ratio(
            Decimal::from(summaries.iter().filter(|s| s.orders >= 2).count()),
            Decimal::from(members),
        ),
        average_order_value: ratio(money(total), Decimal::from(orders)),
        purchase_frequency: ratio(Decimal::from(orders), Decimal::from(members)),
        historical_ltv: ratio(money(total), Decimal::from(members)),
        top_20_percent_revenue_share: ratio(
            Decimal::try_from_i128_with_scale(top_total, 0).unwrap_or(Decimal::MAX),
            Decimal::try_from_i128_with_scale(total, 0).unwrap_or(Decimal::MAX),
        ),
        revenue_by_segment,
        revenue_share_by_segment,
        period_orders,
        period_revenue: money(period_total),
        period_average_order_value: ratio(money(period_total), Decimal::from(period_orders)),
        period_purchase_frequency: ratio(Decimal::from(period_orders), Decimal::from(buyers)),
        period_repurchase_rate: ratio(Decimal::from(repeaters), Decimal::from(buyers)),
    }
}

/// Ascending by member id, no id twice (as a summarizer's output is).
fn in_id_order(summaries: &[MemberSummary]) -> bool {
    summaries.windows(2).all(|w| w[0].member_id < w[1].member_id)
}

/// For each of `summaries`, that member's orders and spend in `before` (zeros when absent):
/// one walk through both when both are in member id order, a lookup table otherwise.
fn earlier(summaries: &[MemberSummary], before: &[MemberSummary]) -> Vec<(u64, i128)> {
    if in_id_order(summaries) && in_id_order(before) {
        let mut rest = before.iter().peekable();
        return summaries
            .iter()
            .map(|s| {
                while rest.next_if(|b| b.member_id < s.member_id).is_some() {}
                rest.next_if(|b| b.member_id == s.member_id).map_or((0, 0), |b| (b.orders, b.total_minor))
            })
            .collect();
    }
    let table: std::collections::HashMap<u64, (u64, i128), super::FxBuild> =
        before.iter().map(|b| (b.member_id, (b.orders, b.total_minor))).collect();
    summaries.iter().map(|s| table.get(&s.member_id).copied().unwrap_or((0, 0))).collect()
}

/// Revenue by the R-F segment of each summarized member's scores. Sums are kept per distinct
/// name allocation (a grid shares one per cell), in minor units, and joined by name at the end.
fn segment_revenue(
    summaries: &[MemberSummary],
    scores: &[RfmScores],
    money: impl Fn(i128) -> Decimal,
) -> BTreeMap<String, Decimal> {
    type Sums<'a> = std::collections::HashMap<(*const u8, usize), (&'a str, i128), super::FxBuild>;
    fn add<'a>(sums: &mut Sums<'a>, name: &'a str, minor: i128) {
        let slot = sums.entry((name.as_ptr(), name.len())).or_insert((name, 0));
        slot.1 = slot.1.saturating_add(minor);
    }
    let mut sums = Sums::default();
    let aligned =
        scores.len() == summaries.len() && scores.iter().zip(summaries).all(|(a, b)| a.member_id == b.member_id);
    if aligned {
        for (score, s) in scores.iter().zip(summaries) {
            add(&mut sums, &score.segment, s.total_minor);
        }
    } else {
        let segment: std::collections::HashMap<u64, &str, super::FxBuild> =
            scores.iter().map(|s| (s.member_id, &*s.segment)).collect();
        for s in summaries {
            if let Some(name) = segment.get(&s.member_id) {
                add(&mut sums, name, s.total_minor);
            }
        }
    }
    let mut by_name: BTreeMap<&str, i128> = BTreeMap::new();
    for (name, minor) in sums.into_values() {
        let sum = by_name.entry(name).or_insert(0);
        *sum = sum.saturating_add(minor);
    }
    by_name.into_iter().map(|(name, minor)| (name.to_string(), money(minor))).collect()
}

/// Program metrics over the period from `period_start` (Unix seconds) to the summaries'
/// `as_of`, with revenue by the R-F segments of the members' fitted scores and churned members
/// by the default lifecycle settings. `before`: the same log summarized as of `period_start`.
fn metrics(
    summaries: &[MemberSummary],
    before: &[MemberSummary],
    settings: &Settings,
    period_start: i64,
    scale: u32,
) -> ProgramMetrics {
    let (as_of, tz) = (settings.as_of, settings.time_zone);
    let values = rfm_values(summaries, as_of, tz, scale, Monetary::Total, settings.distinct_days);
    let scores = CutPoints::fit(&values).score(&values);
    let tags = lifecycle(summaries, as_of, tz, &LifecycleSettings::default());
    program_metrics(summaries, before, period_start, scale, Some(&scores), Some(&tags))
}

/// Program metrics of an order log fed batch by batch: the log is summarized twice, as of
/// `as_of` and as of the period's start, so the period's own orders and revenue are known
/// (each member's figures less those before the period). Bad batches are refused whole, as by
/// [`Summarizer::add`].
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use loyalty::analytics::{MetricsBuilder, Orders, Settings};
/// let day = |d: i64| d * 86_400;
/// let as_of = Utc.timestamp_opt(day(10), 0).unwrap();
/// let period_start = Utc.timestamp_opt(day(5), 0).unwrap();
/// let mut b = MetricsBuilder::new(Settings::new(as_of, chrono_tz::UTC), period_start).unwrap();
/// // Member 1: 10.00 on day 1, 20.00 and 30.00 on days 6 and 7; member 2: 40.00 on day 8.
/// b.add(&Orders { member_id: &[1, 1, 1, 2], ordered_at: &[day(1), day(6), day(7), day(8)],
///     amount_minor: &[1000, 2000, 3000, 4000] }).unwrap();
/// let m = b.finish(2).unwrap();
/// assert_eq!((m.orders, m.revenue), (4, "100".parse().unwrap()));
/// assert_eq!((m.period_orders, m.period_revenue), (3, "90".parse().unwrap()));
/// assert_eq!(m.period_repurchase_rate, "0.5".parse().unwrap()); // member 1 of 2
/// ```
#[derive(Clone, Debug)]
pub struct MetricsBuilder {
    now: Summarizer,
    before: Summarizer,
    period_start: DateTime<Utc>,
    /// An error after which the two summaries no longer hold the same orders.
    broken: Option<AnalyticsError>,
}

impl MetricsBuilder {
    /// A builder for the period from `period_start` to `settings.as_of`.
    ///
    /// # Errors
    /// [`AnalyticsError::PeriodAfterAsOf`] when `period_start` is after `as_of`.
    pub fn new(settings: Settings, period_start: DateTime<Utc>) -> Result<MetricsBuilder, AnalyticsError> {
        if period_start > settings.as_of {
            return Err(AnalyticsError::PeriodAfterAsOf { period_start, as_of: settings.as_of });
        }
        let mut early = settings.clone();
        early.as_of = period_start;
        let (now, before) = (Summarizer::new(settings), Summarizer::new(early));
        Ok(MetricsBuilder { now, before, period_start, broken: None })
    }

    /// Spreads each summarizing over `threads` threads (as [`Summarizer::with_threads`]).
    pub fn with_threads(self, threads: usize) -> MetricsBuilder {
        MetricsBuilder { now: self.now.with_threads(threads), before: self.before.with_threads(threads), ..self }
    }

    /// Folds in one batch of orders.
    ///
    /// # Errors
    /// As [`Summarizer::add`]; the builder is then unchanged, except after
    /// [`AnalyticsError::TooManyMembers`] (found while folding): every later call, `finish`
    /// included, returns that error again.
    pub fn add(&mut self, orders: &Orders<'_>) -> Result<(), AnalyticsError> {
        if let Some(e) = &self.broken {
            return Err(e.clone());
        }
        // The same rows and the same checks (none depends on `as_of`), and the early
        // summarizer's members are among the other's: it cannot refuse what the first took.
        let added = self.now.add(orders).and_then(|()| self.before.add(orders));
        if let Err(e @ AnalyticsError::TooManyMembers { .. }) = &added {
            self.broken = Some(e.clone());
        }
        added
    }

    /// Merges another builder of the same settings and period into this one (batches of one
    /// log folded apart, on threads or machines); the other is spent.
    ///
    /// # Errors
    /// [`AnalyticsError::Invalid`] naming `settings` or `period_start` when the two differ;
    /// this builder is then unchanged.
    pub fn merge(&mut self, other: MetricsBuilder) -> Result<(), AnalyticsError> {
        if let Some(e) = self.broken.as_ref().or(other.broken.as_ref()) {
            return Err(e.clone());
        }
        if other.period_start != self.period_start {
            return Err(AnalyticsError::Invalid {
                field: "period_start".into(),
                reason: format!(
                    "{} differs from this builder's {}",
                    other.period_start.to_rfc3339(),
                    self.period_start.to_rfc3339()
                ),
            });
        }
        // Equal settings and periods make the early summarizers' settings equal too: checked
        // first, neither merge below can fail half way.
        if other.now.settings() != self.now.settings() {
            return Err(AnalyticsError::Invalid {
                field: "settings".into(),
                reason: "builders to merge must have the same settings".into(),
            });
        }
        self.now.merge(other.now)?;
        self.before.merge(other.before)
    }

    /// The builder as JSON text, for another process to read with
    /// [`MetricsBuilder::from_json`] and merge (a log summarized part by part, on machines).
    ///
    /// # Errors
    /// The error a builder broken by too many members carries.
    pub fn to_json(&self) -> Result<String, AnalyticsError> {
        if let Some(e) = &self.broken {
            return Err(e.clone());
        }
        let parts = (&self.now, &self.before, self.period_start);
        serde_json::to_string(&parts)
            .map_err(|e| AnalyticsError::Invalid { field: "partial".into(), reason: e.to_string() })
    }

    /// Reads [`MetricsBuilder::to_json`]'s text, checked as summaries are, and the two halves
    /// against each other: the same settings, the earlier one's `as_of` the period's start.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use loyalty::analytics::{MetricsBuilder, Orders, Settings};
    /// let as_of = Utc.timestamp_opt(864_000, 0).unwrap();
    /// let mut b = MetricsBuilder::new(Settings::new(as_of, chrono_tz::UTC), Utc.timestamp_opt(432_000, 0).unwrap()).unwrap();
    /// b.add(&Orders { member_id: &[1], ordered_at: &[86_400], amount_minor: &[1000] }).unwrap();
    /// let back = MetricsBuilder::from_json(&b.to_json().unwrap()).unwrap();
    /// assert_eq!(back.finish(2).unwrap().orders, 1);
    /// ```
    ///
    /// # Errors
    /// [`AnalyticsError::Invalid`] naming `partial` for text that is not a builder.
    pub fn from_json(text: &str) -> Result<MetricsBuilder, AnalyticsError> {
        let invalid = |reason: String| AnalyticsError::Invalid { field: "partial".into(), reason };
        let (now, before, period_start): (Summarizer, Summarizer, DateTime<Utc>) =
            serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if period_start > now.settings().as_of {
            return Err(AnalyticsError::PeriodAfterAsOf { period_start, as_of: now.settings().as_of });
        }
        let mut early = now.settings().clone();
        early.as_of = period_start;
        if *before.settings() != early {
            return Err(invalid("the two halves' settings do not match the period".into()));
        }
        Ok(MetricsBuilder { now, before, period_start, broken: None })
    }

    /// The metrics, with money in units of `scale` minor-unit digits.
    ///
    /// # Errors
    /// As [`Summarizer::finish`] for `as_of`. No order before the period's start is no error.
    pub fn finish(self, scale: u32) -> Result<ProgramMetrics, AnalyticsError> {
        if let Some(e) = self.broken {
            return Err(e);
        }
        let settings = self.now.settings().clone();
        let now = self.now.finish()?;
        let before = match self.before.finish() {
            Err(AnalyticsError::AsOfBeforeOrders { .. }) => Vec::new(),
            other => other?,
        };
        Ok(metrics(&now, &before, &settings, self.period_start.timestamp(), scale))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// A builder read back merges like the original, and text whose halves disagree with its
    /// period is refused naming the partial.
    #[test]
    fn builders_cross_as_json_and_mismatched_halves_are_refused() {
        let day = |d: i64| d * 86_400;
        let as_of = Utc.timestamp_opt(day(10), 0).unwrap();
        let start = Utc.timestamp_opt(day(5), 0).unwrap();
        let new = || MetricsBuilder::new(Settings::new(as_of, chrono_tz::UTC), start).unwrap();
        let (mut a, mut b) = (new(), new());
        a.add(&Orders { member_id: &[1, 1], ordered_at: &[day(1), day(6)], amount_minor: &[1000, 2000] }).unwrap();
        b.add(&Orders { member_id: &[2], ordered_at: &[day(8)], amount_minor: &[4000] }).unwrap();
        let mut back = MetricsBuilder::from_json(&a.to_json().unwrap()).unwrap();
        back.merge(MetricsBuilder::from_json(&b.to_json().unwrap()).unwrap()).unwrap();
        let m = back.finish(2).unwrap();
        assert_eq!((m.orders, m.revenue, m.period_orders), (3, "70".parse().unwrap(), 2));
        // The period moved a day: the earlier half's as_of no longer matches it.
        let json = a.to_json().unwrap();
        let last = json.rfind("1970-01-06T00:00:00Z").unwrap();
        let text = format!("{}1970-01-07T00:00:00Z{}", &json[..last], &json[last + 20..]);
        assert!(
            matches!(MetricsBuilder::from_json(&text), Err(AnalyticsError::Invalid { field, .. }) if field == "partial")
        );
        assert!(MetricsBuilder::from_json("[1, 2]").is_err());
    }
}
