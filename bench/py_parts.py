"""Where loyalty.analytics.rfm's time goes at the Python level, on rfm_bench's synthetic log:
wrapping the three numpy columns as a pyarrow table (no copy), the native Summarizer reading
them in place through the Arrow C stream (`add_arrow`), and the native finish (the analyze
job and the output columns). The older path, copying each column into `bytes` for
`Summarizer.add` (still used for string ids), is timed after it.

Usage (after `python bench/rfm_bench.py 10000000` has written the log):
  python bench/py_parts.py [bench/data/orders_10000000]
"""
import sys
import time

import numpy as np
import pyarrow as pa

from loyalty import _native

AS_OF = "2025-01-01T00:00:00+00:00"  # rfm_bench's AS_OF


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "bench/data/orders_10000000"
    m = np.fromfile(f"{d}/member_id.u64", dtype="<u8")
    t = np.fromfile(f"{d}/ordered_at.i64", dtype="<i8")
    a = np.fromfile(f"{d}/amount_minor.i64", dtype="<i8")
    for _ in range(3):
        t0 = time.perf_counter()
        table = pa.table({"member_id": m, "ordered_at": t, "amount_minor": a})
        t1 = time.perf_counter()
        s = _native.Summarizer(AS_OF, "UTC", 90, False)
        s.add_arrow(table, "member_id", "ordered_at", "amount_minor", True, 2)
        t2 = time.perf_counter()
        s.finish(2)
        t3 = time.perf_counter()
        print(f"arrow: wrap {t1 - t0:.3f} s  add_arrow {t2 - t1:.3f} s  finish (analyze + columns) {t3 - t2:.3f} s")
    for _ in range(2):
        t0 = time.perf_counter()
        mb, tb, ab = m.tobytes(), t.tobytes(), a.tobytes()
        t1 = time.perf_counter()
        s = _native.Summarizer(AS_OF, "UTC", 90, False)
        s.add(mb, tb, ab)
        t2 = time.perf_counter()
        print(f"bytes: tobytes {t1 - t0:.3f} s  add {t2 - t1:.3f} s")


if __name__ == "__main__":
    main()
