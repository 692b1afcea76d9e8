//! The program dashboard: one self-contained HTML page of SVG charts drawn with `plotters`.
//!
//! Nothing on the page is fetched: the charts are inline SVG, the styles inline, the fonts the
//! viewer's own, and a Content-Security-Policy forbids any request. A few lines of inline
//! script count the charts the browser drew (`data-charts-rendered` on the body), which the
//! headless-browser test reads.

use crate::log::Columns;
use crate::orders::OrderRow;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use loyalty::analytics::{analyze, Orders, Settings, Summarizer};
use loyalty::simulation::Run;
use loyalty::Program;
use plotters::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What the page shows.
pub struct Input<'a> {
    /// The programs, in the order of `runs`.
    pub programs: &'a [Program],
    /// One simulation run per program.
    pub runs: &'a [Run],
    /// The log's rows.
    pub rows: &'a [OrderRow],
    /// The log as columns (member codes).
    pub members: &'a Columns,
    /// The instant the runs are as of.
    pub as_of: DateTime<Utc>,
    /// Where the log came from.
    pub source: &'a str,
    /// The redemption behaviour, in words.
    pub behaviour: &'a str,
}

const WIDTH: u32 = 720;
const HEIGHT: u32 = 340;

/// One series of a chart: its legend and its values.
type Series = (String, Vec<f64>);

fn fail(e: impl std::fmt::Display) -> String {
    format!("drawing a chart: {e}")
}

/// The series' colours: none is a grey, so the page can tell data (coloured) from axes and
/// grid (grey and black).
fn color(i: usize) -> RGBColor {
    const COLORS: [RGBColor; 8] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(188, 189, 34),
    ];
    COLORS[i % COLORS.len()]
}

fn top(series: &[Series]) -> f64 {
    let m = series.iter().flat_map(|(_, v)| v.iter().copied()).fold(0.0f64, f64::max);
    if m > 0.0 {
        m * 1.12
    } else {
        1.0
    }
}

fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// One line of a chart over months: its legend and its value in each month it has one
/// (`None`: nothing to plot that month, such as an average over no orders; the line breaks).
type Line = (String, Vec<(NaiveDate, Option<f64>)>);

/// Lines over months: x is the month (every month any line has), one line per series.
fn line_chart(title: &str, y_desc: &str, lines: &[Line]) -> Result<String, String> {
    let mut months: Vec<NaiveDate> = lines.iter().flat_map(|(_, v)| v.iter().map(|(m, _)| *m)).collect();
    months.sort_unstable();
    months.dedup();
    let x = |m: &NaiveDate| months.binary_search(m).unwrap_or(0) as f64;
    let values: Vec<Series> =
        lines.iter().map(|(n, v)| (n.clone(), v.iter().filter_map(|(_, y)| *y).collect())).collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(fail)?;
        let last = months.len().saturating_sub(1).max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(10)
            .margin_right(24)
            .x_label_area_size(42)
            .y_label_area_size(64)
            .build_cartesian_2d(0f64..last, 0f64..top(&values))
            .map_err(fail)?;
        let label = |x: &f64| {
            let i = x.round();
            if (x - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            months.get(i as usize).map_or_else(String::new, |m| format!("{}-{:02}", m.year(), m.month()))
        };
        chart
            .configure_mesh()
            .x_desc("month")
            .y_desc(y_desc)
            .x_labels(months.len().min(12))
            .x_label_formatter(&label)
            .y_label_formatter(&|y| short(*y))
            .draw()
            .map_err(fail)?;
        for (i, (name, points)) in lines.iter().enumerate() {
            let c = color(i);
            // Runs of months with a value, each drawn as its own line.
            let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            for (m, y) in points {
                match (y, runs.last_mut()) {
                    (Some(y), Some(run)) => run.push((x(m), *y)),
                    (None, Some(run)) if !run.is_empty() => runs.push(Vec::new()),
                    _ => {}
                }
            }
            for (k, run) in runs.into_iter().enumerate() {
                let drawn = chart.draw_series(LineSeries::new(run, c.stroke_width(2))).map_err(fail)?;
                if k == 0 {
                    drawn
                        .label(name.as_str())
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2)));
                }
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .draw()
            .map_err(fail)?;
        root.present().map_err(fail)?;
    }
    Ok(svg)
}

/// Bars by category, one bar per series in each category.
fn bar_chart(
    title: &str,
    x_desc: &str,
    y_desc: &str,
    categories: &[String],
    series: &[Series],
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(fail)?;
        let n = categories.len().max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(10)
            .margin_right(24)
            .x_label_area_size(42)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top(series))
            .map_err(fail)?;
        let label = |x: &f64| {
            let i = x.round();
            if (x - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            categories.get(i as usize).cloned().unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_labels(n)
            .x_label_formatter(&label)
            .y_label_formatter(&|y| short(*y))
            .draw()
            .map_err(fail)?;
        let k = series.len().max(1) as f64;
        let w = 0.8 / k;
        for (s, (name, values)) in series.iter().enumerate() {
            let c = color(s);
            let left = |i: usize| i as f64 - 0.4 + s as f64 * w;
            chart
                .draw_series(
                    values
                        .iter()
                        .enumerate()
                        .map(|(i, v)| Rectangle::new([(left(i), 0.0), (left(i) + w * 0.92, *v)], c.filled())),
                )
                .map_err(fail)?
                .label(name.as_str())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled()));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .draw()
            .map_err(fail)?;
        root.present().map_err(fail)?;
    }
    Ok(svg)
}

fn number(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

fn percent(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        100.0 * part / whole
    } else {
        0.0
    }
}

/// What the log says whatever the program, per month (the first program's months) and per
/// member. A repeat purchase is one on a later local day than the member's previous one: a
/// log may hold several orders of a day (CDNOW's rows are already one per member and day).
struct Activity {
    months: Vec<NaiveDate>,
    active: Vec<Option<f64>>,
    new: Vec<Option<f64>>,
    repurchase: Vec<Option<f64>>,
    cohort_repurchase: Vec<Option<f64>>,
    aov: Vec<Option<f64>>,
    funnel: [f64; 3],
}

fn activity(input: &Input<'_>, tz: chrono_tz::Tz) -> Activity {
    let run = &input.runs[0];
    let months: Vec<NaiveDate> = run.months.iter().map(|m| m.month).collect();
    let month_of = |d: NaiveDate| months.iter().rposition(|m| *m <= d).unwrap_or(0);
    // Each member's purchase days (local, distinct, in order).
    let mut members: BTreeMap<u64, Vec<NaiveDate>> = BTreeMap::new();
    for (row, &code) in input.rows.iter().zip(&input.members.member_id) {
        if row.occurred_at >= input.as_of {
            continue;
        }
        members.entry(code).or_default().push(loyalty::calendar::local_date(row.occurred_at, tz));
    }
    let n = months.len();
    let (mut returning, mut cohort, mut again) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut funnel = [0.0; 3];
    for days in members.values_mut() {
        days.sort_unstable();
        days.dedup();
        let Some(&first_day) = days.first() else { continue };
        let first = month_of(first_day);
        cohort[first] += 1.0;
        if days.get(1).is_some_and(|second| (*second - first_day).num_days() <= 90) {
            again[first] += 1.0;
        }
        for (i, slot) in funnel.iter_mut().enumerate() {
            if days.len() > i {
                *slot += 1.0;
            }
        }
        let mut seen = usize::MAX;
        for &d in days.iter() {
            let m = month_of(d);
            if m != seen && m != first {
                returning[m] += 1.0;
            }
            seen = m;
        }
    }
    let share = |part: f64, whole: f64| (whole > 0.0).then(|| percent(part, whole));
    Activity {
        active: run.months.iter().map(|m| Some(m.active_members as f64)).collect(),
        new: run.months.iter().map(|m| Some(m.new_members as f64)).collect(),
        repurchase: run.months.iter().zip(&returning).map(|(m, r)| share(*r, m.active_members as f64)).collect(),
        cohort_repurchase: cohort.iter().zip(&again).map(|(c, a)| share(*a, *c)).collect(),
        aov: run.months.iter().map(|m| (m.orders > 0).then(|| number(m.revenue) / m.orders as f64)).collect(),
        months,
        funnel,
    }
}

/// Value segments (the RFM analysis of the core): members and revenue per segment, in percent;
/// and the top fifth's share of revenue, in percent, from the core's program metrics.
fn segments(input: &Input<'_>, tz: chrono_tz::Tz, scale: u32) -> Result<(Vec<String>, Series, Series, f64), String> {
    let settings = Settings::new(input.as_of, tz);
    let mut s = Summarizer::new(settings.clone());
    let cols = input.members;
    s.add(&Orders { member_id: &cols.member_id, ordered_at: &cols.ordered_at, amount_minor: &cols.amount_minor })
        .map_err(|e| e.to_string())?;
    let summaries = s.finish().map_err(|e| e.to_string())?;
    let metrics = loyalty::analytics::program_metrics(&summaries, &[], 0, scale, None, None);
    let analysis = analyze(summaries, &settings, scale);
    let columns = loyalty::analytics::Columns::of(analysis, false).map_err(|e| e.to_string())?;
    let names = columns.value_segment.names.clone();
    let (mut count, mut money) = (vec![0.0; names.len()], vec![0.0; names.len()]);
    for (&code, &minor) in columns.value_segment.codes.iter().zip(&columns.monetary_minor) {
        count[usize::from(code)] += 1.0;
        money[usize::from(code)] += minor as f64;
    }
    let (all, spent) = (count.iter().sum::<f64>(), money.iter().sum::<f64>());
    let labels = names
        .iter()
        .map(|n| {
            n.replace("important_", "imp. ")
                .replace("general_", "gen. ")
                .replace("development", "dev.")
                .replace('_', " ")
        })
        .collect();
    Ok((
        labels,
        ("members, %".into(), count.iter().map(|c| percent(*c, all)).collect()),
        ("revenue, %".into(), money.iter().map(|m| percent(*m, spent)).collect()),
        100.0 * number(metrics.top_20_percent_revenue_share),
    ))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The page.
///
/// # Errors
/// A chart could not be drawn, or the analytics refused the log.
pub fn page(input: &Input<'_>) -> Result<String, String> {
    let Some(first) = input.programs.first() else { return Err("no program".into()) };
    let tz = first.time_zone();
    let currency = first.config().currency.clone();
    let scale = loyalty::minor_units(&currency).unwrap_or(2);
    let mut charts: Vec<(String, String, String)> = Vec::new(); // (id, svg, note)
    let mut add = |id: &str, svg: String, note: String| charts.push((id.to_string(), svg, note));
    let names: Vec<String> = input.runs.iter().map(|r| format!("{} v{}", r.program, r.version)).collect();

    for (i, run) in input.runs.iter().enumerate() {
        let of = |f: &dyn Fn(&loyalty::simulation::Month) -> f64| {
            run.months.iter().map(|m| (m.month, Some(f(m)))).collect::<Vec<_>>()
        };
        let series: Vec<Line> = vec![
            ("issued".to_string(), of(&|m| m.totals.earned.get() as f64)),
            ("redeemed".to_string(), of(&|m| m.totals.redeemed.get() as f64)),
            ("expired".to_string(), of(&|m| m.totals.expired.get() as f64)),
        ];
        let title = format!("Points per month: {}", names[i]);
        add(&format!("points-{i}"), line_chart(&title, "points", &series)?, String::new());
        if !run.tiers.is_empty() {
            let series: Vec<Line> = run
                .tiers
                .iter()
                .enumerate()
                .map(|(t, name)| (name.clone(), of(&|m| m.members_by_tier.get(t).copied().unwrap_or(0) as f64)))
                .collect();
            let ups: u64 = run
                .months
                .iter()
                .flat_map(|m| {
                    m.flows
                        .iter()
                        .enumerate()
                        .flat_map(|(f, row)| row.iter().enumerate().filter(move |(t, _)| *t > f).map(|(_, v)| *v))
                })
                .sum();
            let downs: u64 = run
                .months
                .iter()
                .flat_map(|m| {
                    m.flows
                        .iter()
                        .enumerate()
                        .flat_map(|(f, row)| row.iter().enumerate().filter(move |(t, _)| *t < f).map(|(_, v)| *v))
                })
                .sum();
            let title = format!("Members by tier at month end: {}", names[i]);
            add(
                &format!("tiers-{i}"),
                line_chart(&title, "members", &series)?,
                format!("{ups} upgrades and {downs} downgrades over the log."),
            );
        }
    }
    let liability: Vec<Line> = input
        .runs
        .iter()
        .zip(&names)
        .map(|(r, n)| (n.clone(), r.months.iter().map(|m| (m.month, Some(number(m.liability)))).collect()))
        .collect();
    add("liability", line_chart("Outstanding points liability at month end", &currency, &liability)?, String::new());
    let cost: Vec<Line> = input
        .runs
        .iter()
        .zip(&names)
        .map(|(r, n)| {
            (n.clone(), r.months.iter().map(|m| (m.month, m.cost_per_revenue.map(|c| 100.0 * number(c)))).collect())
        })
        .collect();
    add(
        "cost",
        line_chart("Cost of points issued per 100 of revenue", &format!("{currency} per 100 {currency}"), &cost)?,
        String::new(),
    );
    let windows = ["30 days", "60 days", "90 days"].map(String::from);
    let expiring: Vec<Series> = input
        .runs
        .iter()
        .zip(&names)
        .map(|(r, n)| (n.clone(), r.expiring.iter().map(|p| p.get() as f64).collect()))
        .collect();
    add(
        "expiring",
        bar_chart("Usable points expiring soon, from as-of", "within", "points", &windows, &expiring)?,
        String::new(),
    );

    let a = activity(input, tz);
    let dated = |name: &str, values: &[Option<f64>]| -> Vec<Line> {
        vec![(name.to_string(), a.months.iter().copied().zip(values.iter().copied()).collect())]
    };
    let (labels, members, revenue, top_fifth_share) = segments(input, tz, scale)?;
    add(
        "segments",
        bar_chart(
            "Value segments: share of members and of revenue",
            "segment",
            "percent",
            &labels,
            &[members, revenue],
        )?,
        format!("The top 20% of members by spend brought {:.1}% of revenue.", top_fifth_share),
    );
    add("new-members", line_chart("New members per month", "members", &dated("first order", &a.new))?, String::new());
    add(
        "cohort-repurchase",
        line_chart(
            "Cohort repurchase: new members buying again within 90 days",
            "percent of the month's new members",
            &dated("bought on a later day", &a.cohort_repurchase),
        )?,
        "The last three months' cohorts have not had 90 days yet.".into(),
    );
    add(
        "repurchase",
        line_chart(
            "Repurchase rate per month",
            "percent of active members",
            &dated("members who bought in an earlier month", &a.repurchase),
        )?,
        String::new(),
    );
    add("aov", line_chart("Average order value per month", &currency, &dated("average order", &a.aov))?, String::new());
    add(
        "active",
        line_chart("Monthly active members", "members", &dated("ordered that month", &a.active))?,
        String::new(),
    );
    let steps = ["1st purchase day", "2nd purchase day", "3rd purchase day"].map(String::from);
    add(
        "funnel",
        bar_chart("Funnel: members reaching a first, second and third purchase day", "step", "members", &steps, &[("members".into(), a.funnel.to_vec())])?,
        format!(
            "{:.1}% of members came back on a second day, {:.1}% of those on a third. The log has no sign-ups, so the funnel starts at the first purchase.",
            percent(a.funnel[1], a.funnel[0]),
            percent(a.funnel[2], a.funnel[1])
        ),
    );

    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n\
         <script>window.cspViolations = 0; document.addEventListener('securitypolicyviolation', function () {{ window.cspViolations++; }});</script>\n\
         <title>Loyalty program dashboard</title>\n<style>\
         body{{font-family:sans-serif;margin:24px;color:#222;max-width:1600px}}\
         .charts{{display:flex;flex-wrap:wrap;gap:16px}} figure{{margin:0;border:1px solid #ddd;padding:8px}}\
         figcaption{{font-size:13px;color:#555;max-width:{WIDTH}px}} table{{border-collapse:collapse}}\
         td,th{{border:1px solid #ddd;padding:4px 10px;text-align:right}} th:first-child,td:first-child{{text-align:left}}\
         </style></head>\n<body>\n<h1>Loyalty program dashboard</h1>\n<p>{} orders of {} members from {}, as of {}. {}.</p>\n",
        input.runs[0].orders,
        input.runs[0].members,
        escape(input.source),
        input.as_of.to_rfc3339(),
        escape(input.behaviour)
    );
    html.push_str("<h2>The programs side by side</h2>\n<table><tr><th></th>");
    for n in &names {
        let _ = write!(html, "<th>{}</th>", escape(n));
    }
    html.push_str("</tr>\n");
    let rows: Vec<(&str, Vec<String>)> = vec![
        ("points issued", input.runs.iter().map(|r| r.totals.earned.get().to_string()).collect()),
        ("points redeemed", input.runs.iter().map(|r| r.totals.redeemed.get().to_string()).collect()),
        ("rewards redeemed", input.runs.iter().map(|r| r.redemptions.to_string()).collect()),
        ("points expired", input.runs.iter().map(|r| r.totals.expired.get().to_string()).collect()),
        (
            "breakage (expired / issued)",
            input
                .runs
                .iter()
                .map(|r| r.breakage_rate.map_or("-".into(), |b| format!("{:.1}%", number(b) * 100.0)))
                .collect(),
        ),
        (
            "points clawed back or cancelled",
            input.runs.iter().map(|r| (r.totals.clawed_back + r.totals.cancelled).get().to_string()).collect(),
        ),
        ("points outstanding", input.runs.iter().map(|r| (r.available + r.pending).get().to_string()).collect()),
        ("liability", input.runs.iter().map(|r| format!("{} {currency}", r.liability.round_dp(2))).collect()),
        (
            "cost per 100 of revenue",
            input
                .runs
                .iter()
                .map(|r| {
                    r.cost_per_revenue
                        .map_or("-".into(), |c| format!("{} {currency}", (c * Decimal::ONE_HUNDRED).round_dp(2)))
                })
                .collect(),
        ),
        (
            "tier entry rewards",
            input.runs.iter().map(|r| r.months.iter().map(|m| m.entry_rewards).sum::<u64>().to_string()).collect(),
        ),
    ];
    for (label, values) in rows {
        let _ = write!(html, "<tr><td>{label}</td>");
        for v in values {
            let _ = write!(html, "<td>{}</td>", escape(&v));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n<div class=\"charts\">\n");
    for (id, svg, note) in &charts {
        let _ = write!(html, "<figure data-chart=\"{id}\">{svg}");
        if !note.is_empty() {
            let _ = write!(html, "<figcaption>{}</figcaption>", escape(note));
        }
        html.push_str("</figure>\n");
    }
    html.push_str(
        "</div>\n<script>\n\
         // Counts the charts the browser drew with data in them: a coloured line (axes and grid\n\
         // are grey or black) wider or taller than a legend's sample (18 px), or a coloured bar\n\
         // larger than a legend's swatch (12 x 10); and axis text. Also the requests the\n\
         // policy refused and the resources loaded.\n\
         function coloured(c) {\n\
           var m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c || '');\n\
           return m !== null && !(m[1] === m[2] && m[2] === m[3]);\n\
         }\n\
         window.addEventListener('load', function () {\n\
           var n = 0;\n\
           document.querySelectorAll('figure[data-chart] svg').forEach(function (svg) {\n\
             var lines = Array.prototype.filter.call(svg.querySelectorAll('polyline'), function (p) {\n\
               var b = p.getBBox(); return coloured(p.getAttribute('stroke')) && (b.width > 20 || b.height > 20);\n\
             });\n\
             var bars = Array.prototype.filter.call(svg.querySelectorAll('rect'), function (r) {\n\
               var b = r.getBBox(); return coloured(r.getAttribute('fill')) && (b.width > 12 || b.height > 10);\n\
             });\n\
             if (lines.length + bars.length > 0 && svg.querySelectorAll('text').length > 3) { n++; }\n\
           });\n\
           document.body.setAttribute('data-charts-rendered', String(n));\n\
           document.body.setAttribute('data-charts', String(document.querySelectorAll('figure[data-chart]').length));\n\
           document.body.setAttribute('data-resources', String(performance.getEntriesByType('resource').length));\n\
           document.body.setAttribute('data-csp-violations', String(window.cspViolations));\n\
         });\n</script>\n</body></html>\n",
    );
    Ok(html)
}
