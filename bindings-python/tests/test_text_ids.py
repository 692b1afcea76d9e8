"""Text member ids read in place from Arrow (string, large string, string view, dictionary;
pandas object and string columns, polars String and Categorical, pyarrow tables and
streams): the same answers as the coded copy, labels numbered in code-point order so ties
break alike, and nothing copied."""
import datetime as dt

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import loyalty

from conftest import utc

AS_OF = utc(2024, 7, 1)

# Five members with one order each of the same day and amount: R, F and M all tie, so the
# scores rank by member id. Labels in code-point order: "Zoë" < "ann" < "bob" < "émile" < "𝔷ed"
# (Z is 0x5A, é 0xE9, 𝔷 0x1D537), so the first gets 1 and the last 5 on each score.
LABELS = ["émile", "bob", "𝔷ed", "ann", "Zoë"]
BY_CODE_POINT = sorted(LABELS)
ROWS = {
    "member_id": LABELS,
    "ordered_at": [dt.datetime(2024, 6, 1)] * 5,
    "amount_minor": [1000] * 5,
}


def arrow_tables():
    base = pa.table(ROWS)
    ids = base.column("member_id")
    yield "string", base
    yield "large_string", base.set_column(0, "member_id", ids.cast(pa.large_string()))
    if hasattr(pa, "string_view"):
        yield "string_view", base.set_column(0, "member_id", ids.cast(pa.string_view()))
    yield "dictionary", base.set_column(0, "member_id", ids.dictionary_encode())


def sources():
    for name, table in arrow_tables():
        yield name, table
        yield name + " stream of 2-row batches", pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=2))
    yield "pandas object", pd.DataFrame(ROWS)
    yield "pandas string[pyarrow]", pd.DataFrame(ROWS).astype({"member_id": "string[pyarrow]"})
    yield "polars String", pl.DataFrame(ROWS)
    yield "polars Categorical", pl.DataFrame(ROWS).with_columns(pl.col("member_id").cast(pl.Categorical))


def as_dict(out):
    if isinstance(out, pd.DataFrame):
        return {c: [str(v) if c == "member_id" else v for v in out[c].tolist()] for c in ("member_id", "r", "f", "m")}
    t = out.to_arrow() if isinstance(out, pl.DataFrame) else out
    cols = t.to_pydict()
    return {c: [str(v) if c == "member_id" else v for v in cols[c]] for c in ("member_id", "r", "f", "m")}


@pytest.mark.parametrize("name,source", list(sources()), ids=[n for n, _ in sources()])
def test_text_ids_are_read_in_place_and_rank_in_code_point_order(name, source, in_place):
    in_place()
    out = loyalty.analytics.rfm(source, as_of=AS_OF, amount_minor="amount_minor")
    got = as_dict(out)
    assert got["member_id"] == BY_CODE_POINT, name
    assert got["r"] == got["f"] == got["m"] == [1, 2, 3, 4, 5], name


def test_metrics_cohorts_and_the_clv_summary_read_text_ids_in_place(in_place):
    rows = {"member_id": ["ann", "ann", "bob"], "ordered_at": [dt.datetime(2024, 1, 5), dt.datetime(2024, 6, 20), dt.datetime(2024, 3, 1)],
            "amount_minor": [1000, 2500, 400]}
    copied_m = loyalty.analytics.metrics(pd.DataFrame(rows), as_of=AS_OF, period_start=utc(2024, 1, 1), amount_minor="amount_minor")
    copied_c = loyalty.analytics.cohorts(pd.DataFrame(rows), as_of=AS_OF, amount_minor="amount_minor")
    copied_s = loyalty.clv.summary(pd.DataFrame({**rows, "member_id": [2, 2, 1]}), calibration_end=dt.date(2024, 7, 1),
                                   amount_minor="amount_minor", unit="day")
    in_place()
    table = pa.table(rows).set_column(0, "member_id", pa.array(rows["member_id"]).dictionary_encode())
    assert loyalty.analytics.metrics(table, as_of=AS_OF, period_start=utc(2024, 1, 1), amount_minor="amount_minor") == copied_m
    assert loyalty.analytics.cohorts(table, as_of=AS_OF, amount_minor="amount_minor").to_pydict() == {
        k: list(v) for k, v in copied_c.to_dict(orient="list").items()}
    # bob (code 1 by label) comes first, as the integer ids 1 (bob) and 2 (ann) order them.
    s = loyalty.clv.summary(pa.table(rows), calibration_end=dt.date(2024, 7, 1), amount_minor="amount_minor", unit="day")
    assert s.column("member_id").to_pylist() == ["ann", "bob"]
    assert s.column("frequency").to_pylist() == copied_s.sort_values("member_id", ascending=False)["frequency"].tolist()
    # ann: repeat on day 167 after her first order (2024-01-05 to 2024-06-20).
    assert s.column("recency").to_pylist() == [167.0, 0.0]


def test_text_ids_with_nulls_or_mixed_kinds_are_refused_by_row():
    with_null = pa.table({**ROWS, "member_id": ["a", None, "c", "d", "e"]})
    # A table with nulls goes the copied way, which names the row.
    with pytest.raises(loyalty.AnalyticsError) as err:
        loyalty.analytics.rfm(with_null, as_of=AS_OF, amount_minor="amount_minor")
    assert err.value.field == "member_id[1]"
    # A stream cannot be looked at first: the in-place read names the stream's row.
    stream = pa.RecordBatchReader.from_batches(with_null.schema, with_null.to_batches(max_chunksize=2))
    with pytest.raises(loyalty.AnalyticsError) as err:
        loyalty.analytics.rfm(stream, as_of=AS_OF, amount_minor="amount_minor")
    assert (err.value.kind, err.value.field) == ("null", "member_id[1]")
