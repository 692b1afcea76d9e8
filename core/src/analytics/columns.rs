//! The RFM analysis as columns: one vector per field, named names coded as bytes. This is the
//! shape the bindings hand to data frames and typed arrays (Python's numpy columns, Node's
//! `Float64Array`s), defined once here so both lay the analysis out alike.

use super::clv::ChurnRisk;
use super::{Analysis, AnalyticsError, MemberSummary};

/// A column of names coded as bytes: `names[codes[i]]` is row `i`'s name, names numbered in
/// order of first appearance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coded {
    /// Each row's code.
    pub codes: Vec<u8>,
    /// The names, by code.
    pub names: Vec<String>,
}

/// The analysis by column, row `i` of every column being one member.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    /// The member (code).
    pub member_id: Vec<u64>,
    /// Total spend in minor units.
    pub monetary_minor: Vec<i64>,
    /// Whole local days from the last order's day to the `as_of` day.
    pub recency_days: Vec<i64>,
    /// Orders, or distinct purchase days.
    pub frequency: Vec<u64>,
    /// Recency score, 1 to 5.
    pub r: Vec<u8>,
    /// Frequency score, 1 to 5.
    pub f: Vec<u8>,
    /// Monetary score, 1 to 5.
    pub m: Vec<u8>,
    /// The R-F segment.
    pub segment: Coded,
    /// The value segment.
    pub value_segment: Coded,
    /// Whole local days since the last order.
    pub days_since_last: Vec<i64>,
    /// The purchase cycle in days, `-1` for a member with one purchase day.
    pub cycle_days: Vec<i64>,
    /// The lifecycle stage.
    pub stage: Coded,
    /// The activity level.
    pub activity: Coded,
    /// The next purchase is overdue by the cycle.
    pub overdue: Vec<bool>,
    /// No order for `warn_days`, not yet churned.
    pub churn_warning: Vec<bool>,
    /// The CLV model's churn risk (`unknown` where it had none), when tagged.
    pub churn_risk: Option<Coded>,
}

impl Columns {
    /// The analysis as columns; `with_churn` adds the churn-risk column. Each part of the
    /// analysis is dropped once read, so the peak is the analysis plus one part's columns.
    ///
    /// ```
    /// use loyalty::analytics::{analyze, Columns, Orders, Settings, Summarizer};
    /// use chrono::{TimeZone, Utc};
    /// let settings = Settings::new(Utc.with_ymd_and_hms(2024, 7, 1, 0, 0, 0).unwrap(), chrono_tz::UTC);
    /// let mut s = Summarizer::new(settings.clone());
    /// s.add(&Orders { member_id: &[7, 7, 9], ordered_at: &[1_717_200_000, 1_718_000_000, 1_718_000_000],
    ///     amount_minor: &[1000, 2550, 400] }).unwrap();
    /// let c = Columns::of(analyze(s.finish().unwrap(), &settings, 2), false).unwrap();
    /// assert_eq!(c.member_id, [7, 9]);
    /// assert_eq!(c.monetary_minor, [3550, 400]);
    /// assert_eq!(c.frequency, [2, 1]);
    /// assert_eq!(c.cycle_days[1], -1);
    /// ```
    ///
    /// # Errors
    /// [`AnalyticsError::Invalid`] naming `monetary_minor` when a member's total does not fit
    /// 64 bits (never a silent cap).
    pub fn of(analysis: Analysis, with_churn: bool) -> Result<Columns, AnalyticsError> {
        let Analysis { summaries, values, scores, tags, .. } = analysis;
        let n = summaries.len();
        let mut out =
            Columns { member_id: Vec::with_capacity(n), monetary_minor: Vec::with_capacity(n), ..Columns::default() };
        for s in &summaries {
            out.member_id.push(s.member_id);
            out.monetary_minor.push(monetary_minor(s)?);
        }
        drop(summaries);
        (out.recency_days, out.frequency) = values.iter().map(|v| (v.recency_days, v.frequency)).unzip();
        drop(values);
        let (mut segments, mut value_segments) = (Categories::new(), Categories::new());
        let mut coded = |i: usize| -> (u8, u8) {
            let s = &scores[i];
            // A segment is a cell of the R-F grid: the cell picks the slot.
            let cell = usize::from(s.r) * 8 + usize::from(s.f);
            let v = s.value_segment;
            (
                segments.code(cell, s.segment.as_ptr() as usize, &s.segment),
                value_segments.code(v as usize, v as usize, v.as_str()),
            )
        };
        let (segment, value_segment): (Vec<u8>, Vec<u8>) = (0..n).map(&mut coded).unzip();
        out.r = scores.iter().map(|s| s.r).collect();
        out.f = scores.iter().map(|s| s.f).collect();
        out.m = scores.iter().map(|s| s.m).collect();
        drop(scores);
        out.segment = Coded { codes: segment, names: segments.names };
        out.value_segment = Coded { codes: value_segment, names: value_segments.names };
        let (mut stages, mut activities, mut risks) = (Categories::new(), Categories::new(), Categories::new());
        let mut stage = Vec::with_capacity(n);
        let mut activity = Vec::with_capacity(n);
        let mut risk = Vec::with_capacity(if with_churn { n } else { 0 });
        for t in &tags {
            out.days_since_last.push(t.days_since_last);
            out.cycle_days.push(t.cycle_days.unwrap_or(-1));
            stage.push(stages.code(t.stage as usize, t.stage as usize, t.stage.as_str()));
            activity.push(activities.code(t.activity as usize, t.activity as usize, t.activity.as_str()));
            out.overdue.push(t.overdue);
            out.churn_warning.push(t.churn_warning);
            if with_churn {
                let slot = t.churn_risk.map_or(3, |r| usize::from(r.code()));
                risk.push(risks.code(slot, slot, t.churn_risk.map_or("unknown", ChurnRisk::as_str)));
            }
        }
        out.stage = Coded { codes: stage, names: stages.names };
        out.activity = Coded { codes: activity, names: activities.names };
        out.churn_risk = with_churn.then_some(Coded { codes: risk, names: risks.names });
        Ok(out)
    }
}

/// A member's total spend as a 64-bit column value: a total no real business reaches is an
/// error naming the member (code), never a silent cap at 2^63 - 1.
///
/// # Errors
/// [`AnalyticsError::Invalid`] naming `monetary_minor`.
pub fn monetary_minor(s: &MemberSummary) -> Result<i64, AnalyticsError> {
    i64::try_from(s.total_minor).map_err(|_| AnalyticsError::Invalid {
        field: "monetary_minor".into(),
        reason: format!(
            "member (code) {} spent {} minor units in all, more than a 64-bit column holds",
            s.member_id, s.total_minor
        ),
    })
}

/// Codes for names, assigned in order of first appearance. Each row comes as (slot,
/// identity, name): rows with the same slot and identity have the same name, so a row costs
/// one table lookup, and names are compared only when a slot sees a new identity (an enum's
/// discriminant, or a shared segment name's address).
#[derive(Clone, Debug)]
pub struct Categories {
    /// The names, by code.
    pub names: Vec<String>,
    table: [(usize, u8); 64],
}

impl Default for Categories {
    fn default() -> Categories {
        Categories::new()
    }
}

impl Categories {
    /// No names yet.
    pub fn new() -> Categories {
        Categories { names: Vec::new(), table: [(usize::MAX, 0); 64] }
    }

    /// The code of `name`, seen at `slot` as `identity`.
    ///
    /// ```
    /// let mut c = loyalty::analytics::Categories::new();
    /// assert_eq!(c.code(1, 1, "new"), 0);
    /// assert_eq!(c.code(2, 2, "active"), 1);
    /// assert_eq!(c.code(9, 9, "new"), 0);
    /// assert_eq!(c.names, ["new", "active"]);
    /// ```
    pub fn code(&mut self, slot: usize, identity: usize, name: &str) -> u8 {
        let entry = &mut self.table[slot % 64];
        if entry.0 != identity {
            let names = &mut self.names;
            let position = names.iter().position(|c| c == name).unwrap_or_else(|| {
                names.push(name.to_owned());
                names.len() - 1
            });
            *entry = (identity, u8::try_from(position).unwrap_or(u8::MAX));
        }
        entry.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::{analyze, Orders, Settings, Summarizer};
    use chrono::{TimeZone, Utc};

    #[test]
    fn every_column_has_a_row_per_member_and_the_names_decode_to_the_analysis() {
        let settings = Settings::new(Utc.with_ymd_and_hms(2024, 7, 1, 0, 0, 0).unwrap(), chrono_tz::UTC);
        let members: Vec<u64> = (0..40).map(|i| i % 13).collect();
        let at: Vec<i64> = (0..40).map(|i| 1_700_000_000 + i * 400_000).collect();
        let cents: Vec<i64> = (0..40).map(|i| 100 + i * 37).collect();
        let mut s = Summarizer::new(settings.clone());
        s.add(&Orders { member_id: &members, ordered_at: &at, amount_minor: &cents }).unwrap();
        let analysis = analyze(s.finish().unwrap(), &settings, 2);
        let c = Columns::of(analysis.clone(), false).unwrap();
        assert_eq!(c.member_id.len(), 13);
        for (i, score) in analysis.scores.iter().enumerate() {
            assert_eq!(c.segment.names[usize::from(c.segment.codes[i])], &*score.segment);
            assert_eq!(c.value_segment.names[usize::from(c.value_segment.codes[i])], score.value_segment.as_str());
            assert_eq!((c.r[i], c.f[i], c.m[i]), (score.r, score.f, score.m));
            let t = &analysis.tags[i];
            assert_eq!(c.stage.names[usize::from(c.stage.codes[i])], t.stage.as_str());
            assert_eq!(c.cycle_days[i], t.cycle_days.unwrap_or(-1));
        }
        assert_eq!(c.monetary_minor.iter().sum::<i64>(), cents.iter().sum::<i64>());
        assert!(c.churn_risk.is_none());
    }

    #[test]
    fn a_total_beyond_64_bits_names_the_member() {
        let s = MemberSummary {
            member_id: 5,
            first_at: 0,
            last_at: 0,
            previous_at: None,
            orders: 1,
            days: 1,
            total_minor: i128::from(i64::MAX) + 1,
            recent_orders: 0,
        };
        let e = monetary_minor(&s).unwrap_err();
        assert!(matches!(e, AnalyticsError::Invalid { ref field, .. } if field == "monetary_minor"), "{e}");
        assert!(e.to_string().contains("member (code) 5"), "{e}");
    }
}
