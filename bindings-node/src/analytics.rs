//! Batch analytics off the event loop: RFM with lifecycle tags, program metrics, cohorts,
//! preferences and the CLV models. Orders arrive as little-endian 8-byte columns; large
//! results leave as typed arrays made from the core's vectors without a copy
//! ([`loyalty::analytics::Columns`] lays out the RFM analysis for Python and Node alike).

use crate::{errors, instant, json};
use loyalty::analytics::clv::{self, BgNbd, ClvSummary, Customer, CustomerColumns, GammaGamma, PeriodUnit};
use loyalty::analytics::{Coded, Columns, Orders, Settings};
use loyalty::interop::{le_i64, le_u64};
use napi::bindgen_prelude::{
    AsyncTask, BigInt64Array, BigUint64Array, Buffer, Float64Array, ToNapiValue, TypeName, Uint8Array,
};
use napi::{Env, Result, Task};
use napi_derive::napi;

/// One computation on a worker thread; a panic there becomes the promise's rejection (an
/// `InternalError`), never an abort.
pub struct Job<T: Send + 'static>(Option<Box<dyn FnOnce() -> Result<T> + Send>>);

impl<T: Send + ToNapiValue + TypeName + 'static> Job<T> {
    fn new(f: impl FnOnce() -> Result<T> + Send + 'static) -> AsyncTask<Job<T>> {
        AsyncTask::new(Job(Some(Box::new(f))))
    }
}

impl<T: Send + ToNapiValue + TypeName + 'static> Task for Job<T> {
    type Output = T;
    type JsValue = T;

    fn compute(&mut self) -> Result<T> {
        let f = self.0.take().ok_or_else(|| errors::input("task", "spent", "was already run"))?;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|e| Err(errors::internal(e)))
    }

    fn resolve(&mut self, _env: Env, output: T) -> Result<T> {
        Ok(output)
    }
}

/// Order columns owned for a worker thread.
struct OrderColumns {
    member_id: Vec<u64>,
    ordered_at: Vec<i64>,
    amount_minor: Vec<i64>,
}

impl OrderColumns {
    fn read(member_id: &[u8], ordered_at: &[u8], amount_minor: &[u8]) -> Result<OrderColumns> {
        Ok(OrderColumns {
            member_id: le_u64("memberId", member_id).map_err(errors::analytics)?.into_owned(),
            ordered_at: le_i64("orderedAt", ordered_at).map_err(errors::analytics)?.into_owned(),
            amount_minor: le_i64("amountMinor", amount_minor).map_err(errors::analytics)?.into_owned(),
        })
    }

    fn orders(&self) -> Orders<'_> {
        Orders { member_id: &self.member_id, ordered_at: &self.ordered_at, amount_minor: &self.amount_minor }
    }
}

fn zone(time_zone: &str) -> Result<chrono_tz::Tz> {
    time_zone.parse().map_err(|_| errors::input("timeZone", time_zone, "is not an IANA time zone name"))
}

fn settings(as_of: &str, time_zone: &str) -> Result<Settings> {
    Ok(Settings::new(instant("asOf", as_of)?, zone(time_zone)?))
}

/// A coded column: each row's code, and the names by code.
#[napi(object, object_from_js = false)]
pub struct CodedColumn {
    pub codes: Uint8Array,
    pub names: Vec<String>,
}

impl From<Coded> for CodedColumn {
    fn from(c: Coded) -> CodedColumn {
        CodedColumn { codes: Uint8Array::new(c.codes), names: c.names }
    }
}

/// The RFM analysis by column, one row per member (see [`loyalty::analytics::Columns`]):
/// counts and days as `Float64Array`s (exact below 2^53; `cycleDays` NaN for one purchase
/// day), money as `BigInt64Array` minor units, flags as 0/1 bytes.
#[napi(object, object_from_js = false)]
pub struct RfmColumns {
    pub member_id: BigUint64Array,
    pub monetary_minor: BigInt64Array,
    pub recency_days: Float64Array,
    pub frequency: Float64Array,
    pub r: Uint8Array,
    pub f: Uint8Array,
    pub m: Uint8Array,
    pub segment: CodedColumn,
    pub value_segment: CodedColumn,
    pub days_since_last: Float64Array,
    pub cycle_days: Float64Array,
    pub stage: CodedColumn,
    pub activity: CodedColumn,
    pub overdue: Uint8Array,
    pub churn_warning: Uint8Array,
}

fn floats<T: Copy>(v: Vec<T>, f: impl Fn(T) -> f64) -> Float64Array {
    Float64Array::new(v.into_iter().map(f).collect())
}

impl From<Columns> for RfmColumns {
    fn from(c: Columns) -> RfmColumns {
        #[allow(clippy::cast_precision_loss)] // counts and days far below 2^53
        RfmColumns {
            member_id: BigUint64Array::new(c.member_id),
            monetary_minor: BigInt64Array::new(c.monetary_minor),
            recency_days: floats(c.recency_days, |d| d as f64),
            frequency: floats(c.frequency, |n| n as f64),
            r: Uint8Array::new(c.r),
            f: Uint8Array::new(c.f),
            m: Uint8Array::new(c.m),
            segment: c.segment.into(),
            value_segment: c.value_segment.into(),
            days_since_last: floats(c.days_since_last, |d| d as f64),
            cycle_days: floats(c.cycle_days, |d| if d < 0 { f64::NAN } else { d as f64 }),
            stage: c.stage.into(),
            activity: c.activity.into(),
            overdue: Uint8Array::new(c.overdue.into_iter().map(u8::from).collect()),
            churn_warning: Uint8Array::new(c.churn_warning.into_iter().map(u8::from).collect()),
        }
    }
}

/// RFM, segments and lifecycle tags from little-endian 8-byte columns (`scale`: the
/// currency's minor-unit digits); resolves to columns.
#[napi(catch_unwind)]
pub fn analyze(
    member_id: Buffer,
    ordered_at: Buffer,
    amount_minor: Buffer,
    as_of: String,
    time_zone: String,
    scale: u32,
) -> Result<AsyncTask<Job<RfmColumns>>> {
    let settings = settings(&as_of, &time_zone)?;
    loyalty::analytics::check_scale(scale).map_err(errors::analytics)?;
    let columns = OrderColumns::read(&member_id, &ordered_at, &amount_minor)?;
    Ok(Job::new(move || {
        use loyalty::analytics::{analyze, Summarizer};
        let mut s = Summarizer::new(settings.clone());
        s.add(&columns.orders()).map_err(errors::analytics)?;
        drop(columns);
        let summaries = s.finish().map_err(errors::analytics)?;
        Columns::of(analyze(summaries, &settings, scale), false).map(RfmColumns::from).map_err(errors::analytics)
    }))
}

/// Program metrics over the period from `period_start` to `as_of`, from little-endian 8-byte
/// columns; resolves to JSON.
#[napi(catch_unwind)]
pub fn metrics(
    member_id: Buffer,
    ordered_at: Buffer,
    amount_minor: Buffer,
    as_of: String,
    period_start: String,
    time_zone: String,
    scale: u32,
) -> Result<AsyncTask<Job<String>>> {
    let settings = settings(&as_of, &time_zone)?;
    let start = instant("periodStart", &period_start)?;
    loyalty::analytics::check_scale(scale).map_err(errors::analytics)?;
    let columns = OrderColumns::read(&member_id, &ordered_at, &amount_minor)?;
    Ok(Job::new(move || {
        let mut b = loyalty::analytics::MetricsBuilder::new(settings, start).map_err(errors::analytics)?;
        b.add(&columns.orders()).map_err(errors::analytics)?;
        Ok(json(&b.finish(scale).map_err(errors::analytics)?))
    }))
}

/// The retention matrix by first-order month (`time_zone` months, orders before `as_of`);
/// resolves to JSON rows (one per cohort: its month, size and active members by month).
#[napi(catch_unwind)]
pub fn cohorts(
    member_id: Buffer,
    ordered_at: Buffer,
    amount_minor: Buffer,
    as_of: String,
    time_zone: String,
) -> Result<AsyncTask<Job<String>>> {
    let (as_of, tz) = (instant("asOf", &as_of)?, zone(&time_zone)?);
    let columns = OrderColumns::read(&member_id, &ordered_at, &amount_minor)?;
    Ok(Job::new(move || {
        let rows = loyalty::analytics::cohorts(&columns.orders(), as_of, tz).map_err(errors::analytics)?;
        Ok(json(&rows))
    }))
}

/// Replays orders (little-endian 8-byte columns) under each program (JSON text), members
/// redeeming as `redeem` says (`none`, `cheapest` or a reward id) with `probability` and the
/// seed given as decimal text, on `threads` threads; resolves to the runs as JSON.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn simulate(
    member_id: Buffer,
    ordered_at: Buffer,
    amount_minor: Buffer,
    programs: Vec<String>,
    as_of: String,
    redeem: String,
    probability: f64,
    seed: String,
    threads: u32,
) -> Result<AsyncTask<Job<String>>> {
    let columns = OrderColumns::read(&member_id, &ordered_at, &amount_minor)?;
    let programs =
        programs.iter().map(|p| loyalty::Program::from_json(p).map_err(errors::program)).collect::<Result<Vec<_>>>()?;
    let seed: u64 =
        seed.parse().map_err(|_| errors::input("seed", &seed, "must be a whole number from 0 to 2**64 - 1"))?;
    let behaviour = loyalty::simulation::Behaviour::named(&redeem, probability);
    let settings = loyalty::simulation::Settings { as_of: instant("asOf", &as_of)?, behaviour, seed };
    Ok(Job::new(move || {
        let refs: Vec<&loyalty::Program> = programs.iter().collect();
        let threads = usize::try_from(threads).unwrap_or(1);
        let runs = loyalty::analytics::with_threads(threads, || {
            loyalty::simulation::simulate(&refs, &columns.orders(), &settings)
        })
        .map_err(errors::simulation)?;
        Ok(json(&runs))
    }))
}

/// Each member's preferences by column.
#[napi(object, object_from_js = false)]
pub struct PreferenceColumns {
    pub member_id: BigUint64Array,
    /// The top category's code (as the caller coded categories).
    pub top_category: Float64Array,
    pub top_category_minor: BigInt64Array,
    pub spend_minor: BigInt64Array,
    pub lines: Float64Array,
    pub price_band: CodedColumn,
    pub orders: Float64Array,
    pub discounted_orders: Float64Array,
    pub promotion: CodedColumn,
    /// The price-band bounds used, in minor units (low below the first, high from the second).
    pub price_bands: BigInt64Array,
}

/// Preferences from order lines as little-endian 8-byte columns (categories coded by the
/// caller, `category_rank[code]` their order for ties); resolves to columns.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn preferences(
    member_id: Buffer,
    order_id: Buffer,
    category: Buffer,
    amount_minor: Buffer,
    discount_minor: Buffer,
    price_bands: Option<Vec<i64>>,
    promotion_high_percent: u32,
    promotion_medium_percent: u32,
    category_rank: Vec<u32>,
) -> Result<AsyncTask<Job<PreferenceColumns>>> {
    let members = le_u64("memberId", &member_id).map_err(errors::analytics)?.into_owned();
    let orders = le_u64("orderId", &order_id).map_err(errors::analytics)?.into_owned();
    let categories = le_u64("category", &category)
        .map_err(errors::analytics)?
        .iter()
        .enumerate()
        .map(|(row, &c)| {
            u32::try_from(c)
                .map_err(|_| errors::input(&format!("category[{row}]"), &c.to_string(), "is not a category code"))
        })
        .collect::<Result<Vec<u32>>>()?;
    let amounts = le_i64("amountMinor", &amount_minor).map_err(errors::analytics)?.into_owned();
    let discounts = le_i64("discountMinor", &discount_minor).map_err(errors::analytics)?.into_owned();
    let price_bands = match price_bands.as_deref() {
        None => None,
        Some([low, high]) => Some([*low, *high]),
        Some(other) => {
            return Err(errors::input("priceBands", &format!("{other:?}"), "must be two bounds [low, high]"))
        }
    };
    let settings = loyalty::analytics::PreferenceSettings {
        price_bands,
        promotion_high_percent,
        promotion_medium_percent,
        category_rank,
    };
    settings.validate().map_err(errors::analytics)?;
    Ok(Job::new(move || {
        let mut b = loyalty::analytics::PreferenceBuilder::default();
        let lines = loyalty::analytics::Lines {
            member_id: &members,
            order_id: &orders,
            category: &categories,
            amount_minor: &amounts,
            discount_minor: &discounts,
        };
        b.add(&lines).map_err(errors::analytics)?;
        let (rows, bands) = b.finish(&settings).map_err(errors::analytics)?;
        let (mut band_names, mut promo_names) =
            (loyalty::analytics::Categories::new(), loyalty::analytics::Categories::new());
        #[allow(clippy::cast_precision_loss)] // counts far below 2^53
        Ok(PreferenceColumns {
            member_id: BigUint64Array::new(rows.iter().map(|p| p.member_id).collect()),
            top_category: Float64Array::new(rows.iter().map(|p| f64::from(p.top_category)).collect()),
            top_category_minor: BigInt64Array::new(rows.iter().map(|p| p.top_category_minor).collect()),
            spend_minor: BigInt64Array::new(rows.iter().map(|p| p.spend_minor).collect()),
            lines: Float64Array::new(rows.iter().map(|p| p.lines as f64).collect()),
            price_band: CodedColumn {
                codes: Uint8Array::new(
                    rows.iter()
                        .map(|p| band_names.code(p.price_band as usize, p.price_band as usize, p.price_band.as_str()))
                        .collect(),
                ),
                names: band_names.names,
            },
            orders: Float64Array::new(rows.iter().map(|p| f64::from(p.orders)).collect()),
            discounted_orders: Float64Array::new(rows.iter().map(|p| f64::from(p.discounted_orders)).collect()),
            promotion: CodedColumn {
                codes: Uint8Array::new(
                    rows.iter()
                        .map(|p| promo_names.code(p.promotion as usize, p.promotion as usize, p.promotion.as_str()))
                        .collect(),
                ),
                names: promo_names.names,
            },
            price_bands: BigInt64Array::new(bands.to_vec()),
        })
    }))
}

/// The CLV models' summary by column, one row per member.
#[napi(object, object_from_js = false)]
pub struct ClvSummaryColumns {
    pub member_id: BigUint64Array,
    pub frequency: Float64Array,
    pub recency: Float64Array,
    #[napi(js_name = "T")]
    pub t: Float64Array,
    pub monetary_minor: Float64Array,
    pub holdout_frequency: Float64Array,
}

/// The CLV summary of an order log: calibration up to the Unix day `calibration_end_day`
/// (exclusive), the holdout up to `holdout_end_day`, periods of `unit` (`day` or `week`).
#[napi(catch_unwind)]
pub fn clv_summary(
    member_id: Buffer,
    ordered_at: Buffer,
    amount_minor: Buffer,
    calibration_end_day: i64,
    holdout_end_day: Option<i64>,
    unit: String,
) -> Result<AsyncTask<Job<ClvSummaryColumns>>> {
    let unit = match unit.as_str() {
        "day" => PeriodUnit::Day,
        "week" => PeriodUnit::Week,
        other => return Err(errors::input("unit", other, "must be day or week")),
    };
    let columns = OrderColumns::read(&member_id, &ordered_at, &amount_minor)?;
    Ok(Job::new(move || {
        let rows: Vec<ClvSummary> = clv::clv_summary(&columns.orders(), calibration_end_day, holdout_end_day, unit)
            .map_err(errors::analytics)?;
        let f = |g: &dyn Fn(&ClvSummary) -> f64| Float64Array::new(rows.iter().map(g).collect());
        Ok(ClvSummaryColumns {
            member_id: BigUint64Array::new(rows.iter().map(|r| r.member_id).collect()),
            frequency: f(&|r| f64::from(r.customer.frequency)),
            recency: f(&|r| r.customer.recency),
            t: f(&|r| r.customer.t),
            monetary_minor: f(&|r| r.monetary),
            holdout_frequency: f(&|r| f64::from(r.holdout_frequency)),
        })
    }))
}

/// A frequency column of JavaScript numbers as counts of repeat purchases.
fn counts(frequency: &[f64]) -> Result<Vec<u32>> {
    frequency
        .iter()
        .enumerate()
        .map(|(row, &f)| {
            if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&f) {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked just above
                Ok(f as u32)
            } else {
                Err(errors::input(
                    &format!("frequency[{row}]"),
                    &f.to_string(),
                    "is not a count of repeat purchases (0 to 4294967295)",
                ))
            }
        })
        .collect()
}

fn same_length(name: &str, len: usize, expected: usize) -> Result<()> {
    if len == expected {
        Ok(())
    } else {
        Err(errors::input(name, &format!("{len} rows"), &format!("must have as many rows as frequency ({expected})")))
    }
}

/// Customers from columns (frequency, recency, T), checked for length and counts.
fn customers(frequency: &[f64], recency: &[f64], t: &[f64]) -> Result<Vec<Customer>> {
    same_length("recency", recency.len(), frequency.len())?;
    same_length("T", t.len(), frequency.len())?;
    Ok(counts(frequency)?
        .into_iter()
        .zip(recency)
        .zip(t)
        .map(|((frequency, &recency), &t)| Customer { frequency, recency, t })
        .collect())
}

/// A fitted model: its parameters, log-likelihood and iterations.
#[napi(object, object_from_js = false)]
pub struct Fit {
    pub params: Vec<f64>,
    pub log_likelihood: f64,
    pub iterations: u32,
}

fn iterations(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Fits BG/NBD on customers' (frequency, recency, T); resolves to `[r, alpha, a, b]`.
#[napi(catch_unwind)]
pub fn bgnbd_fit(frequency: Float64Array, recency: Float64Array, t: Float64Array) -> Result<AsyncTask<Job<Fit>>> {
    let c = customers(&frequency, &recency, &t)?;
    Ok(Job::new(move || {
        let fit = BgNbd::fit(&c).map_err(errors::clv)?;
        let p = fit.params;
        Ok(Fit {
            params: vec![p.r, p.alpha, p.a, p.b],
            log_likelihood: fit.log_likelihood,
            iterations: iterations(fit.iterations),
        })
    }))
}

fn bgnbd(params: &[f64]) -> Result<BgNbd> {
    match params {
        [r, alpha, a, b] => Ok(BgNbd { r: *r, alpha: *alpha, a: *a, b: *b }),
        other => Err(errors::input("params", &format!("{other:?}"), "must be [r, alpha, a, b]")),
    }
}

fn gamma_gamma(params: &[f64]) -> Result<GammaGamma> {
    match params {
        [p, q, gamma] => Ok(GammaGamma { p: *p, q: *q, gamma: *gamma }),
        other => Err(errors::input("params", &format!("{other:?}"), "must be [p, q, gamma]")),
    }
}

/// BG/NBD predictions by column.
#[napi(object, object_from_js = false)]
pub struct Predictions {
    pub p_alive: Float64Array,
    pub expected_purchases: Float64Array,
    pub churn_risk: CodedColumn,
}

/// P(alive), the expected purchases in the next `horizon` periods and the churn risk (`high`
/// below `high_below`, `low` from `low_from`).
#[napi(catch_unwind)]
pub fn bgnbd_predict(
    params: Vec<f64>,
    frequency: Float64Array,
    recency: Float64Array,
    t: Float64Array,
    horizon: f64,
    high_below: f64,
    low_from: f64,
) -> Result<AsyncTask<Job<Predictions>>> {
    let m = bgnbd(&params)?;
    let c = customers(&frequency, &recency, &t)?;
    clv::churn_risks(&[], high_below, low_from).map_err(errors::clv)?;
    Ok(Job::new(move || {
        let f: Vec<u64> = c.iter().map(|c| u64::from(c.frequency)).collect();
        let r: Vec<f64> = c.iter().map(|c| c.recency).collect();
        let t: Vec<f64> = c.iter().map(|c| c.t).collect();
        let (mut alive, mut expected) = (vec![0.0; c.len()], vec![0.0; c.len()]);
        let columns = CustomerColumns { frequency: &f, recency: &r, t: &t };
        m.predict_columns(&columns, horizon, 1, &mut alive, &mut expected).map_err(errors::clv)?;
        let mut names = loyalty::analytics::Categories::new();
        let codes = alive
            .iter()
            .map(|p| {
                let risk = clv::churn_risk(*p, high_below, low_from);
                let slot = usize::from(risk.code());
                names.code(slot, slot, risk.as_str())
            })
            .collect();
        Ok(Predictions {
            p_alive: Float64Array::new(alive),
            expected_purchases: Float64Array::new(expected),
            churn_risk: CodedColumn { codes: Uint8Array::new(codes), names: names.names },
        })
    }))
}

/// P(k purchases in the next `horizon` periods | history) for k from 0 to `max_k`:
/// `max_k + 1` values per customer, row by row.
#[napi(catch_unwind)]
pub fn bgnbd_purchase_probabilities(
    params: Vec<f64>,
    frequency: Float64Array,
    recency: Float64Array,
    t: Float64Array,
    horizon: f64,
    max_k: u32,
) -> Result<AsyncTask<Job<Float64Array>>> {
    let m = bgnbd(&params)?;
    let c = customers(&frequency, &recency, &t)?;
    Ok(Job::new(move || m.purchase_probabilities(&c, horizon, max_k).map(Float64Array::new).map_err(errors::clv)))
}

/// The population curve: for each horizon, the expected purchases of a new customer, then
/// P(X(t) = k) for each k in `ks`.
#[napi(object, object_from_js = false)]
pub struct Population {
    pub expected_purchases: Vec<f64>,
    pub probabilities: Vec<Vec<f64>>,
}

#[napi(catch_unwind)]
pub fn bgnbd_population(params: Vec<f64>, horizons: Vec<f64>, ks: Vec<u32>) -> Result<Population> {
    let (expected_purchases, probabilities) = bgnbd(&params)?.population(&horizons, &ks).map_err(errors::clv)?;
    Ok(Population { expected_purchases, probabilities })
}

/// Fits Gamma-Gamma on repeat customers' (frequency, mean value); resolves to `[p, q, gamma]`.
#[napi(catch_unwind)]
pub fn gamma_gamma_fit(frequency: Float64Array, monetary: Float64Array) -> Result<AsyncTask<Job<Fit>>> {
    same_length("monetary", monetary.len(), frequency.len())?;
    let data: Vec<(u32, f64)> = counts(&frequency)?.into_iter().zip(monetary.iter().copied()).collect();
    Ok(Job::new(move || {
        let fit = GammaGamma::fit(&data).map_err(errors::clv)?;
        let g = fit.params;
        Ok(Fit {
            params: vec![g.p, g.q, g.gamma],
            log_likelihood: fit.log_likelihood,
            iterations: iterations(fit.iterations),
        })
    }))
}

/// Each customer's expected value per purchase.
#[napi(catch_unwind)]
pub fn gamma_gamma_expected(
    params: Vec<f64>,
    frequency: Float64Array,
    monetary: Float64Array,
) -> Result<AsyncTask<Job<Float64Array>>> {
    let g = gamma_gamma(&params)?;
    same_length("monetary", monetary.len(), frequency.len())?;
    let data: Vec<(u32, f64)> = counts(&frequency)?.into_iter().zip(monetary.iter().copied()).collect();
    Ok(Job::new(move || {
        Ok(Float64Array::new(data.iter().map(|(x, m)| g.conditional_expected_value(*x, *m)).collect()))
    }))
}

/// Discounted lifetime values over `horizon` periods.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn lifetime_values(
    bgnbd_params: Vec<f64>,
    gamma_gamma_params: Vec<f64>,
    frequency: Float64Array,
    recency: Float64Array,
    t: Float64Array,
    monetary: Float64Array,
    horizon: u32,
    discount_rate: f64,
) -> Result<AsyncTask<Job<Float64Array>>> {
    let (bg, gg) = (bgnbd(&bgnbd_params)?, gamma_gamma(&gamma_gamma_params)?);
    let c = customers(&frequency, &recency, &t)?;
    same_length("monetary", monetary.len(), frequency.len())?;
    let m = monetary.to_vec();
    Ok(Job::new(move || {
        clv::lifetime_values(&bg, &gg, &c, &m, horizon, discount_rate).map(Float64Array::new).map_err(errors::clv)
    }))
}
