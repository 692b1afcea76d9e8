//! Analytics: hand-worked scores, segments and tags; batches and partitions that must agree;
//! and the real CDNOW log checked against an independent pandas computation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use chrono::{DateTime, TimeZone, Utc};
use loyalty::analytics::{
    lifecycle, program_metrics, rfm_values, Activity, CutPoints, LifecycleSettings, Lines, MemberSummary, Monetary,
    Orders, PreferenceBuilder, PreferenceSettings, RfmValues, Settings, Stage, Summarizer, ValueSegment,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn v(id: u64, recency: i64, frequency: u64, monetary: i64) -> RfmValues {
    RfmValues { member_id: id, recency_days: recency, frequency, monetary: Decimal::from(monetary) }
}

fn scores(values: &[RfmValues]) -> Vec<(u8, u8, u8)> {
    CutPoints::fit(values).score(values).iter().map(|s| (s.r, s.f, s.m)).collect()
}

#[test]
fn ten_members_two_per_score() {
    // n = 10: ranks 1..10 score 1 + floor(5 (rank - 1) / 10) = 1,1,2,2,3,3,4,4,5,5.
    let values: Vec<RfmValues> = (1..=10).map(|i| v(i, 100 - i as i64, i, i as i64 * 10)).collect();
    let s = scores(&values);
    let expected: Vec<u8> = vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5];
    assert_eq!(s.iter().map(|x| x.0).collect::<Vec<_>>(), expected, "recency: member 10 is the most recent");
    assert_eq!(s.iter().map(|x| x.1).collect::<Vec<_>>(), expected);
    assert_eq!(s.iter().map(|x| x.2).collect::<Vec<_>>(), expected);
}

#[test]
fn seven_members_boundaries() {
    // n = 7: rank r scores 1 + floor(5 (r - 1) / 7): r = 1..7 -> 1, 1, 2, 3, 3, 4, 5.
    let values: Vec<RfmValues> = (1..=7).map(|i| v(i, 0, i, 0)).collect();
    assert_eq!(scores(&values).iter().map(|x| x.1).collect::<Vec<_>>(), vec![1, 1, 2, 3, 3, 4, 5]);
}

#[test]
fn ties_are_broken_by_member_id_and_equal_members_spread() {
    // All equal: ranks follow member ids, so scores still spread 1..5.
    let values: Vec<RfmValues> = [40, 10, 30, 20, 50].iter().map(|&id| v(id, 5, 2, 100)).collect();
    let s = CutPoints::fit(&values).score(&values);
    let by_id: Vec<(u64, u8)> = s.iter().map(|x| (x.member_id, x.f)).collect();
    assert_eq!(by_id, vec![(40, 4), (10, 1), (30, 3), (20, 2), (50, 5)]);
    // Recency ties: the key is (-days, id), so among equals a lower id scores lower too.
    assert_eq!(s.iter().map(|x| x.r).collect::<Vec<_>>(), vec![4, 1, 3, 2, 5]);
}

#[test]
fn a_single_member_scores_one() {
    let values = [v(1, 3, 9, 999)];
    assert_eq!(scores(&values), vec![(1, 1, 1)]);
    let s = CutPoints::fit(&values).score(&values);
    assert_eq!((s[0].segment.as_ref() as &str, s[0].value_segment), ("Lost", ValueSegment::ImportantValue));
}

#[test]
fn fixed_thresholds_and_the_segment_grid() {
    let cuts =
        CutPoints::from_thresholds([365, 180, 90, 30], [2, 3, 5, 8], [50, 100, 500, 1000].map(Decimal::from)).unwrap();
    let values = [v(1, 10, 9, 2000), v(2, 100, 2, 60), v(3, 400, 1, 10), v(4, 30, 1, 0), v(5, 200, 5, 500)];
    let s = cuts.score(&values);
    let got: Vec<(u8, u8, u8, &str)> = s.iter().map(|x| (x.r, x.f, x.m, &*x.segment)).collect();
    assert_eq!(
        got,
        vec![
            (5, 5, 5, "Champions"),
            (3, 2, 2, "About To Sleep"),
            (1, 1, 1, "Lost"),
            (5, 1, 1, "New Customers"),
            (2, 4, 4, "At Risk"),
        ]
    );
    assert!(CutPoints::from_thresholds([30, 90, 180, 365], [1, 2, 3, 4], [Decimal::ONE; 4]).is_err());
}

#[test]
fn value_segments_compare_with_exact_means() {
    // Means: recency 20, frequency 2, monetary 100.
    let values = [v(1, 10, 3, 150), v(2, 30, 1, 150), v(3, 20, 2, 50), v(4, 20, 2, 50)];
    let s = CutPoints::fit(&values).score(&values);
    let got: Vec<ValueSegment> = s.iter().map(|x| x.value_segment).collect();
    assert_eq!(
        got,
        vec![
            ValueSegment::ImportantValue,
            ValueSegment::ImportantWinBack,
            ValueSegment::GeneralValue,
            ValueSegment::GeneralValue
        ]
    );
}

#[test]
fn every_value_segment_with_ties_counting_as_above() {
    // Means: recency (4 x 10 + 4 x 50 + 30) / 9 = 30, frequency (4 x 5 + 4 x 1 + 3) / 9 = 3,
    // monetary (4 x 300 + 4 x 100 + 200) / 9 = 200. Member 9 sits on all three means: recent,
    // frequent and high spend (at the mean counts as above).
    let values = [
        v(1, 10, 5, 300),
        v(2, 10, 1, 300),
        v(3, 50, 5, 300),
        v(4, 50, 1, 300),
        v(5, 10, 5, 100),
        v(6, 10, 1, 100),
        v(7, 50, 5, 100),
        v(8, 50, 1, 100),
        v(9, 30, 3, 200),
    ];
    let got: Vec<ValueSegment> = CutPoints::fit(&values).score(&values).iter().map(|x| x.value_segment).collect();
    assert_eq!(
        got,
        vec![
            ValueSegment::ImportantValue,
            ValueSegment::ImportantDevelopment,
            ValueSegment::ImportantRetention,
            ValueSegment::ImportantWinBack,
            ValueSegment::GeneralValue,
            ValueSegment::GeneralDevelopment,
            ValueSegment::GeneralRetention,
            ValueSegment::GeneralWinBack,
            ValueSegment::ImportantValue,
        ]
    );
}

#[test]
fn recency_counts_local_days_of_the_time_zone() {
    // As of 2024-07-01 04:00Z, local midnight in New York (EDT, UTC-4). Member 1's order at
    // 2024-06-30 03:30Z was on 29 June locally: 2 days (1 in UTC). Member 2's at 04:00Z that
    // day was local midnight of 30 June: 1 day. Member 3's at 2024-07-01 03:59:59Z, still
    // 30 June locally: 1 day (0 in UTC).
    let as_of = Utc.with_ymd_and_hms(2024, 7, 1, 4, 0, 0).unwrap();
    let ny = chrono_tz::America::New_York;
    let mut s = Summarizer::new(Settings::new(as_of, ny));
    s.add(&Orders {
        member_id: &[1, 2, 3],
        ordered_at: &[1_719_718_200, 1_719_720_000, 1_719_806_399],
        amount_minor: &[100, 100, 100],
    })
    .unwrap();
    let summaries = s.finish().unwrap();
    let local: Vec<i64> =
        rfm_values(&summaries, as_of, ny, 2, Monetary::Total, false).iter().map(|v| v.recency_days).collect();
    assert_eq!(local, [2, 1, 1]);
    let utc: Vec<i64> = rfm_values(&summaries, as_of, chrono_tz::UTC, 2, Monetary::Total, false)
        .iter()
        .map(|v| v.recency_days)
        .collect();
    assert_eq!(utc, [1, 1, 0]);
}

#[test]
fn activity_levels_at_their_boundaries() {
    // Recent orders against high 6 and medium 3 (the defaults), then high 4 and medium 2.
    let as_of = at(400);
    let members: Vec<MemberSummary> = [6, 5, 3, 2, 1, 0]
        .iter()
        .enumerate()
        .map(|(i, &recent)| summary(i as u64, 300, None, 390, 8, recent))
        .collect();
    let levels = |s: &LifecycleSettings| {
        lifecycle(&members, as_of, chrono_tz::UTC, s).iter().map(|t| t.activity).collect::<Vec<_>>()
    };
    use Activity::*;
    assert_eq!(levels(&LifecycleSettings::default()), [High, Medium, Medium, Low, Low, Dormant]);
    let custom = LifecycleSettings { high_orders: 4, medium_orders: 2, ..LifecycleSettings::default() };
    assert_eq!(levels(&custom), [High, High, Medium, Medium, Low, Dormant]);
}

fn day(d: i64) -> i64 {
    1_704_067_200 + d * 86_400 // 2024-01-01 UTC + d days
}

fn at(d: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(day(d), 0).unwrap()
}

fn summary(id: u64, first: i64, previous: Option<i64>, last: i64, orders: u64, recent: u64) -> MemberSummary {
    MemberSummary {
        member_id: id,
        first_at: day(first),
        last_at: day(last),
        previous_at: previous.map(day),
        orders,
        days: orders,
        total_minor: 1000,
        recent_orders: recent,
    }
}

#[test]
fn lifecycle_stages_activity_and_cycles() {
    let as_of = at(400);
    let s = LifecycleSettings::default(); // new 30, active 90, churn 180, warn 30, high 6, medium 3
    let members = [
        summary(1, 380, None, 390, 2, 2),      // first order 20 days ago: new
        summary(2, 0, Some(100), 350, 3, 1),   // 250-day gap, last 50 days ago: reactivated
        summary(3, 200, Some(300), 360, 7, 6), // active, high activity
        summary(4, 0, Some(200), 250, 4, 0),   // 150 days: sleeping, warned
        summary(5, 0, Some(10), 20, 3, 0),     // 380 days: churned
    ];
    let tags = lifecycle(&members, as_of, chrono_tz::UTC, &s);
    let stages: Vec<Stage> = tags.iter().map(|t| t.stage).collect();
    assert_eq!(stages, vec![Stage::New, Stage::Reactivated, Stage::Active, Stage::Sleeping, Stage::Churned]);
    let activity: Vec<Activity> = tags.iter().map(|t| t.activity).collect();
    assert_eq!(activity, vec![Activity::Low, Activity::Low, Activity::High, Activity::Dormant, Activity::Dormant]);
    // Member 3: days 200..360 over 7 purchase days: cycle 160 / 6 = 26 (floor); 40 days since
    // the last order > 1.5 x 26 = 39: overdue.
    assert_eq!((tags[2].cycle_days, tags[2].days_since_last, tags[2].overdue), (Some(26), 40, true));
    assert_eq!(tags.iter().map(|t| t.churn_warning).collect::<Vec<_>>(), vec![false, true, true, true, false]);
}

#[test]
fn no_members_give_empty_scores_and_zero_metrics() {
    // Nothing to rank and nothing to divide by: empty scores, and zeros rather than a
    // division by zero.
    assert!(CutPoints::fit(&[]).score(&[]).is_empty());
    let x = program_metrics(&[], &[], day(300), 2, None, None);
    assert_eq!((x.members, x.new_members, x.orders, x.period_orders), (0, 0, 0, 0));
    assert_eq!(
        [
            x.revenue,
            x.repurchase_rate,
            x.average_order_value,
            x.purchase_frequency,
            x.historical_ltv,
            x.top_20_percent_revenue_share,
            x.period_revenue,
            x.period_average_order_value,
            x.period_purchase_frequency,
            x.period_repurchase_rate
        ],
        [Decimal::ZERO; 10]
    );
}

#[test]
fn program_metrics_worked_by_hand() {
    // Five members; period from day 300 to as_of.
    let mut m = vec![
        summary(1, 10, None, 10, 1, 0),
        summary(2, 100, Some(200), 310, 3, 0),
        summary(3, 305, None, 305, 1, 0),
        summary(4, 50, Some(60), 290, 2, 0),
        summary(5, 320, Some(330), 340, 4, 0),
    ];
    for (s, cents) in m.iter_mut().zip([1000, 5000, 2000, 1000, 11000]) {
        s.total_minor = cents;
    }
    // The same members as of day 300: 1 and 4 had all their orders; 2 had two (days 100
    // and 200) worth 30.00 of its 50.00; 3 and 5 had none.
    let mut before =
        vec![summary(1, 10, None, 10, 1, 0), summary(2, 100, None, 200, 2, 0), summary(4, 50, Some(60), 290, 2, 0)];
    for (s, cents) in before.iter_mut().zip([1000, 3000, 1000]) {
        s.total_minor = cents;
    }
    let x = program_metrics(&m, &before, day(300), 2, None, None);
    assert_eq!((x.members, x.new_members, x.active_members, x.lapsed_members, x.orders), (5, 2, 3, 2, 11));
    // The period: member 2's third order (20.00), member 3's one (20.00) and member 5's four
    // (110.00): 6 orders, 150.00, by 3 members of whom one ordered twice or more.
    assert_eq!((x.period_orders, x.period_revenue), (6, Decimal::new(15000, 2)));
    assert_eq!(x.period_average_order_value, Decimal::from(25));
    assert_eq!(x.period_purchase_frequency, Decimal::from(2));
    assert_eq!(x.period_repurchase_rate, "0.333333".parse::<Decimal>().unwrap());
    assert_eq!(x.revenue, Decimal::new(20000, 2));
    assert_eq!(x.repurchase_rate, Decimal::new(6, 1)); // 3 of 5
    assert_eq!(x.average_order_value, "18.181818".parse::<Decimal>().unwrap()); // 200 / 11
    assert_eq!(x.purchase_frequency, Decimal::new(22, 1));
    assert_eq!(x.historical_ltv, Decimal::from(40));
    assert_eq!(x.top_20_percent_revenue_share, Decimal::new(55, 2)); // 110 of 200
    assert_eq!((x.churned_members, x.revenue_share_by_segment.len()), (0, 0), "no tags, no scores");
    // With segments (members 1 and 2 in A, the rest in B) and lifecycle tags as of day 400:
    // days since the last orders are 390, 90, 95, 110 and 60, so only member 1 has churned
    // (180 days by default). A has 10.00 + 50.00 of the 200.00, B the other 140.00.
    let scores: Vec<loyalty::analytics::RfmScores> = m
        .iter()
        .map(|s| loyalty::analytics::RfmScores {
            member_id: s.member_id,
            r: 1,
            f: 1,
            m: 1,
            segment: if s.member_id <= 2 { "A".into() } else { "B".into() },
            value_segment: ValueSegment::GeneralWinBack,
        })
        .collect();
    let tags = lifecycle(&m, at(400), chrono_tz::UTC, &LifecycleSettings::default());
    let x = program_metrics(&m, &before, day(300), 2, Some(&scores), Some(&tags));
    assert_eq!(x.churned_members, 1);
    let shares: Vec<(&str, Decimal)> = x.revenue_share_by_segment.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(shares, [("A", Decimal::new(3, 1)), ("B", Decimal::new(7, 1))]);
    assert_eq!(x.revenue_by_segment["B"], Decimal::new(14000, 2));
    // Lists in another order (not by member id, scores not beside their summaries) give the
    // same figures, through lookups instead of walks.
    let (mut m2, mut before2, mut scores2) = (m.clone(), before.clone(), scores.clone());
    m2.reverse();
    before2.swap(0, 2);
    scores2.rotate_left(2);
    assert_eq!(program_metrics(&m2, &before2, day(300), 2, Some(&scores2), Some(&tags)), x);
}

#[test]
fn bad_batches_are_refused_whole() {
    let mut s = Summarizer::new(Settings::new(at(400), chrono_tz::UTC));
    let err = s.add(&Orders { member_id: &[1, 2], ordered_at: &[day(1)], amount_minor: &[1, 2] }).unwrap_err();
    assert_eq!(err.to_string(), "ordered_at: 1 rows, but member_id has 2");
    let err = s.add(&Orders { member_id: &[1, 2], ordered_at: &[day(1), day(2)], amount_minor: &[5, -1] }).unwrap_err();
    assert_eq!(err.to_string(), "amount_minor[1]: -1 must not be negative");
    assert!(s.clone().finish().unwrap().is_empty());
    s.add(&Orders { member_id: &[], ordered_at: &[], amount_minor: &[] }).unwrap();
    assert!(s.finish().unwrap().is_empty(), "empty input gives an empty result");
}

#[test]
fn rows_in_errors_count_over_every_batch_added() {
    // Three rows, then a batch whose second row is negative: that is the stream's row 4.
    let mut s = Summarizer::new(Settings::new(at(400), chrono_tz::UTC));
    s.add(&Orders { member_id: &[1, 2, 3], ordered_at: &[day(1); 3], amount_minor: &[1; 3] }).unwrap();
    let err = s.add(&Orders { member_id: &[4, 5], ordered_at: &[day(2); 2], amount_minor: &[7, -9] }).unwrap_err();
    assert_eq!(err.to_string(), "amount_minor[4]: -9 must not be negative");
    let err = s.add(&Orders { member_id: &[6], ordered_at: &[-3], amount_minor: &[1] }).unwrap_err();
    assert_eq!(
        err,
        loyalty::analytics::AnalyticsError::TimeOutOfRange { row: 3, value: -3 },
        "refused rows do not count"
    );
    let mut c = loyalty::analytics::CohortBuilder::new(at(400), chrono_tz::UTC);
    c.add(&Orders { member_id: &[1, 2], ordered_at: &[day(1); 2], amount_minor: &[1; 2] }).unwrap();
    let err = c.add(&Orders { member_id: &[3], ordered_at: &[day(2)], amount_minor: &[-1] }).unwrap_err();
    assert_eq!(err.to_string(), "amount_minor[2]: -1 must not be negative");
}

prop_compose! {
    fn order_log()(rows in prop::collection::vec((0u64..40, 0i64..2000, 0i64..100_000), 0..300)) -> Vec<(u64, i64, i64)> {
        rows.into_iter().map(|(m, h, c)| (m, 1_704_067_200 + h * 3600, c)).collect()
    }
}

fn summarize(rows: &[(u64, i64, i64)], settings: &Settings) -> Summarizer {
    let mut s = Summarizer::new(settings.clone());
    let (m, t, a): (Vec<u64>, Vec<i64>, Vec<i64>) = rows.iter().fold((vec![], vec![], vec![]), |mut acc, r| {
        acc.0.push(r.0);
        acc.1.push(r.1);
        acc.2.push(r.2);
        acc
    });
    s.add(&Orders { member_id: &m, ordered_at: &t, amount_minor: &a }).unwrap();
    s
}

/// The documented rank rule by brute force: members sorted ascending by (value, member id),
/// rank r (1-based) of n scores 1 + floor(5 (r - 1) / n).
fn ranked<K: Ord>(values: &[RfmValues], key: impl Fn(&RfmValues) -> K) -> Vec<u8> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| (key(&values[a]), values[a].member_id).cmp(&(key(&values[b]), values[b].member_id)));
    let mut scores = vec![0; values.len()];
    for (rank, &i) in order.iter().enumerate() {
        scores[i] = 1 + (5 * rank / values.len()) as u8;
    }
    scores
}

proptest! {
    /// Fitted scores follow the rank rule whether the keys fit 64 bits (ids below 2^32,
    /// values in an i32: the narrow keys) or not (ids or spend beyond them), and with ties.
    #[test]
    fn fitted_scores_follow_the_rank_rule(
        members in prop::collection::vec((0u64..50, 0i64..30, 1u64..6, 0i64..1_000), 1..120),
        wide_ids in any::<bool>(),
        wide_spend in any::<bool>(),
    ) {
        let values: Vec<RfmValues> = members
            .iter()
            .enumerate()
            .map(|(i, &(id, recency, frequency, cents))| RfmValues {
                // Distinct ids (a member appears once), some above u32::MAX.
                member_id: id * 1_000 + i as u64 + if wide_ids { 1 << 33 } else { 0 },
                recency_days: recency,
                frequency,
                monetary: Decimal::new(cents * if wide_spend { 10_000_000 } else { 1 }, 2),
            })
            .collect();
        let got: Vec<(u8, u8, u8)> = CutPoints::fit(&values).score(&values).iter().map(|s| (s.r, s.f, s.m)).collect();
        let (r, f, m) = (ranked(&values, |v| -v.recency_days), ranked(&values, |v| v.frequency), ranked(&values, |v| v.monetary));
        let expected: Vec<(u8, u8, u8)> = (0..values.len()).map(|i| (r[i], f[i], m[i])).collect();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn batches_and_partitions_agree(rows in order_log(), cut in 0usize..300, distinct in any::<bool>()) {
        let mut settings = Settings::new(Utc.timestamp_opt(1_704_067_200 + 1900 * 3600, 0).unwrap(), chrono_tz::America::New_York);
        settings.distinct_days = distinct;
        let whole = summarize(&rows, &settings).finish();
        // Many batches into one summarizer.
        let mut batched = Summarizer::new(settings.clone());
        for chunk in rows.chunks(7) {
            let m: Vec<u64> = chunk.iter().map(|r| r.0).collect();
            let t: Vec<i64> = chunk.iter().map(|r| r.1).collect();
            let a: Vec<i64> = chunk.iter().map(|r| r.2).collect();
            batched.add(&Orders { member_id: &m, ordered_at: &t, amount_minor: &a }).unwrap();
        }
        prop_assert_eq!(&batched.finish(), &whole);
        // One more order after as_of (ignored) far in the future and too large for the compact
        // row form: the batch takes the full form and must summarize the same.
        let mut wide = Summarizer::new(settings.clone());
        let mut m: Vec<u64> = rows.iter().map(|r| r.0).collect();
        let mut t: Vec<i64> = rows.iter().map(|r| r.1).collect();
        let mut a: Vec<i64> = rows.iter().map(|r| r.2).collect();
        m.push(1);
        t.push(7_258_118_400); // 2200-01-01
        a.push(1 << 40);
        wide.add(&Orders { member_id: &m, ordered_at: &t, amount_minor: &a }).unwrap();
        if whole.as_ref().is_ok_and(|w| w.is_empty()) {
            // No orders, plus one after as_of: now there are orders and none counts.
            let refused = matches!(wide.finish(), Err(loyalty::analytics::AnalyticsError::AsOfBeforeOrders { .. }));
            prop_assert!(refused, "one order, after as_of, must be refused");
        } else {
            prop_assert_eq!(&wide.finish(), &whole);
        }
        // Two partitions (shuffled by a cut) merged.
        let cut = cut.min(rows.len());
        let mut left = summarize(&rows[cut..], &settings);
        left.merge(summarize(&rows[..cut], &settings)).unwrap();
        prop_assert_eq!(&left.finish(), &whole);
    }

    #[test]
    fn period_metrics_count_the_period_rows(rows in order_log(), start_hour in 0i64..2100, cut in 0usize..300) {
        // Hours over three months; the period from `start_hour` to as_of (hour 1900; a start
        // past it is refused). Its figures, counted straight from the rows, must equal the
        // builder's from one batch, from batches of 7, and from two halves merged.
        use loyalty::analytics::MetricsBuilder;
        let hour = |h: i64| Utc.timestamp_opt(1_704_067_200 + h * 3600, 0).unwrap();
        let (as_of, start) = (hour(1900), hour(start_hour));
        let settings = Settings::new(as_of, chrono_tz::America::New_York);
        let columns = |rows: &[(u64, i64, i64)]| -> (Vec<u64>, Vec<i64>, Vec<i64>) {
            (rows.iter().map(|r| r.0).collect(), rows.iter().map(|r| r.1).collect(), rows.iter().map(|r| r.2).collect())
        };
        let built = |parts: &[&[(u64, i64, i64)]]| {
            let mut b = MetricsBuilder::new(settings.clone(), start)?;
            for part in parts {
                let (m, t, a) = columns(part);
                b.add(&Orders { member_id: &m, ordered_at: &t, amount_minor: &a })?;
            }
            b.finish(2)
        };
        let whole = built(&[&rows]);
        if start > as_of {
            let refused = matches!(whole, Err(loyalty::analytics::AnalyticsError::PeriodAfterAsOf { .. }));
            prop_assert!(refused, "a period after as_of must be refused");
            return Ok(());
        }
        let in_period: Vec<&(u64, i64, i64)> =
            rows.iter().filter(|r| r.1 >= start.timestamp() && r.1 < as_of.timestamp()).collect();
        let mut per_member: std::collections::BTreeMap<u64, u64> = std::collections::BTreeMap::new();
        for r in &in_period {
            *per_member.entry(r.0).or_default() += 1;
        }
        let repeaters = per_member.values().filter(|n| **n >= 2).count() as u64;
        let cents: i64 = in_period.iter().map(|r| r.2).sum();
        let earlier = rows.iter().any(|r| r.1 < as_of.timestamp());
        match &whole {
            Ok(x) => {
                prop_assert_eq!(x.period_orders, in_period.len() as u64);
                prop_assert_eq!(x.period_revenue, Decimal::new(cents, 2));
                prop_assert_eq!(x.active_members, per_member.len() as u64);
                let share = if per_member.is_empty() {
                    Decimal::ZERO
                } else {
                    (Decimal::from(repeaters) / Decimal::from(per_member.len() as u64)).round_dp(6)
                };
                prop_assert_eq!(x.period_repurchase_rate, share);
            }
            Err(e) => prop_assert!(!earlier, "{e}"),
        }
        let batches: Vec<&[(u64, i64, i64)]> = rows.chunks(7).collect();
        prop_assert_eq!(&built(&batches), &whole);
        let cut = cut.min(rows.len());
        let halves = || -> Result<_, loyalty::analytics::AnalyticsError> {
            let (mut left, mut right) = (MetricsBuilder::new(settings.clone(), start)?, MetricsBuilder::new(settings.clone(), start)?);
            let (m, t, a) = columns(&rows[cut..]);
            left.add(&Orders { member_id: &m, ordered_at: &t, amount_minor: &a })?;
            let (m, t, a) = columns(&rows[..cut]);
            right.add(&Orders { member_id: &m, ordered_at: &t, amount_minor: &a })?;
            left.merge(right)?;
            left.finish(2)
        };
        prop_assert_eq!(&halves(), &whole);
    }

    #[test]
    fn cohorts_from_batches_and_partitions_agree(rows in order_log(), cut in 0usize..300) {
        // Hours over three months in New York (month boundaries at local midnight).
        let as_of = Utc.timestamp_opt(1_704_067_200 + 1900 * 3600, 0).unwrap();
        let tz = chrono_tz::America::New_York;
        let columns = |rows: &[(u64, i64, i64)]| -> (Vec<u64>, Vec<i64>, Vec<i64>) {
            (rows.iter().map(|r| r.0).collect(), rows.iter().map(|r| r.1).collect(), rows.iter().map(|r| r.2).collect())
        };
        let (m, t, a) = columns(&rows);
        let whole = loyalty::analytics::cohorts(&Orders { member_id: &m, ordered_at: &t, amount_minor: &a }, as_of, tz).unwrap();
        let mut batched = loyalty::analytics::CohortBuilder::new(as_of, tz);
        for chunk in rows.chunks(7) {
            let (m, t, a) = columns(chunk);
            batched.add(&Orders { member_id: &m, ordered_at: &t, amount_minor: &a }).unwrap();
        }
        prop_assert_eq!(&batched.finish(), &whole);
        let cut = cut.min(rows.len());
        let (mut left, mut right) = (loyalty::analytics::CohortBuilder::new(as_of, tz), loyalty::analytics::CohortBuilder::new(as_of, tz));
        let (m, t, a) = columns(&rows[cut..]);
        left.add(&Orders { member_id: &m, ordered_at: &t, amount_minor: &a }).unwrap();
        let (m, t, a) = columns(&rows[..cut]);
        right.add(&Orders { member_id: &m, ordered_at: &t, amount_minor: &a }).unwrap();
        left.merge(right).unwrap();
        prop_assert_eq!(&left.finish(), &whole);
        // Every member counted once, in the cohort of their first month.
        let counted: u64 = whole.iter().map(|c| c.members).sum();
        let members: std::collections::BTreeSet<u64> = rows.iter().filter(|r| r.1 < as_of.timestamp()).map(|r| r.0).collect();
        prop_assert_eq!(counted, members.len() as u64);
    }

    #[test]
    fn preferences_from_batches_and_partitions_agree(
        rows in prop::collection::vec((0u64..30, 0u64..60, 0u32..6, 0i64..50_000, 0i64..3, any::<bool>()), 0..300),
        cut in 0usize..300,
    ) {
        // Lines: member, order (orders belong to one member), category, amount, discount.
        let rows: Vec<(u64, u64, u32, i64, i64)> =
            rows.into_iter().map(|(m, o, c, a, d, disc)| (m, m * 1000 + o, c, a, if disc { d } else { 0 })).collect();
        let add = |b: &mut PreferenceBuilder, rows: &[(u64, u64, u32, i64, i64)]| {
            let m: Vec<u64> = rows.iter().map(|r| r.0).collect();
            let o: Vec<u64> = rows.iter().map(|r| r.1).collect();
            let c: Vec<u32> = rows.iter().map(|r| r.2).collect();
            let a: Vec<i64> = rows.iter().map(|r| r.3).collect();
            let d: Vec<i64> = rows.iter().map(|r| r.4).collect();
            b.add(&Lines { member_id: &m, order_id: &o, category: &c, amount_minor: &a, discount_minor: &d }).unwrap();
        };
        let settings = PreferenceSettings::default();
        let mut whole = PreferenceBuilder::default();
        add(&mut whole, &rows);
        let (expected, bands) = whole.finish(&settings).unwrap();
        let mut batched = PreferenceBuilder::default();
        for chunk in rows.chunks(7) {
            add(&mut batched, chunk);
        }
        prop_assert_eq!(batched.finish(&settings).unwrap(), (expected.clone(), bands));
        let cut = cut.min(rows.len());
        let (mut left, mut right) = (PreferenceBuilder::default(), PreferenceBuilder::default());
        add(&mut left, &rows[cut..]);
        add(&mut right, &rows[..cut]);
        left.merge(right);
        prop_assert_eq!(left.finish(&settings).unwrap(), (expected.clone(), bands));
        // Every member's figures from a direct count of its lines: spend, lines, the top
        // category (most spend, lowest code among equals), orders and discounted orders; and
        // the fitted bands split the members by rank into thirds.
        for p in &expected {
            let own: Vec<_> = rows.iter().filter(|r| r.0 == p.member_id).collect();
            prop_assert_eq!(p.spend_minor, own.iter().map(|r| r.3).sum::<i64>());
            prop_assert_eq!(p.lines, own.len() as u64);
            let mut by_category = std::collections::BTreeMap::new();
            own.iter().for_each(|r| *by_category.entry(r.2).or_insert(0i64) += r.3);
            let best = by_category.values().copied().max().unwrap_or(0);
            let top = by_category.iter().find(|(_, v)| **v == best).map(|(c, _)| *c).unwrap_or(0);
            prop_assert_eq!((p.top_category, p.top_category_minor), (top, best));
            let mut orders: std::collections::BTreeMap<u64, bool> = std::collections::BTreeMap::new();
            own.iter().for_each(|r| *orders.entry(r.1).or_default() |= r.4 > 0);
            prop_assert_eq!(p.orders as usize, orders.len());
            prop_assert_eq!(p.discounted_orders as usize, orders.values().filter(|d| **d).count());
        }
        let n = expected.len();
        for (band, k) in [(loyalty::analytics::PriceBand::Low, 0), (loyalty::analytics::PriceBand::Mid, 1), (loyalty::analytics::PriceBand::High, 2)] {
            let want = (0..n).filter(|rank| 3 * rank / n.max(1) == k).count();
            prop_assert_eq!(expected.iter().filter(|p| p.price_band == band).count(), want);
        }
    }

    #[test]
    fn cut_points_fitted_once_score_any_partition_identically(rows in order_log(), split in 0u64..40) {
        let settings = Settings::new(Utc.timestamp_opt(1_704_067_200 + 2100 * 3600, 0).unwrap(), chrono_tz::UTC);
        let values = rfm_values(&summarize(&rows, &settings).finish().unwrap_or_default(), settings.as_of, settings.time_zone, 2, Monetary::Total, false);
        let cuts = CutPoints::fit(&values);
        let all = cuts.score(&values);
        let (low, high): (Vec<RfmValues>, Vec<RfmValues>) = values.iter().cloned().partition(|v| v.member_id < split);
        let mut parts = cuts.score(&low);
        parts.extend(cuts.score(&high));
        parts.sort_by_key(|s| s.member_id);
        let rfm = |s: &[loyalty::analytics::RfmScores]| s.iter().map(|x| (x.member_id, x.r, x.f, x.m, x.segment.clone())).collect::<Vec<_>>();
        prop_assert_eq!(rfm(&parts), rfm(&all));
        // And the fitted scores follow the rank rule: score k has floor-rule counts.
        let n = values.len();
        for k in 1..=5u8 {
            let expected = (1..=n).filter(|rank| 1 + 5 * (rank - 1) / n == usize::from(k)).count();
            prop_assert_eq!(all.iter().filter(|s| s.f == k).count(), expected);
        }
        // Every member's scores by the definition: sort all (value, member id) keys, score =
        // 1 + floor(5 (rank - 1) / n), recency ranked by minus the days.
        let by_rank = |key: &dyn Fn(&RfmValues) -> (rust_decimal::Decimal, u64)| {
            let mut keys: Vec<_> = values.iter().map(key).collect();
            keys.sort();
            values.iter().map(|v| 1 + 5 * keys.binary_search(&key(v)).unwrap() / n).collect::<Vec<_>>()
        };
        let r = by_rank(&|v| (rust_decimal::Decimal::from(-v.recency_days), v.member_id));
        let f = by_rank(&|v| (rust_decimal::Decimal::from(v.frequency), v.member_id));
        let m = by_rank(&|v| (v.monetary, v.member_id));
        for (i, s) in all.iter().enumerate() {
            prop_assert_eq!((usize::from(s.r), usize::from(s.f), usize::from(s.m)), (r[i], f[i], m[i]));
        }
        // The same values with every third monetary value at another scale (equal amounts,
        // so the same order) take the general comparison path and score the same.
        let mixed: Vec<RfmValues> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut v = v.clone();
                if i % 3 == 0 {
                    v.monetary.rescale(4);
                }
                v
            })
            .collect();
        let again = CutPoints::fit(&mixed).score(&mixed);
        prop_assert_eq!(rfm(&again), rfm(&all));
    }
}

/// The CDNOW master log as member, order instant (its day at midnight UTC) and cents columns.
fn cdnow() -> (Vec<u64>, Vec<i64>, Vec<i64>) {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data/CDNOW_master.txt")).unwrap();
    let (mut m, mut t, mut a) = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() != 4 {
            continue;
        }
        m.push(f[0].parse::<u64>().unwrap());
        let d = chrono::NaiveDate::parse_from_str(f[1], "%Y%m%d").unwrap();
        t.push(d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp());
        a.push(f[3].replace('.', "").parse::<i64>().unwrap());
    }
    (m, t, a)
}

/// The CDNOW master log (69,659 orders of 23,570 members): RFM values, scores, segments and
/// value segments must equal those computed independently with pandas
/// (`bench/rfm_pandas.py`, output in `core/tests/golden/cdnow_rfm.csv`).
#[test]
fn cdnow_rfm_matches_the_pandas_golden_file() {
    let (m, t, a) = cdnow();
    let as_of = Utc.with_ymd_and_hms(1998, 7, 1, 0, 0, 0).unwrap();
    let mut s = Summarizer::new(Settings::new(as_of, chrono_tz::UTC));
    s.add(&Orders { member_id: &m, ordered_at: &t, amount_minor: &a }).unwrap();
    let values = rfm_values(&s.finish().unwrap(), as_of, chrono_tz::UTC, 2, Monetary::Total, false);
    let scored = CutPoints::fit(&values).score(&values);
    let golden = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/cdnow_rfm.csv")).unwrap();
    let rows: Vec<&str> = golden.lines().skip(1).collect();
    assert_eq!(rows.len(), 23_570);
    assert_eq!(values.len(), rows.len());
    for ((v, s), row) in values.iter().zip(&scored).zip(&rows) {
        let value_segment = serde_json::to_value(s.value_segment).unwrap();
        let mine = format!(
            "{},{},{},{},{},{},{},{},{}",
            v.member_id,
            v.recency_days,
            v.frequency,
            v.monetary,
            s.r,
            s.f,
            s.m,
            s.segment,
            value_segment.as_str().unwrap()
        );
        assert_eq!(&mine, row);
    }
}

/// The CDNOW log's second half-year as the period (1998-01-01 to 1998-07-01): the builder's
/// period orders and revenue equal a plain count and sum of the log's rows in it, and its
/// lifetime figures those of every row before `as_of`; fed in three batches or one.
#[test]
fn cdnow_period_metrics_count_the_period_rows() {
    let (m, t, a) = cdnow();
    let as_of = Utc.with_ymd_and_hms(1998, 7, 1, 0, 0, 0).unwrap();
    let start = Utc.with_ymd_and_hms(1998, 1, 1, 0, 0, 0).unwrap();
    let (s, e) = (start.timestamp(), as_of.timestamp());
    let rows = |from: i64| t.iter().zip(&a).filter(move |(at, _)| (from..e).contains(*at));
    let (period_orders, period_cents) = (rows(s).count() as u64, rows(s).map(|(_, c)| i128::from(*c)).sum::<i128>());
    let (orders, cents) = (rows(i64::MIN).count() as u64, rows(i64::MIN).map(|(_, c)| i128::from(*c)).sum::<i128>());
    let mut buyers: std::collections::HashMap<u64, u64> = std::collections::HashMap::new();
    for ((id, at), _) in m.iter().zip(&t).zip(&a) {
        if (s..e).contains(at) {
            *buyers.entry(*id).or_default() += 1;
        }
    }
    let repeaters = buyers.values().filter(|n| **n >= 2).count();
    let settings = Settings::new(as_of, chrono_tz::UTC);
    let mut one = loyalty::analytics::MetricsBuilder::new(settings.clone(), start).unwrap();
    one.add(&Orders { member_id: &m, ordered_at: &t, amount_minor: &a }).unwrap();
    let one = one.finish(2).unwrap();
    let mut three = loyalty::analytics::MetricsBuilder::new(settings, start).unwrap().with_threads(2);
    for (lo, hi) in [(0, 20_000), (20_000, 50_000), (50_000, m.len())] {
        three.add(&Orders { member_id: &m[lo..hi], ordered_at: &t[lo..hi], amount_minor: &a[lo..hi] }).unwrap();
    }
    assert_eq!(three.finish(2).unwrap(), one);
    // Halves folded apart (two machines) and merged give the same.
    let half = m.len() / 2;
    let mut x = loyalty::analytics::MetricsBuilder::new(Settings::new(as_of, chrono_tz::UTC), start).unwrap();
    let mut y = x.clone();
    x.add(&Orders { member_id: &m[..half], ordered_at: &t[..half], amount_minor: &a[..half] }).unwrap();
    y.add(&Orders { member_id: &m[half..], ordered_at: &t[half..], amount_minor: &a[half..] }).unwrap();
    x.merge(y).unwrap();
    assert_eq!(x.finish(2).unwrap(), one);
    assert_eq!((one.orders, one.revenue), (orders, Decimal::try_from_i128_with_scale(cents, 2).unwrap()));
    assert_eq!(
        (one.period_orders, one.period_revenue),
        (period_orders, Decimal::try_from_i128_with_scale(period_cents, 2).unwrap())
    );
    assert_eq!(one.active_members, buyers.len() as u64);
    let share = (Decimal::from(repeaters as u64) / Decimal::from(buyers.len() as u64)).round_dp(6);
    assert_eq!(one.period_repurchase_rate, share);
    // The figures themselves, counted with awk over the file:
    // awk 'NR>1 && NF==4 && $2>=19980101 && $2<19980701 {n++; s+=$4; c[$1]++} END {...}'
    // gives 12757 orders worth 476154.37 by 5374 members, 2693 of them twice or more.
    assert_eq!((one.orders, one.period_orders, one.active_members), (69_659, 12_757, 5_374));
    assert_eq!(one.period_revenue, "476154.37".parse::<Decimal>().unwrap());
    assert_eq!(one.period_repurchase_rate, "0.501116".parse::<Decimal>().unwrap());
}

#[test]
fn a_period_that_starts_after_as_of_is_refused_and_one_before_every_order_is_the_whole_log() {
    use loyalty::analytics::MetricsBuilder;
    let err = MetricsBuilder::new(Settings::new(at(10), chrono_tz::UTC), at(11)).unwrap_err();
    assert_eq!(err.to_string(), "period_start: 2024-01-12 00:00:00 UTC is after as_of 2024-01-11 00:00:00 UTC");
    // Builders of other periods or settings do not merge.
    let mut b = MetricsBuilder::new(Settings::new(at(10), chrono_tz::UTC), at(2)).unwrap();
    let other = MetricsBuilder::new(Settings::new(at(10), chrono_tz::UTC), at(3)).unwrap();
    assert_eq!(
        b.merge(other).unwrap_err().to_string(),
        "period_start: 2024-01-04T00:00:00+00:00 differs from this builder's 2024-01-03T00:00:00+00:00"
    );
    let other = MetricsBuilder::new(Settings::new(at(9), chrono_tz::UTC), at(2)).unwrap();
    assert_eq!(b.merge(other).unwrap_err().to_string(), "settings: builders to merge must have the same settings");
    // A period starting at as_of holds no order; an order at as_of counts nowhere.
    let mut b = MetricsBuilder::new(Settings::new(at(10), chrono_tz::UTC), at(10)).unwrap();
    b.add(&Orders { member_id: &[1, 1], ordered_at: &[day(4), day(10)], amount_minor: &[100, 900] }).unwrap();
    let x = b.finish(2).unwrap();
    assert_eq!((x.orders, x.revenue, x.period_orders, x.period_revenue), (1, Decimal::new(100, 2), 0, Decimal::ZERO));
    assert_eq!((x.active_members, x.lapsed_members, x.period_repurchase_rate), (0, 1, Decimal::ZERO));
    // No order before the period: the period's figures are the lifetime ones.
    let mut b = MetricsBuilder::new(Settings::new(at(10), chrono_tz::UTC), at(0)).unwrap();
    b.add(&Orders { member_id: &[1, 2, 2], ordered_at: &[day(1), day(2), day(3)], amount_minor: &[100, 250, 50] })
        .unwrap();
    let x = b.finish(2).unwrap();
    assert_eq!(
        (x.orders, x.period_orders, x.revenue, x.period_revenue),
        (3, 3, Decimal::new(400, 2), Decimal::new(400, 2))
    );
    assert_eq!((x.repurchase_rate, x.period_repurchase_rate), (Decimal::new(5, 1), Decimal::new(5, 1)));
    // A bad batch is refused whole: the builder is unchanged.
    let mut b = MetricsBuilder::new(Settings::new(at(10), chrono_tz::UTC), at(2)).unwrap();
    b.add(&Orders { member_id: &[1], ordered_at: &[day(1)], amount_minor: &[100] }).unwrap();
    let err = b.add(&Orders { member_id: &[2, 3], ordered_at: &[day(3), day(4)], amount_minor: &[5, -1] }).unwrap_err();
    assert_eq!(err.to_string(), "amount_minor[2]: -1 must not be negative");
    let x = b.finish(2).unwrap();
    assert_eq!((x.members, x.orders, x.period_orders), (1, 1, 0));
}

#[test]
fn cohorts_use_local_months_and_ignore_orders_at_or_after_as_of() {
    use loyalty::analytics::cohorts;
    // 2024-02-01 04:30Z is still 31 January in New York: both of Ann's orders are January, so
    // she is in the January cohort with no February order. Bob's order at as_of is left out.
    let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().timestamp();
    let orders = Orders {
        member_id: &[1, 1, 2, 2],
        ordered_at: &[
            t("2024-01-10T15:00:00Z"),
            t("2024-02-01T04:30:00Z"),
            t("2024-02-15T15:00:00Z"),
            t("2024-03-01T05:00:00Z"),
        ],
        amount_minor: &[100, 100, 100, 100],
    };
    let as_of = DateTime::parse_from_rfc3339("2024-03-01T05:00:00Z").unwrap().with_timezone(&Utc);
    let m = cohorts(&orders, as_of, chrono_tz::America::New_York).unwrap();
    let rows: Vec<(String, u64, Vec<u64>)> = m.into_iter().map(|c| (c.month, c.members, c.active)).collect();
    assert_eq!(rows, vec![("2024-01".to_string(), 1, vec![1, 0]), ("2024-02".to_string(), 1, vec![1])]);
}

/// A large batch split and folded on three threads gives exactly the one-thread summaries,
/// with distinct days counted and New York days.
#[test]
fn threads_give_the_same_summaries() {
    let mut seed = 7u64;
    let mut next = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        seed >> 20
    };
    let n = 1_500_000;
    let member_id: Vec<u64> = (0..n).map(|_| next() % 200_000).collect();
    let ordered_at: Vec<i64> = (0..n).map(|_| 1_704_067_200 + (next() % (200 * 86_400)) as i64).collect();
    let amount_minor: Vec<i64> = (0..n).map(|_| (next() % 50_000) as i64).collect();
    let orders = Orders { member_id: &member_id, ordered_at: &ordered_at, amount_minor: &amount_minor };
    let mut settings =
        Settings::new(Utc.timestamp_opt(1_704_067_200 + 150 * 86_400, 0).unwrap(), chrono_tz::America::New_York);
    settings.distinct_days = true;
    let mut one = Summarizer::new(settings.clone());
    one.add(&orders).unwrap();
    let mut three = Summarizer::new(settings).with_threads(3);
    three.add(&orders).unwrap();
    let (one, three) = (one.finish().unwrap(), three.finish().unwrap());
    let as_of = 1_704_067_200 + 150 * 86_400;
    let members: std::collections::HashSet<u64> =
        member_id.iter().zip(&ordered_at).filter(|(_, t)| **t < as_of).map(|(m, _)| *m).collect();
    assert_eq!(one.len(), members.len());
    assert_eq!(one, three);
}

#[test]
fn every_cell_of_the_documented_grid_and_a_grid_of_ones_own() {
    use loyalty::analytics::SegmentGrid;
    // The grid as DESIGN.md and the README document it, R down (1..5), F across (1..5).
    let documented = [
        ["Lost", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"],
        ["Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"],
        ["About To Sleep", "About To Sleep", "Need Attention", "Loyal Customers", "Loyal Customers"],
        ["Promising", "Potential Loyalist", "Potential Loyalist", "Loyal Customers", "Loyal Customers"],
        ["New Customers", "Potential Loyalist", "Potential Loyalist", "Champions", "Champions"],
    ];
    let grid = SegmentGrid::default();
    let cuts = CutPoints::from_thresholds([400, 300, 200, 100], [2, 3, 4, 5], [Decimal::ONE; 4]).unwrap();
    for r in 1..=5u8 {
        for f in 1..=5u8 {
            assert_eq!(grid.name(r, f), documented[usize::from(r) - 1][usize::from(f) - 1], "R{r} F{f}");
            // A member with these scores: recency 450, 350, ... days (R 1 beyond 400 days, R 5
            // within 100); frequency f (F counts the thresholds 2, 3, 4, 5 reached, plus one).
            let values = [v(1, 550 - 100 * i64::from(r), u64::from(f), 0)];
            let s = cuts.score(&values);
            assert_eq!((s[0].r, s[0].f, &*s[0].segment), (r, f, documented[usize::from(r) - 1][usize::from(f) - 1]));
        }
    }
    // A grid of the user's own names, applied with the same cut points.
    let own = SegmentGrid { names: std::array::from_fn(|r| std::array::from_fn(|f| format!("r{}f{}", r + 1, f + 1))) };
    let values = [v(1, 350, 1, 0), v(2, 50, 5, 0)];
    let names: Vec<String> = cuts.score_with(&values, &own).iter().map(|s| s.segment.to_string()).collect();
    assert_eq!(names, ["r2f1", "r5f5"]);
}

#[test]
fn instants_outside_1970_to_8999_are_refused_by_row() {
    let mut s = Summarizer::new(Settings::new(at(400), chrono_tz::UTC));
    let err = s.add(&Orders { member_id: &[1, 2], ordered_at: &[day(1), -1], amount_minor: &[1, 2] }).unwrap_err();
    assert_eq!(err.to_string(), "ordered_at[1]: -1 is not a Unix time from 1970 to 8999");
    let late = 221_845_392_000; // 9000-01-01
    let err = s.add(&Orders { member_id: &[1], ordered_at: &[late], amount_minor: &[1] }).unwrap_err();
    assert_eq!(err, loyalty::analytics::AnalyticsError::TimeOutOfRange { row: 0, value: late });
    assert!(s.finish().unwrap().is_empty(), "refused batches add nothing");
}

#[test]
fn an_as_of_before_every_order_is_an_error_naming_the_earliest() {
    // Orders on days 10, 5 and 7 of 2024, summarized as of day 3: nothing counts.
    let settings = Settings::new(at(3), chrono_tz::UTC);
    let mut s = Summarizer::new(settings.clone());
    s.add(&Orders { member_id: &[1], ordered_at: &[day(10)], amount_minor: &[100] }).unwrap();
    s.add(&Orders { member_id: &[2, 3], ordered_at: &[day(7), day(5)], amount_minor: &[100, 100] }).unwrap();
    let err = s.clone().finish().unwrap_err();
    assert_eq!(
        err.to_string(),
        "as_of: 2024-01-04 00:00:00 UTC is not after any order; the earliest, ordered_at[2], is 2024-01-06 00:00:00 UTC"
    );
    // One order before as_of anywhere in the stream (or a merged partition) is enough.
    let mut early = Summarizer::new(settings.clone());
    early.add(&Orders { member_id: &[4], ordered_at: &[day(1)], amount_minor: &[5] }).unwrap();
    s.merge(early).unwrap();
    assert_eq!(s.finish().unwrap().len(), 1);
    // Rows of a merged summarizer count after the receiver's own.
    let (mut left, mut right) = (Summarizer::new(settings.clone()), Summarizer::new(settings));
    left.add(&Orders { member_id: &[1], ordered_at: &[day(9)], amount_minor: &[1] }).unwrap();
    right.add(&Orders { member_id: &[2, 2], ordered_at: &[day(8), day(4)], amount_minor: &[1, 1] }).unwrap();
    left.merge(right).unwrap();
    assert!(matches!(left.finish(), Err(loyalty::analytics::AnalyticsError::AsOfBeforeOrders { row: 2, .. })));
}

#[test]
fn cohort_builders_to_merge_must_agree_and_say_on_what() {
    use loyalty::analytics::CohortBuilder;
    let mut a = CohortBuilder::new(at(400), chrono_tz::UTC);
    let err = a.merge(CohortBuilder::new(at(300), chrono_tz::UTC)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "as_of: 2025-02-04 00:00:00 UTC here, 2024-10-27 00:00:00 UTC in the builder merged: they must be the same"
    );
    let err = a.merge(CohortBuilder::new(at(400), chrono_tz::Europe::Paris)).unwrap_err();
    assert_eq!(err.to_string(), "time_zone: UTC here, Europe/Paris in the builder merged: they must be the same");
}
