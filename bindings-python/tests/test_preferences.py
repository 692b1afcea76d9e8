"""loyalty.analytics.preferences: preference tags from order lines, the same through pandas,
polars, pyarrow and a stream of batches."""
from decimal import Decimal

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import loyalty
from loyalty.analytics import preferences

LINES = {
    "member": ["ann", "ann", "ann", "bob", "bob", "cid"],
    "order": ["a1", "a1", "a2", "b1", "b2", "c1"],
    "category": ["shoes", "socks", "shoes", "books", "books", "toys"],
    "paid": [Decimal("15.00"), Decimal("9.00"), Decimal("5.00"), Decimal("30.00"), Decimal("50.00"), Decimal("2.50")],
    "coupon": [Decimal("0"), Decimal("1.00"), Decimal("0"), Decimal("0"), Decimal("0"), Decimal("0.50")],
}
KW = dict(member_id="member", order_id="order", category="category", amount="paid", discount="coupon")


def test_hand_worked_tags_from_pandas():
    out = preferences(pd.DataFrame(LINES), price_bands=(1000, 3000), **KW)
    ann, bob, cid = (out[out["member"] == m].iloc[0] for m in ("ann", "bob", "cid"))
    # ann: shoes 20.00 of 29.00 over 3 lines (mean 9.67 < 10.00: low), 1 of 2 orders discounted.
    assert (ann["top_category"], ann["top_category_minor"], ann["spend_minor"], ann["lines"]) == ("shoes", 2000, 2900, 3)
    assert (ann["price_band"], ann["orders"], ann["discounted_orders"], ann["promotion"]) == ("low", 2, 1, "high")
    # bob: books, mean 40.00 >= 30.00: high; no discounts.
    assert (bob["top_category"], bob["price_band"], bob["promotion"]) == ("books", "high", "low")
    # cid: one discounted order of one.
    assert (cid["top_category"], cid["price_band"], cid["promotion"]) == ("toys", "low", "high")
    assert out.attrs["price_bands"] == (1000, 3000)
    assert str(out["price_band"].dtype) == "category"


def test_every_input_library_agrees():
    frame = pd.DataFrame(LINES)
    expected = preferences(frame, **KW)
    cols = ["member", "top_category", "top_category_minor", "spend_minor", "lines", "orders", "discounted_orders"]
    polars_out = preferences(pl.from_pandas(frame), **KW)
    assert isinstance(polars_out, pl.DataFrame)
    assert polars_out.select(cols).rows() == [tuple(r) for r in expected[cols].itertuples(index=False)]
    assert polars_out["price_band"].to_list() == expected["price_band"].astype(str).tolist()
    table = pa.Table.from_pandas(frame)
    arrow_out = preferences(table, **KW)
    stream_out = preferences(pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=2)), **KW)
    assert arrow_out.equals(stream_out)
    assert arrow_out.column("promotion").to_pylist() == expected["promotion"].astype(str).tolist()
    # Fitted by rank: means 2.50 (cid), 9.66 (ann), 40.00 (bob): one per band, bounds 9.66 and 40.00.
    assert expected.attrs["price_bands"] == (966, 4000)
    assert expected["price_band"].astype(str).tolist() == ["mid", "high", "low"]
    assert arrow_out.schema.metadata[b"price_bands"] == b"966,4000"


def test_bad_lines_raise_typed_errors():
    # Named by the caller's column and value (not the core's discount_minor and -100 cents).
    bad = pd.DataFrame({**LINES, "coupon": [Decimal("0")] * 5 + [Decimal("-1")]})
    with pytest.raises(loyalty.AnalyticsError) as err:
        preferences(bad, **KW)
    assert (str(err.value), err.value.kind, err.value.field, err.value.value) == (
        "coupon[5]: -1 must not be negative", "negative_amount", "coupon[5]", "-1")
    # In a stream, rows count over every batch: the second batch's row 1 is row 4.
    cents = pa.table({"member": ["a", "a", "b", "b", "c", "c"], "order": ["1", "1", "2", "2", "3", "4"],
                      "category": ["x"] * 6, "paid_minor": [5, 5, 5, 5, -3, 5]})
    stream = pa.RecordBatchReader.from_batches(cents.schema, cents.to_batches(max_chunksize=3))
    with pytest.raises(loyalty.AnalyticsError) as err:
        preferences(stream, member_id="member", order_id="order", category="category", amount_minor="paid_minor")
    assert str(err.value) == "paid_minor[4]: -3 must not be negative"
    with pytest.raises(TypeError, match="coupon: a float64 column"):
        preferences(pd.DataFrame({**LINES, "coupon": [0.0] * 6}), **KW)
    assert len(preferences(pd.DataFrame(LINES).iloc[:0], **KW)) == 0


def test_ties_go_to_the_smallest_label_however_the_batches_come():
    rows = pd.DataFrame({
        "member": ["zed", "amy", "amy"], "order": ["z1", "a1", "a1"], "category": ["shoes", "shoes", "bags"],
        "paid_minor": [100, 500, 500],
    })
    kw = dict(member_id="member", order_id="order", category="category", amount_minor="paid_minor")
    whole = preferences(rows, **kw)
    table = pa.Table.from_pandas(rows)
    streamed = preferences(pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=1)), **kw)
    amy = whole[whole["member"] == "amy"].iloc[0]
    assert amy["top_category"] == "bags"
    assert streamed.column("top_category").to_pylist()[streamed.column("member").to_pylist().index("amy")] == "bags"
    with pytest.raises(loyalty.AnalyticsError) as err:
        preferences(rows, price_bands=(5000, 1000), **kw)
    assert str(err.value) == "price_bands: [5000, 1000] must be two increasing amounts of at least 0"
