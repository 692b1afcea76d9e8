"""Analytics on pandas, polars and pyarrow frames give identical results."""
import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import loyalty

from conftest import utc

AS_OF = utc(2024, 7, 1)

ROWS = {
    "member_id": ["ann", "ann", "bob", "cat", "cat", "cat"],
    "ordered_at": [dt.datetime(2024, 1, 5), dt.datetime(2024, 6, 20), dt.datetime(2024, 3, 1),
                   dt.datetime(2023, 12, 1), dt.datetime(2024, 2, 1), dt.datetime(2024, 6, 30, 23)],
    "amount_minor": [1000, 2500, 400, 9900, 100, 50],
}


def expected():
    # ann: last 2024-06-20 -> 11 days; 2 orders; 35.00. bob: 2024-03-01 -> 122 days; 1; 4.00.
    # cat: 2024-06-30 -> 1 day; 3 orders; 100.50. n = 3, ranks -> scores 1, 2, 4.
    return {
        "member_id": ["ann", "bob", "cat"],
        "recency_days": [11, 122, 1],
        "frequency": [2, 1, 3],
        "monetary_minor": [3500, 400, 10050],
        "r": [2, 1, 4],
        "f": [2, 1, 4],
        "m": [2, 1, 4],
    }


def check(out_rows):
    e = expected()
    for k, v in e.items():
        assert list(out_rows[k]) == v, k


def test_pandas_in_pandas_out():
    out = loyalty.analytics.rfm(pd.DataFrame(ROWS), as_of=AS_OF, amount_minor="amount_minor")
    assert isinstance(out, pd.DataFrame)
    check(out)
    assert list(out["segment"]) == ["Hibernating", "Lost", "Loyal Customers"]
    # The columns are views of native buffers, and still the caller's to change.
    out.loc[0, "r"] = 5
    out["recency_days"] += 1
    assert (out.loc[0, "r"], list(out["recency_days"])) == (5, [12, 123, 2])
    assert list(out["overdue"]) == [False, False, False] and out["overdue"].dtype == bool


def test_polars_in_polars_out_equals_pandas():
    a = loyalty.analytics.rfm(pd.DataFrame(ROWS), as_of=AS_OF, amount_minor="amount_minor")
    b = loyalty.analytics.rfm(pl.DataFrame(ROWS), as_of=AS_OF, amount_minor="amount_minor")
    assert isinstance(b, pl.DataFrame)
    assert b.to_pandas().astype(str).equals(a.astype(str))


def test_pyarrow_and_decimal_amounts():
    table = pa.table({**ROWS, "amount": [Decimal(x) / 100 for x in ROWS["amount_minor"]]})
    out = loyalty.analytics.rfm(table, as_of=AS_OF, amount="amount")
    assert isinstance(out, pa.Table)
    check(out.to_pydict())


def test_float_money_columns_are_refused():
    frame = pd.DataFrame({**ROWS, "amount": [10.0, 25.0, 4.0, 99.0, 1.0, 0.5]})
    with pytest.raises(TypeError, match="never float"):
        loyalty.analytics.rfm(frame, as_of=AS_OF, amount="amount")


def test_errors_name_column_and_row():
    frame = pd.DataFrame({**ROWS, "amount_minor": [1, 2, 3, -4, 5, 6]})
    with pytest.raises(loyalty.AnalyticsError) as err:
        loyalty.analytics.rfm(frame, as_of=AS_OF, amount_minor="amount_minor")
    assert str(err.value) == "amount_minor[3]: -4 must not be negative"
    assert isinstance(err.value, ValueError)
    with pytest.raises(loyalty.AnalyticsError, match="no_such|no such column"):
        loyalty.analytics.rfm(frame, as_of=AS_OF, amount_minor="cents")


def test_empty_frames_give_empty_results():
    frame = pd.DataFrame({"member_id": np.array([], dtype=np.int64), "ordered_at": np.array([], dtype="datetime64[ns]"),
                          "amount_minor": np.array([], dtype=np.int64)})
    assert len(loyalty.analytics.rfm(frame, as_of=AS_OF, amount_minor="amount_minor")) == 0


def test_cdnow_sample_matches_pandas_by_hand():
    import pathlib
    path = pathlib.Path(__file__).resolve().parents[2] / "examples" / "data" / "CDNOW_master.txt"
    raw = pd.read_csv(path, sep=r"\s+", dtype={"date": str, "dollar_value": str})
    frame = pd.DataFrame({
        "member_id": raw["customer_id"],
        "ordered_at": pd.to_datetime(raw["date"], format="%Y%m%d"),
        "amount_minor": raw["dollar_value"].str.replace(".", "", regex=False).astype("int64"),
    })
    out = loyalty.analytics.rfm(frame, as_of=utc(1998, 7, 1), amount_minor="amount_minor")
    golden = pd.read_csv(pathlib.Path(__file__).resolve().parents[2] / "core" / "tests" / "golden" / "cdnow_rfm.csv")
    assert list(out["member_id"]) == list(golden["member_id"])
    for col in ["recency_days", "frequency", "r", "f", "m", "segment", "value_segment"]:
        assert list(out[col]) == list(golden[col]), col


def test_a_stream_of_record_batches_gives_the_same_result(tmp_path):
    import pyarrow.parquet as pq

    table = pa.table(ROWS)
    path = tmp_path / "orders.parquet"
    pq.write_table(table, path, row_group_size=2)
    reader = pq.ParquetFile(path).iter_batches(batch_size=2)
    stream = pa.RecordBatchReader.from_batches(table.schema, reader)
    out = loyalty.analytics.rfm(stream, as_of=AS_OF, amount_minor="amount_minor")
    assert isinstance(out, pa.Table)
    check(out.to_pydict())


def test_program_metrics_and_cohorts():
    frame = pd.DataFrame(ROWS)
    m = loyalty.analytics.metrics(frame, as_of=AS_OF, period_start=utc(2024, 6, 1), amount_minor="amount_minor")
    # Members ann, bob, cat; 6 orders; 139.50 revenue. New since June: none (first orders
    # Jan, Mar, Dec). Active since June: ann (06-20), cat (06-30). Lapsed: bob.
    assert (m["members"], m["new_members"], m["active_members"], m["lapsed_members"], m["orders"]) == (3, 0, 2, 1, 6)
    assert m["revenue"] == Decimal("139.50")
    assert m["repurchase_rate"] == Decimal("0.666667")
    assert m["average_order_value"] == Decimal("23.25")
    assert m["revenue_by_segment"] == {"Hibernating": Decimal("35.00"), "Lost": Decimal("4.00"), "Loyal Customers": Decimal("100.50")}
    # 35.00, 4.00 and 100.50 of 139.50; nobody 180 days without an order on 2024-07-01 (bob: 122).
    assert m["revenue_share_by_segment"] == {"Hibernating": Decimal("0.250896"), "Lost": Decimal("0.028674"),
                                             "Loyal Customers": Decimal("0.720430")}
    assert m["churned_members"] == 0
    # The period itself: ann's 25.00 of 06-20 and cat's 0.50 of 06-30, one order each.
    assert (m["period_orders"], m["period_revenue"]) == (2, Decimal("25.50"))
    on_two = loyalty.analytics.metrics(pl.DataFrame(INT_ROWS), as_of=AS_OF, period_start=utc(2024, 6, 1),
                                       amount_minor="amount_minor", threads=2)
    assert on_two == m
    assert m["period_average_order_value"] == Decimal("12.75")
    assert (m["period_purchase_frequency"], m["period_repurchase_rate"]) == (Decimal(1), Decimal(0))
    with pytest.raises(loyalty.AnalyticsError) as err:
        loyalty.analytics.metrics(frame, as_of=AS_OF, period_start=utc(2024, 8, 1), amount_minor="amount_minor")
    assert str(err.value) == "period_start: 2024-08-01 00:00:00 UTC is after as_of 2024-07-01 00:00:00 UTC"
    assert (err.value.kind, err.value.field, err.value.value) == ("period_after_as_of", "period_start",
                                                                  "2024-08-01T00:00:00+00:00")
    c = loyalty.analytics.cohorts(pl.DataFrame(ROWS), as_of=AS_OF, amount_minor="amount_minor")
    assert isinstance(c, pl.DataFrame)
    # cat's cohort is December 2023: orders in months 0, 2 and 6 (December, February, June).
    dec = c.filter(pl.col("cohort") == "2023-12")
    assert dec["active"].to_list() == [1, 0, 1, 0, 0, 0, 1]
    jan = c.filter(pl.col("cohort") == "2024-01")
    assert jan["members"][0] == 1 and jan["active"].to_list() == [1, 0, 0, 0, 0, 1]


def test_threads_give_the_same_frame_and_bad_counts_are_refused():
    # 1.2M orders (enough for the threaded path) of 50,000 integer member ids.
    rng = np.random.default_rng(3)
    n = 1_200_000
    frame = pd.DataFrame({
        "member_id": rng.integers(0, 50_000, n).astype(np.int64),
        "ordered_at": (1_704_067_200 + rng.integers(0, 180 * 86_400, n)).astype(np.int64),
        "amount_minor": rng.integers(0, 20_000, n).astype(np.int64),
    })
    one = loyalty.analytics.rfm(frame, as_of=AS_OF, amount_minor="amount_minor")
    two = loyalty.analytics.rfm(frame, as_of=AS_OF, amount_minor="amount_minor", threads=np.int64(2))
    pd.testing.assert_frame_equal(one, two)
    assert len(one) == frame["member_id"].nunique()
    with pytest.raises(loyalty.AnalyticsError) as e:
        loyalty.analytics.rfm(frame.head(3), as_of=AS_OF, amount_minor="amount_minor", threads=0)
    assert (e.value.field, e.value.value) == ("threads", "0")


# Integer member ids: the columns are read in place through the Arrow C stream interface.
INT_ROWS = {**ROWS, "member_id": [7, 7, 8, 9, 9, 9]}


def check_ints(out_rows):
    e = expected()
    e["member_id"] = [7, 8, 9]
    for k, v in e.items():
        assert [int(x) for x in out_rows[k]] == v, k


def test_integer_ids_through_arrow_from_pandas_polars_and_pyarrow(in_place):
    in_place()
    frame = pd.DataFrame(INT_ROWS)
    for source in [frame, pl.from_pandas(frame), pa.Table.from_pandas(frame, preserve_index=False)]:
        out = loyalty.analytics.rfm(source, as_of=AS_OF, amount_minor="amount_minor")
        assert type(out).__module__.split(".")[0] == type(source).__module__.split(".")[0]
        rows = pa.table(out).to_pydict() if not isinstance(out, pd.DataFrame) else out.to_dict(orient="list")
        check_ints(rows)
        assert list(rows["segment"]) == ["Hibernating", "Lost", "Loyal Customers"]


def test_any_object_exporting_an_arrow_stream_is_read_in_place(in_place):
    # Like a duckdb result: only the PyCapsule protocol, no pandas, polars or pyarrow type.
    class Capsule:
        def __init__(self, table):
            self.table = table

        def __arrow_c_stream__(self, requested_schema=None):
            return self.table.__arrow_c_stream__(requested_schema)

    in_place()
    table = pa.Table.from_pandas(pd.DataFrame(INT_ROWS), preserve_index=False)
    out = loyalty.analytics.rfm(Capsule(table), as_of=AS_OF, amount_minor="amount_minor")
    assert isinstance(out, pa.Table)
    check_ints(out.to_pydict())
    # Several batches, streamed.
    batches = Capsule(pa.Table.from_batches(table.to_batches(max_chunksize=1)))
    assert loyalty.analytics.rfm(batches, as_of=AS_OF, amount_minor="amount_minor").equals(out)


def test_unsigned_amounts_too_large_for_minor_units_are_named_as_given():
    table = pa.table({"member_id": pa.array([1, 2], pa.uint64()), "ordered_at": pa.array([1_704_067_200] * 2, pa.int64()),
                      "amount_minor": pa.array([100, 2**63], pa.uint64())})
    with pytest.raises(loyalty.AnalyticsError) as err:
        loyalty.analytics.rfm(table, as_of=AS_OF, amount_minor="amount_minor")
    assert (err.value.field, err.value.value) == ("amount_minor[1]", "9223372036854775808")


def test_arrow_time_units_zones_dates_and_narrow_integers_agree(in_place):
    in_place()
    stamps = pd.Series(INT_ROWS["ordered_at"])
    variants = {
        "ns": pa.array(stamps.astype("datetime64[ns]")),
        "ms": pa.array(stamps.astype("datetime64[ms]")),
        # 2024-06-30T23:00Z is 2024-07-01T01:00 in Paris: the instant is what counts.
        "tz": pa.array(stamps.dt.tz_localize("UTC").dt.tz_convert("Europe/Paris")),
        "seconds": pa.array(stamps.astype("datetime64[s]").astype("int64")),
    }
    for name, times in variants.items():
        table = pa.table({"member_id": pa.array(INT_ROWS["member_id"], pa.int32()), "ordered_at": times,
                          "amount_minor": pa.array(INT_ROWS["amount_minor"], pa.uint16())})
        check_ints(loyalty.analytics.rfm(table, as_of=AS_OF, amount_minor="amount_minor").to_pydict())
    # Dates count from local midnight UTC: 2024-06-30 is 1 day before 2024-07-01.
    dates = pa.table({"member_id": [7], "ordered_at": pa.array([dt.date(2024, 6, 30)]), "amount_minor": [5]})
    assert loyalty.analytics.rfm(dates, as_of=AS_OF, amount_minor="amount_minor")["recency_days"].to_pylist() == [1]


def test_arrow_decimals_scale_to_minor_units_and_refuse_extra_places():
    # Decimals at scale 3 (12.500) read as cents; polars' Decimal dtype too.
    table = pa.table({"member_id": INT_ROWS["member_id"], "ordered_at": INT_ROWS["ordered_at"],
                      "amount": pa.array([Decimal(x) / 100 for x in ROWS["amount_minor"]], pa.decimal128(12, 3))})
    check_ints(loyalty.analytics.rfm(table, as_of=AS_OF, amount="amount").to_pydict())
    check_ints(loyalty.analytics.rfm(pl.from_arrow(table), as_of=AS_OF, amount="amount").to_dict(as_series=False))
    bad = table.set_column(2, "amount", pa.array([Decimal("1.005")] * 6, pa.decimal128(12, 3)))
    with pytest.raises(loyalty.AnalyticsError) as err:
        loyalty.analytics.rfm(bad, as_of=AS_OF, amount="amount")
    assert str(err.value) == "amount[0]: 1.005 has more than 2 decimal places"
    floats = table.set_column(2, "amount", pa.array([1.5] * 6))
    with pytest.raises(TypeError, match="never float"):
        loyalty.analytics.rfm(floats, as_of=AS_OF, amount="amount")
    with pytest.raises(TypeError, match="expected integers"):
        loyalty.analytics.rfm(table, as_of=AS_OF, amount_minor="amount")


def test_arrow_errors_name_the_row_of_the_whole_stream_and_nulls():
    table = pa.table({"member_id": INT_ROWS["member_id"], "ordered_at": INT_ROWS["ordered_at"],
                      "amount_minor": [1, 2, 3, 4, -5, 6]})
    batches = pa.Table.from_batches(table.to_batches(max_chunksize=2))
    assert batches.num_rows == 6 and len(batches.to_batches()) == 3
    with pytest.raises(loyalty.AnalyticsError) as err:
        loyalty.analytics.rfm(batches, as_of=AS_OF, amount_minor="amount_minor")
    assert str(err.value) == "amount_minor[4]: -5 must not be negative"
    nulls = table.set_column(2, "amount_minor", pa.array([1, 2, 3, None, 5, 6], pa.int64()))
    with pytest.raises(loyalty.AnalyticsError) as err:
        loyalty.analytics.rfm(pl.from_arrow(nulls), as_of=AS_OF, amount_minor="amount_minor")
    assert (err.value.field, str(err.value)) == ("amount_minor[3]", "amount_minor[3]: is null; every row needs a value")
    with pytest.raises(loyalty.AnalyticsError) as err:
        loyalty.analytics.rfm(table, as_of=AS_OF, amount_minor="amount_minor", ordered_at="when")
    assert err.value.kind == "missing_column"
    text_times = table.set_column(1, "ordered_at", pa.array(["2024-01-01"] * 6))
    with pytest.raises(loyalty.AnalyticsError, match="ordered_at: an Arrow column"):
        loyalty.analytics.rfm(text_times, as_of=AS_OF, amount_minor="amount_minor")


def test_negative_integer_ids_are_coded_like_labels():
    frame = pd.DataFrame({**INT_ROWS, "member_id": [-7, -7, 8, 9, 9, 9]})
    out = loyalty.analytics.rfm(frame, as_of=AS_OF, amount_minor="amount_minor")
    assert list(out["member_id"]) == [-7, 8, 9]
    assert list(out["monetary_minor"]) == [3500, 400, 10050]
    # A one-shot stream cannot be read twice: the negative id is an error naming its row.
    reader = pa.RecordBatchReader.from_batches(pa.table(frame).schema, pa.table(frame).to_batches())
    with pytest.raises(loyalty.AnalyticsError) as err:
        loyalty.analytics.rfm(reader, as_of=AS_OF, amount_minor="amount_minor")
    assert str(err.value) == "member_id[0]: -7 is negative; integer member ids must be at least 0"


def test_metrics_read_arrow_frames_too(in_place):
    in_place()
    m = loyalty.analytics.metrics(pl.DataFrame(INT_ROWS), as_of=AS_OF, period_start=utc(2024, 6, 1),
                                  amount_minor="amount_minor")
    assert (m["members"], m["active_members"], m["orders"], m["revenue"]) == (3, 2, 6, Decimal("139.50"))
    assert (m["period_orders"], m["period_revenue"]) == (2, Decimal("25.50"))


def test_cohorts_read_arrow_in_place_and_agree_with_coded_ids(in_place):
    by_label = loyalty.analytics.cohorts(pd.DataFrame(ROWS), as_of=AS_OF, amount_minor="amount_minor")
    in_place()
    for source in [pd.DataFrame(INT_ROWS), pl.DataFrame(INT_ROWS),
                   pa.Table.from_batches(pa.table(INT_ROWS).to_batches(max_chunksize=2))]:
        by_id = loyalty.analytics.cohorts(source, as_of=AS_OF, amount_minor="amount_minor")
        rows = pa.table(by_id).to_pydict() if not isinstance(by_id, pd.DataFrame) else by_id.to_dict(orient="list")
        assert rows == by_label.to_dict(orient="list"), type(source)


def test_an_as_of_before_every_order_is_an_error_not_an_empty_frame():
    for frame in [pd.DataFrame(ROWS), pd.DataFrame(INT_ROWS)]:
        with pytest.raises(loyalty.AnalyticsError) as err:
            loyalty.analytics.rfm(frame, as_of=utc(2023, 1, 1), amount_minor="amount_minor")
        assert (err.value.kind, err.value.field) == ("as_of_before_orders", "as_of")
        assert str(err.value).startswith("as_of: 2023-01-01 00:00:00 UTC is not after any order; the earliest, ordered_at[3]")
    empty = pd.DataFrame({"member_id": np.array([], dtype=np.int64), "ordered_at": np.array([], dtype="datetime64[ns]"),
                          "amount_minor": np.array([], dtype=np.int64)})
    assert len(loyalty.analytics.rfm(empty, as_of=utc(2023, 1, 1), amount_minor="amount_minor")) == 0


def test_rfm_options_thresholds_grid_mean_lifecycle_and_reused_cut_points():
    frame = pd.DataFrame(ROWS)
    # Fixed thresholds, worked by hand: ann 11 days, 2 orders, 35.00 -> R5 F2 M3; bob 122
    # days, 1 order, 4.00 -> R3 F1 M1; cat 1 day, 3 orders, 100.50 -> R5 F3 M5.
    thresholds = {"recency_days": [365, 180, 90, 30], "frequency": [2, 3, 5, 8], "monetary": [10, 20, 50, Decimal("100.5")]}
    grid = [[f"r{r}f{f}" for f in range(1, 6)] for r in range(1, 6)]
    out = loyalty.analytics.rfm(frame, as_of=AS_OF, amount_minor="amount_minor", thresholds=thresholds, grid=grid)
    assert [(r.r, r.f, r.m, r.segment) for r in out.itertuples()] == [(5, 2, 3, "r5f2"), (3, 1, 1, "r3f1"), (5, 3, 5, "r5f3")]
    # Lifecycle thresholds: bob's 122 days are "sleeping" by default (churn at 180), churned at 100.
    assert list(out["stage"].astype(str))[1] == "sleeping"
    churned = loyalty.analytics.rfm(frame, as_of=AS_OF, amount_minor="amount_minor", lifecycle={"churn_days": 100})
    assert list(churned["stage"].astype(str))[1] == "churned"
    # Mean spend ranks differently from total: A one order of 60.00, B three of 30.00, C one of 10.00.
    spend = pd.DataFrame({"member_id": ["A", "B", "B", "B", "C"], "ordered_at": [dt.datetime(2024, 6, 1)] * 5,
                          "amount_minor": [6000, 3000, 3000, 3000, 1000]})
    total = loyalty.analytics.rfm(spend, as_of=AS_OF, amount_minor="amount_minor")
    mean = loyalty.analytics.rfm(spend, as_of=AS_OF, amount_minor="amount_minor", monetary="mean")
    assert list(total["m"]) == [2, 4, 1] and list(mean["m"]) == [4, 2, 1]
    # Fit once, score a partition later: the same scores as in the whole.
    whole, cuts = loyalty.analytics.rfm(pd.DataFrame(INT_ROWS), as_of=AS_OF, amount_minor="amount_minor",
                                        return_cut_points=True)
    assert set(cuts) == {"recency", "frequency", "monetary", "means"}
    # The whole's means travel with its cut points (the sums over members 7, 8 and 9), so the
    # partition's value segments compare with the whole's, not its own.
    assert cuts["means"]["members"] == 3
    assert int(cuts["means"]["frequency"]) == 6
    # Means from elsewhere are checked, naming the field.
    for field, bad in (("members", 0), ("members", 10 ** 10), ("recency_days", "1e500"), ("frequency", "x")):
        hostile = {**cuts, "means": {**cuts["means"], field: bad}}
        with pytest.raises(loyalty.AnalyticsError) as err:
            loyalty.analytics.rfm(pd.DataFrame(INT_ROWS), as_of=AS_OF, amount_minor="amount_minor", cut_points=hostile)
        assert err.value.field == f"cut_points.means.{field}"
    part = loyalty.analytics.rfm(pl.DataFrame(INT_ROWS).filter(pl.col("member_id") != 7), as_of=AS_OF,
                                 amount_minor="amount_minor", cut_points=cuts)
    assert part.select(["r", "f", "m"]).rows() == [(1, 1, 1), (4, 4, 4)]
    assert [tuple(int(v) for v in x) for x in whole[["r", "f", "m"]].values[1:]] == [(1, 1, 1), (4, 4, 4)]
    with pytest.raises(loyalty.InputError, match="integer member ids") as err:
        loyalty.analytics.rfm(frame, as_of=AS_OF, amount_minor="amount_minor", cut_points=cuts)
    assert (err.value.field, err.value.value) == ("cut_points", "member_id")
    # Bad options say which.
    with pytest.raises(loyalty.AnalyticsError, match="not both"):
        loyalty.analytics.rfm(pd.DataFrame(INT_ROWS), as_of=AS_OF, amount_minor="amount_minor", cut_points=cuts,
                              thresholds=thresholds)
    with pytest.raises(loyalty.AnalyticsError) as err:
        loyalty.analytics.rfm(frame, as_of=AS_OF, amount_minor="amount_minor",
                              thresholds={**thresholds, "recency_days": [30, 90, 180, 365]})
    assert err.value.field == "recency_days"
    with pytest.raises(ValueError, match="unknown field `churn`"):
        loyalty.analytics.rfm(frame, as_of=AS_OF, amount_minor="amount_minor", lifecycle={"churn": 1})
    with pytest.raises(TypeError, match="never|float"):
        loyalty.analytics.rfm(frame, as_of=AS_OF, amount_minor="amount_minor", thresholds={**thresholds, "monetary": [1.0, 2, 3, 4]})
    with pytest.raises(loyalty.InputError) as err:
        loyalty.analytics.rfm(frame, as_of=AS_OF, amount_minor="amount_minor", monetary="median")
    assert (err.value.field, err.value.value, str(err.value)) == ("monetary", "'median'", "monetary: 'median' must be 'total' or 'mean'")
    with pytest.raises(loyalty.InputError) as err:
        loyalty.analytics.rfm(frame, as_of=AS_OF, amount_minor="amount_minor", grid=[["x"] * 5] * 4)
    assert err.value.field == "grid" and isinstance(err.value, ValueError)


def test_pandas_decimal_objects_take_the_arrow_path_and_bad_values_still_name_their_row(in_place):
    frame = pd.DataFrame({**INT_ROWS, "amount": [Decimal(x) / 100 for x in ROWS["amount_minor"]]})
    # A float among the Decimals: the per-value path, which names the row.
    mixed = frame.assign(amount=[Decimal("10.00"), 25.0, Decimal("4"), Decimal("99"), Decimal("1"), Decimal("0.5")])
    with pytest.raises(TypeError, match=r"amount\[1\]: 25.0 is a float"):
        loyalty.analytics.rfm(mixed, as_of=AS_OF, amount="amount")
    # NaN and infinities are no amounts (pandas would read a NaN as null): the per-value
    # path names them by row, where int() would raise a bare OverflowError.
    for bad, text in [(Decimal("NaN"), "NaN"), (Decimal("-Infinity"), "-Infinity")]:
        odd = frame.assign(amount=[Decimal("1"), Decimal("2"), bad] + [Decimal("1")] * 3)
        with pytest.raises(loyalty.AnalyticsError) as err:
            loyalty.analytics.rfm(odd, as_of=AS_OF, amount="amount")
        assert (str(err.value), err.value.field, err.value.value) == (f"amount[2]: {text} is not a finite amount", "amount[2]", text)
    # Missing values of every pandas spelling are nulls, named by row.
    for missing in [None, pd.NA, float("nan")]:
        odd = frame.assign(amount=[Decimal("1"), missing] + [Decimal("1")] * 4)
        with pytest.raises(loyalty.AnalyticsError) as err:
            loyalty.analytics.rfm(odd, as_of=AS_OF, amount="amount")
        assert (str(err.value), err.value.kind, err.value.field) == ("amount[1]: is null; every row needs a value", "null", "amount[1]")
    in_place()
    check_ints(loyalty.analytics.rfm(frame, as_of=AS_OF, amount="amount").to_dict(orient="list"))
    extra = frame.assign(amount=[Decimal("10.001")] + [Decimal("1")] * 5)
    with pytest.raises(loyalty.AnalyticsError, match=r"amount\[0\]: 10.001 has more than 2 decimal places"):
        loyalty.analytics.rfm(extra, as_of=AS_OF, amount="amount")


def test_sliced_arrow_data_is_read_from_its_offset(in_place):
    in_place()
    # Rows 1.. of the table: ann's first order (2024-01-05) is left out.
    table = pa.table(INT_ROWS).slice(1)
    out = loyalty.analytics.rfm(table, as_of=AS_OF, amount_minor="amount_minor").to_pydict()
    assert out["monetary_minor"] == [2500, 400, 10050]
    assert out["frequency"] == [1, 1, 3]
    batches = pa.Table.from_batches([b.slice(1) for b in pa.table(INT_ROWS).to_batches(max_chunksize=3)])
    out = loyalty.analytics.rfm(batches, as_of=AS_OF, amount_minor="amount_minor").to_pydict()
    # Left out: rows 0 (ann 10.00) and 3 (cat 99.00).
    assert out["monetary_minor"] == [2500, 400, 150]


def test_member_ids_are_coded_as_node_codes_them_so_tied_members_score_alike():
    # examples/data/tied_members.json holds the scores worked out by hand; the Node tests
    # check the same file.
    import json
    import pathlib
    tied = json.loads((pathlib.Path(__file__).resolve().parents[2] / "examples" / "data" / "tied_members.json").read_text())
    as_of = dt.datetime.fromisoformat(tied["as_of"].replace("Z", "+00:00"))
    at = dt.datetime.fromisoformat(tied["ordered_at"].replace("Z", "+00:00"))
    for ids, expected in ((tied["labels"], tied["label_scores"]), (tied["integers"], tied["integer_scores"])):
        frame = pd.DataFrame({"member_id": ids, "ordered_at": [at] * len(ids), "amount_minor": [tied["amount_minor"]] * len(ids)})
        scores = loyalty.analytics.rfm(frame, as_of=as_of, amount_minor="amount_minor")
        got = {str(m): [int(r), int(f), int(mm)] for m, r, f, mm in zip(scores["member_id"], scores["r"], scores["f"], scores["m"])}
        assert got == {k: [v, v, v] for k, v in expected.items()}
