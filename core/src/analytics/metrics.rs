//! Program metrics over a period.

use super::lifecycle::{Lifecycle, Stage};
use super::rfm::RfmScores;
use super::summary::MemberSummary;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Program-level figures from member summaries (all orders before `as_of`).
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
    /// Orders.
    pub orders: u64,
    /// Revenue in currency units.
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
}

/// Program metrics for the period from `period_start` (Unix seconds) to the summaries'
/// `as_of`; `scale` is the number of minor-unit digits. Ratios are exact decimals rounded to
/// 6 places.
///
/// ```
/// use loyalty::analytics::{program_metrics, MemberSummary};
/// let m = |id, first, last, orders, total| MemberSummary { member_id: id, first_at: first, last_at: last,
///     previous_at: None, orders, days: 0, total_minor: total, recent_orders: 0 };
/// let x = program_metrics(&[m(1, 10, 500, 3, 9000), m(2, 400, 400, 1, 1000)], 300, 2, None, None);
/// assert_eq!((x.members, x.new_members, x.active_members, x.lapsed_members), (2, 1, 2, 0));
/// assert_eq!(x.average_order_value, "25".parse().unwrap());
/// assert_eq!(x.top_20_percent_revenue_share, "0.9".parse().unwrap());
/// ```
pub fn program_metrics(
    summaries: &[MemberSummary],
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
    let mut by_revenue: Vec<(i128, u64)> = summaries.iter().map(|s| (s.total_minor, s.member_id)).collect();
    by_revenue.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let top = by_revenue.len().div_ceil(5);
    let top_total: i128 = by_revenue.iter().take(top).map(|x| x.0).sum();
    let mut revenue_by_segment = BTreeMap::new();
    if let Some(scores) = scores {
        let segment: std::collections::HashMap<u64, &str> = scores.iter().map(|s| (s.member_id, &*s.segment)).collect();
        for s in summaries {
            if let Some(name) = segment.get(&s.member_id) {
                let revenue = revenue_by_segment.entry(name.to_string()).or_insert(Decimal::ZERO);
                *revenue = revenue.saturating_add(money(s.total_minor));
            }
        }
    }
    let revenue_share_by_segment =
        revenue_by_segment.iter().map(|(name, revenue)| (name.clone(), ratio(*revenue, money(total)))).collect();
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
    }
}
