//! Folding a large batch on the summarizer's threads, chunk by chunk.

use super::*;

/// Batches of at least this many rows are split and folded on the summarizer's threads
/// (spawned twice for each chunk of a batch). Streams come in batches of about a million rows (pyarrow's
/// `iter_batches(batch_size=1_000_000)`, say): at `1 << 20` they stayed on one thread.
pub(super) const PARALLEL_ROWS: usize = 1 << 18;

/// Rows split at a time (the split buffers are reused from chunk to chunk). Smaller chunks
/// save memory but touch each partition's members fewer times per visit: at 10M orders, 4 Mi
/// rows took the summarizing from 280 to 420 ms for 50 MB less; 16 Mi bounds the buffers
/// at 256 MB for huge batches and splits a 10M batch in one go.
pub(super) const CHUNK: usize = 1 << 24;

impl Summarizer {
    /// Works through the batch in chunks of `chunk` rows on `threads` threads: splits each
    /// chunk's rows by partition (a counting sort, skipping late orders), then folds partition
    /// by partition.
    pub(super) fn add_rows<R: Row>(
        &mut self,
        batch: &Orders<'_>,
        base: Base,
        chunk: usize,
        threads: usize,
    ) -> Result<(), AnalyticsError> {
        let n = batch.member_id.len();
        let threads = threads.max(1);
        let mut splits: Vec<Split<R>> = (0..threads).map(|_| Split::new()).collect();
        for chunk_start in (0..n).step_by(chunk.max(1)) {
            let chunk = chunk_start..(chunk_start + chunk.max(1)).min(n);
            // Each thread splits its share of the rows into its own buffer.
            let share = chunk.len().div_ceil(threads);
            let ranges = (0..threads)
                .map(|t| (chunk.start + t * share).min(chunk.end)..(chunk.start + (t + 1) * share).min(chunk.end));
            let (as_of, plan) = (self.as_of, self.plan);
            if threads == 1 {
                for (split, range) in splits.iter_mut().zip(ranges) {
                    split.fill(batch, range, as_of, base, plan);
                }
            } else {
                std::thread::scope(|scope| {
                    let handles: Vec<_> = splits
                        .iter_mut()
                        .zip(ranges)
                        .map(|(split, range)| scope.spawn(move || split.fill(batch, range, as_of, base, plan)))
                        .collect();
                    for h in handles {
                        h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
                    }
                });
            }
            // Then each thread folds its own range of partitions, reading every split's rows;
            // the ranges hold about as many rows each (ranged ids fill partitions unevenly).
            let fold = Fold { distinct: self.settings.distinct_days, recent_from: self.recent_from, plan };
            let new_members: usize = if threads == 1 {
                fold.partitions(&mut self.partitions, 0, &splits, base, &mut self.days)
            } else {
                let days = &self.days;
                let splits = &splits;
                let total: usize = splits.iter().map(|s| s.rows.len()).sum();
                let mut groups = Vec::with_capacity(threads);
                let (mut rest, mut first, mut rows) = (&mut self.partitions[..], 0, 0);
                for p in 0..PARTITIONS {
                    rows += splits.iter().map(|s| (s.starts[p + 1] - s.starts[p]) as usize).sum::<usize>();
                    let due = total.div_ceil(threads) * (groups.len() + 1);
                    if (rows >= due && groups.len() + 1 < threads) || p + 1 == PARTITIONS {
                        let (group, tail) = std::mem::take(&mut rest).split_at_mut(p + 1 - first);
                        groups.push((first, group));
                        (rest, first) = (tail, p + 1);
                    }
                }
                std::thread::scope(|scope| {
                    let handles: Vec<_> = groups
                        .into_iter()
                        .map(|(first, parts)| {
                            let mut days = days.clone();
                            scope.spawn(move || fold.partitions(parts, first, splits, base, &mut days))
                        })
                        .collect();
                    handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).sum()
                })
            };
            self.members += new_members;
            // Known only after folding: the limit's error leaves this chunk's orders in (orders
            // of members already known stay accepted at the limit).
            if new_members > 0 && self.members > MAX_MEMBERS {
                return Err(AnalyticsError::TooManyMembers { limit: MAX_MEMBERS });
            }
        }
        Ok(())
    }
}
