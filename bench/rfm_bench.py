"""Times the same RFM job (summaries, RFM values, 1-5 scores with the (value, member id)
rank rule, R-F segments) in pandas, polars and the loyalty core, on the synthetic logs of
bench/gen_orders.py. Each implementation runs in its own process so peak memory is its own.

Usage: python bench/rfm_bench.py 1000000 10000000
Needs numpy, pandas, polars (pip) and `cargo build --release -p loyalty-examples`; the
`python` row (the same job through `loyalty.analytics.rfm`, which also computes lifecycle
tags) runs when the loyalty package is installed (`pip install ./bindings-python`).
"""
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
AS_OF = 1_735_689_600  # 2025-01-01 00:00 UTC
DAY = 86_400
GRID = {
    1: ["Lost", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"],
    2: ["Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"],
    3: ["About To Sleep", "About To Sleep", "Need Attention", "Loyal Customers", "Loyal Customers"],
    4: ["Promising", "Potential Loyalist", "Potential Loyalist", "Loyal Customers", "Loyal Customers"],
    5: ["New Customers", "Potential Loyalist", "Potential Loyalist", "Champions", "Champions"],
}
SEGMENTS = [GRID[r][f - 1] for r in range(1, 6) for f in range(1, 6)]


def load(d):
    return (
        np.fromfile(os.path.join(d, "member_id.u64"), dtype="<u8"),
        np.fromfile(os.path.join(d, "ordered_at.i64"), dtype="<i8"),
        np.fromfile(os.path.join(d, "amount_minor.i64"), dtype="<i8"),
    )


def run_pandas(d):
    import pandas as pd

    m, t, a = load(d)
    start = time.perf_counter()
    df = pd.DataFrame({"member_id": m, "ordered_at": t, "amount_minor": a}, copy=False)  # a view, as in run_python
    df = df[df["ordered_at"] < AS_OF]
    g = df.groupby("member_id").agg(last=("ordered_at", "max"), frequency=("ordered_at", "size"), monetary=("amount_minor", "sum"))
    g["recency_days"] = AS_OF // DAY - g["last"] // DAY
    g = g.reset_index()
    n = len(g)

    def score(col, ascending):
        order = g.sort_values([col, "member_id"], ascending=[ascending, True]).index
        s = np.empty(n, dtype=np.int64)
        s[order.to_numpy()] = 1 + (5 * np.arange(n)) // n
        return s

    g["r"] = score("recency_days", False)
    g["f"] = score("frequency", True)
    g["m"] = score("monetary", True)
    g["segment"] = np.array(SEGMENTS, dtype=object)[(g["r"] - 1) * 5 + (g["f"] - 1)]
    elapsed = time.perf_counter() - start
    return elapsed, n, int(g["r"].sum() + g["f"].sum() + g["m"].sum())


def run_polars(d):
    import polars as pl

    m, t, a = load(d)
    start = time.perf_counter()
    df = pl.DataFrame({"member_id": m, "ordered_at": t, "amount_minor": a})
    g = (
        df.lazy()
        .filter(pl.col("ordered_at") < AS_OF)
        .group_by("member_id")
        .agg(pl.col("ordered_at").max().alias("last"), pl.len().alias("frequency"), pl.col("amount_minor").sum().alias("monetary"))
        .with_columns((AS_OF // DAY - pl.col("last") // DAY).alias("recency_days"))
        .collect()
    )
    n = g.height

    def score(frame, col, descending):
        return (
            frame.with_row_index("i")
            .sort([col, "member_id"], descending=[descending, False])
            .with_columns((1 + (5 * pl.int_range(0, n, eager=False)) // n).alias("s"))
            .sort("i")["s"]
        )

    g = g.with_columns(
        score(g, "recency_days", True).alias("r"),
        score(g, "frequency", False).alias("f"),
        score(g, "monetary", False).alias("m"),
    )
    seg = pl.Series(SEGMENTS)
    g = g.with_columns(seg.gather((g["r"] - 1) * 5 + (g["f"] - 1)).alias("segment"))
    elapsed = time.perf_counter() - start
    return elapsed, n, int(g["r"].sum() + g["f"].sum() + g["m"].sum())


def run_python(d, threads=1):
    import pandas as pd

    import loyalty

    m, t, a = load(d)
    as_of = __import__("datetime").datetime.fromtimestamp(AS_OF, __import__("datetime").timezone.utc)
    start = time.perf_counter()
    # A view of the loaded columns, as polars' frame is (pandas copies a dict by default).
    frame = pd.DataFrame({"member_id": m, "ordered_at": t, "amount_minor": a}, copy=False)
    out = loyalty.analytics.rfm(frame, as_of=as_of, amount_minor="amount_minor", threads=threads)
    elapsed = time.perf_counter() - start
    return elapsed, len(out), int(out["r"].sum() + out["f"].sum() + out["m"].sum())


def run_core(d, key="seconds", threads=1):
    exe = os.path.join(ROOT, "target", "release", "rfm_bench")
    env = dict(os.environ, RFM_THREADS=str(threads))
    out = subprocess.run([exe, d, str(AS_OF)], check=True, capture_output=True, text=True, env=env).stdout
    r = json.loads(out)
    return r[key], r["members"], r["checksum"]


def run_core_lifecycle(d):
    """The core on the python row's job: the same scores plus lifecycle tags."""
    return run_core(d, "seconds_with_lifecycle")


def child(impl, d):
    fn = {"pandas": run_pandas, "polars": run_polars, "core": run_core, "core+lifecycle": run_core_lifecycle,
          "python": run_python, "core, two threads": lambda d: run_core(d, threads=2),
          "python, two threads": lambda d: run_python(d, threads=2)}[impl]
    best = None
    for _ in range(3):
        elapsed, n, checksum = fn(d)
        best = elapsed if best is None else min(best, elapsed)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if impl.startswith("core"):
        peak_kib = max(peak_kib, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({"impl": impl, "seconds": best, "members": n, "checksum": checksum, "peak_mib": peak_kib / 1024}))


def main():
    if sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    rows = []
    for n in [int(x) for x in sys.argv[1:]]:
        d = os.path.join(HERE, "data", f"orders_{n}")
        if not os.path.exists(os.path.join(d, "amount_minor.i64")):
            subprocess.run([sys.executable, os.path.join(HERE, "gen_orders.py"), str(n), d], check=True)
        results = {}
        impls = ["core", "core+lifecycle", "core, two threads", "python", "python, two threads", "polars", "pandas"]
        try:
            import loyalty  # noqa: F401
        except ImportError:
            impls = [i for i in impls if not i.startswith("python")]
        for impl in impls:
            out = subprocess.run([sys.executable, __file__, "--child", impl, d], check=True, capture_output=True, text=True).stdout
            results[impl] = json.loads(out.strip().splitlines()[-1])
        checks = {r["checksum"] for r in results.values()}
        assert len(checks) == 1, f"implementations disagree: {results}"
        for impl, r in results.items():
            rows.append((n, impl, r["seconds"], r["peak_mib"], r["members"]))
    print("| orders | implementation | seconds (best of 3) | peak memory MiB | members |")
    print("|---|---|---|---|---|")
    for n, impl, s, mib, members in rows:
        print(f"| {n:,} | {impl} | {s:.3f} | {mib:.0f} | {members:,} |")


if __name__ == "__main__":
    main()
