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
    /// first is `low`, below the second `mid`, from the second on `high`. `None` bands the
    /// members by rank, like the RFM scores: ranking them ascending by exact mean line amount
    /// and then member id, the member at rank r of n is in band ⌊3 (r − 1) / n⌋ (so the first
    /// third is `low`); the bounds then reported are the means of the first `mid` and the
    /// first `high` member rounded down to whole minor units (`i64::MAX` for a band nobody
    /// reaches), close to but not exactly the rank split when reused as fixed bounds.
    pub price_bands: Option<[i64; 2]>,
    /// Promotion sensitivity `high` from this percentage of orders with a discount.
    pub promotion_high_percent: u32,
    /// `medium` from this percentage; `low` below it.
    pub promotion_medium_percent: u32,
    /// Which category wins a tie for the top spend: the one ranked first here (indexed by
    /// category code; a host passes the rank of each code's label). Empty: the lowest code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category_rank: Vec<u32>,
}

impl PreferenceSettings {
    /// Checks that every band and tag can be reached.
    ///
    /// ```
    /// use loyalty::analytics::PreferenceSettings;
    /// let bad = PreferenceSettings { price_bands: Some([5000, 1000]), ..Default::default() };
    /// assert_eq!(bad.validate().unwrap_err().to_string(), "price_bands: [5000, 1000] must be two increasing amounts of at least 0");
    /// ```
    ///
    /// # Errors
    /// [`AnalyticsError::Invalid`] naming the setting and its value.
    pub fn validate(&self) -> Result<(), AnalyticsError> {
        let invalid = |field: &str, reason: String| Err(AnalyticsError::Invalid { field: field.to_string(), reason });
        if let Some([low, high]) = self.price_bands {
            if low < 0 || high < low {
                return invalid("price_bands", format!("[{low}, {high}] must be two increasing amounts of at least 0"));
            }
        }
        let (high, medium) = (self.promotion_high_percent, self.promotion_medium_percent);
        if high > 100 || medium > high {
            return invalid(
                "promotion_percent",
                format!("medium {medium} and high {high} must satisfy medium <= high <= 100"),
            );
        }
        Ok(())
    }
}

impl Default for PreferenceSettings {
    /// Price bands fitted to the data; promotion sensitivity high from 50%, medium from 20%.
    fn default() -> Self {
        PreferenceSettings {
            price_bands: None,
            promotion_high_percent: 50,
            promotion_medium_percent: 20,
            category_rank: Vec::new(),
        }
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

impl PriceBand {
    /// The band's name as it is written in JSON (`low`, `mid`, `high`).
    ///
    /// ```
    /// assert_eq!(loyalty::analytics::PriceBand::Mid.as_str(), "mid");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            PriceBand::Low => "low",
            PriceBand::Mid => "mid",
            PriceBand::High => "high",
        }
    }
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

impl Promotion {
    /// The sensitivity's name as it is written in JSON (`low`, `medium`, `high`).
    ///
    /// ```
    /// assert_eq!(loyalty::analytics::Promotion::Medium.as_str(), "medium");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Promotion::Low => "low",
            Promotion::Medium => "medium",
            Promotion::High => "high",
        }
    }
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
/// let (members, bands) = b.finish(&settings).unwrap();
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
    ///
    /// # Errors
    /// [`AnalyticsError::Invalid`] for settings that fail [`PreferenceSettings::validate`].
    pub fn finish(self, settings: &PreferenceSettings) -> Result<(Vec<Preference>, [i64; 2]), AnalyticsError> {
        settings.validate()?;
        let mut counts: FxMap<u64, (u32, u32)> = FxMap::default();
        for ((member, _), discounted) in &self.orders {
            let c = counts.entry(*member).or_default();
            c.0 += 1;
            c.1 += u32::from(*discounted);
        }
        let mut members: Vec<(u64, Acc)> = self.members.into_iter().collect();
        members.sort_unstable_by_key(|(member, _)| *member);
        let (bands, ranked) = match settings.price_bands {
            Some(bands) => (bands, None),
            None => {
                let (bands, ranked) = rank_bands(&members);
                (bands, Some(ranked))
            }
        };
        let rank = |code: u32| settings.category_rank.get(code as usize).copied().unwrap_or(code);
        let high = u64::from(settings.promotion_high_percent);
        let medium = u64::from(settings.promotion_medium_percent);
        let out = members
            .into_iter()
            .enumerate()
            .map(|(i, (member_id, acc))| {
                let (top_category, top_category_minor) = acc
                    .categories
                    .iter()
                    .copied()
                    .max_by(|a, b| a.1.cmp(&b.1).then(rank(b.0).cmp(&rank(a.0))).then(b.0.cmp(&a.0)))
                    .unwrap_or((0, 0));
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
                let price_band = match &ranked {
                    Some(ranked) => ranked[i],
                    None if below(bands[0]) => PriceBand::Low,
                    None if below(bands[1]) => PriceBand::Mid,
                    None => PriceBand::High,
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
        Ok((out, bands))
    }
}

/// Bands members by rank (indexed like `members`) as the RFM scores do: ranking ascending by
/// exact mean line amount and then member id, rank r (1-based) of n is band ⌊3 (r − 1) / n⌋.
/// Also the informative bounds: the means, rounded down, of the first member of the middle
/// and the top band (`i64::MAX` for a band nobody reaches); [0, 0] without members.
fn rank_bands(members: &[(u64, Acc)]) -> ([i64; 2], Vec<PriceBand>) {
    if members.is_empty() {
        return ([0, 0], Vec::new());
    }
    let mut order: Vec<usize> = (0..members.len()).collect();
    // Exact order by the rational mean (spend / lines), then member id.
    order.sort_unstable_by(|&a, &b| {
        let (x, y) = (&members[a], &members[b]);
        (i128::from(x.1.spend) * i128::from(y.1.lines.max(1)))
            .cmp(&(i128::from(y.1.spend) * i128::from(x.1.lines.max(1))))
            .then(x.0.cmp(&y.0))
    });
    let n = order.len();
    let mut bands = vec![PriceBand::Low; n];
    for (rank, &i) in order.iter().enumerate() {
        bands[i] = match 3 * rank / n {
            0 => PriceBand::Low,
            1 => PriceBand::Mid,
            _ => PriceBand::High,
        };
    }
    let mean = |i: usize| {
        let acc = &members[i].1;
        acc.spend.div_euclid(i64::try_from(acc.lines.max(1)).unwrap_or(i64::MAX))
    };
    let first_of = |band: usize| order.get((band * n).div_ceil(3)).map_or(i64::MAX, |&i| mean(i));
    ([first_of(1), first_of(2)], bands)
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
        let (members, bands) = b.finish(&PreferenceSettings::default()).unwrap();
        assert_eq!(bands, [300, 500]);
        let got: Vec<PriceBand> = members.iter().map(|m| m.price_band).collect();
        use PriceBand::*;
        assert_eq!(got, vec![Low, Low, Mid, Mid, High, High]);
        // One member: low, as the rank rule puts rank 1 of 1 in band 0.
        let mut one = PreferenceBuilder::default();
        lines(&mut one, &[(9, 1, 1, 700, 0)]).unwrap();
        let (members, bands) = one.finish(&PreferenceSettings::default()).unwrap();
        assert_eq!((bands, members[0].price_band), ([i64::MAX, i64::MAX], Low));
    }

    #[test]
    fn fitted_bands_follow_the_rank_even_between_whole_minor_units() {
        // Means 300.5, 300.75 and 1000: one member per band, though 300.5 is above the
        // rounded-down bound 300.
        let mut b = PreferenceBuilder::default();
        lines(&mut b, &[(1, 1, 1, 300, 0), (1, 1, 1, 301, 0), (2, 2, 1, 300, 0), (2, 2, 1, 301, 0)]).unwrap();
        lines(&mut b, &[(2, 2, 1, 301, 0), (2, 2, 1, 301, 0), (3, 3, 1, 1000, 0)]).unwrap();
        let (members, bands) = b.finish(&PreferenceSettings::default()).unwrap();
        assert_eq!(bands, [300, 1000]);
        let got: Vec<PriceBand> = members.iter().map(|m| m.price_band).collect();
        assert_eq!(got, vec![PriceBand::Low, PriceBand::Mid, PriceBand::High]);
        // Equal means split by member id, not all in the upper band.
        let mut b = PreferenceBuilder::default();
        lines(&mut b, &[(5, 1, 1, 700, 0), (6, 2, 1, 700, 0), (7, 3, 1, 700, 0)]).unwrap();
        let (members, _) = b.finish(&PreferenceSettings::default()).unwrap();
        let got: Vec<PriceBand> = members.iter().map(|m| m.price_band).collect();
        assert_eq!(got, vec![PriceBand::Low, PriceBand::Mid, PriceBand::High]);
    }

    #[test]
    fn a_category_rank_breaks_ties_and_bad_settings_are_refused() {
        let mut b = PreferenceBuilder::default();
        lines(&mut b, &[(1, 1, 4, 500, 0), (1, 1, 2, 500, 0)]).unwrap();
        let mut settings = PreferenceSettings::default();
        assert_eq!(b.clone().finish(&settings).unwrap().0[0].top_category, 2);
        // Rank by label: code 4 ranks 0, code 2 ranks 1.
        settings.category_rank = vec![9, 9, 1, 9, 0];
        assert_eq!(b.clone().finish(&settings).unwrap().0[0].top_category, 4);
        let bad = PreferenceSettings { promotion_high_percent: 10, promotion_medium_percent: 20, ..Default::default() };
        assert_eq!(
            b.finish(&bad).unwrap_err().to_string(),
            "promotion_percent: medium 20 and high 10 must satisfy medium <= high <= 100"
        );
    }

    #[test]
    fn ties_take_the_lowest_category_and_shares_are_exact() {
        let mut b = PreferenceBuilder::default();
        // Five orders, one discounted (exactly 20%): medium. Categories 9 and 2 tie at 5.00.
        lines(&mut b, &[(1, 1, 9, 500, 0), (1, 2, 2, 300, 50), (1, 3, 2, 200, 0), (1, 4, 5, 10, 0), (1, 5, 5, 10, 0)])
            .unwrap();
        let (members, _) = b.finish(&PreferenceSettings::default()).unwrap();
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
        let (a, bands_a) = whole.finish(&settings).unwrap();
        let (b, bands_b) = left.finish(&settings).unwrap();
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
        let (members, _) = b.finish(&PreferenceSettings::default()).unwrap();
        assert_eq!((members.len(), members[0].lines, members[0].orders), (1, 1, 1));
    }

    #[test]
    fn no_lines_no_members() {
        let (members, bands) = PreferenceBuilder::default().finish(&PreferenceSettings::default()).unwrap();
        assert!(members.is_empty());
        assert_eq!(bands, [0, 0]);
    }
}
