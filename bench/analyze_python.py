"""`loyalty.analytics.rfm` on N orders from N members (one order each), the same data as
`bindings-node/bench/analyze.js` (the same generator), as a pandas frame of int64 columns.
Prints one JSON line: best and median time of the call and the process's peak RSS.

Usage:  python bench/analyze_python.py [ORDERS] [REPEAT]
"""
import datetime as dt
import json
import resource
import sys
import time

import numpy as np
import pandas as pd

import loyalty


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    seed = 7
    at = np.empty(n, dtype=np.int64)
    cents = np.empty(n, dtype=np.int64)
    for i in range(n):  # the Node script's generator, value for value
        seed = (seed * 48271) % 2147483647
        at[i] = 1672531200 + seed % 47304000
        seed = (seed * 48271) % 2147483647
        cents[i] = 100 + seed % 20000
    frame = pd.DataFrame({"member_id": np.arange(n, dtype=np.int64), "ordered_at": at.astype("datetime64[s]"),
                          "amount_minor": cents})
    as_of = dt.datetime(2024, 7, 1, tzinfo=dt.timezone.utc)
    times = []
    members = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = loyalty.analytics.rfm(frame, as_of=as_of, amount_minor="amount_minor")
        times.append(time.perf_counter() - t0)
        members = len(out)
        del out
    times.sort()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"impl": "python", "orders": n, "members": members, "best_s": times[0],
                      "median_s": times[len(times) // 2], "peak_rss_mb": rss_mb}))


if __name__ == "__main__":
    main()
