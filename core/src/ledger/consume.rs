//! Drawing points from lots in the spend order.

use super::{Ledger, LotId};
use crate::effect::Draw;
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
        let clock = self.clock;
        let mut order: Vec<LotId> = self
            .live
            .iter()
            .copied()
            .filter(|id| Some(*id) != except)
            .filter(|id| self.lot(*id).is_some_and(|l| l.available(clock).is_positive()))
            .collect();
        order.sort_by_key(|id| self.lot(*id).map(|l| l.spend_key()));
        let mut left = points;
        let mut draws = Vec::new();
        for id in order {
            if !left.is_positive() {
                break;
            }
            let Some(lot) = self.lots.get_mut(id.0 as usize) else {
                continue;
            };
            let n = left.min(lot.remaining);
            lot.remaining -= n;
            left -= n;
            draws.push(Draw { lot: id, points: n });
        }
        self.prune();
        draws
    }
}
