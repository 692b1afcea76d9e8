"""Alternates two builds of the core's rfm_bench on one log and prints each stage's median
and minimum: on a noisy machine only runs taken in turn compare.

Usage: python bench/rfm_pairs.py BIN_A BIN_B PAIRS THREADS [LOG_DIR]
  BIN_A, BIN_B: rfm_bench binaries (copies of target/release/rfm_bench from two commits)
  LOG_DIR: a log from bench/gen_orders.py (default bench/data/orders_10000000)
"""
import os
import re
import statistics
import subprocess
import sys

AS_OF = "1735689600"  # 2025-01-01 00:00 UTC
STAGES = ["add", "finish", "values", "fit", "score"]


def run(binary, log, threads):
    out = subprocess.run([binary, log, AS_OF], capture_output=True, text=True, check=True,
                         env=dict(os.environ, RFM_THREADS=threads))
    text = out.stderr + out.stdout
    times = {}
    for stage in STAGES:
        value, unit = re.search(rf"{stage} ([0-9.]+)(ms|µs|s)\b", text).groups()
        times[stage] = float(value) * {"ms": 1, "µs": 0.001, "s": 1000}[unit]
    times["job"] = 1000 * float(re.search(r'"seconds": ([0-9.]+)', text).group(1))
    return times


def main():
    a, b, pairs, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    log = sys.argv[5] if len(sys.argv) > 5 else os.path.join(os.path.dirname(__file__), "data", "orders_10000000")
    runs = {a: [], b: []}
    for i in range(pairs):
        for binary in (a, b) if i % 2 == 0 else (b, a):
            runs[binary].append(run(binary, log, threads))
    for binary, times in runs.items():
        print(binary + ": " + ", ".join(
            f"{k} {statistics.median(t[k] for t in times):.0f} (min {min(t[k] for t in times):.0f})"
            for k in STAGES + ["job"]) + " ms")
    wins = sum(tb["job"] < ta["job"] for ta, tb in zip(runs[a], runs[b]))
    print(f"{b} faster in {wins} of {pairs} pairs (whole job)")


if __name__ == "__main__":
    main()
