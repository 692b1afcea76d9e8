//! The RFM add stage without the partition split, for comparison (BENCHMARKS.md, session
//! 24): each of THREADS threads reads every row and folds the members of its share of the id
//! range straight into one direct table and one list of accumulators (the core's 64-byte
//! accumulator). Not part of the workspace; std only:
//!
//! ```text
//! rustc --edition 2021 -C opt-level=3 bench/nosplit_fold.rs -o /tmp/nosplit_fold
//! /tmp/nosplit_fold bench/data/orders_10000000 2
//! ```
//! Prints the time of the min/max pass and of the fold, members and total spend (to check
//! against the core's: 1,223,393 members on the 10M log).
use std::time::Instant;
#[derive(Clone, Copy)]
struct Acc { first_at: i64, last_at: i64, previous_at: i64, last_day: i64, total: i128, orders: u64 }
fn read(p: &str) -> Vec<i64> { let b = std::fs::read(p).unwrap(); b.chunks_exact(8).map(|c| i64::from_le_bytes(c.try_into().unwrap())).collect() }
fn fold(ids: &[i64], at: &[i64], amt: &[i64], lo: i64, hi: i64, as_of: i64) -> (Vec<u32>, Vec<Acc>, Vec<u64>) {
    let span = (hi - lo) as usize;
    let mut table = vec![u32::MAX; span];
    let mut accs: Vec<Acc> = Vec::new();
    let mut mids = Vec::new();
    for r in 0..ids.len() {
        let m = ids[r];
        if m < lo || m >= hi || at[r] >= as_of { continue; }
        let t = at[r];
        let day = t.div_euclid(86400);
        let s = &mut table[(m - lo) as usize];
        if *s == u32::MAX {
            *s = accs.len() as u32;
            accs.push(Acc { first_at: t, last_at: t, previous_at: i64::MIN, last_day: day, total: amt[r] as i128, orders: 1 });
            mids.push(m as u64);
        } else {
            let a = &mut accs[*s as usize];
            a.first_at = a.first_at.min(t);
            if day > a.last_day { a.previous_at = a.previous_at.max(a.last_at); a.last_at = t; a.last_day = day; }
            else if day == a.last_day { a.last_at = a.last_at.max(t); } else { a.previous_at = a.previous_at.max(t); }
            a.orders += 1; a.total += amt[r] as i128;
        }
    }
    (table, accs, mids)
}
fn main() {
    let d = std::env::args().nth(1).unwrap();
    let threads: usize = std::env::args().nth(2).unwrap().parse().unwrap();
    let ids = read(&format!("{d}/member_id.u64")); let at = read(&format!("{d}/ordered_at.i64")); let amt = read(&format!("{d}/amount_minor.i64"));
    let t0 = Instant::now();
    let lo = *ids.iter().min().unwrap(); let hi = *ids.iter().max().unwrap() + 1;
    let t1 = t0.elapsed();
    let share = ((hi - lo) as usize).div_ceil(threads) as i64;
    let res: Vec<_> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads).map(|t| { let (ids, at, amt) = (&ids, &at, &amt); s.spawn(move || fold(ids, at, amt, lo + t as i64 * share, (lo + (t as i64 + 1) * share).min(hi), 1735689600)) }).collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let t2 = t0.elapsed();
    let n: usize = res.iter().map(|r| r.1.len()).sum();
    let tot: i128 = res.iter().flat_map(|r| r.1.iter()).map(|a| a.total).sum();
    println!("minmax {t1:?} fold {:?} members {n} total {tot}", t2 - t1);
}
