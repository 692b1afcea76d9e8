"""Customer-lifetime-value models on DataFrames: BG/NBD (purchases, probability alive) and
Gamma-Gamma (value per purchase), fitted by maximum likelihood in the Rust core.

>>> import pandas as pd, datetime as dt
>>> orders = pd.DataFrame({"member_id": [1, 1, 2], "ordered_at": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-10"]),
...                        "amount_minor": [1000, 2000, 500]})
>>> s = summary(orders, calibration_end=dt.date(2024, 3, 31), amount_minor="amount_minor")
>>> list(s["frequency"]), [round(x, 3) for x in s["recency"]]
([1, 0], [4.429, 0.0])
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import operator
from typing import Any, Dict, Optional, Tuple

from . import _native
from .analytics import _column, _library, _thread_count, _whole
from .errors import AnalyticsError, ClvError, call


def _unix_day(name: str, day: _dt.date) -> int:
    if not isinstance(day, _dt.date) or isinstance(day, _dt.datetime):
        raise TypeError(f"{name}: {day!r} is not a datetime.date")
    return (day - _dt.date(1970, 1, 1)).days


def summary(
    frame: Any,
    *,
    calibration_end: _dt.date,
    holdout_end: Optional[_dt.date] = None,
    member_id: str = "member_id",
    ordered_at: str = "ordered_at",
    amount: Optional[str] = None,
    amount_minor: Optional[str] = None,
    unit: str = "week",
    scale: int = 2,
) -> Any:
    """Per member: `frequency` (repeat purchase days), `recency` and `T` (in `unit`s),
    `monetary` (mean value of repeat purchase days, currency units), `holdout_frequency`.
    Returns a frame of the input's library."""
    import numpy as np

    end = _unix_day("calibration_end", calibration_end)
    holdout = None if holdout_end is None else _unix_day("holdout_end", holdout_end)
    raw, library, codes = _whole(
        frame, member_id, ordered_at, amount, amount_minor, scale,
        lambda src, m, t, a, minor, sc: _native.clv_summary_arrow(src, m, t, a, minor, sc, end, holdout, unit),
        lambda m, t, a: call(_native.clv_summary_columns, m, t, a, end, holdout, unit))
    ids = np.frombuffer(raw["member_id"], dtype="<u8")
    cols = {
        member_id: codes.decode(ids),
        "frequency": np.frombuffer(raw["frequency"], dtype="<u8").astype(np.int64),
        "recency": np.frombuffer(raw["recency"], dtype="<f8"),
        "T": np.frombuffer(raw["T"], dtype="<f8"),
        "monetary": np.frombuffer(raw["monetary_minor"], dtype="<f8") / (10 ** scale),
        "holdout_frequency": np.frombuffer(raw["holdout_frequency"], dtype="<u8").astype(np.int64),
    }
    return _frame(library, cols)


def _frame(library: str, cols: Any) -> Any:
    if library == "pandas":
        import pandas as pd

        return pd.DataFrame(cols)
    if library == "polars":
        import polars as pl

        return pl.DataFrame({k: (v.tolist() if v.dtype == object else v) for k, v in cols.items()})
    import pyarrow as pa

    return pa.table({k: (v.tolist() if v.dtype == object else v) for k, v in cols.items()})


_RISK = ["low", "medium", "high"]


def _f64(frame: Any, library: str, name: str) -> bytes:
    import numpy as np

    return np.ascontiguousarray(_column(frame, library, name), dtype="<f8").tobytes()


def _u64(frame: Any, library: str, name: str) -> bytes:
    import numpy as np

    return np.ascontiguousarray(_column(frame, library, name), dtype="<u8").tobytes()


_CUSTOMER_COLUMNS = ("frequency", "recency", "T")


def _summary_frame(summary: Any) -> Tuple[Any, str]:
    """A summary frame and its library; an Arrow stream or capsule object is read into a
    pyarrow Table (the results are the summary with columns added)."""
    library = _library(summary)
    if library in ("stream", "arrow"):
        import pyarrow as pa

        return (summary.read_all() if library == "stream" else pa.table(summary)), "pyarrow"
    return summary, library


def _customer_source(frame: Any, library: str) -> Any:
    """An object exporting the Arrow C stream of just the frequency, recency and T columns of
    a pandas or polars frame or a pyarrow Table, for the native side to read in place (pandas' numpy columns are wrapped, not copied); None
    without pyarrow (the columns are then copied as bytes)."""
    names = list(frame.columns) if library in ("pandas", "polars") else frame.schema.names
    missing = [c for c in _CUSTOMER_COLUMNS if c not in names]
    if missing:
        raise AnalyticsError(f"{missing[0]}: no such column", "missing_column", missing[0], "")
    try:
        if library == "pandas":
            import numpy as np
            import pyarrow as pa

            # From numpy, so NaN stays a NaN (the core refuses it by row) rather than a null.
            return pa.table({c: pa.array(np.asarray(frame[c])) for c in _CUSTOMER_COLUMNS})
        return frame.select(list(_CUSTOMER_COLUMNS))
    except ImportError:
        return None


@dataclasses.dataclass(frozen=True)
class BgNbd:
    """A fitted BG/NBD model."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float = float("nan")

    @classmethod
    def fit(cls, summary: Any) -> "BgNbd":
        """Fits on a frame with `frequency`, `recency` and `T` columns."""
        summary, lib = _summary_frame(summary)
        source = _customer_source(summary, lib)
        if source is not None:
            r, alpha, a, b, ll, _ = call(_native.bgnbd_fit_arrow, source, _CUSTOMER_COLUMNS)
        else:
            r, alpha, a, b, ll, _ = call(_native.bgnbd_fit, _u64(summary, lib, "frequency"), _f64(summary, lib, "recency"),
                                         _f64(summary, lib, "T"))
        return cls(r, alpha, a, b, ll)

    def population(self, horizons: Any, purchases: int = 10) -> Any:
        """The population curve as a pandas DataFrame, one row per horizon `t` (periods): the
        expected purchases of a new customer in `t` periods, and P(X(t) = k) for k from 0 to
        `purchases` (columns `p_0`, `p_1`, ...)."""
        import pandas as pd

        ts = [float(t) for t in horizons]
        count = operator.index(purchases)
        if count < 0:
            raise ClvError(f"purchases: {purchases!r} must be at least 0", "invalid", "purchases", repr(purchases))
        expected, probabilities = call(_native.bgnbd_population, (self.r, self.alpha, self.a, self.b), ts,
                                        list(range(count + 1)))
        cols = {"t": ts, "expected_purchases": expected}
        for k in range(count + 1):
            cols[f"p_{k}"] = [row[k] for row in probabilities]
        return pd.DataFrame(cols)

    def purchase_probabilities(self, summary: Any, horizon: float, purchases: int = 3) -> Any:
        """The frame with `p_0` ... `p_{purchases}`: each member's probability of exactly k
        purchases in the next `horizon` periods given their history (frequency, recency, T).
        Needs pyarrow."""
        import numpy as np

        count = operator.index(purchases)
        if count < 0:
            raise ClvError(f"purchases: {purchases!r} must be at least 0", "invalid", "purchases", repr(purchases))
        summary, lib = _summary_frame(summary)
        source = _customer_source(summary, lib)
        if source is None:
            raise ImportError("purchase_probabilities reads the frame through pyarrow; install pyarrow")
        raw = call(_native.bgnbd_purchase_probabilities, (self.r, self.alpha, self.a, self.b), source,
                   _CUSTOMER_COLUMNS, float(horizon), count)
        p = np.frombuffer(raw, dtype="<f8").reshape(-1, count + 1)
        new = {f"p_{k}": p[:, k] for k in range(count + 1)}
        if lib == "pandas":
            return _pandas_with(summary, new)
        if lib == "polars":
            import polars as pl

            return summary.with_columns([pl.Series(k, v) for k, v in new.items()])
        for k, v in new.items():
            summary = summary.append_column(k, [v])
        return summary

    def predict(self, summary: Any, horizon: float, churn_thresholds: Tuple[float, float] = (0.3, 0.7),
                threads: int = 1) -> Any:
        """The frame with `p_alive`, `expected_purchases` (in the next `horizon` periods) and
        `churn_risk`: `high` below the first threshold of P(alive), `low` from the second,
        `medium` between. With `threads` above 1, large frames (65,536 rows a thread or more)
        are predicted on that many threads (the result is the same)."""
        import numpy as np

        count = _thread_count(threads, ClvError)
        summary, lib = _summary_frame(summary)
        params, limits = (self.r, self.alpha, self.a, self.b), (float(churn_thresholds[0]), float(churn_thresholds[1]))
        source = _customer_source(summary, lib)
        if source is not None:
            out = call(_native.bgnbd_predict_arrow, params, source, _CUSTOMER_COLUMNS, float(horizon), *limits, count)
        else:
            out = call(_native.bgnbd_predict, params, _u64(summary, lib, "frequency"), _f64(summary, lib, "recency"),
                       _f64(summary, lib, "T"), float(horizon), *limits, count)
        n = len(out) // 17
        alive = np.frombuffer(out, dtype="<f8", count=n)
        expected = np.frombuffer(out, dtype="<f8", count=n, offset=8 * n)
        risk = np.frombuffer(out, dtype="u1", offset=16 * n)
        if lib == "pandas":
            import pandas as pd

            tags = pd.Categorical.from_codes(risk.astype(np.int8), categories=_RISK)
            return _pandas_with(summary, {"p_alive": alive, "expected_purchases": expected, "churn_risk": tags})
        if lib == "polars":
            import polars as pl

            tags = pl.Series("churn_risk", _RISK, dtype=pl.Enum(_RISK)).gather(risk.astype(np.uint32))
            return summary.with_columns(pl.Series("p_alive", alive), pl.Series("expected_purchases", expected), tags)
        import pyarrow as pa

        tags = pa.DictionaryArray.from_arrays(pa.array(risk.astype(np.int8)), pa.array(_RISK))
        return summary.append_column("p_alive", [alive]).append_column("expected_purchases", [expected]).append_column("churn_risk", tags)


@dataclasses.dataclass(frozen=True)
class GammaGamma:
    """A fitted Gamma-Gamma model of value per purchase."""

    p: float
    q: float
    gamma: float
    log_likelihood: float = float("nan")

    @classmethod
    def fit(cls, summary: Any) -> "GammaGamma":
        """Fits on the repeat customers of a frame with `frequency` and `monetary` columns."""
        summary, lib = _summary_frame(summary)
        p, q, g, ll, _ = call(_native.gamma_gamma_fit, _u64(summary, lib, "frequency"), _f64(summary, lib, "monetary"))
        return cls(p, q, g, ll)

    def expected_value(self, summary: Any) -> Any:
        """The frame with an `expected_value` column: each customer's expected value per
        purchase (the population mean for customers without repeats)."""
        import numpy as np

        summary, lib = _summary_frame(summary)
        raw = call(_native.gamma_gamma_expected, (self.p, self.q, self.gamma), _u64(summary, lib, "frequency"), _f64(summary, lib, "monetary"))
        return _with_column(summary, lib, "expected_value", np.frombuffer(raw, dtype="<f8"))

    def lifetime_value(self, summary: Any, bgnbd: BgNbd, horizon: int, discount_rate: float = 0.0) -> Any:
        """The frame with a `clv` column: expected value per purchase (this model) times the
        expected purchases in each of the next `horizon` periods (`bgnbd`), discounted at
        `discount_rate` per period, summed."""
        import numpy as np

        summary, lib = _summary_frame(summary)
        raw = call(
            _native.lifetime_values_columns, (bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b), (self.p, self.q, self.gamma),
            _u64(summary, lib, "frequency"), _f64(summary, lib, "recency"), _f64(summary, lib, "T"),
            _f64(summary, lib, "monetary"), int(horizon), float(discount_rate),
        )
        return _with_column(summary, lib, "clv", np.frombuffer(raw, dtype="<f8"))


def _pandas_with(summary: Any, new: Dict[str, Any]) -> Any:
    """A pandas frame with more columns, built over the existing columns and the new arrays
    without copying them (`assign` copies each new array: 3.6 ms for three at 1M rows)."""
    import pandas as pd

    if any(name in summary.columns for name in new) or not summary.columns.is_unique:
        return summary.assign(**new)
    columns = {name: summary[name] for name in summary.columns}
    columns.update(new)
    return pd.DataFrame(columns, index=summary.index, copy=False)


def _with_column(summary: Any, lib: str, name: str, values: Any) -> Any:
    """The frame with one more column, in its own library."""
    if lib == "pandas":
        return _pandas_with(summary, {name: values})
    if lib == "polars":
        import polars as pl

        return summary.with_columns(pl.Series(name, values))
    return summary.append_column(name, [values])
