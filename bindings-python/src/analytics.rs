//! Columnar analytics: integer buffers in, column bytes out, the core's work done without
//! the interpreter lock.

use crate::errors::instant;
use crate::{arrow, errors};
use loyalty::analytics::clv::ChurnRisk;
use loyalty::analytics::{Analysis, Categories, Orders, Settings};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict};

/// A streaming summarizer: batches of columns in (the interpreter lock released while each
/// is folded), the analysis out at the end.
#[pyclass(module = "loyalty._native")]
pub struct Summarizer {
    inner: Option<loyalty::analytics::Summarizer>,
    as_of: chrono::DateTime<chrono::Utc>,
    tz: chrono_tz::Tz,
    distinct_days: bool,
    threads: usize,
    /// Text member ids read in place, coded as first seen.
    labels: arrow::Labels,
}

/// One batch of little-endian 8-byte columns handed to `add` without the interpreter lock.
fn add_columns(
    py: Python<'_>,
    member_id: &[u8],
    ordered_at: &[u8],
    amount_minor: &[u8],
    add: impl FnOnce(&Orders<'_>) -> Result<(), loyalty::analytics::AnalyticsError> + Send,
) -> PyResult<()> {
    let m = loyalty::interop::le_u64("member_id", member_id).map_err(errors::analytics)?;
    let t = loyalty::interop::le_i64("ordered_at", ordered_at).map_err(errors::analytics)?;
    let a = loyalty::interop::le_i64("amount_minor", amount_minor).map_err(errors::analytics)?;
    py.detach(|| add(&Orders { member_id: &m, ordered_at: &t, amount_minor: &a })).map_err(errors::analytics)
}

/// A partial that does not read back, as the core's analytics error.
fn invalid_partial(reason: String) -> loyalty::analytics::AnalyticsError {
    loyalty::analytics::AnalyticsError::Invalid { field: "partial".into(), reason }
}

impl Summarizer {
    /// The summarizer, unless finished or merged into another.
    fn live(&self) -> PyResult<&loyalty::analytics::Summarizer> {
        self.inner.as_ref().ok_or_else(|| errors::input("summarizer", "finished", "was already finished or merged"))
    }

    fn settings(&self) -> Settings {
        let mut settings = Settings::new(self.as_of, self.tz);
        settings.distinct_days = self.distinct_days;
        settings
    }
}

#[pymethods]
impl Summarizer {
    /// A summarizer as of an ISO-8601 instant in an IANA zone.
    #[new]
    #[pyo3(signature = (as_of, time_zone, recent_days, distinct_days, threads=1))]
    fn new(
        as_of: &str,
        time_zone: &str,
        recent_days: u32,
        distinct_days: bool,
        threads: usize,
    ) -> PyResult<Summarizer> {
        let (as_of, tz) = (instant("as_of", as_of)?, zone(time_zone)?);
        let mut settings = Settings::new(as_of, tz);
        settings.recent_days = recent_days;
        settings.distinct_days = distinct_days;
        let inner = loyalty::analytics::Summarizer::new(settings).with_threads(threads);
        Ok(Summarizer { inner: Some(inner), as_of, tz, distinct_days, threads, labels: arrow::Labels::default() })
    }

    /// The settings: (as_of as ISO-8601, zone name, recent_days, distinct_days).
    fn settings_tuple(&self) -> PyResult<(String, String, u32, bool)> {
        let inner = self.live()?;
        let s = inner.settings();
        Ok((s.as_of.to_rfc3339(), s.time_zone.name().to_string(), s.recent_days, s.distinct_days))
    }

    /// The partial summaries as JSON text (the core's serde form), for another process to
    /// read with `from_json` and merge.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        let inner = self.live()?;
        py.detach(|| serde_json::to_string(inner)).map_err(|e| errors::analytics(invalid_partial(e.to_string())))
    }

    /// A summarizer read back from `to_json`'s text, checked member by member.
    #[staticmethod]
    #[pyo3(signature = (text, threads=1))]
    fn from_json(py: Python<'_>, text: &str, threads: usize) -> PyResult<Summarizer> {
        let inner: loyalty::analytics::Summarizer =
            py.detach(|| serde_json::from_str(text)).map_err(|e| errors::analytics(invalid_partial(e.to_string())))?;
        let threads = threads.max(1);
        let s = inner.settings().clone();
        Ok(Summarizer {
            inner: Some(inner.with_threads(threads)),
            as_of: s.as_of,
            tz: s.time_zone,
            distinct_days: s.distinct_days,
            threads,
            labels: arrow::Labels::default(),
        })
    }

    /// Merges another summarizer with the same settings into this one; the other is spent.
    fn merge(&mut self, py: Python<'_>, other: &mut Summarizer) -> PyResult<()> {
        let theirs =
            other.inner.take().ok_or_else(|| errors::input("other", "finished", "was already finished or merged"))?;
        let mine =
            self.inner.as_mut().ok_or_else(|| errors::input("summarizer", "finished", "takes no more batches"))?;
        py.detach(|| mine.merge(theirs)).map_err(errors::analytics)
    }

    /// Folds in one batch of little-endian 8-byte columns.
    fn add(&mut self, py: Python<'_>, member_id: &[u8], ordered_at: &[u8], amount_minor: &[u8]) -> PyResult<()> {
        let inner =
            self.inner.as_mut().ok_or_else(|| errors::input("summarizer", "finished", "takes no more batches"))?;
        add_columns(py, member_id, ordered_at, amount_minor, |orders| inner.add(orders))
    }

    /// Folds in every batch of an Arrow stream (any object with `__arrow_c_stream__`),
    /// reading the three columns in place where their types are the core's (64-bit integer
    /// ids, integer Unix seconds, 64-bit minor units) and converting them otherwise
    /// (timestamps of finer units, dates, narrower integers, decimals when not `minor`).
    #[pyo3(signature = (source, member_id, ordered_at, amount, minor, scale))]
    #[allow(clippy::too_many_arguments)]
    fn add_arrow(
        &mut self,
        py: Python<'_>,
        source: &Bound<'_, PyAny>,
        member_id: &str,
        ordered_at: &str,
        amount: &str,
        minor: bool,
        scale: u32,
    ) -> PyResult<()> {
        let inner =
            self.inner.as_mut().ok_or_else(|| errors::input("summarizer", "finished", "takes no more batches"))?;
        let names = arrow::OrderColumns { member_id, ordered_at, amount, minor, scale };
        arrow::each_batch(py, source, &names, &mut self.labels, |orders| inner.add(orders))
    }

    /// The text member ids `add_arrow` read, in code-point order (a member's code is its
    /// position: `finish` renumbers the first-seen codes so), or `None` for integer ids.
    fn labels(&mut self) -> Option<Vec<String>> {
        (!self.labels.is_empty()).then(|| self.labels.sorted_names())
    }

    /// The analysis of everything added: a dict of columns, with the cut points used (JSON)
    /// under `cut_points`. `options`: the job's options as JSON (`JobOptions`). The
    /// summarizer is spent.
    ///
    /// `churn_member_id` and `churn_codes` (little-endian u64 member codes and one byte each:
    /// 0 low, 1 medium, 2 high) add the CLV model's churn risk to the lifecycle tags, as a
    /// `churn_risk` column (`unknown` for members without a prediction).
    #[pyo3(signature = (scale, options=None, churn_member_id=None, churn_codes=None))]
    fn finish<'py>(
        &mut self,
        py: Python<'py>,
        scale: u32,
        options: Option<&str>,
        churn_member_id: Option<&[u8]>,
        churn_codes: Option<&[u8]>,
    ) -> PyResult<Bound<'py, PyDict>> {
        loyalty::analytics::check_scale(scale).map_err(errors::analytics)?;
        let churn = match (churn_member_id, churn_codes) {
            (Some(ids), Some(codes)) => {
                let ids = loyalty::interop::le_u64("churn_risk.member_id", ids).map_err(errors::analytics)?;
                let risks = codes
                    .iter()
                    .enumerate()
                    .map(|(row, code)| match code {
                        0 => Ok(ChurnRisk::Low),
                        1 => Ok(ChurnRisk::Medium),
                        2 => Ok(ChurnRisk::High),
                        other => Err(errors::input(
                            &format!("churn_risk[{row}]"),
                            &other.to_string(),
                            "is not a churn-risk code",
                        )),
                    })
                    .collect::<PyResult<Vec<ChurnRisk>>>()?;
                Some((ids.into_owned(), risks))
            }
            (None, None) => None,
            _ => return Err(errors::input("churn_risk", "half", "needs both member ids and codes")),
        };
        let options: loyalty::analytics::JobOptions = match options {
            Some(json) => serde_json::from_str(json)
                .map_err(|e| errors::input("options", json, &format!("are not RFM options: {e}")))?,
            None => loyalty::analytics::JobOptions::default(),
        };
        let inner = self.inner.take().ok_or_else(|| errors::input("summarizer", "finished", "was already finished"))?;
        let (settings, threads) = (self.settings(), self.threads);
        // Labels read in place were coded as first seen: renumbered in code-point order, as
        // Python numbers them, so ties (broken by member id) fall the same way.
        let ranks = (!self.labels.is_empty()).then(|| self.labels.ranks());
        let with_churn = churn.is_some();
        let done = py
            .detach(move || {
                // The per-member stages on the summarizer's threads too.
                loyalty::analytics::with_threads(threads, move || {
                    let mut done = inner
                        .finish()
                        .map(|s| renumbered(s, ranks.as_deref()))
                        .and_then(|s| loyalty::analytics::analyze_with(s, &settings, scale, &options))?;
                    if let Some((ids, risks)) = churn {
                        loyalty::analytics::tag_churn_risk(&mut done.tags, &ids, &risks)?;
                    }
                    Ok(done)
                })
            })
            .map_err(errors::analytics)?;
        let cut_points = serde_json::to_string(&done.cut_points).unwrap_or_default();
        let out = columns(py, done, with_churn)?;
        out.set_item("cut_points", cut_points)?;
        Ok(out)
    }
}

/// Summaries with each member code `c` replaced by `ranks[c]`, in the new codes' order.
fn renumbered(
    mut summaries: Vec<loyalty::analytics::MemberSummary>,
    ranks: Option<&[u64]>,
) -> Vec<loyalty::analytics::MemberSummary> {
    if let Some(ranks) = ranks {
        for s in &mut summaries {
            s.member_id = usize::try_from(s.member_id).ok().and_then(|c| ranks.get(c)).copied().unwrap_or(s.member_id);
        }
        summaries.sort_unstable_by_key(|s| s.member_id);
    }
    summaries
}

/// RFM values, scores, segments and lifecycle tags for member codes `member_id`, orders at
/// `ordered_at` (Unix seconds) worth `amount_minor`, each as little-endian 8-byte `bytes`;
/// returns the columns as laid out by `columns`.
#[pyfunction]
#[pyo3(signature = (member_id, ordered_at, amount_minor, as_of, time_zone, scale, recent_days, distinct_days))]
#[allow(clippy::too_many_arguments)]
pub fn analyze<'py>(
    py: Python<'py>,
    member_id: &[u8],
    ordered_at: &[u8],
    amount_minor: &[u8],
    as_of: &str,
    time_zone: &str,
    scale: u32,
    recent_days: u32,
    distinct_days: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let mut s = Summarizer::new(as_of, time_zone, recent_days, distinct_days, 1)?;
    s.add(py, member_id, ordered_at, amount_minor)?;
    s.finish(py, scale, None, None, None)
}

/// An IANA time zone argument.
fn zone(name: &str) -> PyResult<chrono_tz::Tz> {
    name.parse().map_err(|_| errors::input("time_zone", name, "is not an IANA time zone name"))
}

/// `buf` cut into `K` consecutive pieces of `size` bytes (the rest ignored).
fn pieces<const K: usize>(mut buf: &mut [u8], size: usize) -> [&mut [u8]; K] {
    std::array::from_fn(|_| {
        let whole = std::mem::take(&mut buf);
        let (piece, rest) = whole.split_at_mut(size.min(whole.len()));
        buf = rest;
        piece
    })
}

/// The columns of the analysis by the part they come from: name and numpy dtype.
const FROM_SUMMARIES: [(&str, &str); 2] = [("member_id", "<u8"), ("monetary_minor", "<i8")];
const FROM_VALUES: [(&str, &str); 2] = [("recency_days", "<i8"), ("frequency", "<u8")];
const FROM_SCORES: [(&str, &str); 5] =
    [("r", "u1"), ("f", "u1"), ("m", "u1"), ("segment", "u1"), ("value_segment", "u1")];
const FROM_TAGS: [(&str, &str); 6] = [
    ("days_since_last", "<i8"),
    ("cycle_days", "<i8"),
    ("stage", "u1"),
    ("activity", "u1"),
    ("overdue", "?"),
    ("churn_warning", "?"),
];

/// The analysis as columns in writable buffers (`bytearray`s: frames built over them stay
/// writable without a copy), one for each part of the analysis: a dict of the buffers, the
/// row count, the layout (name, numpy dtype, buffer, offset) and the categories of the coded
/// columns. Each part is read once, writing all of its columns in that pass, and dropped
/// before the next part's buffer is made: a buffer is zeroed when made, so one for all the
/// columns would sit beside the whole analysis (at 10M orders, 70 MB at the peak).
fn columns<'py>(py: Python<'py>, analysis: Analysis, with_churn: bool) -> PyResult<Bound<'py, PyDict>> {
    let Analysis { mut summaries, mut values, mut scores, mut tags, .. } = analysis;
    let n = summaries.len();
    let mut layout: Vec<(&str, &str, usize, usize)> = Vec::new();
    let mut buffers: Vec<Bound<'py, PyByteArray>> = Vec::new();
    // A part's buffer: its columns one after another, `width` bytes a row each.
    let mut part = |columns: &[(&'static str, &'static str)],
                    width: &dyn Fn(&str) -> usize,
                    fill: &mut dyn FnMut(&mut [u8]) -> PyResult<()>|
     -> PyResult<()> {
        let mut offset = 0;
        for (name, dtype) in columns {
            layout.push((name, dtype, buffers.len(), offset));
            offset += n * width(dtype);
        }
        buffers.push(PyByteArray::new_with(py, offset, |buf| fill(buf))?);
        Ok(())
    };
    let width = |dtype: &str| if dtype.starts_with('<') { 8 } else { 1 };
    part(&FROM_SUMMARIES, &width, &mut |buf| {
        let [member, monetary] = pieces::<2>(buf, n * 8);
        for (i, s) in summaries.iter().enumerate() {
            member[i * 8..][..8].copy_from_slice(&s.member_id.to_le_bytes());
            let total = loyalty::analytics::monetary_minor(s).map_err(errors::analytics)?;
            monetary[i * 8..][..8].copy_from_slice(&total.to_le_bytes());
        }
        Ok(())
    })?;
    drop(std::mem::take(&mut summaries));
    part(&FROM_VALUES, &width, &mut |buf| {
        let [recency, frequency] = pieces::<2>(buf, n * 8);
        for (i, v) in values.iter().enumerate() {
            recency[i * 8..][..8].copy_from_slice(&v.recency_days.to_le_bytes());
            frequency[i * 8..][..8].copy_from_slice(&v.frequency.to_le_bytes());
        }
        Ok(())
    })?;
    drop(std::mem::take(&mut values));
    let mut cats = [Categories::new(), Categories::new(), Categories::new(), Categories::new()];
    let [seg_cats, value_cats, stage_cats, activity_cats] = &mut cats;
    part(&FROM_SCORES, &width, &mut |buf| {
        let [r, f, m, segment, value_segment] = pieces::<5>(buf, n);
        for (i, s) in scores.iter().enumerate() {
            (r[i], f[i], m[i]) = (s.r, s.f, s.m);
            // A segment is a cell of the R-F grid: the cell picks the slot.
            let cell = usize::from(s.r) * 8 + usize::from(s.f);
            segment[i] = seg_cats.code(cell, s.segment.as_ptr() as usize, &s.segment);
            let v = s.value_segment;
            value_segment[i] = value_cats.code(v as usize, v as usize, v.as_str());
        }
        Ok(())
    })?;
    drop(std::mem::take(&mut scores));
    let mut churn_cats = Categories::new();
    let churn_column = [("churn_risk", "u1")];
    let tag_columns: Vec<(&str, &str)> =
        FROM_TAGS.iter().chain(if with_churn { &churn_column[..] } else { &[] }).copied().collect();
    part(&tag_columns, &width, &mut |buf| {
        let (wide, narrow) = buf.split_at_mut(n * 16);
        let [since, cycle] = pieces::<2>(wide, n * 8);
        let [stage, activity, overdue, churn, risk] = pieces::<5>(narrow, n);
        for (i, t) in tags.iter().enumerate() {
            since[i * 8..][..8].copy_from_slice(&t.days_since_last.to_le_bytes());
            cycle[i * 8..][..8].copy_from_slice(&t.cycle_days.unwrap_or(-1).to_le_bytes());
            stage[i] = stage_cats.code(t.stage as usize, t.stage as usize, t.stage.as_str());
            activity[i] = activity_cats.code(t.activity as usize, t.activity as usize, t.activity.as_str());
            (overdue[i], churn[i]) = (u8::from(t.overdue), u8::from(t.churn_warning));
        }
        if with_churn {
            for (code, t) in risk.iter_mut().zip(&tags) {
                let name = t.churn_risk.map_or("unknown", ChurnRisk::as_str);
                let slot = t.churn_risk.map_or(3, |r| usize::from(r.code()));
                *code = churn_cats.code(slot, slot, name);
            }
        }
        Ok(())
    })?;
    drop(std::mem::take(&mut tags));
    let out = PyDict::new(py);
    out.set_item("buffers", buffers)?;
    out.set_item("rows", n)?;
    out.set_item("layout", layout)?;
    let categories = PyDict::new(py);
    for (name, c) in ["segment", "value_segment", "stage", "activity"].iter().zip(&cats) {
        categories.set_item(name, &c.names)?;
    }
    if with_churn {
        categories.set_item("churn_risk", &churn_cats.names)?;
    }
    out.set_item("categories", categories)?;
    Ok(out)
}

/// The retention matrix built batch by batch (the interpreter lock released while each is
/// added): from bytes columns, or from an Arrow stream read in place.
#[pyclass(module = "loyalty._native")]
pub struct CohortBuilder {
    inner: Option<loyalty::analytics::CohortBuilder>,
    labels: arrow::Labels,
}

#[pymethods]
impl CohortBuilder {
    /// An empty builder counting orders before `as_of` (ISO-8601) by months of `time_zone`.
    #[new]
    fn new(as_of: &str, time_zone: &str) -> PyResult<CohortBuilder> {
        let (as_of, tz) = (instant("as_of", as_of)?, zone(time_zone)?);
        Ok(CohortBuilder {
            inner: Some(loyalty::analytics::CohortBuilder::new(as_of, tz)),
            labels: arrow::Labels::default(),
        })
    }

    /// Adds one batch of little-endian 8-byte columns.
    fn add(&mut self, py: Python<'_>, member_id: &[u8], ordered_at: &[u8], amount_minor: &[u8]) -> PyResult<()> {
        let inner = self.inner.as_mut().ok_or_else(|| errors::input("builder", "finished", "takes no more batches"))?;
        add_columns(py, member_id, ordered_at, amount_minor, |orders| inner.add(orders))
    }

    /// Adds every batch of an Arrow stream, one at a time.
    #[pyo3(signature = (source, member_id, ordered_at, amount, minor, scale))]
    #[allow(clippy::too_many_arguments)]
    fn add_arrow(
        &mut self,
        py: Python<'_>,
        source: &Bound<'_, PyAny>,
        member_id: &str,
        ordered_at: &str,
        amount: &str,
        minor: bool,
        scale: u32,
    ) -> PyResult<()> {
        let inner = self.inner.as_mut().ok_or_else(|| errors::input("builder", "finished", "takes no more batches"))?;
        let names = arrow::OrderColumns { member_id, ordered_at, amount, minor, scale };
        arrow::each_batch(py, source, &names, &mut self.labels, |orders| inner.add(orders))
    }

    /// The retention matrix (JSON list of cohorts). The builder is spent.
    fn finish_json(&mut self) -> PyResult<String> {
        let inner = self.inner.take().ok_or_else(|| errors::input("builder", "finished", "was already finished"))?;
        Ok(serde_json::to_string(&inner.finish()).unwrap_or_default())
    }
}

/// Program metrics built batch by batch (the interpreter lock released while each is
/// added): from bytes columns, or from an Arrow stream read in place.
#[pyclass(module = "loyalty._native")]
pub struct MetricsBuilder {
    inner: Option<loyalty::analytics::MetricsBuilder>,
    labels: arrow::Labels,
}

#[pymethods]
impl MetricsBuilder {
    /// An empty builder for the period from `period_start` to `as_of` (ISO-8601 instants),
    /// days in `time_zone`.
    #[new]
    #[pyo3(signature = (as_of, time_zone, period_start, threads=1))]
    fn new(as_of: &str, time_zone: &str, period_start: &str, threads: usize) -> PyResult<MetricsBuilder> {
        let (as_of, tz, start) = (instant("as_of", as_of)?, zone(time_zone)?, instant("period_start", period_start)?);
        let inner =
            loyalty::analytics::MetricsBuilder::new(Settings::new(as_of, tz), start).map_err(errors::analytics)?;
        Ok(MetricsBuilder { inner: Some(inner.with_threads(threads.max(1))), labels: arrow::Labels::default() })
    }

    /// Adds one batch of little-endian 8-byte columns.
    fn add(&mut self, py: Python<'_>, member_id: &[u8], ordered_at: &[u8], amount_minor: &[u8]) -> PyResult<()> {
        let inner = self.inner.as_mut().ok_or_else(|| errors::input("builder", "finished", "takes no more batches"))?;
        add_columns(py, member_id, ordered_at, amount_minor, |orders| inner.add(orders))
    }

    /// Adds every batch of an Arrow stream, one at a time.
    #[pyo3(signature = (source, member_id, ordered_at, amount, minor, scale))]
    #[allow(clippy::too_many_arguments)]
    fn add_arrow(
        &mut self,
        py: Python<'_>,
        source: &Bound<'_, PyAny>,
        member_id: &str,
        ordered_at: &str,
        amount: &str,
        minor: bool,
        scale: u32,
    ) -> PyResult<()> {
        let inner = self.inner.as_mut().ok_or_else(|| errors::input("builder", "finished", "takes no more batches"))?;
        let names = arrow::OrderColumns { member_id, ordered_at, amount, minor, scale };
        arrow::each_batch(py, source, &names, &mut self.labels, |orders| inner.add(orders))
    }

    /// The builder as JSON text, for another process to read with `from_json` and merge.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        let inner = self.inner.as_ref().ok_or_else(|| errors::input("builder", "finished", "was already finished"))?;
        py.detach(|| inner.to_json()).map_err(errors::analytics)
    }

    /// A builder read back from `to_json`'s text, checked.
    #[staticmethod]
    #[pyo3(signature = (text, threads=1))]
    fn from_json(py: Python<'_>, text: &str, threads: usize) -> PyResult<MetricsBuilder> {
        let inner = py.detach(|| loyalty::analytics::MetricsBuilder::from_json(text)).map_err(errors::analytics)?;
        Ok(MetricsBuilder { inner: Some(inner.with_threads(threads.max(1))), labels: arrow::Labels::default() })
    }

    /// Merges another builder of the same settings and period into this one; the other is
    /// spent.
    fn merge(&mut self, py: Python<'_>, other: &mut MetricsBuilder) -> PyResult<()> {
        let theirs =
            other.inner.take().ok_or_else(|| errors::input("other", "finished", "was already finished or merged"))?;
        let mine = self.inner.as_mut().ok_or_else(|| errors::input("builder", "finished", "takes no more batches"))?;
        py.detach(|| mine.merge(theirs)).map_err(errors::analytics)
    }

    /// The metrics (JSON), money in units of `scale` minor-unit digits. The builder is spent.
    fn finish_json(&mut self, py: Python<'_>, scale: u32) -> PyResult<String> {
        loyalty::analytics::check_scale(scale).map_err(errors::analytics)?;
        let inner = self.inner.take().ok_or_else(|| errors::input("builder", "finished", "was already finished"))?;
        let metrics = py.detach(move || inner.finish(scale)).map_err(errors::analytics)?;
        Ok(serde_json::to_string(&metrics).unwrap_or_default())
    }
}

/// Preference tags from batches of order lines (the interpreter lock released while each is
/// folded).
#[pyclass(module = "loyalty._native")]
pub struct PreferenceBuilder {
    inner: Option<loyalty::analytics::PreferenceBuilder>,
}

#[pymethods]
impl PreferenceBuilder {
    /// An empty builder.
    #[new]
    fn new() -> PreferenceBuilder {
        PreferenceBuilder { inner: Some(loyalty::analytics::PreferenceBuilder::default()) }
    }

    /// Folds in one batch of little-endian 8-byte columns (category codes as unsigned).
    fn add(
        &mut self,
        py: Python<'_>,
        member_id: &[u8],
        order_id: &[u8],
        category: &[u8],
        amount_minor: &[u8],
        discount_minor: &[u8],
    ) -> PyResult<()> {
        use loyalty::interop::{le_i64, le_u64};
        let members = le_u64("member_id", member_id).map_err(errors::analytics)?;
        let orders = le_u64("order_id", order_id).map_err(errors::analytics)?;
        let categories: Vec<u32> = le_u64("category", category)
            .map_err(errors::analytics)?
            .iter()
            .enumerate()
            .map(|(row, &c)| {
                u32::try_from(c)
                    .map_err(|_| errors::input(&format!("category[{row}]"), &c.to_string(), "is not a category code"))
            })
            .collect::<PyResult<_>>()?;
        let amounts = le_i64("amount_minor", amount_minor).map_err(errors::analytics)?;
        let discounts = le_i64("discount_minor", discount_minor).map_err(errors::analytics)?;
        let inner = self.inner.as_mut().ok_or_else(|| errors::input("builder", "finished", "takes no more batches"))?;
        let lines = loyalty::analytics::Lines {
            member_id: &members,
            order_id: &orders,
            category: &categories,
            amount_minor: &amounts,
            discount_minor: &discounts,
        };
        py.detach(|| inner.add(&lines)).map_err(errors::analytics)
    }

    /// The preferences of everything added, as a dict of columns, and the price bands used.
    #[pyo3(signature = (price_bands, promotion_high_percent, promotion_medium_percent, category_rank))]
    fn finish<'py>(
        &mut self,
        py: Python<'py>,
        price_bands: Option<(i64, i64)>,
        promotion_high_percent: u32,
        promotion_medium_percent: u32,
        category_rank: Vec<u32>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let settings = loyalty::analytics::PreferenceSettings {
            price_bands: price_bands.map(|(low, high)| [low, high]),
            promotion_high_percent,
            promotion_medium_percent,
            category_rank,
        };
        settings.validate().map_err(errors::analytics)?;
        let inner = self.inner.take().ok_or_else(|| errors::input("builder", "finished", "was already finished"))?;
        let (members, bands) = py.detach(move || inner.finish(&settings)).map_err(errors::analytics)?;
        let out = PyDict::new(py);
        let bytes = |v: Vec<u8>| PyBytes::new(py, &v).unbind();
        out.set_item("member_id", bytes(members.iter().flat_map(|p| p.member_id.to_le_bytes()).collect()))?;
        out.set_item(
            "top_category",
            bytes(members.iter().flat_map(|p| u64::from(p.top_category).to_le_bytes()).collect()),
        )?;
        out.set_item(
            "top_category_minor",
            bytes(members.iter().flat_map(|p| p.top_category_minor.to_le_bytes()).collect()),
        )?;
        out.set_item("spend_minor", bytes(members.iter().flat_map(|p| p.spend_minor.to_le_bytes()).collect()))?;
        out.set_item("lines", bytes(members.iter().flat_map(|p| p.lines.to_le_bytes()).collect()))?;
        out.set_item("orders", bytes(members.iter().flat_map(|p| u64::from(p.orders).to_le_bytes()).collect()))?;
        out.set_item(
            "discounted_orders",
            bytes(members.iter().flat_map(|p| u64::from(p.discounted_orders).to_le_bytes()).collect()),
        )?;
        // Tags as codes into fixed category lists, in the enums' order.
        out.set_item("price_band", bytes(members.iter().map(|p| p.price_band as u8).collect()))?;
        out.set_item("promotion", bytes(members.iter().map(|p| p.promotion as u8).collect()))?;
        out.set_item("price_bands", (bands[0], bands[1]))?;
        Ok(out)
    }
}
