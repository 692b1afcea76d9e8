"""Deterministic synthetic order log for the analytics benchmarks.

Members have heavy-tailed order counts (a Pareto draw), orders are spread over two years
(2023-2024, Unix seconds), amounts are log-normal cents. Written as three raw little-endian
columns, so every implementation loads the same bytes and only the computation is timed:
  <out>/member_id.u64  <out>/ordered_at.i64  <out>/amount_minor.i64

Usage: python bench/gen_orders.py N_ORDERS OUT_DIR
"""
import os
import sys

import numpy as np


def generate(n_orders: int, seed: int = 42):
    rng = np.random.default_rng(seed)
    n_members = max(1, n_orders // 8)
    weights = rng.pareto(1.5, n_members) + 1.0
    weights /= weights.sum()
    member = rng.choice(n_members, size=n_orders, p=weights).astype(np.uint64) * 7 + 1000
    start = 1_672_531_200  # 2023-01-01
    ordered_at = (start + rng.integers(0, 2 * 365 * 86_400, n_orders)).astype(np.int64)
    cents = np.round(rng.lognormal(mean=3.5, sigma=0.8, size=n_orders) * 100).astype(np.int64)
    return member, ordered_at, cents


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    member, ordered_at, cents = generate(n)
    member.astype("<u8").tofile(os.path.join(out, "member_id.u64"))
    ordered_at.astype("<i8").tofile(os.path.join(out, "ordered_at.i64"))
    cents.astype("<i8").tofile(os.path.join(out, "amount_minor.i64"))


if __name__ == "__main__":
    main()
