//! Preference tags from order lines: each member's top category by spend, price band (by the
//! mean amount of their lines) and promotion sensitivity (the share of their orders with a
//! discount or coupon).
//!
//! Lines stream in batches and builders of different partitions merge, like the order
//! [`Summarizer`](super::Summarizer). Categories are integer codes the host assigns (a frame's
//! category labels, say); money is integer minor units, compared exactly.

use super::{AnalyticsError, FxBuild};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

type FxMap<K, V> = HashMap<K, V, FxBuild>;

/// One batch of order lines as borrowed columns of equal length.
#[derive(Clone, Copy, Debug)]
pub struct Lines<'a> {
    /// The member who placed the order.
    pub member_id: &'a [u64],
    /// The order the line belongs to (an order's lines may come in different batches).
    pub order_id: &'a [u64],
    /// The line's category code.
    pub category: &'a [u32],
    /// What the line cost the member after discounts, in minor units.
    pub amount_minor: &'a [i64],
    /// The discount or coupon value on the line, in minor units (0 for none).
    pub discount_minor: &'a [i64],
}

/// How members are tagged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreferenceSettings {
    /// Bounds of the price bands on a member's mean line amount, in minor units: below the
    /// first is `low`, below the second `mid`, from the second on `high`. `None` fits them to
    /// the data by rank, like the RFM scores: ranking members ascending by mean line amount
    /// and then member id, the first third is `low`, the second `mid`, the rest `high` (the
    /// bounds are the means of the first `mid` and the first `high` member, rounded down to
    /// whole minor units).
    pub price_bands: Option<[i64; 2]>,
    /// Promotion sensitivity `high` from this percentage of orders with a discount.
    pub promotion_high_percent: u32,
    /// `medium` from this percentage; `low` below it.
    pub promotion_medium_percent: u32,
}

impl Default for PreferenceSettings {
    /// Price bands fitted to the data; promotion sensitivity high from 50%, medium from 20%.
    fn default() -> Self {
        PreferenceSettings { price_bands: None, promotion_high_percent: 50, promotion_medium_percent: 20 }
    }
}

/// A member's price band.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceBand {
    /// Mean line amount below the first bound.
    Low,
    /// Between the bounds.
    Mid,
    /// At or above the second bound.
    High,
}

/// A member's promotion sensitivity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Promotion {
    /// Below the medium share.
    Low,
    /// From the medium share.
    Medium,
    /// From the high share.
    High,
}

/// One member's preferences.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preference {
    /// The member.
    pub member_id: u64,
    /// The category with the most spend (the lowest code among equals).
    pub top_category: u32,
    /// Spend in that category, minor units.
    pub top_category_minor: i64,
    /// All spend, minor units.
    pub spend_minor: i64,
    /// Lines bought.
    pub lines: u64,
    /// The mean line amount's band.
    pub price_band: PriceBand,
    /// Distinct orders.
    pub orders: u32,
    /// Orders with at least one discounted line.
    pub discounted_orders: u32,
    /// The promotion-sensitivity tag.
    pub promotion: Promotion,
}

/// Per-member partial sums.
#[derive(Clone, Debug, Default)]
struct Acc {
    /// Spend per category: a short list, most members buy in few categories.
    categories: Vec<(u32, i64)>,
    spend: i64,
    lines: u64,
}

/// Builds preferences from batches of lines; builders of different partitions merge.
///
/// ```
/// use loyalty::analytics::{Lines, PreferenceBuilder, PreferenceSettings, PriceBand, Promotion};
/// let mut b = PreferenceBuilder::default();
/// b.add(&Lines {
///     member_id: &[1, 1, 1, 2],
///     order_id: &[10, 10, 11, 20],
///     category: &[3, 4, 3, 4],
///     amount_minor: &[1500, 900, 500, 8000],
///     discount_minor: &[0, 100, 0, 0],
/// }).unwrap();
/// let settings = PreferenceSettings { price_bands: Some([1000, 5000]), ..Default::default() };
/// let (members, bands) = b.finish(&settings);
/// assert_eq!(bands, [1000, 5000]);
/// // Member 1: category 3 has 20.00 of 29.00, mean line 9.66, one order of two discounted.
/// assert_eq!((members[0].top_category, members[0].top_category_minor), (3, 2000));
/// assert_eq!(members[0].price_band, PriceBand::Low);
/// assert_eq!((members[0].orders, members[0].discounted_orders, members[0].promotion), (2, 1, Promotion::High));
/// assert_eq!(members[1].price_band, PriceBand::High);
/// ```
#[derive(Clone, Debug, Default)]
pub struct PreferenceBuilder {
    members: FxMap<u64, Acc>,
    /// Per (member, order): whether any of its lines had a discount.
    orders: FxMap<(u64, u64), bool>,
}

impl PreferenceBuilder {
    /// Folds in one batch. A bad batch is refused whole and changes nothing.
    ///
    /// # Errors
    /// [`AnalyticsError::LengthMismatch`] for columns of different lengths,
    /// [`AnalyticsError::NegativeValue`] for a negative amount or discount.
    pub fn add(&mut self, lines: &Lines<'_>) -> Result<(), AnalyticsError> {
        let n = lines.member_id.len();
        for (column, len) in [
            ("order_id", lines.order_id.len()),
            ("category", lines.category.len()),
            ("amount_minor", lines.amount_minor.len()),
            ("discount_minor", lines.discount_minor.len()),
        ] {
            if len != n {
                return Err(AnalyticsError::LengthMismatch { column, len, expected: n });
            }
        }
        for (column, values) in [("amount_minor", lines.amount_minor), ("discount_minor", lines.discount_minor)] {
            if let Some(row) = values.iter().position(|v| *v < 0) {
                return Err(AnalyticsError::NegativeValue { column, row, value: values[row] });
            }
        }
        for row in 0..n {
            let (member, amount) = (lines.member_id[row], lines.amount_minor[row]);
            let acc = self.members.entry(member).or_default();
            acc.spend = acc.spend.saturating_add(amount);
            acc.lines += 1;
            match acc.categories.iter_mut().find(|(c, _)| *c == lines.category[row]) {
                Some((_, spend)) => *spend = spend.saturating_add(amount),
                None => acc.categories.push((lines.category[row], amount)),
            }
            *self.orders.entry((member, lines.order_id[row])).or_default() |= lines.discount_minor[row] > 0;
        }
        Ok(())
    }

    /// Adds another builder's lines (another partition of the same log).
    pub fn merge(&mut self, other: PreferenceBuilder) {
        for (member, acc) in other.members {
            let mine = self.members.entry(member).or_default();
            mine.spend = mine.spend.saturating_add(acc.spend);
            mine.lines += acc.lines;
            for (category, spend) in acc.categories {
                match mine.categories.iter_mut().find(|(c, _)| *c == category) {
                    Some((_, s)) => *s = s.saturating_add(spend),
                    None => mine.categories.push((category, spend)),
                }
            }
        }
        for (key, discounted) in other.orders {
            *self.orders.entry(key).or_default() |= discounted;
        }
    }

    /// The members' preferences in member-id order, and the price-band bounds used.
    pub fn finish(self, settings: &PreferenceSettings) -> (Vec<Preference>, [i64; 2]) {
        let mut counts: FxMap<u64, (u32, u32)> = FxMap::default();
        for ((member, _), discounted) in &self.orders {
            let c = counts.entry(*member).or_default();
            c.0 += 1;
            c.1 += u32::from(*discounted);
        }
        let mut members: Vec<(u64, Acc)> = self.members.into_iter().collect();
        members.sort_unstable_by_key(|(member, _)| *member);
        let bands = settings.price_bands.unwrap_or_else(|| fit_bands(&members));
        let high = u64::from(settings.promotion_high_percent);
        let medium = u64::from(settings.promotion_medium_percent);
        let out = members
            .into_iter()
            .map(|(member_id, acc)| {
                let (top_category, top_category_minor) =
                    acc.categories.iter().copied().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).unwrap_or((0, 0));
                let (orders, discounted_orders) = counts.get(&member_id).copied().unwrap_or_default();
                // Shares compared exactly: discounted / orders >= percent / 100.
                let share = u64::from(discounted_orders) * 100;
                let promotion = if share >= high * u64::from(orders) {
                    Promotion::High
                } else if share >= medium * u64::from(orders) {
                    Promotion::Medium
                } else {
                    Promotion::Low
                };
                let below = |bound: i64| i128::from(acc.spend) < i128::from(bound) * i128::from(acc.lines);
                let price_band = if below(bands[0]) {
                    PriceBand::Low
                } else if below(bands[1]) {
                    PriceBand::Mid
                } else {
                    PriceBand::High
                };
                Preference {
                    member_id,
                    top_category,
                    top_category_minor,
                    spend_minor: acc.spend,
                    lines: acc.lines,
                    price_band,
                    orders,
                    discounted_orders,
                    promotion,
                }
            })
            .collect();
        (out, bands)
    }
}

/// Bounds that band members as the RFM scores do, by rank: ranking ascending by mean line
/// amount and then member id, the member at rank r (1-based) of n is in band
/// ⌊3 (r − 1) / n⌋. The bounds are the means (rounded down to whole minor units) of the first
/// members of the middle and the top band, ranks ⌈n/3⌉ + 1 and ⌈2n/3⌉ + 1; a band nobody
/// reaches gets `i64::MAX`. [0, 0] without members.
fn fit_bands(members: &[(u64, Acc)]) -> [i64; 2] {
    if members.is_empty() {
        return [0, 0];
    }
    let mut means: Vec<(i64, u64, usize)> = members
        .iter()
        .enumerate()
        .map(|(i, (member, acc))| {
            (acc.spend.div_euclid(i64::try_from(acc.lines.max(1)).unwrap_or(i64::MAX)), *member, i)
        })
        .collect();
    // Exact order by the rational mean, then member id.
    means.sort_unstable_by(|a, b| {
        let (x, y) = (&members[a.2].1, &members[b.2].1);
        (i128::from(x.spend) * i128::from(y.lines))
            .cmp(&(i128::from(y.spend) * i128::from(x.lines)))
            .then(a.1.cmp(&b.1))
    });
    let n = means.len();
    let first_of = |band: usize| means.get((band * n).div_ceil(3)).map_or(i64::MAX, |m| m.0);
    [first_of(1), first_of(2)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(b: &mut PreferenceBuilder, rows: &[(u64, u64, u32, i64, i64)]) -> Result<(), AnalyticsError> {
        let m: Vec<u64> = rows.iter().map(|r| r.0).collect();
        let o: Vec<u64> = rows.iter().map(|r| r.1).collect();
        let c: Vec<u32> = rows.iter().map(|r| r.2).collect();
        let a: Vec<i64> = rows.iter().map(|r| r.3).collect();
        let d: Vec<i64> = rows.iter().map(|r| r.4).collect();
        b.add(&Lines { member_id: &m, order_id: &o, category: &c, amount_minor: &a, discount_minor: &d })
    }

    #[test]
    fn fitted_bands_split_members_in_thirds() {
        // Six members with mean lines 1.00 .. 6.00: two per band, bounds at the 3rd and 5th.
        let mut b = PreferenceBuilder::default();
        let rows: Vec<(u64, u64, u32, i64, i64)> = (1..=6).map(|m| (m, m, 1, 100 * m as i64, 0)).collect();
        lines(&mut b, &rows).unwrap();
        let (members, bands) = b.finish(&PreferenceSettings::default());
        assert_eq!(bands, [300, 500]);
        let got: Vec<PriceBand> = members.iter().map(|m| m.price_band).collect();
        use PriceBand::*;
        assert_eq!(got, vec![Low, Low, Mid, Mid, High, High]);
        // One member: low, as the rank rule puts rank 1 of 1 in band 0.
        let mut one = PreferenceBuilder::default();
        lines(&mut one, &[(9, 1, 1, 700, 0)]).unwrap();
        let (members, bands) = one.finish(&PreferenceSettings::default());
        assert_eq!((bands, members[0].price_band), ([i64::MAX, i64::MAX], Low));
    }

    #[test]
    fn ties_take_the_lowest_category_and_shares_are_exact() {
        let mut b = PreferenceBuilder::default();
        // Five orders, one discounted (exactly 20%): medium. Categories 9 and 2 tie at 5.00.
        lines(&mut b, &[(1, 1, 9, 500, 0), (1, 2, 2, 300, 50), (1, 3, 2, 200, 0), (1, 4, 5, 10, 0), (1, 5, 5, 10, 0)])
            .unwrap();
        let (members, _) = b.finish(&PreferenceSettings::default());
        let m = &members[0];
        assert_eq!((m.top_category, m.top_category_minor, m.spend_minor, m.lines), (2, 500, 1020, 5));
        assert_eq!((m.orders, m.discounted_orders, m.promotion), (5, 1, Promotion::Medium));
    }

    #[test]
    fn an_order_split_over_batches_and_partitions_counts_once() {
        let rows = [(1, 7, 1, 1000, 0), (1, 7, 2, 400, 100), (1, 8, 1, 600, 0), (2, 9, 3, 50, 0)];
        let mut whole = PreferenceBuilder::default();
        lines(&mut whole, &rows).unwrap();
        let (mut left, mut right) = (PreferenceBuilder::default(), PreferenceBuilder::default());
        lines(&mut left, &rows[..1]).unwrap();
        lines(&mut right, &rows[1..]).unwrap();
        left.merge(right);
        let settings = PreferenceSettings::default();
        let (a, bands_a) = whole.finish(&settings);
        let (b, bands_b) = left.finish(&settings);
        assert_eq!(a, b);
        assert_eq!(bands_a, bands_b);
        assert_eq!((a[0].orders, a[0].discounted_orders, a[0].promotion), (2, 1, Promotion::High));
    }

    #[test]
    fn bad_batches_name_the_column_and_row_and_change_nothing() {
        let mut b = PreferenceBuilder::default();
        lines(&mut b, &[(1, 1, 1, 100, 0)]).unwrap();
        let err = lines(&mut b, &[(1, 2, 1, 100, 0), (1, 3, 1, 100, -5)]).unwrap_err();
        assert_eq!(err.to_string(), "discount_minor[1]: -5 must not be negative");
        let err = b
            .add(&Lines { member_id: &[1], order_id: &[], category: &[1], amount_minor: &[1], discount_minor: &[0] })
            .unwrap_err();
        assert_eq!(err.to_string(), "order_id: 0 rows, but member_id has 1");
        let (members, _) = b.finish(&PreferenceSettings::default());
        assert_eq!((members.len(), members[0].lines, members[0].orders), (1, 1, 1));
    }

    #[test]
    fn no_lines_no_members() {
        let (members, bands) = PreferenceBuilder::default().finish(&PreferenceSettings::default());
        assert!(members.is_empty());
        assert_eq!(bands, [0, 0]);
    }
}
