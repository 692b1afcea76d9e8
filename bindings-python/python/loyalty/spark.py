"""RFM, segments and lifecycle tags on Apache Spark (PySpark), without UDF plumbing.

Import this module only where PySpark is installed; the rest of the package does not need it.
The executors need the `loyalty` wheel installed in the Python they run (`spark.pyspark.python`
or `PYSPARK_PYTHON`, or the wheel shipped with `--py-files`/an archive; README, "On Spark").

The job runs in three passes over the orders, partitioned by member (every member's orders in
one partition, so each partition summarizes whole members):

1. each partition is summarized (`mapInArrow`), one `Summary` as bytes per partition;
2. the driver merges the partial summaries and fits the cut points once
   (`loyalty.analytics.rfm(..., return_cut_points=True)`), as the single-machine job would;
3. each partition is scored with those cut points (`mapInArrow`).

The result equals `loyalty.analytics.rfm` on the whole log, member for member: the same
values, scores, segments and tags. Member ids must be integers (cut points break ties by id).
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Dict, Iterator, List, Optional, Sequence

from . import analytics
from .errors import InputError

__all__ = ["rfm", "replay"]

# Arrow types the analytics return that Spark does not read: unsigned integers and
# dictionary-coded text.
_CASTS = {
    "uint8": "int32",
    "uint16": "int32",
    "uint32": "int64",
    "uint64": "int64",
}


def _spark_friendly(table: Any) -> Any:
    import pyarrow as pa

    columns, names = [], []
    for field, column in zip(table.schema, table.columns):
        if pa.types.is_dictionary(field.type):
            column = column.cast(pa.string())
        elif str(field.type) in _CASTS:
            column = column.cast(getattr(pa, _CASTS[str(field.type)])())
        columns.append(column)
        names.append(field.name)
    return pa.table(columns, names=names)


def _table(batches: Iterator[Any]) -> Any:
    import pyarrow as pa

    collected: List[Any] = list(batches)
    if not collected:
        return None
    return pa.Table.from_batches(collected)


def _merge_bytes(a: bytes, b: bytes) -> bytes:
    """Two partial summaries' bytes merged into one's."""
    left = analytics.Summary.from_bytes(a, library="pyarrow")
    left.merge(analytics.Summary.from_bytes(b, library="pyarrow"))
    return left.to_bytes()


def rfm(
    orders: Any,
    *,
    as_of: _dt.datetime,
    member_id: str = "member_id",
    ordered_at: str = "ordered_at",
    amount: Optional[str] = None,
    amount_minor: Optional[str] = None,
    time_zone: str = "UTC",
    scale: int = 2,
    recent_days: int = 90,
    distinct_days: bool = False,
    monetary: str = "total",
    thresholds: Optional[Dict[str, Any]] = None,
    grid: Optional[Sequence[Sequence[str]]] = None,
    lifecycle: Optional[Dict[str, int]] = None,
    partitions: Optional[int] = None,
) -> Any:
    """`loyalty.analytics.rfm` on a Spark DataFrame of orders: a Spark DataFrame with one row
    per member (member id, RFM values, scores, segments, lifecycle stage and tags; unsigned
    counts as `long`, scores as `int`, segments as strings). Arguments as for
    `loyalty.analytics.rfm`; `partitions` is how many partitions the orders are spread over
    by member (by default, as many as they have now)."""
    if not hasattr(orders, "mapInArrow"):
        raise TypeError(f"orders: a {type(orders).__name__}; expected a pyspark.sql.DataFrame")
    money = amount_minor if amount_minor is not None else amount
    if money is None or (amount is not None and amount_minor is not None):
        raise InputError("amount: give one of amount or amount_minor", "input", "amount", repr((amount, amount_minor)))
    summary_args: Dict[str, Any] = dict(
        as_of=as_of, member_id=member_id, ordered_at=ordered_at, amount=amount, amount_minor=amount_minor,
        time_zone=time_zone, scale=scale, recent_days=recent_days, distinct_days=distinct_days,
    )
    score_args: Dict[str, Any] = dict(summary_args, monetary=monetary, thresholds=thresholds, grid=grid, lifecycle=lifecycle)
    n = partitions if partitions is not None else max(1, orders.rdd.getNumPartitions())
    by_member = orders.select(member_id, ordered_at, money).repartition(n, member_id)

    # 1. One summary per partition, as bytes.
    def summarize(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        table = _table(batches)
        if table is None or table.num_rows == 0:
            return
        part = analytics.summarize(table, **summary_args)
        yield pa.RecordBatch.from_pydict({"partial": [part.to_bytes()]}, schema=pa.schema([("partial", pa.binary())]))

    # 2. The cut points, fitted once on every member: the partials are merged in a tree on the
    # executors (in parallel), the last merge on the driver, which then holds one aggregate
    # per member.
    partials = by_member.mapInArrow(summarize, "partial binary").rdd.map(lambda row: bytes(row["partial"]))
    if partials.isEmpty():
        raise InputError("orders: no orders to score", "input", "orders", "0 rows")
    merged = analytics.Summary.from_bytes(partials.treeReduce(_merge_bytes), library="pyarrow")
    fitted, cut_points = analytics.rfm(merged, **score_args, return_cut_points=True)
    schema = _spark_friendly(fitted.slice(0, 0)).schema

    # 3. Each partition scored with those cut points.
    def score(batches: Iterator[Any]) -> Iterator[Any]:
        table = _table(batches)
        if table is None or table.num_rows == 0:
            return
        # The fitted cut points (thresholds turned into cut points, with the whole log's
        # means for the value segments) stand in for the thresholds.
        args = {k: v for k, v in score_args.items() if k != "thresholds"}
        scored = analytics.rfm(table, **args, cut_points=cut_points)
        yield from _spark_friendly(scored).to_batches()

    from pyspark.sql.pandas.types import from_arrow_schema

    return by_member.mapInArrow(score, from_arrow_schema(schema))


def replay(
    orders: Any,
    program: Any,
    *,
    as_of: _dt.datetime,
    member_id: str = "member_id",
    ordered_at: str = "ordered_at",
    amount: Optional[str] = None,
    amount_minor: Optional[str] = None,
    scale: int = 2,
    partitions: Optional[int] = None,
) -> Any:
    """`loyalty.replay.members` on a Spark DataFrame of orders: the orders are spread over
    partitions by member, and each partition replays its members in time order under
    `program` (a `loyalty.Program`, sent to the executors as its JSON). A Spark DataFrame with
    one row per member: orders applied and refused, points available, pending, owed and
    expiring soon as of `as_of`, the tier, and the liability (decimal(38,10))."""
    from . import replay as single
    from .engine import Program

    if not hasattr(orders, "mapInArrow"):
        raise TypeError(f"orders: a {type(orders).__name__}; expected a pyspark.sql.DataFrame")
    if not isinstance(program, Program):
        raise TypeError(f"program: a {type(program).__name__}; expected a loyalty.Program")
    money = amount_minor if amount_minor is not None else amount
    if money is None or (amount is not None and amount_minor is not None):
        raise InputError("amount: give one of amount or amount_minor", "input", "amount", repr((amount, amount_minor)))
    text = program.to_json()
    args: Dict[str, Any] = dict(as_of=as_of, member_id=member_id, ordered_at=ordered_at, amount=amount,
                                amount_minor=amount_minor, scale=scale)
    n = partitions if partitions is not None else max(1, orders.rdd.getNumPartitions())
    by_member = orders.select(member_id, ordered_at, money).repartition(n, member_id)

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        table = _table(batches)
        if table is None or table.num_rows == 0:
            return
        yield from single.members(table, Program.from_json(text), **args).to_batches()

    from pyspark.sql.pandas.types import from_arrow_schema

    return by_member.mapInArrow(run, from_arrow_schema(single.schema()))
