//! The standard jobs over member summaries, as the bindings and the examples run them: RFM
//! values, fitted scores and segments with lifecycle tags; and program metrics.

use super::{
    lifecycle, program_metrics, rfm_values, CutPoints, Lifecycle, LifecycleSettings, MemberSummary, Monetary,
    ProgramMetrics, RfmScores, RfmValues, Settings,
};

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
    let (as_of, tz) = (settings.as_of, settings.time_zone);
    let values = rfm_values(&summaries, as_of, tz, scale, Monetary::Total, settings.distinct_days);
    let cut_points = CutPoints::fit(&values);
    let scores = cut_points.score(&values);
    let tags = lifecycle(&summaries, as_of, tz, &LifecycleSettings::default());
    Analysis { summaries, values, scores, tags, cut_points }
}

/// Program metrics over the period from `period_start` (Unix seconds) to the summaries'
/// `as_of`, with revenue by the R-F segments of the members' fitted scores.
pub fn metrics(summaries: &[MemberSummary], settings: &Settings, period_start: i64, scale: u32) -> ProgramMetrics {
    let values =
        rfm_values(summaries, settings.as_of, settings.time_zone, scale, Monetary::Total, settings.distinct_days);
    let scores = CutPoints::fit(&values).score(&values);
    program_metrics(summaries, period_start, scale, Some(&scores))
}
