//! The what-if simulation on hostile columns and settings: instants anywhere (before 1970,
//! past 9000), negative and huge amounts, probabilities outside 0 to 1 or NaN, an `as_of`
//! before every order or centuries after. It must never panic; a run that succeeds must end
//! with the outstanding points the accounts hold and every member on some level, and give the
//! same runs on two threads.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use loyalty::analytics::{with_threads, Orders};
use loyalty::simulation::{simulate, Behaviour, Settings};
use loyalty::Program;

const TIERED: &str = r#"{"name": "Tiered", "version": 1, "currency": "USD", "time_zone": "America/New_York",
    "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
    "pending_days": 3, "expiry": {"kind": "rolling_days", "days": 20},
    "redemption": {"point_value": "0.01", "rewards": [{"id": "r", "points": 50}, {"id": "big", "points": 400}]},
    "tiers": {"period": {"kind": "rolling_days", "days": 60}, "downgrade": "one_level",
              "levels": [{"name": "Member"}, {"name": "Gold", "entry": {"spend": "100"}, "retain": {"spend": "80"},
                          "entry_reward": {"points": 10}}]}}"#;
const INACTIVE: &str = r#"{"name": "Coffee", "version": 1, "currency": "USD", "time_zone": "Asia/Kolkata",
    "earning": {"rules": [{"name": "base", "points_per_unit": "10"}]},
    "expiry": {"kind": "inactivity", "days": 30},
    "redemption": {"point_value": "0.005", "rewards": [{"id": "r", "points": 300}]}}"#;

#[derive(Arbitrary, Debug)]
struct Input {
    orders: Vec<(u8, i32, u16, bool)>,
    base: i64,
    as_of: i32,
    probability: u8,
    named: bool,
    seed: u64,
}

fuzz_target!(|input: Input| {
    let tiered = Program::from_json(TIERED).expect("valid");
    let inactive = Program::from_json(INACTIVE).expect("valid");
    // Orders around a base instant that is usually in range (2024) and sometimes anywhere.
    let base = if input.base % 7 == 0 { input.base } else { 1_704_067_200 };
    // Up to 400 orders of up to 256 members: more than one run of 64 members, so two threads
    // share the work.
    let take = input.orders.len().min(400);
    let member_id: Vec<u64> = input.orders[..take].iter().map(|o| u64::from(o.0)).collect();
    let ordered_at: Vec<i64> = input.orders[..take].iter().map(|o| base.saturating_add(i64::from(o.1) * 60)).collect();
    let amount_minor: Vec<i64> =
        input.orders[..take].iter().map(|o| if o.3 { -i64::from(o.2) } else { i64::from(o.2) * 10 }).collect();
    let probability = match input.probability {
        250 => f64::NAN,
        251 => -0.5,
        252 => 1.5,
        p => f64::from(p) / 249.0,
    };
    let behaviour = if input.named {
        Behaviour::Reward { reward_id: "r".into(), probability }
    } else {
        Behaviour::Cheapest { probability }
    };
    let Some(as_of) = chrono::DateTime::from_timestamp(base.saturating_add(i64::from(input.as_of) * 60), 0) else { return };
    let settings = Settings { as_of, behaviour, seed: input.seed };
    let orders = Orders { member_id: &member_id, ordered_at: &ordered_at, amount_minor: &amount_minor };
    let programs = [&tiered, &inactive];
    let one = simulate(&programs, &orders, &settings);
    if let Ok(runs) = &one {
        for run in runs {
            if let Some(last) = run.months.last() {
                assert_eq!(last.outstanding, run.available + run.pending, "{}: outstanding", run.program);
                if !run.tiers.is_empty() {
                    assert_eq!(last.members_by_tier.iter().sum::<u64>(), run.members, "{}: members by tier", run.program);
                }
            }
        }
    }
    let two = with_threads(2, || simulate(&programs, &orders, &settings));
    assert_eq!(one, two, "two threads gave other runs");
});
