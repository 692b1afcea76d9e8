//! The standard jobs over member summaries, as the bindings and the examples run them: RFM
//! values, fitted scores and segments with lifecycle tags; and program metrics.

use super::{
    lifecycle, program_metrics, rfm_values, AnalyticsError, CutPoints, Lifecycle, LifecycleSettings, MemberSummary,
    Monetary, Orders, ProgramMetrics, RfmScores, RfmValues, SegmentGrid, Settings, Summarizer,
};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Per member, in member-id order: the summary, RFM values, scores and segments (cut points
/// fitted on these members), and lifecycle tags.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// The summaries analysed.
    pub summaries: Vec<MemberSummary>,
    /// RFM values (total spend as monetary).
    pub values: Vec<RfmValues>,
    /// 1-5 scores, the R-F segment and the value segment.
    pub scores: Vec<RfmScores>,
    /// Lifecycle stage, activity level, purchase cycle and churn warning.
    pub tags: Vec<Lifecycle>,
    /// The cut points the scores used, to score other partitions the same way.
    pub cut_points: CutPoints,
}

/// Runs the RFM job on summaries made with `settings` (`scale`: the currency's minor-unit
/// digits), with default lifecycle settings.
///
/// ```
/// use loyalty::analytics::{analyze, Orders, Settings, Summarizer};
/// use chrono::{TimeZone, Utc};
/// let settings = Settings::new(Utc.with_ymd_and_hms(2024, 7, 1, 0, 0, 0).unwrap(), chrono_tz::UTC);
/// let mut s = Summarizer::new(settings.clone());
/// s.add(&Orders { member_id: &[1, 1, 2], ordered_at: &[1_704_412_800, 1_718_841_600, 1_709_251_200], amount_minor: &[1000, 2500, 400] }).unwrap();
/// let a = analyze(s.finish().unwrap(), &settings, 2);
/// assert_eq!((a.values[0].recency_days, a.values[0].frequency), (11, 2));
/// // Two members: ranks 1 and 2 score 1 + ⌊5 (rank − 1) / 2⌋, the more recent higher.
/// assert_eq!((a.scores[0].r, a.scores[1].r), (3, 1));
/// ```
pub fn analyze(summaries: Vec<MemberSummary>, settings: &Settings, scale: u32) -> Analysis {
    run(summaries, settings, scale, Monetary::Total, None, None, &LifecycleSettings::default())
}

/// The job: values, the given or fitted cut points, scores on the given or default grid, tags.
fn run(
    summaries: Vec<MemberSummary>,
    settings: &Settings,
    scale: u32,
    monetary: Monetary,
    cut_points: Option<CutPoints>,
    grid: Option<&SegmentGrid>,
    lifecycle_settings: &LifecycleSettings,
) -> Analysis {
    let (as_of, tz) = (settings.as_of, settings.time_zone);
    let values = rfm_values(&summaries, as_of, tz, scale, monetary, settings.distinct_days);
    let cut_points = cut_points.unwrap_or_else(|| CutPoints::fit(&values));
    let (scores, tags) = super::parallel::join(
        || match grid {
            Some(grid) => cut_points.score_with(&values, grid),
            None => cut_points.score(&values),
        },
        || lifecycle(&summaries, as_of, tz, lifecycle_settings),
    );
    Analysis { summaries, values, scores, tags, cut_points }
}

/// How the RFM job scores: the monetary value, where the cut points come from (fitted on
/// the members, given from an earlier fit, or fixed thresholds), the segment grid, and the
/// lifecycle thresholds. Serializable, so a binding can pass it as JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobOptions {
    /// Total (the default) or mean spend.
    pub monetary: Monetary,
    /// Score with these cut points (from an earlier job's `cut_points`) instead of fitting.
    pub cut_points: Option<CutPoints>,
    /// Score with fixed thresholds instead of fitting.
    pub thresholds: Option<Thresholds>,
    /// The R-F segment names (the documented 11-segment grid by default).
    pub grid: Option<SegmentGrid>,
    /// Lifecycle thresholds.
    pub lifecycle: LifecycleSettings,
}

/// Fixed score thresholds, as [`CutPoints::from_thresholds`] takes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// At most this many days for R 2, 3, 4, 5 (descending).
    pub recency_days: [i64; 4],
    /// At least this many orders for F 2, 3, 4, 5 (ascending).
    pub frequency: [u64; 4],
    /// At least this spend, in currency units, for M 2, 3, 4, 5 (ascending).
    pub monetary: [Decimal; 4],
}

/// [`analyze`] with options: mean or total spend, cut points given or fixed, a grid of one's
/// own, lifecycle thresholds.
///
/// ```
/// use loyalty::analytics::{analyze_with, JobOptions, Orders, Settings, Summarizer, Thresholds};
/// use chrono::{TimeZone, Utc};
/// let settings = Settings::new(Utc.with_ymd_and_hms(2024, 7, 1, 0, 0, 0).unwrap(), chrono_tz::UTC);
/// let mut s = Summarizer::new(settings.clone());
/// s.add(&Orders { member_id: &[1, 1, 2], ordered_at: &[1_704_412_800, 1_718_841_600, 1_709_251_200], amount_minor: &[1000, 2500, 400] }).unwrap();
/// let thresholds = Thresholds { recency_days: [365, 180, 90, 30], frequency: [2, 3, 5, 8], monetary: [10, 20, 50, 100].map(Into::into) };
/// let options = JobOptions { thresholds: Some(thresholds), ..JobOptions::default() };
/// let a = analyze_with(s.finish().unwrap(), &settings, 2, &options).unwrap();
/// // Member 1: 11 days (R 5), 2 orders (F 2), 35.00 (M 3).
/// assert_eq!((a.scores[0].r, a.scores[0].f, a.scores[0].m), (5, 2, 3));
/// ```
///
/// # Errors
/// [`AnalyticsError::Invalid`] for cut points given twice (`cut_points` and `thresholds`) or
/// thresholds out of order.
pub fn analyze_with(
    summaries: Vec<MemberSummary>,
    settings: &Settings,
    scale: u32,
    options: &JobOptions,
) -> Result<Analysis, AnalyticsError> {
    let cut_points = match (&options.cut_points, &options.thresholds) {
        (Some(_), Some(_)) => {
            return Err(AnalyticsError::Invalid {
                field: "thresholds".into(),
                reason: "give cut points or thresholds, not both".into(),
            })
        }
        (Some(c), None) => Some(c.clone()),
        (None, Some(t)) => Some(CutPoints::from_thresholds(t.recency_days, t.frequency, t.monetary)?),
        (None, None) => None,
    };
    Ok(run(summaries, settings, scale, options.monetary, cut_points, options.grid.as_ref(), &options.lifecycle))
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
