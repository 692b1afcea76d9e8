//! How member ids are routed to the summarizer's 256 partitions (ranged tables for dense ids,
//! a hash otherwise), and how a partition finds a member's slot.

use super::*;

/// The members of one partition, and an index from id to a slot in `accs` small enough to
/// stay in cache while the partition's orders are folded in: a hash map when ids are hashed
/// to partitions, a direct table of the partition's id range when they are ranged.
#[derive(Clone, Debug, Default)]
pub(super) struct Partition {
    pub(super) index: HashMap<u64, u32, FxBuild>,
    pub(super) table: Vec<u32>,
    pub(super) ids: Vec<u64>,
    pub(super) accs: Vec<Acc>,
    pub(super) days: Vec<Vec<i32>>,
}

/// A slot of a ranged partition's table that holds no member.
pub(super) const NO_SLOT: u32 = u32::MAX;

/// How member ids are routed to partitions.
///
/// Dense ids (auto-increment keys, the usual case) are split by range: partition `p` holds
/// the ids `lo + (p << shift)..lo + ((p + 1) << shift)`, each partition finds a member's slot
/// in a direct table instead of a hash map, and `finish` reads the members out in id order
/// without sorting them (the "perfect hash" aggregation of column stores). Any other ids go
/// by a hash of the id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Plan {
    Hashed,
    Ranged { lo: u64, shift: u32 },
}

/// Ids are ranged while their span is below this many times the orders added (or below
/// [`SMALL_SPAN`]): the tables, 4 bytes per id of the span and at most twice the span, then
/// take at most 32 bytes per order.
pub(super) const DENSITY: u64 = 4;

/// Spans of ids this small are ranged whatever the orders (tables of at most 8 MB).
pub(super) const SMALL_SPAN: u64 = 1 << 20;

impl Plan {
    /// The plan for ids `lo..=hi` over `rows` orders, with a span of at least `span`.
    pub(super) fn for_ids(lo: u64, hi: u64, rows: u64, span: u64) -> Plan {
        let span = (hi - lo).max(span);
        if span >= rows.saturating_mul(DENSITY).max(SMALL_SPAN) {
            return Plan::Hashed;
        }
        let shift = (u64::BITS - (span >> PARTITION_BITS).leading_zeros()).min(63);
        Plan::Ranged { lo, shift }
    }

    /// Whether the ids `lo..=hi` have partitions in this plan.
    pub(super) fn covers(self, lo: u64, hi: u64) -> bool {
        match self {
            Plan::Hashed => true,
            Plan::Ranged { lo: base, shift } => lo >= base && (hi - base) >> shift < PARTITIONS as u64,
        }
    }

    /// The partition of an id the plan covers.
    pub(super) fn partition(self, member: u64) -> usize {
        match self {
            Plan::Hashed => partition_of(member),
            Plan::Ranged { lo, shift } => ((member - lo) >> shift) as usize,
        }
    }
}

impl Partition {
    /// The slot of a member, if the partition has it (a ranged partition has no table until
    /// its first member).
    #[inline]
    pub(super) fn slot(&self, plan: Plan, member: u64) -> Option<u32> {
        match plan {
            Plan::Hashed => self.index.get(&member).copied(),
            Plan::Ranged { lo, shift } => {
                self.table.get(((member - lo) & ((1 << shift) - 1)) as usize).copied().filter(|&s| s != NO_SLOT)
            }
        }
    }

    /// Adds a member the partition does not have yet, with its accumulator; returns its slot.
    pub(super) fn push(&mut self, plan: Plan, member: u64, acc: Acc, days: Option<Vec<i32>>) -> usize {
        let slot = self.accs.len();
        match plan {
            Plan::Hashed => {
                self.index.insert(member, slot as u32);
            }
            Plan::Ranged { lo, shift } => {
                if self.table.is_empty() {
                    self.table = vec![NO_SLOT; 1 << shift];
                }
                self.table[((member - lo) & ((1 << shift) - 1)) as usize] = slot as u32;
            }
        }
        self.ids.push(member);
        self.accs.push(acc);
        if let Some(days) = days {
            self.days.push(days);
        }
        slot
    }
}

pub(super) const PARTITION_BITS: u32 = 8;
pub(super) const PARTITIONS: usize = 1 << PARTITION_BITS;

pub(super) fn partition_of(member: u64) -> usize {
    let h = (member ^ (member >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> (64 - PARTITION_BITS)) as usize
}

impl Summarizer {
    /// Makes the plan cover the ids `low..=high` (of a batch of `rows` orders): a ranged plan
    /// that does not is widened (at least doubled) while the ids stay dense, else the
    /// summarizer turns to hashing for good; either way its members move to the new plan's
    /// partitions.
    pub(super) fn cover(&mut self, low: u64, high: u64, rows: u64) {
        let (low, high) = (low.min(self.ids.0), high.max(self.ids.1));
        self.ids = (low, high);
        if self.members == 0 {
            // No member to move: the plan these ids call for.
            self.plan = Plan::for_ids(low, high, rows, 0);
            return;
        }
        if self.plan.covers(low, high) {
            return;
        }
        let plan = match self.plan {
            Plan::Ranged { shift, .. } => {
                Plan::for_ids(low, high, self.added + rows, 1 << (shift + PARTITION_BITS + 1).min(63))
            }
            Plan::Hashed => Plan::Hashed,
        };
        let old = std::mem::replace(&mut self.partitions, vec![Partition::default(); PARTITIONS]);
        self.plan = plan;
        for part in old {
            let Partition { ids, accs, days, .. } = part;
            let mut days = days.into_iter();
            for (id, acc) in ids.into_iter().zip(accs) {
                let days = if self.settings.distinct_days { Some(days.next().unwrap_or_default()) } else { None };
                self.partitions[plan.partition(id)].push(plan, id, acc, days);
            }
        }
    }
}
