//! How a batch's rows are checked and split by partition before folding: its bounds, the
//! compact row forms (24, 16, 12 and 8 bytes) and folding a partition's rows.

use super::*;

/// What `add` checks and plans by: the earliest instant and its first row, the latest, the
/// least and largest amounts, the lowest and highest member ids.
#[derive(Clone, Copy)]
pub(super) struct Bounds {
    pub(super) first: i64,
    pub(super) first_row: usize,
    pub(super) last: i64,
    pub(super) least: i64,
    pub(super) largest: i64,
    pub(super) low: u64,
    pub(super) high: u64,
}

impl Bounds {
    pub(super) const EMPTY: Bounds =
        Bounds { first: i64::MAX, first_row: 0, last: i64::MIN, least: i64::MAX, largest: 0, low: u64::MAX, high: 0 };

    pub(super) fn of(batch: &Orders<'_>, range: std::ops::Range<usize>) -> Bounds {
        let mut b = Bounds { first_row: range.start, ..Bounds::EMPTY };
        let rows = batch.ordered_at[range.clone()].iter().zip(&batch.amount_minor[range.clone()]);
        for ((row, (&at, &amount)), &member) in range.clone().zip(rows).zip(&batch.member_id[range]) {
            if at < b.first {
                (b.first, b.first_row) = (at, row);
            }
            b.last = b.last.max(at);
            b.least = b.least.min(amount);
            b.largest = b.largest.max(amount);
            b.low = b.low.min(member);
            b.high = b.high.max(member);
        }
        b
    }

    /// The bounds of two ranges, `self`'s rows before `other`'s.
    pub(super) fn and(self, other: Bounds) -> Bounds {
        let (first, first_row) =
            if other.first < self.first { (other.first, other.first_row) } else { (self.first, self.first_row) };
        Bounds {
            first,
            first_row,
            last: self.last.max(other.last),
            least: self.least.min(other.least),
            largest: self.largest.max(other.largest),
            low: self.low.min(other.low),
            high: self.high.max(other.high),
        }
    }
}

/// Rows of one range of a batch, grouped by partition: partition `p`'s rows are
/// `rows[starts[p]..starts[p + 1]]`.
pub(super) struct Split<R> {
    pub(super) starts: Vec<u32>,
    pub(super) rows: Vec<R>,
}

/// What a compact split row is relative to: the batch's earliest instant, and the ranged
/// plan's lowest id (0 for forms that keep the whole id); for packed rows, the bits of each
/// field.
#[derive(Clone, Copy, Default)]
pub(super) struct Base {
    pub(super) at: i64,
    pub(super) member: u64,
    /// A packed row's bits: of the id within its partition (the ranged plan's shift), of the
    /// instant after `at`, of the amount.
    pub(super) bits: (u32, u32, u32),
}

/// The lowest `bits` bits set (`bits` at most 64).
pub(super) fn low_bits(bits: u32) -> u64 {
    u64::MAX.checked_shr(64 - bits).filter(|_| bits > 0).unwrap_or(0)
}

/// An order as the partition split stores it. Most batches take a compact form: 8 bytes
/// ([`Packed`]) when the ids are ranged and the fields' spans fit 64 bits together, 12 (an id
/// as an offset from the ranged plan's lowest, an instant as seconds after the batch's
/// earliest, an amount that fits an i32) when the ids are ranged within 2^32 of each other,
/// else 16 (the whole id); others keep the full 24 bytes. Less memory to fill, and less to
/// read back when folding.
pub(super) trait Row: Copy + Send + Sync {
    const EMPTY: Self;
    /// Whether a row keeps its id relative to its partition's first id (which the fold then
    /// passes as the base's `member`) rather than to the plan's lowest.
    const LOCAL: bool = false;
    fn pack(member: u64, at: i64, amount: i64, base: Base) -> Self;
    fn unpack(self, base: Base) -> (u64, i64, i64);
}

impl Row for (u64, i64, i64) {
    const EMPTY: Self = (0, 0, 0);
    fn pack(member: u64, at: i64, amount: i64, _: Base) -> Self {
        (member, at, amount)
    }
    fn unpack(self, _: Base) -> (u64, i64, i64) {
        self
    }
}

impl Row for (u64, u32, i32) {
    const EMPTY: Self = (0, 0, 0);
    fn pack(member: u64, at: i64, amount: i64, base: Base) -> Self {
        (member, (at - base.at) as u32, amount as i32)
    }
    fn unpack(self, base: Base) -> (u64, i64, i64) {
        (self.0, base.at + i64::from(self.1), i64::from(self.2))
    }
}

impl Row for (u32, u32, i32) {
    const EMPTY: Self = (0, 0, 0);
    fn pack(member: u64, at: i64, amount: i64, base: Base) -> Self {
        ((member - base.member) as u32, (at - base.at) as u32, amount as i32)
    }
    fn unpack(self, base: Base) -> (u64, i64, i64) {
        (base.member + u64::from(self.0), base.at + i64::from(self.1), i64::from(self.2))
    }
}

/// A ranged row in one `u64`, amount in the low bits, then the instant, then the id within its
/// partition, when their spans fit in 64 bits together (ids of a partition span `2^shift`,
/// a month of orders about 2^22 seconds, amounts up to 2^20 cents 10,485.75): two thirds of
/// the 12-byte form's memory to fill and read back. The bit widths are the batch's own.
#[derive(Clone, Copy)]
pub(super) struct Packed(u64);

impl Row for Packed {
    const EMPTY: Self = Packed(0);
    const LOCAL: bool = true;
    fn pack(member: u64, at: i64, amount: i64, base: Base) -> Self {
        let (id_bits, at_bits, amount_bits) = base.bits;
        let id = (member - base.member) & low_bits(id_bits);
        let at = (at - base.at) as u64;
        Packed((id.checked_shl(at_bits + amount_bits).unwrap_or(0)) | (at << amount_bits) | amount as u64)
    }
    fn unpack(self, base: Base) -> (u64, i64, i64) {
        let (_, at_bits, amount_bits) = base.bits;
        let id = self.0.checked_shr(at_bits + amount_bits).unwrap_or(0);
        let at = (self.0 >> amount_bits) & low_bits(at_bits);
        (base.member + id, base.at + at as i64, (self.0 & low_bits(amount_bits)) as i64)
    }
}

impl<R: Row> Split<R> {
    pub(super) fn new() -> Split<R> {
        Split { starts: vec![0; PARTITIONS + 1], rows: Vec::new() }
    }

    /// Groups a range of rows by the plan's partitions (a counting sort), skipping orders at
    /// or after `as_of`, reusing this split's buffers (only their growth is written twice).
    pub(super) fn fill(
        &mut self,
        batch: &Orders<'_>,
        range: std::ops::Range<usize>,
        as_of: i64,
        base: Base,
        plan: Plan,
    ) {
        match plan {
            Plan::Hashed => self.fill_by(batch, range, as_of, base, partition_of),
            Plan::Ranged { .. } => self.fill_by(batch, range, as_of, base, |m| plan.partition(m)),
        }
    }

    pub(super) fn fill_by(
        &mut self,
        batch: &Orders<'_>,
        range: std::ops::Range<usize>,
        as_of: i64,
        base: Base,
        partition_of: impl Fn(u64) -> usize,
    ) {
        let starts = &mut self.starts;
        starts.iter_mut().for_each(|c| *c = 0);
        for row in range.clone() {
            if batch.ordered_at[row] < as_of {
                starts[partition_of(batch.member_id[row]) + 1] += 1;
            }
        }
        for i in 0..PARTITIONS {
            starts[i + 1] += starts[i];
        }
        self.rows.resize(starts[PARTITIONS] as usize, R::EMPTY);
        let mut next = starts.clone();
        for row in range {
            let at = batch.ordered_at[row];
            if at < as_of {
                let member = batch.member_id[row];
                let p = partition_of(member);
                self.rows[next[p] as usize] = R::pack(member, at, batch.amount_minor[row], base);
                next[p] += 1;
            }
        }
    }
}

/// What folding rows into partitions needs of the settings, and the plan.
#[derive(Clone, Copy)]
pub(super) struct Fold {
    pub(super) distinct: bool,
    pub(super) recent_from: i64,
    pub(super) plan: Plan,
}

impl Fold {
    /// Folds every split's rows of partitions `first..first + parts.len()` into `parts`;
    /// returns how many new members they brought.
    pub(super) fn partitions<R: Row>(
        self,
        parts: &mut [Partition],
        first: usize,
        splits: &[Split<R>],
        base: Base,
        days: &mut DayCache,
    ) -> usize {
        let mut new_members = 0;
        for (i, part) in parts.iter_mut().enumerate() {
            let p = first + i;
            if let Plan::Ranged { shift, .. } = self.plan {
                // Room for every member these rows can bring, at most the partition's id
                // range, so the accumulators are written once instead of copied at each
                // doubling (room never written costs no memory).
                let rows: usize = splits.iter().map(|s| (s.starts[p + 1] - s.starts[p]) as usize).sum();
                let room = rows.min((1usize << shift).saturating_sub(part.accs.len()));
                part.accs.reserve(room);
                part.ids.reserve(room);
            }
            // Packed rows hold the id within the partition: rebase on its first id. (Wrapping:
            // a partition past the top of the id space has no rows, and no use for its base.)
            let base = match self.plan {
                Plan::Ranged { lo, shift } if R::LOCAL => Base { member: lo.wrapping_add((p as u64) << shift), ..base },
                _ => base,
            };
            for split in splits {
                let rows = &split.rows[split.starts[p] as usize..split.starts[p + 1] as usize];
                new_members += self.rows(part, rows, base, days);
            }
        }
        new_members
    }

    pub(super) fn rows<R: Row>(self, part: &mut Partition, rows: &[R], base: Base, days: &mut DayCache) -> usize {
        let mut new_members = 0;
        for row in rows {
            let (member, at, amount) = row.unpack(base);
            let day = days.day(at);
            let slot = match part.slot(self.plan, member) {
                Some(slot) => {
                    part.accs[slot as usize].observe(at, day);
                    slot as usize
                }
                None => {
                    new_members += 1;
                    part.push(self.plan, member, Acc::first(at, day), self.distinct.then(Vec::new))
                }
            };
            let acc = &mut part.accs[slot];
            acc.total_minor += i128::from(amount);
            if at >= self.recent_from {
                acc.recent_orders += 1;
            }
            if self.distinct {
                remember_day(&mut part.days[slot], day as i32);
            }
        }
        new_members
    }
}
