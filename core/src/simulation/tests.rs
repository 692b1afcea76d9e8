use super::*;
use crate::analytics::with_threads;
use chrono::TimeZone;

fn program(rewards: &str, currency: &str) -> Program {
    Program::from_json(&format!(
        r#"{{"name": "T", "version": 2, "currency": "{currency}", "time_zone": "UTC",
            "earning": {{"rules": [{{"name": "base", "points_per_unit": "1"}}]}},
            "expiry": {{"kind": "rolling_days", "days": 30}},
            "redemption": {{"point_value": "0.01", "rewards": {rewards}}},
            "tiers": {{"period": {{"kind": "calendar_year"}}, "upgrade": "immediately", "downgrade": "requalify",
                "levels": [{{"name": "Member"}},
                           {{"name": "Gold", "entry": {{"spend": "150"}}, "entry_reward": {{"points": 20}}}}]}}}}"#
    ))
    .unwrap()
}

fn t(y: i32, m: u32, d: u32) -> i64 {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap().timestamp()
}

/// Member 1: 80.00 on 5 January, 50.00 on 3 February. Member 2: 200.00 on 10 February.
fn log() -> (Vec<u64>, Vec<i64>, Vec<i64>) {
    (vec![2, 1, 1], vec![t(2024, 2, 10), t(2024, 1, 5), t(2024, 2, 3)], vec![20_000, 8_000, 5_000])
}

fn settings(behaviour: Behaviour) -> Settings {
    Settings { as_of: Utc.with_ymd_and_hms(2024, 3, 10, 0, 0, 0).unwrap(), behaviour, seed: 42 }
}

fn run(behaviour: Behaviour) -> Run {
    let (m, at, amount) = log();
    let orders = Orders { member_id: &m, ordered_at: &at, amount_minor: &amount };
    simulate(
        &[&program(r#"[{"id": "big", "points": 300}, {"id": "r", "points": 100}]"#, "USD")],
        &orders,
        &settings(behaviour),
    )
    .unwrap()
    .remove(0)
}

#[test]
fn a_small_log_month_by_month_worked_by_hand() {
    // Points last 30 days: earned on 5 January, valid through 4 February.
    // January: member 1 earns 80. Outstanding 80; both... one member, at Member.
    // February: member 1 earns 50 on the 3rd (130 usable) and redeems the cheapest reward
    //   (100, from the January lot first); member 2 earns 200 on the 10th, reaches Gold's
    //   150 spend at once and is given its 20-point entry reward (220), then redeems 100.
    //   Outstanding 30 + 120 = 150.
    // March: member 1's last 30 expire on the 4th's end (lot of 3 February); 120 left.
    let r = run(Behaviour::Cheapest { probability: 1.0 });
    let m: Vec<_> = r.months.iter().map(|m| m.month.to_string()).collect();
    assert_eq!(m, ["2024-01-01", "2024-02-01", "2024-03-01"]);
    let col = |f: &dyn Fn(&Month) -> i64| r.months.iter().map(f).collect::<Vec<_>>();
    assert_eq!(col(&|m| m.orders as i64), [1, 2, 0]);
    assert_eq!(col(&|m| m.active_members as i64), [1, 2, 0]);
    assert_eq!(col(&|m| m.new_members as i64), [1, 1, 0]);
    assert_eq!(col(&|m| m.totals.earned.get()), [80, 270, 0]);
    assert_eq!(col(&|m| m.totals.redeemed.get()), [0, 200, 0]);
    assert_eq!(col(&|m| m.redemptions as i64), [0, 2, 0]);
    assert_eq!(col(&|m| m.totals.expired.get()), [0, 0, 30]);
    assert_eq!(col(&|m| m.outstanding.get()), [80, 150, 120]);
    assert_eq!(
        r.months.iter().map(|m| m.revenue).collect::<Vec<_>>(),
        [Decimal::new(80, 0), Decimal::new(250, 0), Decimal::ZERO]
    );
    assert_eq!(r.months[2].liability, Decimal::new(120, 2));
    assert_eq!(r.tiers, ["Member", "Gold"]);
    let tiers: Vec<_> = r.months.iter().map(|m| m.members_by_tier.clone()).collect();
    assert_eq!(tiers, [vec![1, 0], vec![1, 1], vec![1, 1]]);
    assert_eq!(r.months[1].flows, [vec![0, 1], vec![0, 0]]);
    assert_eq!((r.months[1].upgraded_into.clone(), r.months[1].downgraded_into.clone()), (vec![0, 1], vec![0, 0]));
    assert_eq!((r.months[1].entry_rewards, r.months[1].entry_reward_points.get()), (1, 20));
    assert_eq!((r.members, r.orders, r.redemptions), (2, 3, 2));
    assert_eq!((r.available.get(), r.pending.get()), (120, 0));
    // Member 2's lots expire at the end of 11 March: inside 30 days of as_of.
    assert_eq!(r.expiring.map(Points::get), [120, 120, 120]);
    assert_eq!(r.breakage_rate, Some(Decimal::new(30, 0) / Decimal::new(350, 0)));
    // 350 points at 0.01 for 330.00 of orders.
    assert_eq!(r.cost_per_revenue, Some(Decimal::new(350, 2) / Decimal::new(330, 0)));
}

#[test]
fn members_who_never_redeem_let_their_points_expire() {
    // Member 1's 80 expire in February (from 5 February), the 50 in March; member 2 keeps 220.
    let r = run(Behaviour::Never);
    let expired: Vec<_> = r.months.iter().map(|m| m.totals.expired.get()).collect();
    assert_eq!(expired, [0, 80, 50]);
    assert_eq!(r.months.iter().map(|m| m.outstanding.get()).collect::<Vec<_>>(), [80, 270, 220]);
    assert_eq!(r.redemptions, 0);
    // A named reward the points never reach is never redeemed either.
    let big = run(Behaviour::Reward { reward_id: "big".into(), probability: 1.0 });
    assert_eq!((big.redemptions, big.months[2].outstanding.get()), (0, 220));
}

#[test]
fn the_last_month_s_outstanding_is_what_the_accounts_hold() {
    let retail = Program::from_json(include_str!("../../../examples/programs/retail.json")).unwrap();
    let n = 3000;
    let member_id: Vec<u64> = (0..n).map(|i| (i * 7919) % 400).collect();
    let ordered_at: Vec<i64> = (0..n).map(|i| t(2023, 1, 1) + (i as i64 * 37_003) % (600 * 86_400)).collect();
    let amount_minor: Vec<i64> = (0..n).map(|i| 500 + (i as i64 * 7_717) % 60_000).collect();
    let orders = Orders { member_id: &member_id, ordered_at: &ordered_at, amount_minor: &amount_minor };
    let settings = Settings {
        as_of: Utc.with_ymd_and_hms(2024, 9, 1, 4, 0, 0).unwrap(),
        behaviour: Behaviour::Cheapest { probability: 0.6 },
        seed: 7,
    };
    let one = simulate(&[&retail], &orders, &settings).unwrap();
    let r = &one[0];
    let last = r.months.last().unwrap();
    assert_eq!(last.outstanding, r.available + r.pending);
    assert_eq!(r.members, 400);
    assert_eq!(last.members_by_tier.iter().sum::<u64>(), 400);
    assert!(r.redemptions > 0 && r.totals.expired.get() > 0);
    // Each month, a level gains its new members, those who moved in from below and above,
    // and loses those who moved out.
    let mut before = vec![0i64; r.tiers.len()];
    for m in &r.months {
        for (level, &now) in m.members_by_tier.iter().enumerate() {
            let joined = if level == 0 { m.new_members as i64 } else { 0 };
            let out: u64 = m.flows[level].iter().sum();
            let change = joined + m.upgraded_into[level] as i64 + m.downgraded_into[level] as i64 - out as i64;
            assert_eq!(now as i64 - before[level], change, "{} level {level}", m.month);
            before[level] = now as i64;
        }
    }
    assert!(r.months.iter().any(|m| m.upgraded_into.iter().sum::<u64>() > 0));
    // Two threads, the same numbers; a different seed, different choices.
    let two = with_threads(2, || simulate(&[&retail], &orders, &settings).unwrap());
    assert_eq!(one, two);
    let seen = std::sync::atomic::AtomicU64::new(0);
    let count = |n: u64| {
        seen.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    };
    let watched = with_threads(2, || simulate_with_progress(&[&retail], &orders, &settings, &count).unwrap());
    assert_eq!((watched, seen.into_inner()), (one.clone(), 400));
    let other = simulate(&[&retail], &orders, &Settings { seed: 8, ..settings.clone() }).unwrap();
    assert_ne!(one[0].redemptions, other[0].redemptions);
}

#[test]
fn two_programs_meet_the_same_members_making_the_same_choices() {
    // Two programs that differ only in what a point is worth: every member makes the same
    // choices under both (the same redemptions, month by month), and only the money differs.
    let retail = include_str!("../../../examples/programs/retail.json");
    let a = Program::from_json(retail).unwrap();
    let b = Program::from_json(&retail.replace(r#""point_value": "0.01""#, r#""point_value": "0.02""#)).unwrap();
    let n = 2000;
    let member_id: Vec<u64> = (0..n).map(|i| (i * 7919) % 150).collect();
    let ordered_at: Vec<i64> = (0..n).map(|i| t(2023, 1, 1) + (i as i64 * 37_003) % (500 * 86_400)).collect();
    let amount_minor: Vec<i64> = (0..n).map(|i| 2_000 + (i as i64 * 7_717) % 60_000).collect();
    let orders = Orders { member_id: &member_id, ordered_at: &ordered_at, amount_minor: &amount_minor };
    let half = Settings {
        as_of: Utc.with_ymd_and_hms(2024, 6, 1, 4, 0, 0).unwrap(),
        behaviour: Behaviour::Cheapest { probability: 0.5 },
        seed: 11,
    };
    let runs = simulate(&[&a, &b], &orders, &half).unwrap();
    let redemptions = |r: &Run| r.months.iter().map(|m| m.redemptions).collect::<Vec<_>>();
    assert_eq!(redemptions(&runs[0]), redemptions(&runs[1]));
    assert!(runs[0].redemptions > 10, "{}", runs[0].redemptions);
    assert_eq!(runs[1].liability, runs[0].liability * Decimal::TWO);
    // Half the chances: fewer redemptions than always redeeming, more than never.
    let always =
        simulate(&[&a], &orders, &Settings { behaviour: Behaviour::Cheapest { probability: 1.0 }, ..half.clone() })
            .unwrap();
    assert!(always[0].redemptions > runs[0].redemptions);
}

#[test]
fn rewards_below_the_minimum_redemption_are_never_taken() {
    // A 50-point reward in a program that redeems from 100 points: the cheapest reward a
    // member may redeem is the 100-point one; asking for the 50-point one is refused.
    let p = Program::from_json(
        r#"{"name": "M", "version": 1, "currency": "USD", "time_zone": "UTC",
            "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
            "redemption": {"point_value": "0.01", "min_points": 100,
                           "rewards": [{"id": "small", "points": 50}, {"id": "r", "points": 100}]}}"#,
    )
    .unwrap();
    let (m, at, amount) = log();
    let orders = Orders { member_id: &m, ordered_at: &at, amount_minor: &amount };
    let r = simulate(&[&p], &orders, &settings(Behaviour::Cheapest { probability: 1.0 })).unwrap();
    // Member 1: 80, then 130 -> redeems 100. Member 2: 200 -> redeems 100.
    assert_eq!((r[0].redemptions, r[0].totals.redeemed.get()), (2, 200));
    let e = simulate(&[&p], &orders, &settings(Behaviour::Reward { reward_id: "small".into(), probability: 1.0 }))
        .unwrap_err();
    assert_eq!((e.field(), e.value()), ("behaviour.reward_id".into(), "small".into()));
    assert!(e.to_string().contains("below the minimum redemption of 100"), "{e}");
}

#[test]
fn an_order_a_fraction_of_a_second_before_as_of_counts() {
    let p = program("[]", "USD");
    let at = [t(2024, 1, 5)];
    let orders = Orders { member_id: &[1], ordered_at: &at, amount_minor: &[1_000] };
    let as_of = DateTime::from_timestamp(at[0], 500_000_000).unwrap();
    let r = simulate(&[&p], &orders, &Settings { as_of, behaviour: Behaviour::Never, seed: 0 }).unwrap();
    assert_eq!(r[0].orders, 1);
    let r = simulate(
        &[&p],
        &orders,
        &Settings { as_of: as_of - Duration::milliseconds(500), ..settings(Behaviour::Never) },
    )
    .unwrap();
    assert_eq!(r[0].orders, 0);
}

#[test]
fn bad_input_is_refused_naming_the_field_and_the_value() {
    let (m, at, amount) = log();
    let orders = Orders { member_id: &m, ordered_at: &at, amount_minor: &amount };
    let usd = program(r#"[{"id": "r", "points": 100}]"#, "USD");
    let eur = program(r#"[{"id": "r", "points": 100}]"#, "EUR");
    let ok = settings(Behaviour::Never);
    let fields = |e: SimulationError| (e.kind(), e.field(), e.value());

    let e = simulate(&[&usd, &eur], &orders, &ok).unwrap_err();
    assert_eq!(fields(e), ("invalid", "programs[1].currency".into(), "EUR".into()));
    let e = simulate(&[&usd], &orders, &settings(Behaviour::Reward { reward_id: "x".into(), probability: 1.0 }))
        .unwrap_err();
    assert_eq!(fields(e), ("invalid", "behaviour.reward_id".into(), "x".into()));
    let e = simulate(&[&usd], &orders, &settings(Behaviour::Cheapest { probability: 2.0 })).unwrap_err();
    assert_eq!(fields(e), ("invalid", "behaviour.probability".into(), "2".into()));

    let short = Orders { member_id: &m, ordered_at: &at[..2], amount_minor: &amount };
    assert_eq!(
        fields(simulate(&[&usd], &short, &ok).unwrap_err()),
        ("length_mismatch", "ordered_at".into(), "2".into())
    );
    let negative = [20_000, -1, 5_000];
    let bad = Orders { member_id: &m, ordered_at: &at, amount_minor: &negative };
    assert_eq!(
        fields(simulate(&[&usd], &bad, &ok).unwrap_err()),
        ("negative_amount", "amount_minor[1]".into(), "-1".into())
    );
    let early = [t(2024, 2, 10), -5, t(2024, 2, 3)];
    let bad = Orders { member_id: &m, ordered_at: &early, amount_minor: &amount };
    assert_eq!(
        fields(simulate(&[&usd], &bad, &ok).unwrap_err()),
        ("time_out_of_range", "ordered_at[1]".into(), "-5".into())
    );

    // A log spanning more than a century.
    let old = [t(2024, 2, 10), t(1900 + 70, 1, 5), t(2024, 2, 3)];
    let far = Settings { as_of: Utc.with_ymd_and_hms(2200, 1, 1, 0, 0, 0).unwrap(), ..ok.clone() };
    let bad = Orders { member_id: &m, ordered_at: &old, amount_minor: &amount };
    let e = simulate(&[&usd], &bad, &far).unwrap_err();
    assert_eq!((e.kind(), e.field(), e.value()), ("invalid", "as_of".to_string(), "2200-01-01T00:00:00+00:00".into()));
    assert!(e.to_string().contains("row 1, 1970-01-05T12:00:00+00:00"), "{e}");

    // An empty log is no excuse for programs that cannot be compared.
    let none = Orders { member_id: &[], ordered_at: &[], amount_minor: &[] };
    assert_eq!(fields(simulate(&[&usd, &eur], &none, &ok).unwrap_err()).1, "programs[1].currency");
    let x = settings(Behaviour::Reward { reward_id: "x".into(), probability: 1.0 });
    assert_eq!(fields(simulate(&[&usd], &none, &x).unwrap_err()).1, "behaviour.reward_id");

    // An amount the account refuses names the program, the member and the row.
    let huge = [20_000, i64::MAX, 5_000];
    let bad = Orders { member_id: &m, ordered_at: &at, amount_minor: &huge };
    let e = simulate(&[&usd], &bad, &ok).unwrap_err();
    assert!(matches!(e, SimulationError::Member { program: 0, member_id: 1, row: 1, .. }), "{e:?}");
    assert_eq!(e.field(), "amount");
}

#[test]
fn an_empty_log_gives_empty_runs() {
    let orders = Orders { member_id: &[], ordered_at: &[], amount_minor: &[] };
    let p = program("[]", "USD");
    let r = simulate(&[&p], &orders, &settings(Behaviour::Cheapest { probability: 1.0 })).unwrap();
    assert_eq!((r[0].members, r[0].months.len()), (0, 0));
}
