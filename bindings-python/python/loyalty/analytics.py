"""Batch analytics on DataFrames: RFM values, scores and segments, value segments and
lifecycle tags per member.

Takes a pandas or polars DataFrame or a pyarrow Table (or anything exporting the Arrow
PyCapsule stream, read through pyarrow), and returns a frame of the same library. Money is
an integer column of minor units (`amount_minor=`) or a column of `decimal.Decimal` / a
Decimal dtype (`amount=`); a float column is refused.
"""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any, Dict, Optional, Tuple

from . import _native
from ._convert import instant
from .errors import AnalyticsError, call

_COLUMNS = ("member_id", "recency_days", "frequency", "monetary_minor", "r", "f", "m", "segment", "value_segment",
            "stage", "activity", "days_since_last", "cycle_days", "overdue", "churn_warning")


def _library(frame: Any) -> str:
    module = type(frame).__module__
    if module.startswith("pandas"):
        return "pandas"
    if module.startswith("polars"):
        return "polars"
    if module.startswith("pyarrow"):
        return "pyarrow"
    if hasattr(frame, "__arrow_c_stream__"):
        return "arrow"
    raise TypeError(f"frame: {type(frame).__name__} is not a pandas or polars DataFrame, a pyarrow Table or an Arrow stream")


def _column(frame: Any, library: str, name: str) -> Any:
    import numpy as np

    try:
        if library == "pandas":
            series = frame[name]
            if hasattr(series, "dt") and getattr(series.dt, "tz", None) is not None:
                series = series.dt.tz_convert("UTC").dt.tz_localize(None)
            return series.to_numpy()
        if library == "polars":
            series = frame[name]
            dtype = str(series.dtype)
            if dtype.startswith("Datetime") and getattr(series.dtype, "time_zone", None):
                series = series.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
            if dtype.startswith("Decimal"):
                return np.array(series.to_list(), dtype=object)
            return series.to_numpy()
        column = frame.column(name)
        if str(column.type).startswith("decimal"):
            return np.array(column.to_pylist(), dtype=object)
        if str(column.type).startswith("timestamp") and getattr(column.type, "tz", None):
            import pyarrow as pa
            column = column.cast(pa.timestamp(column.type.unit))
        return column.to_numpy()
    except KeyError:
        raise AnalyticsError(f"{name}: no such column", "missing_column", name, "") from None


def _members(values: Any) -> Tuple[Any, Any]:
    """Member ids as dense uint64 codes, and what to map the codes back to."""
    import numpy as np

    if values.dtype.kind in "iu" and (values.dtype.kind == "u" or values.size == 0 or values.min() >= 0):
        return values.astype(np.uint64, copy=False), None
    uniques, codes = np.unique(values, return_inverse=True)
    return codes.astype(np.uint64), uniques


def _times(values: Any) -> Any:
    import numpy as np

    if values.dtype.kind == "M":
        return values.astype("datetime64[s]").astype(np.int64)
    if values.dtype.kind in "iu":
        return values.astype(np.int64, copy=False)
    raise AnalyticsError(f"ordered_at: a {values.dtype} column; expected datetimes or Unix seconds", "invalid", "ordered_at", str(values.dtype))


def _amounts(values: Any, minor: bool, scale: int) -> Any:
    import numpy as np

    if values.dtype.kind == "f":
        raise TypeError(f"amount: a {values.dtype} column; money must be Decimal or integer minor units, never float")
    if minor:
        if values.dtype.kind not in "iu":
            raise TypeError(f"amount_minor: a {values.dtype} column; expected integers")
        return values.astype(np.int64, copy=False)
    out = np.empty(len(values), dtype=np.int64)
    for i, v in enumerate(values):
        if not isinstance(v, Decimal) or isinstance(v, bool):
            raise TypeError(f"amount[{i}]: {v!r} is a {type(v).__name__}; expected decimal.Decimal")
        scaled = v.scaleb(scale)
        if scaled != scaled.to_integral_value():
            raise AnalyticsError(f"amount[{i}]: {v} has more than {scale} decimal places", "invalid", f"amount[{i}]", str(v))
        out[i] = int(scaled)
    return out


def rfm(
    frame: Any,
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
) -> Any:
    """One row per member: RFM values (recency in whole local days, frequency, monetary total
    in minor units), 1-5 scores, R-F segment, value segment, lifecycle stage and activity.

    Naive timestamps in the frame are read as UTC; `as_of` must be timezone-aware.
    """
    import numpy as np

    if (amount is None) == (amount_minor is None):
        raise TypeError("give exactly one of amount= (Decimal) or amount_minor= (integer minor units)")
    library = _library(frame)
    if library == "arrow":
        import pyarrow as pa

        frame = pa.table(frame)
        library, source = "pyarrow", "pyarrow"
    else:
        source = library
    members, uniques = _members(_column(frame, library, member_id))
    times = _times(_column(frame, library, ordered_at))
    money_column = amount_minor if amount_minor is not None else amount
    assert money_column is not None
    amounts = _amounts(_column(frame, library, money_column), amount_minor is not None, scale)
    raw: Dict[str, Any] = call(
        _native.analyze,
        np.ascontiguousarray(members, dtype="<u8").tobytes(),
        np.ascontiguousarray(times, dtype="<i8").tobytes(),
        np.ascontiguousarray(amounts, dtype="<i8").tobytes(),
        instant("as_of", as_of),
        time_zone,
        scale,
        recent_days,
        distinct_days,
    )
    cols: Dict[str, Any] = {}
    for name, dtype in [("member_id", "<u8"), ("recency_days", "<i8"), ("frequency", "<u8"), ("monetary_minor", "<i8"),
                        ("r", "u1"), ("f", "u1"), ("m", "u1"), ("days_since_last", "<i8"), ("cycle_days", "<i8")]:
        cols[name] = np.frombuffer(raw[name], dtype=dtype)
    for name in ("overdue", "churn_warning"):
        cols[name] = np.frombuffer(raw[name], dtype="u1").astype(bool)
    for name in ("segment", "value_segment", "stage", "activity"):
        cols[name] = np.array(raw[name], dtype=object)
    if uniques is not None:
        cols[member_id] = uniques[cols.pop("member_id").astype(np.int64)]
    else:
        cols[member_id] = cols.pop("member_id")
    ordered = [member_id] + [c for c in _COLUMNS if c != "member_id"]
    cols = {c: cols[c] for c in ordered}
    if source == "pandas":
        import pandas as pd

        return pd.DataFrame(cols)
    if source == "polars":
        import polars as pl

        return pl.DataFrame({k: (v.tolist() if v.dtype == object else v) for k, v in cols.items()})
    import pyarrow as pa

    return pa.table({k: (v.tolist() if v.dtype == object else v) for k, v in cols.items()})
