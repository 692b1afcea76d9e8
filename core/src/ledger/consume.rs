//! Drawing points from lots in the spend order.

use super::{Ledger, LotId};
use crate::draw::Draw;
use crate::points::Points;

impl Ledger {
    /// Draws up to `points` from the available lots at the clock, in spend order: soonest
    /// expiry first (never-expiring last), then the oldest, then the lowest id. A lot drawn
    /// partly keeps the rest. Returns the draws; their sum is less than `points` only when the
    /// available balance is.
    pub fn draw(&mut self, points: Points) -> Vec<Draw> {
        self.draw_except(points, None)
    }

    /// Like [`Ledger::draw`], leaving one lot out.
    pub fn draw_except(&mut self, points: Points, except: Option<LotId>) -> Vec<Draw> {
        let draws = self.plan_draw(points, except);
        self.take(&draws);
        draws
    }

    /// The draws [`Ledger::draw_except`] would make, without making them: up to `points`
    /// from the available lots at the clock in spend order, leaving `except` out.
    pub fn plan_draw(&self, points: Points, except: Option<LotId>) -> Vec<Draw> {
        let clock = self.clock;
        let mut order: Vec<&super::Lot> = self
            .live
            .iter()
            .filter(|id| Some(**id) != except)
            .filter_map(|id| self.lot(*id))
            .filter(|l| l.available(clock).is_positive())
            .collect();
        order.sort_by_key(|l| l.spend_key());
        let mut left = points;
        let mut draws = Vec::new();
        for lot in order {
            if !left.is_positive() {
                break;
            }
            let n = left.min(lot.remaining);
            left -= n;
            draws.push(Draw { lot: lot.id, points: n });
        }
        draws
    }

    /// Takes planned draws from their lots (each at most what the lot holds).
    pub fn take(&mut self, draws: &[Draw]) {
        for d in draws {
            if let Some(lot) = self.lot_mut(d.lot) {
                lot.remaining -= d.points.min(lot.remaining);
            }
        }
        self.prune();
    }
}
