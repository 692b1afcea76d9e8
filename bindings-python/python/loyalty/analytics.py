"""Batch analytics on DataFrames: RFM values, scores and segments, value segments,
lifecycle tags and, from order lines, preference tags per member.

Takes a pandas or polars DataFrame or a pyarrow Table, and returns a frame of the same
library; or a stream of record batches (a `pyarrow.RecordBatchReader`, or anything exporting
the Arrow PyCapsule stream, such as a Parquet file read lazily), consumed batch by batch in
bounded memory, returning a pyarrow Table. With integer member ids the columns are read in
place through the Arrow C stream interface (pandas needs pyarrow for that). Money is
an integer column of minor units (`amount_minor=`) or a column of `decimal.Decimal` / a
Decimal dtype (`amount=`); a float column is refused.
"""
from __future__ import annotations

import datetime as _dt
import operator
from decimal import Decimal
from typing import Any, Dict, Optional, Sequence, Tuple

from . import _native
from ._convert import instant
from .errors import AnalyticsError, InputError, call

_COLUMNS = ("member_id", "recency_days", "frequency", "monetary_minor", "r", "f", "m", "segment", "value_segment",
            "stage", "activity", "days_since_last", "cycle_days", "overdue", "churn_warning")


def _money_column(amount: Optional[str], amount_minor: Optional[str]) -> str:
    """The money column's name, given exactly one of amount= and amount_minor=."""
    if amount_minor is not None and amount is None:
        return amount_minor
    if amount is not None and amount_minor is None:
        return amount
    raise TypeError("give exactly one of amount= (Decimal) or amount_minor= (integer minor units)")


def _library(frame: Any) -> str:
    module = type(frame).__module__
    if hasattr(frame, "read_next_batch"):
        return "stream"
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
        if hasattr(column, "chunks"):
            return column.to_numpy()
        return column.to_numpy(zero_copy_only=False)
    except KeyError:
        raise AnalyticsError(f"{name}: no such column", "missing_column", name, "") from None


class _Codes:
    """Consistent codes for non-integer ids (or, with `always`, any labels) across the batches
    of a stream."""

    def __init__(self, name: str = "member_id", always: bool = False) -> None:
        self.name = name
        self.index: Optional[Dict[Any, int]] = {}
        self.ids: list = []
        self.integers: Optional[bool] = False if always else None

    def encode(self, values: Any) -> Any:
        import numpy as np

        integers = values.dtype.kind in "iu" and (values.dtype.kind == "u" or values.size == 0 or values.min() >= 0)
        if self.integers is None:
            self.integers = bool(integers)
        if self.integers is False and values.dtype.kind in "iu":
            integers = False
        if self.integers != bool(integers):
            raise AnalyticsError(f"{self.name}: batches mix integer and other ids", "invalid", self.name, str(values.dtype))
        if integers:
            return values.astype(np.uint64, copy=False)
        if values.dtype.kind == "O":
            # Labels must be one kind: numpy cannot order a mix of str and int (or None), and
            # "1" and 1 would be two members.
            for i, v in enumerate(values.tolist()):
                if not isinstance(v, str):
                    raise AnalyticsError(f"{self.name}[{i}]: {v!r} is a {type(v).__name__}; member ids are all strings "
                                         "or all whole numbers", "invalid", f"{self.name}[{i}]", repr(v))
        elif values.dtype.kind == "f":
            raise AnalyticsError(f"{self.name}: a float column; member ids are strings or whole numbers", "invalid",
                                 self.name, str(values.dtype))
        uniques, inverse = np.unique(values, return_inverse=True)
        if self.index is None:
            self.index = {label: code for code, label in enumerate(self.ids)}
        mapped = np.empty(len(uniques), dtype=np.uint64)
        for i, u in enumerate(uniques.tolist()):
            code = self.index.get(u)
            if code is None:
                code = self.index[u] = len(self.ids)
                self.ids.append(u)
            mapped[i] = code
        return mapped[inverse]

    def decode(self, codes: Any) -> Any:
        import numpy as np

        if self.integers is not False:
            return codes
        return np.array(self.ids, dtype=object)[codes.astype(np.int64)]


def _batches(frame: Any) -> Tuple[str, str, Any]:
    """The library results are returned in, the library of the batches, and an iterator over
    them: a frame is one batch; a stream (pyarrow reader or Arrow PyCapsule) is read lazily."""
    library = _library(frame)
    if library == "arrow":
        import pyarrow as pa

        frame, library = pa.RecordBatchReader.from_stream(frame), "stream"
    if library == "stream":
        return "pyarrow", "pyarrow", iter(frame)
    return library, library, iter([frame])


def _text_type(t: Any) -> bool:
    """Whether an Arrow type is text the native side reads in place as member ids: string,
    large string, string view, or a dictionary of one of them."""
    import pyarrow as pa

    if pa.types.is_dictionary(t):
        return pa.types.is_integer(t.index_type) and _text_type(t.value_type)
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t)
                or (hasattr(pa.types, "is_string_view") and pa.types.is_string_view(t)))


def _arrow_source(frame: Any, library: str, columns: Tuple[str, str, str], minor: bool) -> Any:
    """An object exporting the Arrow C stream of just `columns` (member id, instant, money),
    for the native side to read in place: member ids that are integers or text (string,
    large string, string view, dictionary); or None when the frame cannot export Arrow or its
    ids are of another kind or have nulls (then its columns are copied, and the copy's checks
    name the bad row)."""
    member_id = columns[0]
    try:
        if library == "pandas":
            import pyarrow as pa

            kinds = [frame[c].dtype.kind for c in columns]
            data = {c: frame[c] for c in columns}
            if kinds[0] not in "iu":
                # Text ids (object columns of str, or pandas string dtypes) convert to Arrow
                # strings in one pass; anything else (mixed, None, floats) is coded here.
                try:
                    ids = pa.array(frame[member_id], from_pandas=False)
                except Exception:
                    return None
                if not _text_type(ids.type) or ids.null_count:
                    return None
                data[member_id] = ids
            if not minor and kinds[2] == "O":
                # An object column of Decimals converts to decimal128 (one pass in pyarrow);
                # anything else (floats, text, mixed) stays on the checked per-value path,
                # which names the offending row. (Not pandas semantics: they would read a
                # Decimal NaN as a null; NaN and infinities go to the per-value path too.)
                try:
                    money = pa.array(frame[columns[2]], from_pandas=False)
                except Exception:
                    return None
                if not pa.types.is_decimal(money.type):
                    return None
                data[columns[2]] = money
            return pa.table(data)
        if library == "polars":
            import polars as pl

            kind = frame.schema[member_id]
            text = kind == pl.String or isinstance(kind, (pl.Categorical, pl.Enum))
            if not (kind.is_integer() or text) or not hasattr(frame, "__arrow_c_stream__"):
                return None
            if text and frame[member_id].null_count():
                return None
            return frame.select(list(columns))
        if library in ("pyarrow", "stream"):
            import pyarrow as pa

            t = frame.schema.field(member_id).type
            if not (pa.types.is_integer(t) or _text_type(t)):
                return None
            if library == "pyarrow" and not pa.types.is_integer(t) and frame.column(member_id).null_count:
                return None
            return frame.select(list(columns)) if hasattr(frame, "select") else frame
    except (ImportError, KeyError):
        return None
    return None


def _read_labels(codes: "_Codes", labels: Optional[list]) -> None:
    """The member-id coding after an in-place read: integer ids as themselves, or the labels
    the native side read, each coded by its position (code-point order)."""
    if labels is None:
        codes.integers = True
        return
    codes.integers = False
    codes.ids = list(labels)
    # Built when first needed: only a churn-risk frame looks codes up (0.13 s per 500,000 labels).
    codes.index = None


def _summarize(frame: Any, summarizer: Any, new: Any, codes: "_Codes", columns: Tuple[str, str, str], minor: bool,
               scale: int) -> Tuple[str, Any]:
    """Folds the frame (or stream) into the summarizer: read in place through Arrow when the
    member ids are integers, else batch by batch as copied columns with coded ids. Returns the
    library of the result and the summarizer (a new one if the Arrow path was abandoned)."""
    library = _library(frame)
    if library == "arrow":
        import pyarrow as pa

        frame, library = pa.RecordBatchReader.from_stream(frame), "stream"
    arrow = _arrow_source(frame, library, columns, minor)
    if arrow is not None:
        try:
            call(summarizer.add_arrow, arrow, *columns, minor, scale)
            _read_labels(codes, call(summarizer.labels) if hasattr(summarizer, "labels") else None)
            return ("pyarrow" if library == "stream" else library), summarizer
        except AnalyticsError as e:
            # Negative integer ids are coded like labels, from a fresh start (a one-shot
            # stream cannot be read again).
            if e.kind != "negative_member_id" or library == "stream":
                raise
            summarizer = new()
    source, batch_library, batches = _batches(frame)
    for batch in batches:
        call(summarizer.add, *_batch_bytes(batch, batch_library, codes, *columns, minor, scale))
    return source, summarizer


def _times(values: Any) -> Any:
    import numpy as np

    if values.dtype.kind == "M":
        return values.astype("datetime64[s]").astype(np.int64)
    if values.dtype.kind in "iu":
        return values.astype(np.int64, copy=False)
    raise AnalyticsError(f"ordered_at: a {values.dtype} column; expected datetimes or Unix seconds", "invalid", "ordered_at", str(values.dtype))


def _amounts(values: Any, minor: bool, scale: int, name: str = "amount", first_row: Optional[int] = None) -> Any:
    """A money column as minor units. With `first_row` (the batch's first row in the stream),
    `name` is the caller's column and a negative value is refused here, named by the stream's
    row and the caller's value (the native check knows neither)."""
    import numpy as np

    if values.dtype.kind == "f":
        raise TypeError(f"{name}: a {values.dtype} column; money must be Decimal or integer minor units, never float")
    if minor:
        if values.dtype.kind not in "iu":
            raise TypeError(f"{name if first_row is not None else name + '_minor'}: a {values.dtype} column; expected integers")
        out_minor = values.astype(np.int64, copy=False)
        if first_row is not None:
            bad = np.flatnonzero(out_minor < 0)
            if bad.size:
                row = first_row + int(bad[0])
                raise AnalyticsError(f"{name}[{row}]: {int(out_minor[bad[0]])} must not be negative", "negative_amount",
                                     f"{name}[{row}]", str(int(out_minor[bad[0]])))
        return out_minor
    out = np.empty(len(values), dtype=np.int64)
    for i, v in enumerate(values):
        # pandas' missing values (None, pd.NA, a float NaN) are nulls, as on the Arrow path.
        if v is None or type(v).__name__ == "NAType" or (isinstance(v, float) and v != v):
            raise AnalyticsError(f"{name}[{i}]: is null; every row needs a value", "null", f"{name}[{i}]", "")
        if not isinstance(v, Decimal) or isinstance(v, bool):
            raise TypeError(f"{name}[{i}]: {v!r} is a {type(v).__name__}; expected decimal.Decimal")
        if not v.is_finite():
            raise AnalyticsError(f"{name}[{i}]: {v} is not a finite amount", "invalid", f"{name}[{i}]", str(v))
        if first_row is not None and v < 0:
            row = first_row + i
            raise AnalyticsError(f"{name}[{row}]: {v} must not be negative", "negative_amount", f"{name}[{row}]", str(v))
        scaled = v.scaleb(scale)
        if scaled != scaled.to_integral_value():
            raise AnalyticsError(f"{name}[{i}]: {v} has more than {scale} decimal places", "invalid", f"{name}[{i}]", str(v))
        out[i] = int(scaled)
    return out



def _thread_count(threads: Any, error: Any) -> int:
    """`threads` as a count of at least 1 (ints and numpy integers; not bools or floats),
    else `error` naming the field."""
    try:
        count = operator.index(threads)
    except TypeError:
        count = 0
    if isinstance(threads, bool) or count < 1:
        raise error(f"threads: {threads!r} must be a whole number of at least 1", "invalid", "threads", repr(threads))
    return count

def _check_scale(scale: Any) -> None:
    """The currency's minor-unit digits: a whole number from 0 to 18 (10^18 is the largest
    power of ten an int64 of minor units holds)."""
    if isinstance(scale, bool) or not isinstance(scale, int) or not 0 <= scale <= 18:
        raise AnalyticsError(f"scale: {scale!r} must be a whole number from 0 to 18", "invalid", "scale", repr(scale))


def _summarized(frame: Any, as_of: _dt.datetime, member_id: str, ordered_at: str, amount: Optional[str],
                amount_minor: Optional[str], time_zone: str, scale: int, recent_days: int, distinct_days: bool,
                threads: int) -> Tuple[str, Any, "_Codes"]:
    """A frame (or stream) folded into a new native summarizer: the result's library, the
    summarizer and the member-id coding. What `rfm` and `summarize` share."""
    money_column = _money_column(amount, amount_minor)
    _check_scale(scale)
    codes = _Codes()
    count = _thread_count(threads, AnalyticsError)
    as_of_text = instant("as_of", as_of)

    def new() -> Any:
        return call(_native.Summarizer, as_of_text, time_zone, recent_days, distinct_days, count)

    source, summarizer = _summarize(frame, new(), new, codes, (member_id, ordered_at, money_column),
                                    amount_minor is not None, scale)
    return source, summarizer, codes


class Summary:
    """Partial per-member summaries of one part of an order log, from `summarize`: a log
    split across processes or machines is summarized part by part, each part sent with
    `to_bytes()`, read back with `Summary.from_bytes` (checked member by member), merged with
    `merge`, and scored by passing the merged summary to `rfm` in place of a frame. Needs
    integer member ids (labels are coded per frame, so parts would not agree on them)."""

    __slots__ = ("_native", "_library")

    def __init__(self, native: Any, library: str) -> None:
        self._native = native
        self._library = library

    def to_bytes(self) -> bytes:
        """The summaries as bytes (UTF-8 JSON: settings, orders added, one aggregate per
        member in id order)."""
        text: str = call(self._native.to_json)
        return text.encode()

    @classmethod
    def from_bytes(cls, data: bytes, *, library: str = "pandas", threads: int = 1) -> "Summary":
        """Reads `to_bytes()` output; `rfm` on it returns a frame of `library` ("pandas",
        "polars" or "pyarrow")."""
        if library not in ("pandas", "polars", "pyarrow"):
            raise InputError(f"library: {library!r} must be 'pandas', 'polars' or 'pyarrow'", "input", "library", repr(library))
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data: a {type(data).__name__}; expected the bytes of Summary.to_bytes()")
        try:
            text = bytes(data).decode()
        except UnicodeDecodeError as e:
            raise AnalyticsError(f"partial: not UTF-8 text ({e})", "invalid", "partial", "") from None
        return cls(call(_native.Summarizer.from_json, text, _thread_count(threads, InputError)), library)

    def merge(self, other: "Summary") -> None:
        """Adds another part's summaries (same as_of, zone and options) to this one; `other`
        is spent."""
        if not isinstance(other, Summary):
            raise TypeError(f"other: a {type(other).__name__}; expected a loyalty.analytics.Summary")
        if other is self or other._native is self._native:
            raise InputError("other: is this summary itself; merge another part", "input", "other", "self")
        call(self._native.merge, other._native)

    def __reduce__(self) -> Tuple[Any, Tuple[bytes, str]]:
        # Pickles as its bytes (parts cross to worker processes and Spark executors).
        return (_summary_from_bytes, (self.to_bytes(), self._library))

    def __repr__(self) -> str:
        as_of, zone, recent, distinct = call(self._native.settings_tuple)
        return f"Summary(as_of={as_of!r}, time_zone={zone!r}, recent_days={recent}, distinct_days={distinct})"


def _summary_from_bytes(data: bytes, library: str) -> Summary:
    return Summary.from_bytes(data, library=library)


def summarize(
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
    threads: int = 1,
) -> Summary:
    """The per-member summaries of one part of an order log, for `Summary.merge` and `rfm`.
    Arguments as for `rfm`; member ids must be integers."""
    source, summarizer, codes = _summarized(frame, as_of, member_id, ordered_at, amount, amount_minor, time_zone,
                                            scale, recent_days, distinct_days, threads)
    if codes.integers is False:
        raise InputError(f"{member_id}: summaries to merge need integer member ids (labels are coded per frame)",
                         "input", member_id, "labels")
    return Summary(summarizer, source)


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
    threads: int = 1,
    monetary: str = "total",
    cut_points: Optional[Dict[str, Any]] = None,
    thresholds: Optional[Dict[str, Any]] = None,
    grid: Optional[Sequence[Sequence[str]]] = None,
    lifecycle: Optional[Dict[str, int]] = None,
    return_cut_points: bool = False,
    churn_risk: Any = None,
) -> Any:
    """One row per member: RFM values (recency in whole local days, frequency, monetary total
    in minor units), 1-5 scores, R-F segment, value segment, lifecycle stage and activity.
    `frame` may also be a `Summary` (from `summarize`, merged across parts), whose settings
    must be the ones given here; it is spent.

    Naive timestamps in the frame are read as UTC; `as_of` must be timezone-aware. Batches of
    262,144 rows or more are summarized on `threads` threads, and the per-member stages
    (sorting, values, cut points, scores, tags) of 32,768 members or more run on them too
    (the result is the same).

    Scores rank the members by default (ties by member id). `monetary="mean"` scores M by
    mean spend per order. `cut_points` (from an earlier call with `return_cut_points=True`)
    scores another partition exactly as the first was scored; `thresholds` are fixed cut
    points: `{"recency_days": [365, 180, 90, 30], "frequency": [2, 3, 5, 8], "monetary":
    [Decimal("50"), ...]}` (R 2..5 within at most those days, F and M 2..5 from those values,
    monetary in currency units). `grid`: 5 x 5 segment names, `grid[r - 1][f - 1]`.
    `lifecycle`: any of `new_days`, `active_days`, `churn_days`, `warn_days`, `high_orders`,
    `medium_orders`, `overdue_percent`. With `return_cut_points=True` the result is
    `(frame, cut_points)`. Reusing cut points needs integer member ids: ties break by member
    id, and labels are coded per frame.

    `churn_risk`: a frame with the member id column and a `churn_risk` column of `low`,
    `medium` or `high` (what `loyalty.clv.BgNbd.predict` returns on a CLV summary) adds the
    CLV model's churn risk to the lifecycle tags, as a `churn_risk` column (`unknown` for
    members it does not list).
    """
    import json

    import numpy as np

    options: Dict[str, Any] = {}
    if monetary not in ("total", "mean"):
        raise InputError(f"monetary: {monetary!r} must be 'total' or 'mean'", "input", "monetary", repr(monetary))
    options["monetary"] = monetary
    if cut_points is not None:
        options["cut_points"] = cut_points
    if thresholds is not None:
        if not isinstance(thresholds, dict) or set(thresholds) != {"recency_days", "frequency", "monetary"}:
            raise InputError(f"thresholds: {thresholds!r} must be a dict of recency_days, frequency and monetary, four values each",
                             "input", "thresholds", repr(thresholds))
        for name, values in thresholds.items():
            if isinstance(values, (str, bytes)) or len(values) != 4:
                raise InputError(f"thresholds.{name}: {values!r} must be four values", "input", f"thresholds.{name}", repr(values))
        for v in thresholds["monetary"]:
            if isinstance(v, float):
                raise TypeError(f"thresholds.monetary: {v!r} is a float; money must be Decimal or int")
        options["thresholds"] = {
            "recency_days": [operator.index(v) for v in thresholds["recency_days"]],
            "frequency": [operator.index(v) for v in thresholds["frequency"]],
            "monetary": [str(Decimal(v)) for v in thresholds["monetary"]],
        }
    if grid is not None:
        rows = [list(r) for r in grid]
        if len(rows) != 5 or any(len(r) != 5 or not all(isinstance(n, str) for n in r) for r in rows):
            raise InputError(f"grid: {grid!r} must be 5 rows (R 1..5) of 5 segment names (F 1..5)", "input", "grid", repr(grid))
        options["grid"] = {"names": rows}
    if lifecycle is not None:
        options["lifecycle"] = dict(lifecycle)

    if isinstance(frame, Summary):
        # Summarized already: its settings must be the ones asked for here.
        _thread_count(threads, AnalyticsError)
        held = tuple(call(frame._native.settings_tuple))
        asked = (instant("as_of", as_of), time_zone, recent_days, distinct_days)
        if _dt.datetime.fromisoformat(held[0]) != as_of or held[1:] != asked[1:]:
            raise InputError(f"frame: a Summary of {held!r}, not of {asked!r} (as_of, time_zone, recent_days, distinct_days)",
                             "input", "frame", repr(held))
        source, summarizer, codes = frame._library, frame._native, _Codes()
        codes.integers = True
    else:
        source, summarizer, codes = _summarized(frame, as_of, member_id, ordered_at, amount, amount_minor, time_zone,
                                                scale, recent_days, distinct_days, threads)
    if cut_points is not None and codes.integers is False:
        # Ties break by member id; labels are coded per frame, so another frame's cut
        # points would break them differently.
        raise InputError("cut_points: reusing cut points needs integer member ids (labels are coded per frame)", "input",
                         "cut_points", member_id)
    churn: Tuple[Optional[bytes], Optional[bytes]] = (None, None)
    if churn_risk is not None:
        churn = _churn_codes(churn_risk, member_id, codes)
    raw: Dict[str, Any] = call(summarizer.finish, scale, json.dumps(options), *churn)
    # Every column is a view of a writable buffer the native side filled: no copies.
    buffers, rows = raw["buffers"], raw["rows"]
    cols: Dict[str, Any] = {name: np.frombuffer(buffers[part], dtype=dtype, count=rows, offset=offset)
                            for name, dtype, part, offset in raw["layout"]}
    categorical: Dict[str, Tuple[Any, list]] = {name: (cols.pop(name), list(names))
                                                 for name, names in raw["categories"].items()}
    cols[member_id] = codes.decode(cols.pop("member_id"))
    ordered = [member_id] + [c for c in _COLUMNS if c != "member_id"] + (["churn_risk"] if churn_risk is not None else [])
    def build(frame_cols: Dict[str, Any]) -> Dict[str, Any]:
        return {c: frame_cols[c] for c in ordered}

    used = json.loads(raw["cut_points"])

    def done(out: Any) -> Any:
        return (out, used) if return_cut_points else out

    if source == "pandas":
        import pandas as pd

        for name, (codes_u8, categories) in categorical.items():
            cols[name] = pd.Categorical.from_codes(codes_u8.astype(np.int16), categories=categories)
        # The columns are fresh arrays nobody else holds: no need to copy them into blocks.
        return done(pd.DataFrame(build(cols), copy=False))
    if source == "polars":
        import polars as pl

        out_cols = {k: (v.tolist() if getattr(v, "dtype", None) == object else v) for k, v in cols.items()}
        for name, (codes_u8, categories) in categorical.items():
            out_cols[name] = pl.Series(name, categories, dtype=pl.Categorical).gather(codes_u8.astype(np.uint32)) if categories else pl.Series(name, [], dtype=pl.Categorical)
        return done(pl.DataFrame(build(out_cols)))
    import pyarrow as pa

    out_cols = {k: (v.tolist() if getattr(v, "dtype", None) == object else v) for k, v in cols.items()}
    for name, (codes_u8, categories) in categorical.items():
        out_cols[name] = pa.DictionaryArray.from_arrays(pa.array(codes_u8.astype(np.int8)), pa.array(categories, type=pa.string()))
    return done(pa.table(build(out_cols)))


_CHURN_CODES = {"low": 0, "medium": 1, "high": 2}


def _churn_codes(frame: Any, member_id: str, codes: "_Codes") -> Tuple[bytes, bytes]:
    """A churn-risk frame's member ids (coded as the orders' were) and risk codes as bytes."""
    import numpy as np

    library = _library(frame)
    if library in ("stream", "arrow"):
        import pyarrow as pa

        frame, library = pa.table(frame) if library == "arrow" else frame.read_all(), "pyarrow"
    ids = np.asarray(_column(frame, library, member_id))
    labels = np.asarray(_column(frame, library, "churn_risk")).astype(str)
    risk = np.full(len(labels), 255, dtype=np.uint8)
    for name, code in _CHURN_CODES.items():
        risk[labels == name] = code
    bad = np.flatnonzero(risk == 255)
    if bad.size:
        row = int(bad[0])
        raise AnalyticsError(f"churn_risk[{row}]: {str(labels[row])!r} is not low, medium or high", "invalid",
                             f"churn_risk[{row}]", str(labels[row]))
    return np.ascontiguousarray(codes.encode(ids), dtype="<u8").tobytes(), risk.tobytes()


def _prepared(frame: Any, member_id: str, ordered_at: str, amount: Optional[str], amount_minor: Optional[str],
              scale: int) -> Tuple[bytes, bytes, bytes, str, "_Codes"]:
    """A frame's three columns as native bytes, its library, and the member-id coding."""
    import numpy as np

    _money_column(amount, amount_minor)
    library = _library(frame)
    if library in ("stream", "arrow"):
        import pyarrow as pa

        frame = pa.table(frame) if library == "arrow" else frame.read_all()
        library = "pyarrow"
    codes = _Codes()
    column = amount_minor if amount_minor is not None else amount
    assert column is not None
    m, t, a = _batch_bytes(frame, library, codes, member_id, ordered_at, column, amount_minor is not None, scale)
    return m, t, a, library, codes


def _whole(frame: Any, member_id: str, ordered_at: str, amount: Optional[str], amount_minor: Optional[str],
           scale: int, arrow_job: Any, bytes_job: Any) -> Tuple[Any, str, "_Codes"]:
    """Runs a job that needs every order at once: `arrow_job(source, member_id, ordered_at,
    money_column, minor, scale)` on the frame's Arrow stream when the member ids are
    non-negative integers (read in place), else `bytes_job(m, t, a)` on copied columns with
    coded ids. Returns the job's result, the library of the result and the id coding."""
    money_column = _money_column(amount, amount_minor)
    minor = amount_minor is not None
    library = _library(frame)
    if library == "arrow":
        import pyarrow as pa

        frame, library = pa.RecordBatchReader.from_stream(frame), "stream"
    source = _arrow_source(frame, library, (member_id, ordered_at, money_column), minor)
    if source is not None:
        try:
            codes = _Codes()
            result = call(arrow_job, source, member_id, ordered_at, money_column, minor, scale)
            _read_labels(codes, result.get("labels") if isinstance(result, dict) else None)
            return result, ("pyarrow" if library == "stream" else library), codes
        except AnalyticsError as e:
            if e.kind != "negative_member_id" or library == "stream":
                raise
    m, t, a, out_library, codes = _prepared(frame, member_id, ordered_at, amount, amount_minor, scale)
    return bytes_job(m, t, a), out_library, codes


def _batch_bytes(batch: Any, library: str, codes: "_Codes", member_id: str, ordered_at: str, money_column: str,
                 minor: bool, scale: int) -> Tuple[bytes, bytes, bytes]:
    """One batch's member, instant and amount columns as the native calls take them."""
    import numpy as np

    members = codes.encode(_column(batch, library, member_id))
    times = _times(_column(batch, library, ordered_at))
    amounts = _amounts(_column(batch, library, money_column), minor, scale)
    return (
        np.ascontiguousarray(members, dtype="<u8").tobytes(),
        np.ascontiguousarray(times, dtype="<i8").tobytes(),
        np.ascontiguousarray(amounts, dtype="<i8").tobytes(),
    )


def metrics(
    frame: Any,
    *,
    as_of: _dt.datetime,
    period_start: _dt.datetime,
    member_id: str = "member_id",
    ordered_at: str = "ordered_at",
    amount: Optional[str] = None,
    amount_minor: Optional[str] = None,
    time_zone: str = "UTC",
    scale: int = 2,
    threads: int = 1,
) -> Dict[str, Any]:
    """Program metrics over the period from `period_start` to `as_of`: members, new, active,
    lapsed and churned (180 days without an order) members; orders, revenue, repurchase rate,
    average order value, purchase frequency, historical LTV, the top 20%'s revenue share and
    revenue by R-F segment, all over every order before `as_of`; and the period's own figures:
    `period_orders`, `period_revenue`, `period_average_order_value`, `period_purchase_frequency`
    (orders per member who ordered in the period) and `period_repurchase_rate` (the share of
    those who ordered twice or more in it). Amounts and ratios are `Decimal`. `threads`: as
    for `rfm`."""
    builder = _metrics_builder(frame, as_of, period_start, member_id, ordered_at, amount, amount_minor, time_zone,
                               scale, threads, merging=False)
    return _metrics_of(builder, scale)


def _metrics_builder(frame: Any, as_of: _dt.datetime, period_start: _dt.datetime, member_id: str, ordered_at: str,
                     amount: Optional[str], amount_minor: Optional[str], time_zone: str, scale: int, threads: int,
                     merging: bool) -> Any:
    """The native metrics builder with `frame`'s orders folded in; with `merging`, member ids
    must be integers (builders of other parts are merged by member id)."""
    money_column = _money_column(amount, amount_minor)
    _check_scale(scale)
    as_of_text, start_text = instant("as_of", as_of), instant("period_start", period_start)
    count = _thread_count(threads, AnalyticsError)

    def new() -> Any:
        return call(_native.MetricsBuilder, as_of_text, time_zone, start_text, count)

    codes = _Codes()
    _, builder = _summarize(frame, new(), new, codes, (member_id, ordered_at, money_column),
                            amount_minor is not None, scale)
    if merging and codes.integers is False:
        raise InputError(f"{member_id}: metrics to merge need integer member ids (labels are coded per frame)",
                         "input", member_id, "labels")
    return builder


def _metrics_of(builder: Any, scale: int) -> Dict[str, Any]:
    """A builder's metrics, amounts and ratios as `Decimal`."""
    import json

    raw = json.loads(call(builder.finish_json, scale))
    decimals = ("revenue", "repurchase_rate", "average_order_value", "purchase_frequency", "historical_ltv",
                "top_20_percent_revenue_share", "period_revenue", "period_average_order_value",
                "period_purchase_frequency", "period_repurchase_rate")
    for key in decimals:
        raw[key] = Decimal(raw[key])
    for key in ("revenue_by_segment", "revenue_share_by_segment"):
        raw[key] = {k: Decimal(v) for k, v in raw[key].items()}
    return raw


def cohorts(
    frame: Any,
    *,
    as_of: _dt.datetime,
    member_id: str = "member_id",
    ordered_at: str = "ordered_at",
    amount: Optional[str] = None,
    amount_minor: Optional[str] = None,
    time_zone: str = "UTC",
    scale: int = 2,
) -> Any:
    """The retention matrix, long form: one row per (cohort month, months since first order)
    with the cohort's size and how many of its members ordered that month."""
    import json

    money_column = _money_column(amount, amount_minor)
    _check_scale(scale)
    at = instant("as_of", as_of)

    def new() -> Any:
        return call(_native.CohortBuilder, at, time_zone)

    # Batch by batch, like rfm(): a stream is consumed in bounded memory.
    library, builder = _summarize(frame, new(), new, _Codes(), (member_id, ordered_at, money_column),
                                  amount_minor is not None, scale)
    rows = json.loads(call(builder.finish_json))
    cols: Dict[str, list] = {"cohort": [], "months_since": [], "members": [], "active": []}
    for row in rows:
        for n, active in enumerate(row["active"]):
            cols["cohort"].append(row["month"])
            cols["months_since"].append(n)
            cols["members"].append(row["members"])
            cols["active"].append(active)
    if library == "pandas":
        import pandas as pd

        return pd.DataFrame(cols)
    if library == "polars":
        import polars as pl

        return pl.DataFrame(cols)
    import pyarrow as pa

    return pa.table(cols)


_PRICE_BANDS = ["low", "mid", "high"]
_PROMOTION = ["low", "medium", "high"]


def preferences(
    lines: Any,
    *,
    member_id: str = "member_id",
    order_id: str = "order_id",
    category: str = "category",
    amount: Optional[str] = None,
    amount_minor: Optional[str] = None,
    discount: Optional[str] = None,
    discount_minor: Optional[str] = None,
    price_bands: Optional[Tuple[int, int]] = None,
    promotion_high_percent: int = 50,
    promotion_medium_percent: int = 20,
    scale: int = 2,
) -> Any:
    """One row per member from order lines: the top category by spend, the price band of the
    mean line amount (`low` / `mid` / `high`; bounds in minor units from `price_bands`, or
    by thirds of the members ranked by mean line amount), and promotion sensitivity (`high` from
    `promotion_high_percent` of orders with a discount, `medium` from
    `promotion_medium_percent`). Without a discount column no order counts as discounted.
    A tie for the top category goes to the smallest label.

    Line amounts are what the member paid, `Decimal` (`amount=`) or integer minor units
    (`amount_minor=`); discounts likewise. The bounds used are in the result's
    `attrs["price_bands"]` for pandas and its schema metadata for pyarrow.
    """
    import numpy as np

    _money_column(amount, amount_minor)
    if discount is not None and discount_minor is not None:
        raise TypeError("give at most one of discount= (Decimal) or discount_minor= (integer minor units)")
    source, batch_library, batches = _batches(lines)
    members, categories = _Codes(member_id), _Codes(category, always=True)
    orders = _Codes(order_id)
    builder = _native.PreferenceBuilder()
    money = amount_minor if amount_minor is not None else amount
    off = discount_minor if discount_minor is not None else discount
    assert money is not None
    row = 0  # the batch's first row in the stream, for errors
    for batch in batches:
        m = members.encode(_column(batch, batch_library, member_id))
        o = orders.encode(_column(batch, batch_library, order_id))
        c = categories.encode(_column(batch, batch_library, category))
        a = _amounts(_column(batch, batch_library, money), amount_minor is not None, scale, money, row)
        d = (np.zeros(len(a), dtype=np.int64) if off is None
             else _amounts(_column(batch, batch_library, off), discount_minor is not None, scale, off, row))
        row += len(a)
        call(builder.add, *(np.ascontiguousarray(x, dtype=t).tobytes()
                            for x, t in ((m, "<u8"), (o, "<u8"), (c, "<u8"), (a, "<i8"), (d, "<i8"))))
    # Ties for the top category go to the smallest label, however the batches came.
    by_label = sorted(range(len(categories.ids)), key=lambda code: categories.ids[code])
    rank = [0] * len(by_label)
    for position, code in enumerate(by_label):
        rank[code] = position
    raw: Dict[str, Any] = call(builder.finish, price_bands, promotion_high_percent, promotion_medium_percent, rank)
    cols: Dict[str, Any] = {member_id: members.decode(np.frombuffer(raw["member_id"], dtype="<u8"))}
    cols["top_category"] = categories.decode(np.frombuffer(raw["top_category"], dtype="<u8"))
    for name, dtype in [("top_category_minor", "<i8"), ("spend_minor", "<i8"), ("lines", "<u8")]:
        cols[name] = np.frombuffer(raw[name], dtype=dtype)
    band_codes = np.frombuffer(raw["price_band"], dtype="u1")
    for name, dtype in [("orders", "<u8"), ("discounted_orders", "<u8")]:
        cols[name] = np.frombuffer(raw[name], dtype=dtype)
    promo_codes = np.frombuffer(raw["promotion"], dtype="u1")
    bands = tuple(raw["price_bands"])
    if source == "pandas":
        import pandas as pd

        cols["price_band"] = pd.Categorical.from_codes(band_codes.astype(np.int16), categories=_PRICE_BANDS)
        cols["promotion"] = pd.Categorical.from_codes(promo_codes.astype(np.int16), categories=_PROMOTION)
        out = pd.DataFrame(cols)
        out.attrs["price_bands"] = bands
        return out
    plain = {k: (v.tolist() if getattr(v, "dtype", None) == object else v) for k, v in cols.items()}
    if source == "polars":
        import polars as pl

        plain["price_band"] = pl.Series("price_band", _PRICE_BANDS, dtype=pl.Enum(_PRICE_BANDS)).gather(band_codes.astype(np.uint32))
        plain["promotion"] = pl.Series("promotion", _PROMOTION, dtype=pl.Enum(_PROMOTION)).gather(promo_codes.astype(np.uint32))
        return pl.DataFrame(plain)
    import pyarrow as pa

    plain["price_band"] = pa.DictionaryArray.from_arrays(pa.array(band_codes.astype(np.int8)), pa.array(_PRICE_BANDS))
    plain["promotion"] = pa.DictionaryArray.from_arrays(pa.array(promo_codes.astype(np.int8)), pa.array(_PROMOTION))
    table = pa.table(plain)
    return table.replace_schema_metadata({"price_bands": f"{bands[0]},{bands[1]}"})
