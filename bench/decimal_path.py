"""Times loyalty.analytics.rfm on a pandas frame whose amounts are Decimal objects (the path
that converts them to decimal128 in one pyarrow pass), best of 3.

Usage:  python bench/decimal_path.py [ROWS]      (default 300,000 rows, 20,000 members)
"""
import datetime as dt
import sys
import time
from decimal import Decimal

import numpy as np
import pandas as pd

import loyalty


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({
        "member_id": rng.integers(0, 20_000, n),
        "ordered_at": (1_704_067_200 + rng.integers(0, 10**7, n)).astype("int64"),
        "amount": [Decimal(int(x)) / 100 for x in rng.integers(0, 50_000, n)],
    })
    as_of = dt.datetime(2024, 7, 1, tzinfo=dt.timezone.utc)
    best = None
    for _ in range(3):
        t0 = time.perf_counter()
        out = loyalty.analytics.rfm(frame, as_of=as_of, amount="amount")
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    print(f"{n} rows, {len(out)} members: {best:.3f} s (best of 3)")


if __name__ == "__main__":
    main()
