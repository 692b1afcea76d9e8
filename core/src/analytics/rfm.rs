//! RFM: recency, frequency and monetary values per member, scores 1 to 5 by quantiles with
//! reusable cut points, the R-F segment grid, and the 8-class value segments.

use super::summary::{local_day, MemberSummary};
use super::AnalyticsError;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Which monetary value RFM uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Monetary {
    /// Total spend (the default).
    #[default]
    Total,
    /// Mean spend per order.
    Mean,
}

/// One member's RFM values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfmValues {
    /// The member.
    pub member_id: u64,
    /// Whole local days from the last order's day to the `as_of` day.
    pub recency_days: i64,
    /// Orders, or distinct purchase days when the summaries counted them.
    pub frequency: u64,
    /// Total or mean spend in currency units, exact (`minor units / 10^scale`).
    pub monetary: Decimal,
}

/// RFM values from summaries. `scale` is the number of minor-unit digits (2 for cents);
/// `distinct_days` uses purchase days rather than orders as the frequency.
///
/// ```
/// use loyalty::analytics::{rfm_values, MemberSummary, Monetary};
/// use chrono::{TimeZone, Utc};
/// let m = MemberSummary { member_id: 1, first_at: 1_704_110_400, last_at: 1_706_788_800, previous_at: Some(1_704_110_400),
///     orders: 2, days: 2, total_minor: 3001, recent_orders: 0 };
/// let as_of = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap();
/// let v = rfm_values(&[m], as_of, chrono_tz::UTC, 2, Monetary::Mean, false);
/// // Last order 2024-02-01: 29 days before 2024-03-01. Mean of 30.01 over 2 orders.
/// assert_eq!((v[0].recency_days, v[0].frequency, v[0].monetary), (29, 2, "15.005".parse().unwrap()));
/// ```
pub fn rfm_values(
    summaries: &[MemberSummary],
    as_of: DateTime<Utc>,
    tz: Tz,
    scale: u32,
    monetary: Monetary,
    distinct_days: bool,
) -> Vec<RfmValues> {
    let today = local_day(as_of.timestamp(), tz);
    super::parallel::map(summaries, |s| {
        let total = Decimal::try_from_i128_with_scale(s.total_minor, scale.min(28)).unwrap_or(Decimal::MAX);
        let frequency = if distinct_days && s.days > 0 { s.days } else { s.orders };
        let monetary = match monetary {
            Monetary::Total => total,
            Monetary::Mean => total.checked_div(Decimal::from(s.orders.max(1))).unwrap_or(Decimal::MAX),
        };
        RfmValues { member_id: s.member_id, recency_days: today - local_day(s.last_at, tz), frequency, monetary }
    })
}

/// A position in a quantile ranking: a value and, to break ties, the member id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ScoreKey {
    /// The ranked value (for recency, minus the days, so more recent ranks higher).
    pub value: Decimal,
    /// The member id; 0 in user-given thresholds, so a threshold cuts by value alone.
    pub member_id: u64,
}

/// Where the scores 2, 3, 4 and 5 start, for each of R, F and M: a member scores 1 plus the
/// number of cut points at or below its key. Fitted cut points reproduce the rank rule on the
/// data they were fitted on, and apply unchanged to any partition later.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CutPoints {
    /// Recency cut points (keys are minus the recency days).
    pub recency: [Option<ScoreKey>; 4],
    /// Frequency cut points.
    pub frequency: [Option<ScoreKey>; 4],
    /// Monetary cut points.
    pub monetary: [Option<ScoreKey>; 4],
    /// The sums behind the means the value segments compare with, when fitted: scored with
    /// them, every partition classifies its members as the whole log did. Without them (user
    /// thresholds), each call compares with the means of the members it scores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub means: Option<MeanSums>,
}

/// The exact sums of R, F and M over the members cut points were fitted on (their means are
/// the sums divided by `members`), as decimal text so any JSON reader keeps them exact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeanSums {
    /// How many members (at least 1).
    pub members: u64,
    /// The sum of recency days.
    pub recency_days: String,
    /// The sum of frequencies.
    pub frequency: String,
    /// The sum of monetary values, in currency units.
    pub monetary: Decimal,
}

/// Scores and segments of one member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfmScores {
    /// The member.
    pub member_id: u64,
    /// Recency score, 1 to 5 (5: most recent).
    pub r: u8,
    /// Frequency score, 1 to 5.
    pub f: u8,
    /// Monetary score, 1 to 5.
    pub m: u8,
    /// The R-F segment name.
    pub segment: Arc<str>,
    /// The 8-class value segment.
    pub value_segment: ValueSegment,
}

/// A key packed into one integer, `(value + 2^63) << 64 | member id`, for a value that is an
/// integer mantissa at a column's common scale and fits an i64: integer order is then key
/// order, and comparing or selecting keys costs one `u128` comparison.
fn pack(value: i64, member_id: u64) -> u128 {
    (u128::from(value as u64 ^ (1 << 63)) << 64) | u128::from(member_id)
}

fn unpack(key: u128, scale: u32) -> ScoreKey {
    ScoreKey { value: Decimal::new(((key >> 64) as u64 ^ (1 << 63)) as i64, scale), member_id: key as u64 }
}

/// A monetary value as a mantissa at `scale`, when it has that scale and fits an i64.
fn packable(value: Decimal, scale: u32) -> Option<i64> {
    (value.scale() == scale).then(|| i64::try_from(value.mantissa()).ok()).flatten()
}

/// The common scale of the monetary values, when they all share one and fit packing.
fn monetary_scale(values: &[RfmValues]) -> Option<u32> {
    let scale = values.first().map_or(0, |v| v.monetary.scale());
    values.iter().all(|v| packable(v.monetary, scale).is_some()).then_some(scale)
}

/// Cut points packed at `scale`, when every one is packable there.
fn packed_cuts(cuts: &[Option<ScoreKey>; 4], scale: u32) -> Option<Vec<u128>> {
    cuts.iter().flatten().map(|c| packable(c.value, scale).map(|v| pack(v, c.member_id))).collect()
}

fn score_packed(cuts: &[u128], key: u128) -> u8 {
    1 + cuts.iter().filter(|c| key >= **c).count() as u8
}

/// Orders keys as `Ord` does, values compared on their integer mantissas
/// ([`crate::money::cmp`]), which is much faster than `Decimal`'s own comparison.
fn compare(a: &ScoreKey, b: &ScoreKey) -> std::cmp::Ordering {
    crate::money::cmp(a.value, b.value).then(a.member_id.cmp(&b.member_id))
}

/// The four cut ranks of a column: the first rank with score k + 2 is ceil((k + 1) n / 5) + 1
/// (1-based). Only these ranks matter, so they are selected (linear time) instead of sorting
/// every key: the highest first, then each lower one within the part left of the one above.
fn cut_ranks<K: Copy>(keys: &mut [K], compare: impl Fn(&K, &K) -> std::cmp::Ordering) -> [Option<K>; 4] {
    let n = keys.len();
    let mut cuts = [None; 4];
    let mut end = n;
    for k in (0..4).rev() {
        let index = ((k + 1) * n).div_ceil(5);
        if index >= n {
            continue;
        }
        if index < end {
            keys[..end].select_nth_unstable_by(index, &compare);
            end = index;
        }
        cuts[k] = Some(keys[index]);
    }
    cuts
}

/// Cut points of a column whose values are integer mantissas at `scale`, from keys packed
/// in a `u64` (value as an i32, member id as a u32) when every member's fit, else in a
/// `u128`: the narrow keys are half the memory to fill and select, and compare in one step.
fn fit_packed(values: &[RfmValues], value: impl Fn(&RfmValues) -> i64 + Sync, scale: u32) -> [Option<ScoreKey>; 4] {
    use super::parallel::map;
    let mut narrow = map(values, |v| pack_narrow(value(v), v.member_id).unwrap_or(NOT_NARROW));
    if !narrow.contains(&NOT_NARROW) {
        return cut_ranks(&mut narrow, u64::cmp).map(|c| c.map(|k| unpack_narrow(k, scale)));
    }
    drop(narrow);
    cut_ranks(&mut map(values, |v| pack(value(v), v.member_id)), u128::cmp).map(|c| c.map(|k| unpack(k, scale)))
}

/// Marks a member whose key does not fit a `u64` (the key of value `i32::MAX` and member
/// `u32::MAX` too, which then takes the `u128` keys like the others).
const NOT_NARROW: u64 = u64::MAX;

/// `(value + 2^31) << 32 | member id`, when the value fits an i32 and the id a u32: integer
/// order is key order, as for [`pack`].
fn pack_narrow(value: i64, member_id: u64) -> Option<u64> {
    let value = i32::try_from(value).ok()?;
    let id = u32::try_from(member_id).ok()?;
    Some((u64::from(value as u32 ^ (1 << 31)) << 32) | u64::from(id))
}

fn unpack_narrow(key: u64, scale: u32) -> ScoreKey {
    let value = ((key >> 32) as u32 ^ (1 << 31)) as i32;
    ScoreKey { value: Decimal::new(i64::from(value), scale), member_id: key & u64::from(u32::MAX) }
}

fn score_one(cuts: &[Option<ScoreKey>; 4], key: ScoreKey) -> u8 {
    1 + cuts.iter().flatten().filter(|c| compare(&key, c) != std::cmp::Ordering::Less).count() as u8
}

impl CutPoints {
    /// Fits cut points by the default rank rule: members ranked ascending by (value, member
    /// id), score = 1 + floor(5 × (rank − 1) / n); more recent is a higher R.
    ///
    /// ```
    /// use loyalty::analytics::{CutPoints, RfmValues};
    /// use rust_decimal::Decimal;
    /// let v = |id, r, f, m| RfmValues { member_id: id, recency_days: r, frequency: f, monetary: Decimal::from(m) };
    /// let values = [v(1, 10, 1, 5), v(2, 3, 4, 50), v(3, 30, 2, 20), v(4, 3, 1, 5), v(5, 90, 9, 400)];
    /// let cuts = CutPoints::fit(&values);
    /// let scores: Vec<(u8, u8, u8)> = cuts.score(&values).iter().map(|s| (s.r, s.f, s.m)).collect();
    /// // n = 5: ranks 1..5 score 1..5. Recency ranked by -days, then id: 5 (90 days), 3, 1, 2, 4.
    /// assert_eq!(scores, vec![(3, 1, 1), (4, 4, 4), (2, 3, 3), (5, 2, 2), (1, 5, 5)]);
    /// ```
    pub fn fit(values: &[RfmValues]) -> CutPoints {
        use super::parallel::join;
        // The three columns are independent: on three of the pool's threads inside
        // `with_threads`.
        let recency = || fit_packed(values, |v| -v.recency_days, 0);
        let frequency = || match values.iter().all(|v| i64::try_from(v.frequency).is_ok()) {
            true => fit_packed(values, |v| v.frequency as i64, 0),
            false => {
                let key = |v: &RfmValues| ScoreKey { value: Decimal::from(v.frequency), member_id: v.member_id };
                cut_ranks(&mut values.iter().map(key).collect::<Vec<_>>(), compare)
            }
        };
        let monetary = || match monetary_scale(values) {
            Some(scale) => fit_packed(values, |v| packable(v.monetary, scale).unwrap_or(0), scale),
            None => {
                let key = |v: &RfmValues| ScoreKey { value: v.monetary, member_id: v.member_id };
                cut_ranks(&mut values.iter().map(key).collect::<Vec<_>>(), compare)
            }
        };
        let (recency, (frequency, monetary)) = join(recency, || join(frequency, monetary));
        CutPoints { recency, frequency, monetary, means: Some(Means::of(values).sums()) }
    }

    /// Fixed thresholds given by the user: a recency score of 2, 3, 4, 5 needs at most
    /// `recency_days[0..4]` days (descending), frequency and monetary scores need at least the
    /// given values (ascending).
    ///
    /// # Errors
    /// [`AnalyticsError::Invalid`] if a list is not in order.
    pub fn from_thresholds(
        recency_days: [i64; 4],
        frequency: [u64; 4],
        monetary: [Decimal; 4],
    ) -> Result<CutPoints, AnalyticsError> {
        let invalid = |field: &str| {
            Err(AnalyticsError::Invalid { field: field.into(), reason: "thresholds must be in order".into() })
        };
        if recency_days.windows(2).any(|w| w[0] < w[1]) {
            return invalid("recency_days");
        }
        if frequency.windows(2).any(|w| w[0] > w[1]) {
            return invalid("frequency");
        }
        if monetary.windows(2).any(|w| w[0] > w[1]) {
            return invalid("monetary");
        }
        let key = |value: Decimal| Some(ScoreKey { value, member_id: 0 });
        Ok(CutPoints {
            recency: recency_days.map(|d| key(Decimal::from(-d))),
            frequency: frequency.map(|f| key(Decimal::from(f))),
            monetary: monetary.map(key),
            means: None,
        })
    }

    /// Checks carried means read from a caller: at least one member and at most
    /// the most members a summary holds, sums that are whole numbers within what that many
    /// members can add up to.
    ///
    /// # Errors
    /// [`AnalyticsError::Invalid`] naming `cut_points.means.<field>`.
    pub fn check_means(&self) -> Result<(), AnalyticsError> {
        let Some(m) = &self.means else { return Ok(()) };
        let invalid = |field: &str, reason: String| AnalyticsError::Invalid {
            field: format!("cut_points.means.{field}"),
            reason,
        };
        if m.members == 0 || m.members > super::summary::MAX_MEMBERS as u64 {
            return Err(invalid("members", format!("{} must be from 1 to {}", m.members, super::summary::MAX_MEMBERS)));
        }
        // Days and orders are far below 2^40 per member; 2^30 members: sums below 2^70.
        let bound = 1i128 << 70;
        for (field, text) in [("recency_days", &m.recency_days), ("frequency", &m.frequency)] {
            match text.parse::<i128>() {
                Ok(v) if v.abs() < bound => {}
                _ => return Err(invalid(field, format!("{text:?} must be a whole number below 2^70"))),
            }
        }
        if m.monetary.mantissa().unsigned_abs() >= 1u128 << 90 {
            return Err(invalid("monetary", format!("{} is out of range", m.monetary)));
        }
        Ok(())
    }

    /// Records the sums of `values` as the means value segments compare with, unless the
    /// cut points carry some already (a scoring is unchanged by it: without carried means,
    /// value segments compare with those of the members scored).
    pub fn carry_means_of(&mut self, values: &[RfmValues]) {
        if self.means.is_none() {
            self.means = Some(Means::of(values).sums());
        }
    }

    /// Scores members with these cut points, with the default segment grid and value
    /// segments computed over `values` themselves.
    pub fn score(&self, values: &[RfmValues]) -> Vec<RfmScores> {
        self.score_with(values, &SegmentGrid::default())
    }

    /// Scores members with a segment grid of the user's.
    pub fn score_with(&self, values: &[RfmValues], grid: &SegmentGrid) -> Vec<RfmScores> {
        let means = self.means.as_ref().and_then(Means::from_sums).unwrap_or_else(|| Means::of(values));
        // One shared copy of each name (a string per member would be a million allocations),
        // a copy per thread (threads cloning one `Arc` would contend for its count).
        let names = || -> [[Arc<str>; 5]; 5] {
            std::array::from_fn(|r| std::array::from_fn(|f| Arc::from(&*grid.names[r][f])))
        };
        // Packed comparisons where the cut points allow them (always for fitted ones), the
        // general Decimal comparison otherwise.
        let r_cuts = packed_cuts(&self.recency, 0);
        let f_cuts = packed_cuts(&self.frequency, 0);
        let m_scale = values.first().map_or(0, |v| v.monetary.scale());
        let m_cuts = packed_cuts(&self.monetary, m_scale);
        super::parallel::map_init(values, names, |names, v| {
            let id = v.member_id;
            let r = match &r_cuts {
                Some(cuts) => score_packed(cuts, pack(-v.recency_days, id)),
                None => score_one(&self.recency, ScoreKey { value: Decimal::from(-v.recency_days), member_id: id }),
            };
            let f = match (&f_cuts, i64::try_from(v.frequency)) {
                (Some(cuts), Ok(x)) => score_packed(cuts, pack(x, id)),
                _ => score_one(&self.frequency, ScoreKey { value: Decimal::from(v.frequency), member_id: id }),
            };
            let m = match (&m_cuts, packable(v.monetary, m_scale)) {
                (Some(cuts), Some(x)) => score_packed(cuts, pack(x, id)),
                _ => score_one(&self.monetary, ScoreKey { value: v.monetary, member_id: id }),
            };
            RfmScores {
                member_id: v.member_id,
                r,
                f,
                m,
                segment: Arc::clone(&names[usize::from(r - 1)][usize::from(f - 1)]),
                value_segment: means.classify(v),
            }
        })
    }
}

/// Segment names by R score (rows) and F score (columns), both 1 to 5.
///
/// The default is the widely used grid:
///
/// | R \ F | 1 | 2 | 3 | 4 | 5 |
/// |---|---|---|---|---|---|
/// | 5 | New Customers | Potential Loyalist | Potential Loyalist | Champions | Champions |
/// | 4 | Promising | Potential Loyalist | Potential Loyalist | Loyal Customers | Loyal Customers |
/// | 3 | About To Sleep | About To Sleep | Need Attention | Loyal Customers | Loyal Customers |
/// | 2 | Hibernating | Hibernating | At Risk | At Risk | Can't Lose Them |
/// | 1 | Lost | Hibernating | At Risk | At Risk | Can't Lose Them |
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentGrid {
    /// `names[r - 1][f - 1]`.
    pub names: [[String; 5]; 5],
}

impl Default for SegmentGrid {
    fn default() -> SegmentGrid {
        let row = |a: &str, b: &str, c: &str, d: &str, e: &str| [a, b, c, d, e].map(String::from);
        SegmentGrid {
            names: [
                row("Lost", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"),
                row("Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"),
                row("About To Sleep", "About To Sleep", "Need Attention", "Loyal Customers", "Loyal Customers"),
                row("Promising", "Potential Loyalist", "Potential Loyalist", "Loyal Customers", "Loyal Customers"),
                row("New Customers", "Potential Loyalist", "Potential Loyalist", "Champions", "Champions"),
            ],
        }
    }
}

impl SegmentGrid {
    /// The segment of an R and F score (clamped to 1..=5).
    pub fn name(&self, r: u8, f: u8) -> &str {
        let i = |s: u8| usize::from(s.clamp(1, 5) - 1);
        &self.names[i(r)][i(f)]
    }
}

/// The 8 value segments: each of R, F and M above or below its mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueSegment {
    /// Recent, frequent, high spend.
    ImportantValue,
    /// Recent, infrequent, high spend.
    ImportantDevelopment,
    /// Lapsing, frequent, high spend.
    ImportantRetention,
    /// Lapsing, infrequent, high spend.
    ImportantWinBack,
    /// Recent, frequent, low spend.
    GeneralValue,
    /// Recent, infrequent, low spend.
    GeneralDevelopment,
    /// Lapsing, frequent, low spend.
    GeneralRetention,
    /// Lapsing, infrequent, low spend.
    GeneralWinBack,
}

impl ValueSegment {
    /// The segment's name, as serialized.
    ///
    /// ```
    /// assert_eq!(loyalty::analytics::ValueSegment::ImportantWinBack.as_str(), "important_win_back");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ValueSegment::ImportantValue => "important_value",
            ValueSegment::ImportantDevelopment => "important_development",
            ValueSegment::ImportantRetention => "important_retention",
            ValueSegment::ImportantWinBack => "important_win_back",
            ValueSegment::GeneralValue => "general_value",
            ValueSegment::GeneralDevelopment => "general_development",
            ValueSegment::GeneralRetention => "general_retention",
            ValueSegment::GeneralWinBack => "general_win_back",
        }
    }
}

/// The value segment for high (true) or low R, F and M.
pub fn value_segment(r_high: bool, f_high: bool, m_high: bool) -> ValueSegment {
    use ValueSegment::*;
    match (m_high, r_high, f_high) {
        (true, true, true) => ImportantValue,
        (true, true, false) => ImportantDevelopment,
        (true, false, true) => ImportantRetention,
        (true, false, false) => ImportantWinBack,
        (false, true, true) => GeneralValue,
        (false, true, false) => GeneralDevelopment,
        (false, false, true) => GeneralRetention,
        (false, false, false) => GeneralWinBack,
    }
}

/// Means of R, F and M, exact.
struct Means {
    n: i128,
    recency: i128,
    frequency: i128,
    /// The sum of the monetary mantissas when every value has this scale.
    monetary: Result<(u32, i128), Decimal>,
}

impl Means {
    fn of(values: &[RfmValues]) -> Means {
        let n = values.len().max(1) as i128;
        // One pass for the three sums (each pass reads every member's values again).
        // Mantissas are below 2^96 and members at most 2^29, so sums and products fit an i128.
        let scale = values.first().map_or(0, |v| v.monetary.scale());
        let (mut recency, mut frequency, mut monetary, mut one_scale) = (0i128, 0i128, 0i128, true);
        for v in values {
            recency += i128::from(v.recency_days);
            frequency += i128::from(v.frequency);
            monetary += v.monetary.mantissa();
            one_scale &= v.monetary.scale() == scale;
        }
        let monetary = if one_scale {
            Ok((scale, monetary))
        } else {
            let sum = values.iter().fold(Decimal::ZERO, |a, v| a.saturating_add(v.monetary));
            Err(sum / Decimal::from(values.len().max(1)))
        };
        Means { n, recency, frequency, monetary }
    }

    /// The sums, to carry with fitted cut points.
    fn sums(&self) -> MeanSums {
        let monetary = match self.monetary {
            Ok((scale, sum)) => Decimal::try_from_i128_with_scale(sum, scale).unwrap_or(Decimal::MAX),
            Err(mean) => mean.saturating_mul(Decimal::from(self.n as u64)),
        };
        MeanSums {
            members: self.n as u64,
            recency_days: self.recency.to_string(),
            frequency: self.frequency.to_string(),
            monetary,
        }
    }

    /// The means of carried sums, or `None` when they do not read back.
    fn from_sums(s: &MeanSums) -> Option<Means> {
        let n = i128::from(s.members.max(1));
        Some(Means {
            n,
            recency: s.recency_days.parse().ok()?,
            frequency: s.frequency.parse().ok()?,
            monetary: Ok((s.monetary.scale(), s.monetary.mantissa())),
        })
    }

    /// High means at or better than the mean: recency at most the mean, F and M at least it.
    /// Compared exactly: `x <= sum / n` as `x * n <= sum`.
    fn classify(&self, v: &RfmValues) -> ValueSegment {
        let m_high = match self.monetary {
            Ok((scale, sum)) if v.monetary.scale() == scale => v.monetary.mantissa() * self.n >= sum,
            Ok((scale, sum)) => v.monetary >= Decimal::from_i128_with_scale(sum / self.n, scale),
            Err(mean) => v.monetary >= mean,
        };
        value_segment(
            i128::from(v.recency_days) * self.n <= self.recency,
            i128::from(v.frequency) * self.n >= self.frequency,
            m_high,
        )
    }
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
