"""Streams an order log from Parquet through `loyalty.analytics.rfm` batch by batch, and the
same job through polars' streaming engine, each in its own process so peak memory is its own.

The log is bench/gen_orders.py's synthetic one, written once as a Parquet file of 1M-row row
groups (bench/data/orders_N.parquet). The loyalty run reads it with
`pyarrow.parquet.ParquetFile.iter_batches`, so at most one batch of orders is in memory next
to the per-member summaries; the columns of the whole log (24 bytes an order) never are.

Usage: python bench/stream_bench.py [--only=loyalty,polars] 50000000
Needs numpy, pyarrow, polars and the loyalty package (`pip install ./bindings-python`).
"""
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
AS_OF = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


def write_parquet(n: int, path: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sys.path.insert(0, HERE)
    from gen_orders import generate

    member, ordered_at, cents = generate(n)
    table = pa.table({
        "member_id": pa.array(member.astype("uint64")),
        "ordered_at": pa.array(ordered_at.astype("datetime64[s]")),
        "amount_minor": pa.array(cents.astype("int64")),
    })
    pq.write_table(table, path, row_group_size=1_000_000)


def run_loyalty(path: str, threads: int = 1):
    import pyarrow as pa
    import pyarrow.parquet as pq

    import loyalty

    f = pq.ParquetFile(path)
    reader = pa.RecordBatchReader.from_batches(f.schema_arrow, f.iter_batches(batch_size=1_000_000))
    start = time.perf_counter()
    out = loyalty.analytics.rfm(reader, as_of=AS_OF, amount_minor="amount_minor", threads=threads)
    elapsed = time.perf_counter() - start
    r, fr, m = (out.column(c).to_numpy().astype("int64").sum() for c in ("r", "f", "m"))
    return elapsed, out.num_rows, int(r + fr + m)


def run_polars(path: str):
    """bench/rfm_bench.py's polars job, reading the Parquet file with the streaming engine."""
    import polars as pl

    as_of, day = int(AS_OF.timestamp()), 86_400
    start = time.perf_counter()
    g = (
        pl.scan_parquet(path)
        .with_columns(pl.col("ordered_at").dt.epoch("s"))
        .filter(pl.col("ordered_at") < as_of)
        .group_by("member_id")
        .agg(pl.col("ordered_at").max().alias("last"), pl.len().alias("frequency"), pl.col("amount_minor").sum().alias("monetary"))
        .with_columns((as_of // day - pl.col("last") // day).alias("recency_days"))
        .collect(engine="streaming")
    )
    n = g.height

    def score(col, descending):
        return (
            g.with_row_index("i")
            .sort([col, "member_id"], descending=[descending, False])
            .with_columns((1 + (5 * pl.int_range(0, n, eager=False)) // n).alias("s"))
            .sort("i")["s"]
        )

    total = int(score("recency_days", True).sum() + score("frequency", False).sum() + score("monetary", False).sum())
    return time.perf_counter() - start, n, total


def child(impl: str, path: str) -> None:
    jobs = {"loyalty": run_loyalty, "loyalty, two threads": lambda p: run_loyalty(p, 2), "polars": run_polars}
    elapsed, n, checksum = jobs[impl](path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"impl": impl, "seconds": round(elapsed, 2), "members": n, "checksum": checksum, "peak_mib": round(peak)}))


def main() -> None:
    if sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    args = sys.argv[1:]
    impls = ("loyalty", "loyalty, two threads", "polars")
    if args and args[0].startswith("--only="):
        impls = tuple(i for i in impls if i in args[0][len("--only="):].split(","))
        args = args[1:]
    for n in (int(x) for x in args):
        os.makedirs(os.path.join(HERE, "data"), exist_ok=True)
        path = os.path.join(HERE, "data", f"orders_{n}.parquet")
        if not os.path.exists(path):
            write_parquet(n, path)
        print(f"# {n:,} orders, {os.path.getsize(path) / 2**20:.0f} MiB of Parquet", flush=True)
        for impl in impls:
            out = subprocess.run([sys.executable, __file__, "--child", impl, path], check=True, capture_output=True, text=True)
            print(out.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
