#!/usr/bin/env bash
# Node's `analyze` beside Python's `rfm` on the same 1M orders from 1M members, each in its
# own process (peak RSS is the process's), alternating. Needs the Python package installed
# (`maturin develop --release` in bindings-python) and the Node addon built (`npm run build`
# in bindings-node). Usage: bash bench/analyze_node_python.sh [ORDERS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
rounds="${2:-2}"
for _ in $(seq "$rounds"); do
  (cd bindings-node && node bench/analyze.js "$n" 3)
  python3 bench/analyze_python.py "$n" 3
done
