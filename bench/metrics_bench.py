"""Times `loyalty.analytics.metrics` (program metrics for the last quarter of 2024, the
period's own figures among them) against `loyalty.analytics.rfm` on one synthetic log, in
one process each, best of 3, with the process's peak memory.

Usage: python bench/metrics_bench.py bench/data/orders_10000000 metrics|rfm [threads]
(the log from `python bench/gen_orders.py 10000000 bench/data/orders_10000000`; the package
from `pip install ./bindings-python`).
"""
import datetime as dt
import resource
import sys
import time

import numpy as np
import pandas as pd

import loyalty


def main():
    d, which = sys.argv[1], sys.argv[2]
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    m = np.fromfile(d + "/member_id.u64", "<u8")
    t = np.fromfile(d + "/ordered_at.i64", "<i8")
    a = np.fromfile(d + "/amount_minor.i64", "<i8")
    frame = pd.DataFrame({"member_id": m, "ordered_at": t, "amount_minor": a}, copy=False)
    as_of = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    start = dt.datetime(2024, 10, 1, tzinfo=dt.timezone.utc)
    best, out = float("inf"), None
    for _ in range(3):
        began = time.perf_counter()
        if which == "metrics":
            try:
                out = loyalty.analytics.metrics(frame, as_of=as_of, period_start=start, amount_minor="amount_minor",
                                                threads=threads)
            except TypeError:  # a package from before metrics took threads
                out = loyalty.analytics.metrics(frame, as_of=as_of, period_start=start, amount_minor="amount_minor")
        else:
            out = loyalty.analytics.rfm(frame, as_of=as_of, amount_minor="amount_minor", threads=threads)
        best = min(best, time.perf_counter() - began)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    shown = {k: out.get(k) for k in ("orders", "revenue", "period_orders", "period_revenue")} if which == "metrics" else {}
    print(f"{which}: {best:.3f} s best of 3, peak {peak} MiB {shown}")


if __name__ == "__main__":
    main()
