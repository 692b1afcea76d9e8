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

__all__ = ["rfm", "metrics", "replay", "clv_summary", "bgnbd_fit", "bgnbd_predict"]

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


def _integer_ids(orders: Any, member_id: str) -> None:
    """Partitions are merged by member id: ids must be integers (text ids would be numbered per
    partition, and different members would merge)."""
    from pyspark.sql.types import ByteType, IntegerType, LongType, ShortType

    try:
        kind = orders.schema[member_id].dataType
    except (KeyError, LookupError):
        raise InputError(f"{member_id}: no such column", "input", member_id, "missing") from None
    if not isinstance(kind, (ByteType, ShortType, IntegerType, LongType)):
        raise InputError(f"{member_id}: a {kind.simpleString()} column; member ids on Spark must be integers",
                         "input", member_id, kind.simpleString())


def _by_member(orders: Any, member_id: str, ordered_at: str, amount: Optional[str], amount_minor: Optional[str],
               partitions: Optional[int]) -> Any:
    """The orders' three columns spread over partitions by member (every member's orders in one
    partition), after the checks every function here makes on the driver: a DataFrame, one
    money column, integer member ids."""
    if not hasattr(orders, "mapInArrow"):
        raise TypeError(f"orders: a {type(orders).__name__}; expected a pyspark.sql.DataFrame")
    money = amount_minor if amount_minor is not None else amount
    if money is None or (amount is not None and amount_minor is not None):
        raise InputError("amount: give one of amount or amount_minor", "input", "amount", repr((amount, amount_minor)))
    _integer_ids(orders, member_id)
    n = partitions if partitions is not None else max(1, orders.rdd.getNumPartitions())
    return orders.select(member_id, ordered_at, money).repartition(n, member_id)


def _before_as_of(run: Any) -> Any:
    """A partition whose orders all come after `as_of` has none to score: no rows (the
    single-machine job leaves such members out)."""
    def wrapped(batches: Iterator[Any]) -> Iterator[Any]:
        try:
            yield from run(batches)
        except Exception as e:  # noqa: BLE001 - only the one kind is passed over
            if getattr(e, "kind", None) != "as_of_before_orders":
                raise
    return wrapped


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
    summary_args: Dict[str, Any] = dict(
        as_of=as_of, member_id=member_id, ordered_at=ordered_at, amount=amount, amount_minor=amount_minor,
        time_zone=time_zone, scale=scale, recent_days=recent_days, distinct_days=distinct_days,
    )
    score_args: Dict[str, Any] = dict(summary_args, monetary=monetary, thresholds=thresholds, grid=grid, lifecycle=lifecycle)
    by_member = _by_member(orders, member_id, ordered_at, amount, amount_minor, partitions)

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
    partials = by_member.mapInArrow(_before_as_of(summarize), "partial binary").rdd.map(lambda row: bytes(row["partial"]))
    if partials.isEmpty():
        raise InputError("orders: no orders before as_of to score", "input", "orders", "0 rows")
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

    return by_member.mapInArrow(_before_as_of(score), from_arrow_schema(schema))


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

    if not isinstance(program, Program):
        raise TypeError(f"program: a {type(program).__name__}; expected a loyalty.Program")
    text = program.to_json()
    args: Dict[str, Any] = dict(as_of=as_of, member_id=member_id, ordered_at=ordered_at, amount=amount,
                                amount_minor=amount_minor, scale=scale)
    by_member = _by_member(orders, member_id, ordered_at, amount, amount_minor, partitions)

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        table = _table(batches)
        if table is None or table.num_rows == 0:
            return
        yield from single.members(table, Program.from_json(text), **args).to_batches()

    from pyspark.sql.pandas.types import from_arrow_schema

    return by_member.mapInArrow(run, from_arrow_schema(single.schema()))


def clv_summary(
    orders: Any,
    *,
    calibration_end: _dt.date,
    holdout_end: Optional[_dt.date] = None,
    member_id: str = "member_id",
    ordered_at: str = "ordered_at",
    amount: Optional[str] = None,
    amount_minor: Optional[str] = None,
    unit: str = "week",
    scale: int = 2,
    partitions: Optional[int] = None,
) -> Any:
    """`loyalty.clv.summary` on a Spark DataFrame of orders: each partition (members whole)
    summarized on its executor; one row per member with `frequency`, `recency`, `T`,
    `monetary` and `holdout_frequency`, the rows the single-machine summary gives."""
    from . import clv

    args: Dict[str, Any] = dict(calibration_end=calibration_end, holdout_end=holdout_end, member_id=member_id,
                                ordered_at=ordered_at, amount=amount, amount_minor=amount_minor, unit=unit, scale=scale)
    by_member = _by_member(orders, member_id, ordered_at, amount, amount_minor, partitions)

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        table = _table(batches)
        if table is None or table.num_rows == 0:
            return
        yield from _spark_friendly(clv.summary(table, **args)).to_batches()

    import pyarrow as pa
    from pyspark.sql.pandas.types import from_arrow_schema

    schema = pa.schema([(member_id, pa.int64()), ("frequency", pa.int64()), ("recency", pa.float64()),
                        ("T", pa.float64()), ("monetary", pa.float64()), ("holdout_frequency", pa.int64())])
    return by_member.mapInArrow(run, from_arrow_schema(schema))


def bgnbd_fit(summary: Any, member_id: str = "member_id") -> Any:
    """Fits `loyalty.clv.BgNbd` on the driver from a Spark CLV summary (`clv_summary`): only
    its member id, `frequency`, `recency` and `T` travel, 32 bytes per member. The members are
    fitted in id order, as the single-machine summary lists them, so the fit is the same one
    whatever the partitioning (the optimizer's last digits depend on the order of its sums)."""
    import pyarrow as pa

    from . import clv

    rows = summary.select(member_id, "frequency", "recency", "T").orderBy(member_id).collect()
    table = pa.table({
        "frequency": pa.array([r["frequency"] for r in rows], pa.uint64()),
        "recency": pa.array([r["recency"] for r in rows], pa.float64()),
        "T": pa.array([r["T"] for r in rows], pa.float64()),
    })
    return clv.BgNbd.fit(table)


def bgnbd_predict(model: Any, summary: Any, horizon: float, churn_thresholds: Any = (0.3, 0.7)) -> Any:
    """`model.predict` on each partition of a Spark CLV summary: the summary's columns with
    `p_alive`, `expected_purchases` (in the next `horizon` units) and `churn_risk`."""
    import pyarrow as pa
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        table = _table(batches)
        if table is None or table.num_rows == 0:
            return
        table = table.set_column(table.schema.get_field_index("frequency"), "frequency",
                                 table.column("frequency").cast(pa.uint64()))
        yield from _spark_friendly(model.predict(table, horizon, churn_thresholds)).to_batches()

    base = to_arrow_schema(summary.schema)
    schema = pa.schema(list(base) + [("p_alive", pa.float64()), ("expected_purchases", pa.float64()),
                                     ("churn_risk", pa.string())])
    return summary.mapInArrow(run, from_arrow_schema(schema))


def _merge_metrics(a: bytes, b: bytes) -> bytes:
    """Two partial metrics builders' bytes merged into one's."""
    from . import _native
    from .errors import call

    left = call(_native.MetricsBuilder.from_json, a.decode())
    call(left.merge, call(_native.MetricsBuilder.from_json, b.decode()))
    text: str = call(left.to_json)
    return text.encode()


def metrics(
    orders: Any,
    *,
    as_of: _dt.datetime,
    period_start: _dt.datetime,
    member_id: str = "member_id",
    ordered_at: str = "ordered_at",
    amount: Optional[str] = None,
    amount_minor: Optional[str] = None,
    time_zone: str = "UTC",
    scale: int = 2,
    partitions: Optional[int] = None,
) -> Dict[str, Any]:
    """`loyalty.analytics.metrics` on a Spark DataFrame of orders: each partition (members
    whole) folded into a metrics builder on its executor, the builders merged in a tree, the
    metrics worked out on the driver: the dict the single-machine call returns. Member ids must
    be integers."""
    from . import _native
    from .errors import call

    by_member = _by_member(orders, member_id, ordered_at, amount, amount_minor, partitions)

    def fold(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        table = _table(batches)
        if table is None or table.num_rows == 0:
            return
        builder = analytics._metrics_builder(table, as_of, period_start, member_id, ordered_at, amount, amount_minor,
                                             time_zone, scale, 1, merging=True)
        text: str = call(builder.to_json)
        yield pa.RecordBatch.from_pydict({"partial": [text.encode()]}, schema=pa.schema([("partial", pa.binary())]))

    partials = by_member.mapInArrow(fold, "partial binary").rdd.map(lambda row: bytes(row["partial"]))
    if partials.isEmpty():
        raise InputError("orders: no orders to measure", "input", "orders", "0 rows")
    merged = call(_native.MetricsBuilder.from_json, partials.treeReduce(_merge_metrics).decode())
    return analytics._metrics_of(merged, scale)
