//! Replaying an order log through a program, one account per member, and summarising it.

use crate::orders::OrderRow;
use chrono::{DateTime, Duration, Utc};
use loyalty::{Account, AccountError, Event, EventKind, Points, Program, Totals};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// What the replay found.
#[derive(Debug)]
pub struct Report {
    pub members: usize,
    pub orders: usize,
    pub totals: Totals,
    pub available: Points,
    pub pending: Points,
    pub debt: Points,
    pub liability: Decimal,
    pub expiring_30_days: Points,
    pub expiring_90_days: Points,
    /// (member, available, pending), largest available plus pending first, then member id.
    pub top: Vec<(String, Points, Points)>,
    /// Members per tier, in ladder order (empty for a program without tiers).
    pub tiers: Vec<(String, usize)>,
}

/// How the replay simulates members spending points (order logs rarely record it).
#[derive(Clone, Debug)]
pub struct Spending {
    /// After each order, a member holding at least this many usable points redeems this reward.
    pub reward_id: String,
    pub points: Points,
}

/// A replay failure: which row, and why.
#[derive(Debug, thiserror::Error)]
#[error("line {line} (member {member_id:?}): {source}")]
pub struct ReplayError {
    pub line: usize,
    pub member_id: String,
    #[source]
    pub source: AccountError,
}

/// Replays `rows` through `program`, then advances every account to `as_of`.
pub fn replay(
    program: &Program,
    rows: &[OrderRow],
    spending: Option<&Spending>,
    as_of: DateTime<Utc>,
) -> Result<Report, ReplayError> {
    let mut by_member: BTreeMap<&str, Vec<&OrderRow>> = BTreeMap::new();
    for row in rows {
        by_member.entry(row.member_id.as_str()).or_default().push(row);
    }
    let mut totals = Totals::default();
    let mut report = Report {
        members: by_member.len(),
        orders: rows.len(),
        totals: Totals::default(),
        available: Points::ZERO,
        pending: Points::ZERO,
        debt: Points::ZERO,
        liability: Decimal::ZERO,
        expiring_30_days: Points::ZERO,
        expiring_90_days: Points::ZERO,
        top: Vec::new(),
        tiers: program
            .config()
            .tiers
            .as_ref()
            .map_or_else(Vec::new, |t| t.levels.iter().map(|l| (l.name.clone(), 0)).collect()),
    };
    let fail = |row: &OrderRow, source| ReplayError { line: row.line, member_id: row.member_id.clone(), source };
    for (member_id, mut orders) in by_member {
        orders.sort_by_key(|r| (r.occurred_at, r.line));
        let mut account = Account::new(member_id);
        for row in orders {
            let kind = EventKind::OrderPlaced {
                order_id: row.order_id.clone(),
                amount: row.amount,
                channel: None,
                lines: vec![],
                stored_value: None,
                coupons: vec![],
                reservation_key: None,
            };
            let outcome = account
                .apply(program, &Event::new(format!("order-{}", row.line), row.occurred_at, kind))
                .map_err(|e| fail(row, e))?;
            outcome.effects.iter().for_each(|e| totals.record(e));
            if let Some(s) = spending {
                let usable = account.balances(program, row.occurred_at).map_err(|e| fail(row, e))?.available;
                if usable >= s.points {
                    let kind = EventKind::RewardRedeemed { reward_id: s.reward_id.clone(), points: s.points.get() };
                    let outcome = account
                        .apply(program, &Event::new(format!("redeem-{}", row.line), row.occurred_at, kind))
                        .map_err(|e| fail(row, e))?;
                    outcome.effects.iter().for_each(|e| totals.record(e));
                }
            }
        }
        let at_end = |source| ReplayError { line: 0, member_id: member_id.to_string(), source };
        account.advance_to(program, as_of).map_err(at_end)?.iter().for_each(|e| totals.record(e));
        let b = account.balances(program, as_of).map_err(at_end)?;
        report.available += b.available;
        report.pending += b.pending;
        report.debt += b.debt;
        let soon = |days: i64| -> Points {
            account
                .expiring(program, as_of, as_of + Duration::days(days))
                .map(|list| list.iter().map(|e| e.points).sum())
                .unwrap_or(Points::ZERO)
        };
        report.expiring_30_days += soon(30);
        report.expiring_90_days += soon(90);
        report.top.push((member_id.to_string(), b.available, b.pending));
        if let Ok(Some(progress)) = account.tier_progress(program, as_of) {
            if let Some(slot) = report.tiers.iter_mut().find(|(name, _)| *name == progress.tier) {
                slot.1 += 1;
            }
        }
    }
    report.top.sort_by(|a, b| (b.1 + b.2).cmp(&(a.1 + a.2)).then_with(|| a.0.cmp(&b.0)));
    report.top.truncate(10);
    report.totals = totals;
    report.liability = program.config().redemption.value_of(report.available + report.pending);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::{parse, Format};

    fn program() -> Program {
        Program::from_json(
            r#"{"name": "T", "version": 1, "currency": "USD", "time_zone": "UTC",
                "earning": {"rules": [{"name": "base", "points_per_unit": "10"}]},
                "pending_days": 14,
                "expiry": {"kind": "rolling_days", "days": 30},
                "redemption": {"point_value": "0.01", "rewards": [{"id": "card", "points": 100}]}}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_small_log_worked_by_hand() {
        // m1: 2024-01-01 12.34 -> 123 points, usable 01-15, valid through 02-14 (01-15 + 30
        //     days), expired from 02-15. Redeems 100 at its second order on 01-20 (the 123
        //     are usable then; the new 50 are pending): 23 left, which expire 02-15.
        //     Second order 5.00 -> 50, usable 02-03, expiring 03-05 00:00.
        // m2: 2024-02-20 1.00 -> 10 pending until 03-05, expiring 04-04 00:00.
        // As of 2024-03-01: m1 holds 50 usable; m2 10 pending.
        let log = "member_id,date,amount\nm1,2024-01-01,12.34\nm1,2024-01-20,5.00\nm2,2024-02-20,1.00\n";
        let rows = parse(log, Format::Csv, chrono_tz::UTC).unwrap();
        let spend = Spending { reward_id: "card".into(), points: Points::new(100) };
        let as_of = DateTime::parse_from_rfc3339("2024-03-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let r = replay(&program(), &rows, Some(&spend), as_of).unwrap();
        assert_eq!((r.members, r.orders), (2, 3));
        assert_eq!((r.totals.earned.get(), r.totals.redeemed.get(), r.totals.expired.get()), (183, 100, 23));
        assert_eq!((r.available.get(), r.pending.get()), (50, 10));
        assert_eq!(r.liability, Decimal::new(60, 2));
        // Within 30 days of 03-01 (to 03-31): m1's 50 expiring 03-05. m2's pending 10 do
        // not count: they are not usable yet.
        assert_eq!((r.expiring_30_days.get(), r.expiring_90_days.get()), (50, 50));
        assert_eq!(r.top[0], ("m1".to_string(), Points::new(50), Points::ZERO));
    }
}
