//! Threads for the per-member stages, only when a caller asks for them.
//!
//! The core starts no thread on its own. [`with_threads`] runs a job in a pool of the
//! caller's size; inside it, sorting the summaries, RFM values, cut points, scores and
//! lifecycle tags spread over the pool's threads. Every stage gives the same result on any
//! number of threads: maps keep their order and sorts are by unique keys.

/// Below this many members a stage stays on one thread: splitting would cost more than it
/// saves.
#[cfg(feature = "parallel")]
const PARALLEL_MEMBERS: usize = 1 << 15;

/// Runs `job` with the analytics' per-member stages on `threads` threads (at least 1; more
/// than 64 is taken as 64). With one thread, or without the `parallel` feature, or if the
/// system refuses to start threads, `job` runs on the calling thread; the result is the same.
///
/// ```
/// use loyalty::analytics::{analyze, with_threads, Orders, Settings, Summarizer};
/// use chrono::{TimeZone, Utc};
/// let settings = Settings::new(Utc.with_ymd_and_hms(2024, 7, 1, 0, 0, 0).unwrap(), chrono_tz::UTC);
/// let member_id: Vec<u64> = (0..200_000).map(|i| i % 70_001).collect();
/// let ordered_at: Vec<i64> = (0..200_000).map(|i| 1_704_067_200 + i * 60).collect();
/// let amount_minor: Vec<i64> = (0..200_000).map(|i| 100 + i % 977).collect();
/// let job = || {
///     let mut s = Summarizer::new(settings.clone());
///     s.add(&Orders { member_id: &member_id, ordered_at: &ordered_at, amount_minor: &amount_minor }).unwrap();
///     analyze(s.finish().unwrap(), &settings, 2)
/// };
/// assert_eq!(with_threads(2, job), job());
/// ```
pub fn with_threads<R: Send>(threads: usize, job: impl FnOnce() -> R + Send) -> R {
    #[cfg(feature = "parallel")]
    if threads > 1 {
        let threads = threads.min(64);
        if in_pool() && rayon::current_num_threads() == threads {
            return job();
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .start_handler(|_| OURS.with(|ours| ours.set(true)))
            .build();
        if let Ok(pool) = pool {
            return pool.install(job);
        }
    }
    #[cfg(not(feature = "parallel"))]
    let _ = threads;
    job()
}

#[cfg(feature = "parallel")]
thread_local! {
    /// Set on the threads of the pools [`with_threads`] builds, and nowhere else: code that
    /// runs in a caller's own rayon pool (or rayon's global one) stays on its thread unless
    /// it asks for threads.
    static OURS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this runs on a thread of a pool [`with_threads`] built.
#[cfg(feature = "parallel")]
fn in_pool() -> bool {
    OURS.with(std::cell::Cell::get)
}

/// Whether a stage over this many members is worth a pool's threads.
pub(crate) fn worth_spreading(members: usize) -> bool {
    #[cfg(feature = "parallel")]
    return members >= PARALLEL_MEMBERS;
    #[cfg(not(feature = "parallel"))]
    return {
        let _ = members;
        false
    };
}

/// Whether a stage over this many members spreads over the pool's threads.
pub(crate) fn spread(members: usize) -> bool {
    #[cfg(feature = "parallel")]
    return worth_spreading(members) && in_pool();
    #[cfg(not(feature = "parallel"))]
    return worth_spreading(members);
}

/// `items.iter().map(f).collect()`, on the pool's threads inside [`with_threads`].
pub(crate) fn map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync + Send) -> Vec<U> {
    #[cfg(feature = "parallel")]
    if spread(items.len()) {
        use rayon::prelude::*;
        let mut out = Vec::new();
        items.par_iter().map(f).collect_into_vec(&mut out);
        return out;
    }
    items.iter().map(f).collect()
}

/// [`map`] with a value made by `init` for each run of items on one thread (per-thread copies
/// of shared counters, say, so threads do not contend for one cache line).
pub(crate) fn map_init<T: Sync, U: Send, S>(
    items: &[T],
    init: impl Fn() -> S + Sync + Send,
    f: impl Fn(&mut S, &T) -> U + Sync + Send,
) -> Vec<U> {
    #[cfg(feature = "parallel")]
    if spread(items.len()) {
        use rayon::prelude::*;
        let mut out = Vec::new();
        items.par_iter().map_init(init, f).collect_into_vec(&mut out);
        return out;
    }
    let mut state = init();
    items.iter().map(|item| f(&mut state, item)).collect()
}

/// `items.iter_mut().map(f).collect()`, one item per task on the pool's threads inside
/// [`with_threads`] (for a few large items, such as partitions).
pub(crate) fn map_mut<T: Send, U: Send>(items: &mut [T], f: impl Fn(&mut T) -> U + Sync + Send) -> Vec<U> {
    #[cfg(feature = "parallel")]
    if in_pool() {
        use rayon::prelude::*;
        let mut out = Vec::new();
        items.par_iter_mut().map(f).collect_into_vec(&mut out);
        return out;
    }
    items.iter_mut().map(f).collect()
}

/// `items.sort_unstable_by_key(key)`, on the pool's threads inside [`with_threads`]. Keys
/// must be unique for the result not to depend on the threads.
pub(crate) fn sort_unstable_by_key<T: Send, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K + Sync) {
    #[cfg(feature = "parallel")]
    if spread(items.len()) {
        use rayon::prelude::*;
        items.par_sort_unstable_by_key(key);
        return;
    }
    items.sort_unstable_by_key(key);
}

/// Both closures' results; on two of the pool's threads inside [`with_threads`].
pub(crate) fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    #[cfg(feature = "parallel")]
    if in_pool() {
        return rayon::join(a, b);
    }
    (a(), b())
}

#[cfg(all(test, feature = "parallel"))]
mod tests {
    use super::*;
    use crate::analytics::{analyze_with, JobOptions, Orders, Settings, Summarizer};
    use chrono::TimeZone;

    /// The whole job on one, two and three threads, with distinct days in a zone with DST
    /// and enough members for every stage to spread, gives the one-thread analysis; so do
    /// summaries from a summarizer with its own threads, finished outside a pool.
    #[test]
    fn threads_give_the_one_thread_analysis() {
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            seed >> 24
        };
        let n = 200_000;
        let member_id: Vec<u64> = (0..n).map(|_| next() % 90_000 * 13).collect();
        let ordered_at: Vec<i64> = (0..n).map(|_| 1_704_067_200 + (next() % (400 * 86_400)) as i64).collect();
        let amount_minor: Vec<i64> = (0..n).map(|_| (next() % 30_000) as i64).collect();
        let orders = Orders { member_id: &member_id, ordered_at: &ordered_at, amount_minor: &amount_minor };
        let as_of = chrono::Utc.with_ymd_and_hms(2025, 1, 15, 0, 0, 0).unwrap();
        let mut settings = Settings::new(as_of, chrono_tz::America::New_York);
        settings.distinct_days = true;
        let job = |summarizer_threads: usize| {
            let mut s = Summarizer::new(settings.clone()).with_threads(summarizer_threads);
            s.add(&orders).unwrap();
            analyze_with(s.finish().unwrap(), &settings, 2, &JobOptions::default()).unwrap()
        };
        let one = job(1);
        assert!(one.summaries.len() > 2 * PARALLEL_MEMBERS, "every stage must have members enough to spread");
        assert!(one.summaries.windows(2).all(|w| w[0].member_id < w[1].member_id));
        assert!(one.summaries.iter().any(|s| s.days > 1 && s.days < s.orders), "distinct days must differ from orders");
        for threads in [2, 3] {
            // The stages do spread there: the job runs on the pool, with members enough.
            assert!(with_threads(threads, || spread(one.summaries.len())));
            assert_eq!(with_threads(threads, || job(1)), one, "{threads} threads");
        }
        assert_eq!(job(2), one, "a summarizer's own threads");
    }

    /// Only pools built by `with_threads` spread stages: not the calling thread, not a pool
    /// of the caller's own, not `with_threads(1)`.
    #[test]
    fn stages_spread_only_when_asked() {
        let members = 2 * PARALLEL_MEMBERS;
        assert!(!spread(members));
        assert!(!with_threads(1, || spread(members)));
        let theirs = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        assert!(!theirs.install(|| spread(members)));
        assert!(theirs.install(|| with_threads(2, || spread(members))));
        assert!(with_threads(2, || !spread(PARALLEL_MEMBERS - 1)), "small stages stay on one thread");
    }
}
