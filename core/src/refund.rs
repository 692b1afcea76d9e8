//! Refunds: how many points a refund claws back, and from where. `decide` asks [`due`],
//! `evolve` carries out the [`Clawback`] that [`plan`] returns; the tier's side of a refund
//! (its metrics, and under `refunds: immediately` a level) is the tier's (`tier.rs`).

use crate::account::{AccountError, OrderRecord};
use crate::draw::{Draw, LotId};
use crate::ledger::Ledger;
use crate::money::Rounding;
use crate::points::Points;
use crate::program::Shortfall;
use rust_decimal::Decimal;

/// What a refund owes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Due {
    /// Points to claw back now.
    pub due: Points,
    /// The order's clawed total after this refund.
    pub target: Points,
}

/// The points a refund of `amount` claws back from `order`, computed from the points the
/// order was *originally awarded*, cumulatively: after refunds totalling `r` of an order of
/// amount `a` that earned `p`, the total clawed is `floor(p * r / a)`, and a full refund claws
/// exactly `p`. Rounding down is in the member's favour; the cumulative form means two half
/// refunds of 15 points claw 7 then 8.
///
/// # Errors
/// [`AccountError::RefundExceedsOrder`] when the refunds would add up to more than the order.
pub(crate) fn due(order_id: &str, order: &OrderRecord, amount: Decimal) -> Result<Due, AccountError> {
    // Both are at most 10^12 (a snapshot's are checked on load): the sum cannot overflow, and
    // saturating keeps that true for any order record.
    let refunded = order.refunded.saturating_add(amount);
    if refunded > order.amount {
        return Err(AccountError::RefundExceedsOrder {
            order_id: order_id.to_string(),
            amount,
            refunded: order.refunded,
            order_amount: order.amount,
        });
    }
    let target = if refunded == order.amount {
        order.points
    } else {
        // points <= 10^12 and refunded <= 10^12: the product fits a Decimal.
        let raw = Decimal::from(order.points.get())
            .checked_mul(refunded)
            .and_then(|p| p.checked_div(order.amount))
            .unwrap_or(Decimal::from(order.points.get()));
        Rounding::Floor.to_points(raw).unwrap_or(order.points).min(order.points)
    };
    Ok(Due { due: (target - order.clawed).max(Points::ZERO), target })
}

/// Where a clawback's points come from, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Clawback {
    /// The order's own lot, if it earned one.
    pub lot: Option<LotId>,
    /// Its points cancelled while still pending (inside the return window): not a clawback.
    pub cancelled: Points,
    /// Its usable points taken back.
    pub own: Points,
    /// What of its points already expired, forgiven: they are gone, and taking them again
    /// from newer lots would punish the member twice.
    pub forgiven: Points,
    /// Other lots, in spend order.
    pub others: Vec<Draw>,
    /// The rest, owed (`clawback_shortfall: debt`, the default) ...
    pub debt: Points,
    /// ... or waived (`within_balance`).
    pub waived: Points,
}

/// Plans clawing back `due` points of an order whose lot is `lot` (of which
/// `already_forgiven` points were forgiven before): the order's own lot first (cancelling
/// pending points if it is still in its return window), then forgiving what of the order's own
/// points already expired, then other lots in spend order, then the shortfall policy.
pub(crate) fn plan(
    ledger: &Ledger,
    lot: Option<LotId>,
    already_forgiven: Points,
    mut due: Points,
    shortfall: Shortfall,
) -> Clawback {
    let mut c = Clawback { lot, ..Clawback::default() };
    if !due.is_positive() {
        return c;
    }
    if let Some(lot) = lot {
        c.cancelled = due.min(ledger.pending_in(lot));
        due -= c.cancelled;
        // A lot still pending has nothing usable to take.
        c.own = due.min(ledger.available_in(lot));
        due -= c.own;
        c.forgiven = due.min((ledger.expired_in(lot) - already_forgiven).max(Points::ZERO));
        due -= c.forgiven;
    }
    c.others = ledger.plan_draw(due, lot);
    due -= crate::ledger::total(&c.others);
    if due.is_positive() {
        match shortfall {
            Shortfall::Debt => c.debt = due,
            Shortfall::WithinBalance => c.waived = due,
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(amount: &str, points: i64) -> OrderRecord {
        OrderRecord {
            at: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
            amount: amount.parse().unwrap_or_default(),
            points: Points::new(points),
            lot: None,
            refunded: Decimal::ZERO,
            clawed: Points::ZERO,
            forgiven: Points::ZERO,
            seq: 0,
            coupons: vec![],
            returned: Default::default(),
            cancelled: false,
        }
    }

    #[test]
    fn two_half_refunds_claw_seven_then_eight_of_fifteen() {
        let mut o = order("30.00", 15);
        let first = due("o", &o, Decimal::new(1500, 2)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((first.due.get(), first.target.get()), (7, 7));
        o.refunded = Decimal::new(1500, 2);
        o.clawed = first.target;
        let second = due("o", &o, Decimal::new(1500, 2)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((second.due.get(), second.target.get()), (8, 15));
        o.refunded = Decimal::new(3000, 2);
        assert!(matches!(due("o", &o, Decimal::new(1, 2)), Err(AccountError::RefundExceedsOrder { .. })));
    }

    #[test]
    fn with_no_lots_the_whole_due_is_the_shortfall_policy() {
        let ledger = Ledger::new(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH);
        let debt = plan(&ledger, None, Points::ZERO, Points::new(40), Shortfall::Debt);
        assert_eq!((debt.debt.get(), debt.waived.get(), debt.others.len()), (40, 0, 0));
        let waived = plan(&ledger, None, Points::ZERO, Points::new(40), Shortfall::WithinBalance);
        assert_eq!((waived.debt.get(), waived.waived.get()), (0, 40));
        assert_eq!(plan(&ledger, None, Points::ZERO, Points::ZERO, Shortfall::Debt), Clawback::default());
    }
}
