#!/usr/bin/env bash
# The core's RFM job stage by stage: the best of RUNS runs of rfm_bench on the 10M log, on
# THREADS threads (after `cargo build --release -p loyalty-examples` and
# `python bench/gen_orders.py 10000000 bench/data/orders_10000000`).
# Usage: bash bench/rfm_stages.sh RUNS THREADS
set -euo pipefail
cd "$(dirname "$0")/.."
for _ in $(seq "$1"); do
  RFM_THREADS=$2 ./target/release/rfm_bench bench/data/orders_10000000 1735689600 2>&1 | tr '\n' ' '
  echo
done | python3 -c '
import json, re, sys
best = {}
for line in filter(str.strip, sys.stdin):
    for stage, value, unit in re.findall(r"(add|finish|values|fit|score) ([0-9.]+)(ms|s)", line):
        best[stage] = min(best.get(stage, 1e9), float(value) * (1000 if unit == "s" else 1))
    result = json.loads(line[line.index("{"):line.index("}") + 1])
    for key in ("seconds", "seconds_with_lifecycle"):
        best[key] = min(best.get(key, 1e9), result[key] * 1000)
print(" ".join(f"{k} {v:.1f} ms" for k, v in best.items()))'
