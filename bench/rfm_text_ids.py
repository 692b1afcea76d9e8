"""`loyalty.analytics.rfm` on N orders of N/2 members with text ids: read in place from
Arrow (each kind of text column) against the coded copy (numpy's unique over Python
strings, the only way before text ids were read in place), best of 3 each.

Usage:  python bench/rfm_text_ids.py [ORDERS]
"""
import datetime as dt
import json
import sys
import time

import numpy as np
import pandas as pd
import pyarrow as pa

import loyalty
import loyalty.analytics as la

AS_OF = dt.datetime(2024, 7, 1, tzinfo=dt.timezone.utc)


def best(f, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rng = np.random.default_rng(7)
    ids = np.char.add("member-", rng.integers(0, n // 2, n).astype(str)).astype(object)
    at = (np.int64(1672531200) + rng.integers(0, 47304000, n)).astype("datetime64[s]")
    cents = rng.integers(100, 20000, n)
    frame = pd.DataFrame({"member_id": ids, "ordered_at": at, "amount_minor": cents})
    table = pa.Table.from_pandas(frame, preserve_index=False)
    run = lambda source: la.rfm(source, as_of=AS_OF, amount_minor="amount_minor")  # noqa: E731
    cases = {
        "pandas object, in place": lambda: run(frame),
        "pyarrow string, in place": lambda: run(table),
        "pyarrow dictionary, in place": lambda: run(table.set_column(0, "member_id", table.column(0).dictionary_encode())),
    }
    if hasattr(pa, "string_view"):
        view = table.set_column(0, "member_id", table.column(0).cast(pa.string_view()))
        cases["pyarrow string_view, in place"] = lambda: run(view)
    results = {name: best(f) for name, f in cases.items()}
    arrow_source = la._arrow_source
    la._arrow_source = lambda *a, **k: None  # the coded copy
    try:
        results["pandas object, coded copy"] = best(lambda: run(frame))
    finally:
        la._arrow_source = arrow_source
    for name, seconds in results.items():
        print(json.dumps({"orders": n, "case": name, "best_s": round(seconds, 3)}))


if __name__ == "__main__":
    main()
