//! The standard RFM analysis over member summaries, as the bindings and the examples run it:
//! RFM values, fitted (or given) scores and segments, and lifecycle tags, in one call.

use super::{
    lifecycle, rfm_values, AnalyticsError, CutPoints, Lifecycle, LifecycleSettings, MemberSummary, Monetary, RfmScores,
    RfmValues, SegmentGrid, Settings, Thresholds,
};
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
    let mut cut_points = cut_points.unwrap_or_else(|| CutPoints::fit(&values));
    // Thresholds carry no means: the ones returned carry those of the members scored here, so
    // a later call with them classifies value segments as this one did.
    cut_points.carry_means_of(&values);
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
        (Some(c), None) => {
            c.check_means()?;
            Some(c.clone())
        }
        (None, Some(t)) => Some(CutPoints::from_thresholds(t.recency_days, t.frequency, t.monetary)?),
        (None, None) => None,
    };
    Ok(run(summaries, settings, scale, options.monetary, cut_points, options.grid.as_ref(), &options.lifecycle))
}
