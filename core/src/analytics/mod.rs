//! Batch customer analytics over columnar order data: per-member summaries that stream and
//! merge, RFM values and scores with reusable cut points, named segments, lifecycle and
//! activity tags, preference tags from order lines, and program metrics.
//!
//! Orders come in as borrowed columns ([`Orders`]): member ids, order instants (Unix seconds)
//! and amounts in minor currency units (cents), so money stays exact. A [`Summarizer`] takes
//! any number of batches, and summarizers built on different partitions merge into one.
//!
//! ```
//! use loyalty::analytics::{Orders, Settings, Summarizer};
//! use chrono::{TimeZone, Utc};
//! let settings = Settings::new(Utc.with_ymd_and_hms(2024, 7, 1, 0, 0, 0).unwrap(), chrono_tz::UTC);
//! let mut s = Summarizer::new(settings.clone());
//! s.add(&Orders { member_id: &[7, 7, 9], ordered_at: &[1_704_067_200, 1_717_200_000, 1_710_000_000], amount_minor: &[1250, 800, 4000] }).unwrap();
//! let members = s.finish().unwrap();
//! assert_eq!(members.len(), 2);
//! assert_eq!((members[0].member_id, members[0].orders, members[0].total_minor), (7, 2, 2050));
//! ```

mod analysis;
pub mod clv;
mod cohort;
mod columns;
mod lifecycle;
mod metrics;
pub(crate) mod parallel;
mod preference;
mod rfm;
mod summary;

pub use analysis::{analyze, analyze_with, Analysis, JobOptions};
pub use cohort::{cohorts, Cohort, CohortBuilder};
pub use columns::{monetary_minor, Categories, Coded, Columns};
pub use lifecycle::{lifecycle, tag_churn_risk, Activity, Lifecycle, LifecycleSettings, Stage};
pub use metrics::{program_metrics, MetricsBuilder, ProgramMetrics};
pub use parallel::with_threads;
pub use preference::{Lines, Preference, PreferenceBuilder, PreferenceSettings, PriceBand, Promotion};
pub use rfm::{
    rfm_values, value_segment, CutPoints, MeanSums, Monetary, RfmScores, RfmValues, ScoreKey, SegmentGrid, Thresholds,
    ValueSegment,
};
pub use summary::{MemberSummary, Orders, Settings, Summarizer};

/// Why a batch was refused. The summarizer is left as it was.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnalyticsError {
    /// Columns of one batch have different lengths.
    #[error("{column}: {len} rows, but member_id has {expected}")]
    LengthMismatch {
        /// The column.
        column: &'static str,
        /// Its length.
        len: usize,
        /// The member column's length.
        expected: usize,
    },
    /// An amount is negative.
    #[error("amount_minor[{row}]: {value} must not be negative")]
    NegativeAmount {
        /// The row, counted over the batches added to the summarizer or builder.
        row: usize,
        /// The amount.
        value: i64,
    },
    /// A value that must not be negative is (a line's amount or discount).
    #[error("{column}[{row}]: {value} must not be negative")]
    NegativeValue {
        /// The column.
        column: &'static str,
        /// The row in the batch.
        row: usize,
        /// The value.
        value: i64,
    },
    /// An order instant is outside 1970 to 8999.
    #[error("ordered_at[{row}]: {value} is not a Unix time from 1970 to 8999")]
    TimeOutOfRange {
        /// The row, counted over the batches added to the summarizer.
        row: usize,
        /// The value.
        value: i64,
    },
    /// Too many members for one summarizer.
    #[error("member_id: more than {limit} distinct members")]
    TooManyMembers {
        /// The limit.
        limit: usize,
    },
    /// Orders were given, but every one of them is at or after `as_of`: nothing to summarize
    /// (most likely a wrong `as_of`). Empty input is not this error: it gives empty results.
    #[error("as_of: {as_of} is not after any order; the earliest, ordered_at[{row}], is {first_order}")]
    AsOfBeforeOrders {
        /// The summary's instant.
        as_of: chrono::DateTime<chrono::Utc>,
        /// The earliest order's row, counted over the batches added (then those of merged
        /// summarizers).
        row: u64,
        /// When the earliest order was placed.
        first_order: chrono::DateTime<chrono::Utc>,
    },
    /// A metrics period that starts after the metrics' `as_of`.
    #[error("period_start: {period_start} is after as_of {as_of}")]
    PeriodAfterAsOf {
        /// The period's start.
        period_start: chrono::DateTime<chrono::Utc>,
        /// The instant the metrics are as of.
        as_of: chrono::DateTime<chrono::Utc>,
    },
    /// Cut points or a grid do not fit the data they are applied to.
    #[error("{field}: {reason}")]
    Invalid {
        /// What.
        field: String,
        /// Why.
        reason: String,
    },
}

impl AnalyticsError {
    /// The error's kind: `length_mismatch`, `negative_amount`, `time_out_of_range`,
    /// `too_many_members`, `as_of_before_orders`, `period_after_as_of` or `invalid`.
    pub fn kind(&self) -> &'static str {
        match self {
            AnalyticsError::LengthMismatch { .. } => "length_mismatch",
            AnalyticsError::NegativeAmount { .. } | AnalyticsError::NegativeValue { .. } => "negative_amount",
            AnalyticsError::TimeOutOfRange { .. } => "time_out_of_range",
            AnalyticsError::TooManyMembers { .. } => "too_many_members",
            AnalyticsError::AsOfBeforeOrders { .. } => "as_of_before_orders",
            AnalyticsError::PeriodAfterAsOf { .. } => "period_after_as_of",
            AnalyticsError::Invalid { .. } => "invalid",
        }
    }

    /// The column and row (`amount_minor[3]`) or the argument the error is about.
    pub fn field(&self) -> String {
        match self {
            AnalyticsError::LengthMismatch { column, .. } => (*column).to_string(),
            AnalyticsError::NegativeAmount { row, .. } => format!("amount_minor[{row}]"),
            AnalyticsError::NegativeValue { column, row, .. } => format!("{column}[{row}]"),
            AnalyticsError::TimeOutOfRange { row, .. } => format!("ordered_at[{row}]"),
            AnalyticsError::TooManyMembers { .. } => "member_id".into(),
            AnalyticsError::AsOfBeforeOrders { .. } => "as_of".into(),
            AnalyticsError::PeriodAfterAsOf { .. } => "period_start".into(),
            AnalyticsError::Invalid { field, .. } => field.clone(),
        }
    }

    /// The offending value, as text.
    pub fn value(&self) -> String {
        match self {
            AnalyticsError::LengthMismatch { len, .. } => len.to_string(),
            AnalyticsError::NegativeAmount { value, .. }
            | AnalyticsError::NegativeValue { value, .. }
            | AnalyticsError::TimeOutOfRange { value, .. } => value.to_string(),
            AnalyticsError::TooManyMembers { limit } => limit.to_string(),
            AnalyticsError::AsOfBeforeOrders { as_of, .. } => as_of.to_rfc3339(),
            AnalyticsError::PeriodAfterAsOf { period_start, .. } => period_start.to_rfc3339(),
            AnalyticsError::Invalid { reason, .. } => reason.clone(),
        }
    }
}

/// The most minor-unit digits an amount column may have: 10^18 is the largest power of ten
/// an `i64` of minor units holds (ISO 4217 currencies use 0 to 4).
pub const MAX_SCALE: u32 = 18;

/// Checks a currency's minor-unit digits (`scale`) before a job turns minor units into
/// decimals: 0 to [`MAX_SCALE`].
///
/// ```
/// assert!(loyalty::analytics::check_scale(2).is_ok());
/// assert_eq!(loyalty::analytics::check_scale(40).unwrap_err().to_string(), "scale: 40 must be from 0 to 18");
/// ```
///
/// # Errors
/// [`AnalyticsError::Invalid`] naming `scale`.
pub fn check_scale(scale: u32) -> Result<(), AnalyticsError> {
    if scale > MAX_SCALE {
        return Err(AnalyticsError::Invalid {
            field: "scale".into(),
            reason: format!("{scale} must be from 0 to {MAX_SCALE}"),
        });
    }
    Ok(())
}

/// A fast, deterministic hasher for integer keys (FxHash's multiply-rotate).
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

pub(crate) type FxBuild = std::hash::BuildHasherDefault<FxHasher>;
