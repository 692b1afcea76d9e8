//! A [`Summarizer`] as data: the partial summaries of one partition of an order log, to store
//! or send to the machine that merges them (any serde format; JSON below).
//!
//! The form lists each member's running aggregate in id order, with the settings and the
//! count of orders added. Reading it back checks every value, so a damaged or hand-made
//! partial is refused with the member's place and field, never folded in.

use super::{local_day, Acc, Plan, Settings, Summarizer, MAX_MEMBERS};
use serde::de::Error as _;
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The version of the form; a reader refuses others.
const FORMAT: u32 = 1;

/// The latest instant a summarizer accepts (9000-01-01), as `Summarizer::add` does.
const MAX_AT: i64 = 221_845_392_000;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Form<M> {
    format: u32,
    settings: Settings,
    /// Orders added, including those at or after `as_of` (rows of errors count on from it).
    orders_added: u64,
    /// The earliest order added: (Unix seconds, row).
    earliest: Option<(i64, u64)>,
    members: M,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Member {
    member_id: u64,
    first_at: i64,
    last_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    previous_at: Option<i64>,
    orders: u64,
    recent_orders: u64,
    total_minor: i128,
    /// Local purchase days (with `distinct_days`), as days since 1970-01-01.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    days: Vec<i32>,
}

/// The members in id order, written one at a time.
struct Members<'a>(&'a Summarizer);

impl Serialize for Members<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let parts = &self.0.partitions;
        let mut keys: Vec<(u64, u32, u32)> = Vec::with_capacity(self.0.members);
        for (p, part) in parts.iter().enumerate() {
            keys.extend(part.ids.iter().enumerate().map(|(i, &id)| (id, p as u32, i as u32)));
        }
        keys.sort_unstable_by_key(|k| k.0);
        let mut seq = s.serialize_seq(Some(keys.len()))?;
        for (id, p, i) in keys {
            let part = &parts[p as usize];
            let a = part.accs[i as usize];
            seq.serialize_element(&Member {
                member_id: id,
                first_at: a.first_at,
                last_at: a.last_at,
                previous_at: (a.previous_at != i64::MIN).then_some(a.previous_at),
                orders: a.orders,
                recent_orders: a.recent_orders,
                total_minor: a.total_minor,
                days: part.days.get(i as usize).cloned().unwrap_or_default(),
            })?;
        }
        seq.end()
    }
}

/// ```
/// use loyalty::analytics::{Orders, Settings, Summarizer};
/// use chrono::{TimeZone, Utc};
/// let settings = Settings::new(Utc.with_ymd_and_hms(2024, 7, 1, 0, 0, 0).unwrap(), chrono_tz::UTC);
/// // Two machines each summarize their part of the log...
/// let (mut east, mut west) = (Summarizer::new(settings.clone()), Summarizer::new(settings));
/// east.add(&Orders { member_id: &[1, 2], ordered_at: &[1_704_412_800, 1_709_251_200], amount_minor: &[1000, 400] }).unwrap();
/// west.add(&Orders { member_id: &[2], ordered_at: &[1_718_841_600], amount_minor: &[2500] }).unwrap();
/// // ...one sends its partial to the other, which merges it.
/// let sent = serde_json::to_string(&west).unwrap();
/// east.merge(serde_json::from_str(&sent).unwrap()).unwrap();
/// let s = east.finish().unwrap();
/// assert_eq!(s.iter().map(|m| (m.member_id, m.orders, m.total_minor)).collect::<Vec<_>>(), [(1, 1, 1000), (2, 2, 2900)]);
/// ```
impl Serialize for Summarizer {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Form {
            format: FORMAT,
            settings: self.settings.clone(),
            orders_added: self.added,
            earliest: self.earliest,
            members: Members(self),
        }
        .serialize(s)
    }
}

/// Reads a partial written by `Serialize`, checking every member: ids strictly increasing,
/// instants in range and before `as_of`, `first_at <= previous_at < last_at`, at least one
/// order, recent orders and distinct days no more than orders, spend not negative. The
/// summarizer read back runs on one thread.
impl<'de> Deserialize<'de> for Summarizer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Summarizer, D::Error> {
        let form: Form<Vec<Member>> = Form::deserialize(d)?;
        if form.format != FORMAT {
            return Err(D::Error::custom(format!(
                "format: {} is not a summarizer partial this version reads ({FORMAT})",
                form.format
            )));
        }
        if form.members.len() > MAX_MEMBERS {
            return Err(D::Error::custom(format!("members: {} is more than {MAX_MEMBERS}", form.members.len())));
        }
        let mut s = Summarizer::new(form.settings);
        let tz = s.settings.time_zone;
        let (as_of, distinct) = (s.as_of, s.settings.distinct_days);
        let mut orders: u64 = 0;
        for (i, m) in form.members.iter().enumerate() {
            let fail = |field: &str, value: &dyn std::fmt::Display, reason: &str| {
                D::Error::custom(format!("members[{i}].{field}: {value} {reason}"))
            };
            if i > 0 && m.member_id <= form.members[i - 1].member_id {
                return Err(fail("member_id", &m.member_id, "is not after the member before it"));
            }
            if !(0..MAX_AT).contains(&m.first_at) || m.first_at >= as_of {
                return Err(fail("first_at", &m.first_at, "is not an instant from 1970 to as_of"));
            }
            if m.last_at < m.first_at || m.last_at >= as_of {
                return Err(fail("last_at", &m.last_at, "is not from first_at to as_of"));
            }
            let (first_day, last_day) = (local_day(m.first_at, tz), local_day(m.last_at, tz));
            match m.previous_at {
                Some(p) if p < m.first_at || local_day(p, tz) >= last_day => {
                    return Err(fail("previous_at", &p, "is not from first_at to a day before last_at"));
                }
                None if first_day < last_day => {
                    return Err(fail("previous_at", &"null", "is missing: first_at and last_at are on different days"));
                }
                _ => {}
            }
            if m.orders == 0 || (m.previous_at.is_some() || m.first_at < m.last_at) && m.orders < 2 {
                return Err(fail("orders", &m.orders, "is fewer than the instants given"));
            }
            orders = orders
                .checked_add(m.orders)
                .ok_or_else(|| fail("orders", &m.orders, "overflows the members' total"))?;
            if m.recent_orders > m.orders {
                return Err(fail("recent_orders", &m.recent_orders, "is more than orders"));
            }
            // Each order is at most i64::MAX, and totals stay within a Decimal's 96 bits.
            let most = (i128::from(m.orders) * i128::from(i64::MAX)).min((1 << 96) - 1);
            if !(0..=most).contains(&m.total_minor) {
                return Err(fail("total_minor", &m.total_minor, "is not from 0 to what its orders can hold"));
            }
            let days_fit = if distinct {
                !m.days.is_empty() && m.days.iter().all(|&d| (first_day..=last_day).contains(&i64::from(d)))
            } else {
                m.days.is_empty()
            };
            if !days_fit || m.days.len() as u64 > m.orders {
                return Err(fail(
                    "days",
                    &m.days.len(),
                    "days do not fit the settings, the orders' days and their count",
                ));
            }
        }
        if orders > form.orders_added {
            return Err(D::Error::custom(format!(
                "orders_added: {} is fewer than the members' orders ({orders})",
                form.orders_added
            )));
        }
        if let Some(first_at) = form.members.iter().map(|m| m.first_at).min() {
            if !form.earliest.is_some_and(|(at, row)| at <= first_at && row < form.orders_added) {
                let shown = form.earliest.map_or("null".to_string(), |(at, row)| format!("[{at}, {row}]"));
                return Err(D::Error::custom(format!(
                    "earliest: {shown} is not an order before every member's first, within orders_added"
                )));
            }
        }
        if let (Some(first), Some(last)) = (form.members.first(), form.members.last()) {
            // The plan (and the size of its tables) from the members read, never from a count
            // the partial only claims.
            s.cover(first.member_id, last.member_id, form.members.len() as u64);
        }
        let plan: Plan = s.plan;
        for m in form.members {
            let acc = Acc {
                first_at: m.first_at,
                last_at: m.last_at,
                previous_at: m.previous_at.unwrap_or(i64::MIN),
                last_day: local_day(m.last_at, tz),
                total_minor: m.total_minor,
                orders: m.orders,
                recent_orders: m.recent_orders,
            };
            s.partitions[plan.partition(m.member_id)].push(plan, m.member_id, acc, distinct.then_some(m.days));
            s.members += 1;
        }
        s.added = form.orders_added;
        s.earliest = form.earliest;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::Orders;
    use chrono::TimeZone;

    fn settings(distinct_days: bool) -> Settings {
        let mut s =
            Settings::new(chrono::Utc.with_ymd_and_hms(2024, 7, 1, 0, 0, 0).unwrap(), chrono_tz::America::New_York);
        s.distinct_days = distinct_days;
        s
    }

    /// A log of `n` orders over `members` members, some late (after as_of).
    fn log(n: u64, members: u64, seed: u64) -> (Vec<u64>, Vec<i64>, Vec<i64>) {
        let mut x = seed | 1;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let ids = (0..n).map(|_| 1_000 + next() % members).collect();
        let at = (0..n).map(|_| 1_700_000_000 + (next() % 25_000_000) as i64).collect();
        let amount = (0..n).map(|_| (next() % 10_000) as i64).collect();
        (ids, at, amount)
    }

    #[test]
    fn partials_sent_as_json_merge_into_the_whole_log_s_summaries() {
        for distinct in [false, true] {
            let (ids, at, amount) = log(30_000, 4_000, 7);
            let whole = {
                let mut s = Summarizer::new(settings(distinct));
                s.add(&Orders { member_id: &ids, ordered_at: &at, amount_minor: &amount }).unwrap();
                s.finish().unwrap()
            };
            // Three machines, a third of the rows each; two send their partials to the first.
            let parts: Vec<Summarizer> = (0..3)
                .map(|k| {
                    let r = k * 10_000..(k + 1) * 10_000;
                    let mut s = Summarizer::new(settings(distinct));
                    s.add(&Orders { member_id: &ids[r.clone()], ordered_at: &at[r.clone()], amount_minor: &amount[r] })
                        .unwrap();
                    s
                })
                .collect();
            let mut parts = parts.into_iter();
            let mut first = parts.next().unwrap();
            for other in parts {
                let text = serde_json::to_string(&other).unwrap();
                let read: Summarizer = serde_json::from_str(&text).unwrap();
                // Reading and writing again gives the same text.
                assert_eq!(serde_json::to_string(&read).unwrap(), text);
                first.merge(read).unwrap();
            }
            assert_eq!(first.finish().unwrap(), whole, "distinct days: {distinct}");
        }
    }

    #[test]
    fn a_partial_holds_each_member_s_aggregate() {
        // Member 7: orders at 2024-01-05 15:00Z and 2024-06-20 15:00Z (10.00, 25.00), the
        // second in the 90 recent days; member 9 one order after as_of (not counted).
        let mut s = Summarizer::new(settings(false));
        s.add(&Orders {
            member_id: &[7, 7, 9],
            ordered_at: &[1_704_466_800, 1_718_895_600, 1_719_792_000],
            amount_minor: &[1000, 2500, 100],
        })
        .unwrap();
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["orders_added"], 3);
        assert_eq!(json["earliest"], serde_json::json!([1_704_466_800, 0]));
        assert_eq!(
            json["members"],
            serde_json::json!([{"member_id": 7, "first_at": 1_704_466_800, "last_at": 1_718_895_600,
                "previous_at": 1_704_466_800, "orders": 2, "recent_orders": 1, "total_minor": 3500}])
        );
    }

    #[test]
    fn a_partial_s_claims_do_not_size_its_tables() {
        // Two members 2^40 apart with a claimed trillion orders: a ranged plan sized by the
        // claim would allocate tables of 2^33 slots per partition; the members alone call
        // for hashing.
        let text = r#"{"format":1,"settings":{"as_of":"2024-07-01T00:00:00Z","time_zone":"UTC",
            "distinct_days":false,"recent_days":90},"orders_added":1099511627776,"earliest":[1704466800,0],
            "members":[{"member_id":0,"first_at":1704466800,"last_at":1704466800,"orders":1,"recent_orders":0,"total_minor":5},
            {"member_id":1099511627776,"first_at":1704466800,"last_at":1704466800,"orders":1,"recent_orders":0,"total_minor":6}]}"#;
        let s: Summarizer = serde_json::from_str(text).unwrap();
        assert_eq!(s.plan, Plan::Hashed);
        assert_eq!(s.finish().unwrap().iter().map(|m| m.total_minor).collect::<Vec<_>>(), [5, 6]);
    }

    #[test]
    fn distinct_days_must_fall_between_the_first_and_last_orders() {
        let mut s = Summarizer::new(settings(true));
        s.add(&Orders { member_id: &[1], ordered_at: &[1_704_466_800], amount_minor: &[5] }).unwrap();
        let good = serde_json::to_value(&s).unwrap();
        // 2024-01-05 15:00Z is 5 January in New York: day 19727.
        assert_eq!(good["members"][0]["days"], serde_json::json!([19727]));
        for (days, count) in [(serde_json::json!([19728]), 1), (serde_json::json!([]), 0)] {
            let mut bad = good.clone();
            bad["members"][0]["days"] = days;
            let err = serde_json::from_value::<Summarizer>(bad).map(|_| ()).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("members[0].days: {count} days do not fit the settings, the orders' days and their count")
            );
        }
    }

    #[test]
    fn the_fuzz_seed_is_a_valid_partial() {
        // fuzz/seeds/summarizer_partial.json, in New York with distinct days: member 7 ordered
        // on 5 January (10:00 EST) and 20 June (11:00 EDT), member 9 on 29 February 19:00 EST
        // (1 March UTC): its local day is 2024-02-29.
        let s: Summarizer =
            serde_json::from_str(include_str!("../../../../fuzz/seeds/summarizer_partial.json")).unwrap();
        let got: Vec<(u64, u64, u64)> = s.finish().unwrap().iter().map(|m| (m.member_id, m.orders, m.days)).collect();
        assert_eq!(got, [(7, 3, 2), (9, 1, 1)]);
    }

    #[test]
    fn damaged_partials_are_refused_with_the_member_and_field() {
        let mut s = Summarizer::new(settings(false));
        s.add(&Orders { member_id: &[1, 2], ordered_at: &[1_704_466_800, 1_704_466_900], amount_minor: &[5, 6] })
            .unwrap();
        let good = serde_json::to_value(&s).unwrap();
        let cases: [(&str, serde_json::Value, &str); 11] = [
            ("/members/1/member_id", 1.into(), "members[1].member_id: 1 is not after the member before it"),
            ("/members/0/orders", 0.into(), "members[0].orders: 0 is fewer than the instants given"),
            (
                "/members/0/total_minor",
                (-5).into(),
                "members[0].total_minor: -5 is not from 0 to what its orders can hold",
            ),
            // One order holds at most i64::MAX.
            (
                "/members/0/total_minor",
                serde_json::Value::from(9_223_372_036_854_775_808u64),
                "members[0].total_minor: 9223372036854775808 is not from 0 to what its orders can hold",
            ),
            (
                "/members/0/last_at",
                1_719_792_000.into(),
                "members[0].last_at: 1719792000 is not from first_at to as_of",
            ),
            // A day later than the first order, with no previous order on an earlier day.
            (
                "/members/0/last_at",
                1_704_553_300.into(),
                "members[0].previous_at: null is missing: first_at and last_at are on different days",
            ),
            ("/members/0/recent_orders", 2.into(), "members[0].recent_orders: 2 is more than orders"),
            ("/orders_added", 1.into(), "orders_added: 1 is fewer than the members' orders (2)"),
            (
                "/earliest",
                serde_json::Value::Null,
                "earliest: null is not an order before every member's first, within orders_added",
            ),
            (
                "/earliest/0",
                1_704_466_900.into(),
                "earliest: [1704466900, 0] is not an order before every member's first, within orders_added",
            ),
            ("/format", 2.into(), "format: 2 is not a summarizer partial this version reads (1)"),
        ];
        for (pointer, value, message) in cases {
            let mut bad = good.clone();
            *bad.pointer_mut(pointer).unwrap() = value;
            let err = serde_json::from_value::<Summarizer>(bad).map(|_| ()).unwrap_err();
            assert_eq!(err.to_string(), message);
        }
    }
}
