"""Calls loyalty.analytics.rfm repeatedly on one order log in one process and prints each
call's time and the process's peak memory so far: whether repeated calls grow the process.

Usage: python bench/rfm_repeat.py DIR THREADS CALLS   (DIR from bench/gen_orders.py, e.g.
bench/data/orders_10000000; needs numpy, pandas and `pip install ./bindings-python`)
"""
import datetime as dt
import os
import resource
import sys
import time

import numpy as np
import pandas as pd

import loyalty


def main() -> None:
    d, threads, calls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    m = np.fromfile(os.path.join(d, "member_id.u64"), dtype="<u8")
    t = np.fromfile(os.path.join(d, "ordered_at.i64"), dtype="<i8")
    a = np.fromfile(os.path.join(d, "amount_minor.i64"), dtype="<i8")
    as_of = dt.datetime.fromtimestamp(1_735_689_600, dt.timezone.utc)
    for i in range(calls):
        start = time.perf_counter()
        frame = pd.DataFrame({"member_id": m, "ordered_at": t, "amount_minor": a}, copy=False)
        out = loyalty.analytics.rfm(frame, as_of=as_of, amount_minor="amount_minor", threads=threads)
        elapsed = time.perf_counter() - start
        del out, frame
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"call {i + 1}: {elapsed:.3f} s, peak {peak:.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
