"""loyalty.clv on the CDNOW sample: the same published estimates through Python."""
import datetime as dt
import pathlib

import pandas as pd
import polars as pl
import pytest

import loyalty

ROOT = pathlib.Path(__file__).resolve().parents[2]


def sample() -> pd.DataFrame:
    raw = pd.read_csv(ROOT / "examples" / "data" / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["orig", "member_id", "date", "cds", "value"], dtype={"date": str, "value": str})
    return pd.DataFrame({
        "member_id": raw["member_id"],
        "ordered_at": pd.to_datetime(raw["date"], format="%Y%m%d"),
        "amount_minor": raw["value"].str.replace(".", "", regex=False).astype("int64"),
    })


def test_fit_and_predict_through_pandas_and_polars():
    s = loyalty.clv.summary(sample(), calibration_end=dt.date(1997, 9, 30), holdout_end=dt.date(1998, 6, 30),
                            amount_minor="amount_minor")
    assert len(s) == 2357
    bg = loyalty.clv.BgNbd.fit(s)
    assert (round(bg.r, 3), round(bg.alpha, 3), round(bg.a, 3), round(bg.b, 3)) == (0.243, 4.414, 0.793, 2.426)
    assert round(bg.log_likelihood, 1) == -9582.4
    predicted = bg.predict(s, 39.0)
    assert {"p_alive", "expected_purchases"} <= set(predicted.columns)
    # The paper's worked customer (sample id 1: 2 repeats, last at 30.43 weeks, T = 38.86)
    # expects 1.226 purchases in the next 39 weeks.
    first = predicted[predicted["member_id"] == 1].iloc[0]
    assert (first["frequency"], round(first["recency"], 2), round(first["T"], 2)) == (2, 30.43, 38.86)
    assert round(first["expected_purchases"], 3) == 1.226
    assert 0 < first["p_alive"] <= 1
    # Churn risk from P(alive): members without repeats are alive (P = 1, low risk); the
    # tags follow the thresholds exactly.
    expected_risk = ["high" if p < 0.3 else "low" if p >= 0.7 else "medium" for p in predicted["p_alive"]]
    assert predicted["churn_risk"].astype(str).tolist() == expected_risk
    assert set(predicted.loc[predicted["frequency"] == 0, "churn_risk"].astype(str)) == {"low"}
    assert "high" in expected_risk and "medium" in expected_risk
    with pytest.raises(ValueError):
        bg.predict(s, 39.0, churn_thresholds=(0.8, 0.2))
    gg = loyalty.clv.GammaGamma.fit(s)
    assert (round(gg.p, 2), round(gg.q, 2), round(gg.gamma, 2)) == (6.25, 3.74, 15.44)
    valued = gg.expected_value(s)
    assert len(valued) == 2357 and list(valued.columns) == list(s.columns) + ["expected_value"]
    # Without repeats, the population mean p * gamma / (q - 1) = 6.2496 * 15.4435 / 2.7442.
    assert valued.loc[valued["frequency"] == 0, "expected_value"].iloc[0] == pytest.approx(35.1704, abs=1e-4)
    # Customer 1: two repeats averaging 22.345, weighted against the population mean:
    # (q - 1) / (p x + q - 1) * p gamma / (q - 1) + p x / (p x + q - 1) * 22.345 with x = 2.
    assert valued.loc[valued["member_id"] == 1, "expected_value"].iloc[0] == pytest.approx(24.6539, abs=1e-4)
    sp = loyalty.clv.summary(pl.from_pandas(sample()), calibration_end=dt.date(1997, 9, 30), amount_minor="amount_minor")
    assert isinstance(sp, pl.DataFrame)
    assert loyalty.clv.BgNbd.fit(sp).r == bg.r


def test_predictions_read_in_place_equal_the_copied_columns_and_other_libraries(monkeypatch):
    import numpy as np
    import pyarrow as pa

    s = loyalty.clv.summary(sample(), calibration_end=dt.date(1997, 9, 30), amount_minor="amount_minor")
    bg = loyalty.clv.BgNbd.fit(s)
    in_place = bg.predict(s, 39.0)
    # Three threads on a frame too small for threads: the same bits.
    threaded = bg.predict(s, 39.0, threads=3)
    assert np.array_equal(threaded["p_alive"].to_numpy(), in_place["p_alive"].to_numpy())
    polars = bg.predict(pl.from_pandas(s), 39.0)
    arrow = bg.predict(pa.Table.from_pandas(s, preserve_index=False), 39.0)
    assert polars["expected_purchases"].to_list() == in_place["expected_purchases"].tolist()
    assert arrow.column("p_alive").to_pylist() == in_place["p_alive"].tolist()
    assert arrow.column("churn_risk").to_pylist() == in_place["churn_risk"].astype(str).tolist()
    # Predicting again over a predicted frame replaces the columns, in their places.
    again = bg.predict(in_place, 39.0)
    assert list(again.columns) == list(in_place.columns)
    assert again["p_alive"].tolist() == in_place["p_alive"].tolist()
    # A summary with float frequencies (as lifetimes makes them) reads the same when whole.
    floats = bg.predict(s.assign(frequency=s["frequency"].astype("float64")), 39.0)
    assert floats["expected_purchases"].tolist() == in_place["expected_purchases"].tolist()
    with pytest.raises(loyalty.AnalyticsError) as err:
        bg.predict(s.assign(frequency=s["frequency"].astype("float64") + 0.5), 39.0)
    assert (err.value.field, str(err.value)) == ("frequency[0]", "frequency[0]: 2.5 is not a whole count of at least 0")
    for no_t in (s.drop(columns=["T"]), pl.from_pandas(s).drop("T"), pa.Table.from_pandas(s.drop(columns=["T"]))):
        with pytest.raises(loyalty.AnalyticsError) as err:
            bg.predict(no_t, 39.0)
        assert (err.value.kind, err.value.field) == ("missing_column", "T"), type(no_t)
    # A bare Arrow stream is read whole, and equals the table's predictions' inputs.
    reader = pa.RecordBatchReader.from_batches(arrow.schema, arrow.to_batches(max_chunksize=1000))
    assert bg.purchase_probabilities(reader, 39.0, purchases=1).column("p_0").to_pylist() == \
        bg.purchase_probabilities(arrow, 39.0, purchases=1).column("p_0").to_pylist()
    for bad in (0, True, 1.5):
        with pytest.raises(loyalty.clv.ClvError) as err:
            bg.predict(s, 39.0, threads=bad)
        assert err.value.field == "threads"
    # Without pyarrow the columns are copied as bytes: the same result.
    monkeypatch.setattr(loyalty.clv, "_customer_source", lambda frame, library: None)
    copied = bg.predict(s, 39.0)
    assert copied["p_alive"].tolist() == in_place["p_alive"].tolist()
    assert copied["churn_risk"].astype(str).tolist() == in_place["churn_risk"].astype(str).tolist()


def test_purchase_probabilities_per_member_sum_to_one_around_the_expected_purchases():
    import numpy as np

    s = loyalty.clv.summary(sample(), calibration_end=dt.date(1997, 9, 30), amount_minor="amount_minor")
    bg = loyalty.clv.BgNbd.fit(s)
    # Up to 300 purchases: enough for the heaviest CDNOW buyer's tail.
    p = bg.purchase_probabilities(s, 39.0, purchases=300)
    cols = [f"p_{k}" for k in range(301)]
    assert list(p.columns) == list(s.columns) + cols
    matrix = p[cols].to_numpy()
    assert np.abs(matrix.sum(axis=1) - 1.0).max() < 1e-6
    mean = matrix @ np.arange(301)
    expected = bg.predict(s, 39.0)["expected_purchases"].to_numpy()
    assert np.abs(mean - expected).max() < 1e-4
    # The paper's customer 1: 1.226 expected purchases.
    first = p["member_id"] == 1
    assert round(float(mean[first.to_numpy()][0]), 3) == 1.226
    polars = bg.purchase_probabilities(pl.from_pandas(s), 39.0, purchases=2)
    assert polars["p_0"].to_list() == p["p_0"].tolist()
    with pytest.raises(loyalty.clv.ClvError) as err:
        bg.purchase_probabilities(s, 39.0, purchases=-1)
    assert (err.value.field, err.value.value) == ("purchases", "-1")
    with pytest.raises(loyalty.clv.ClvError) as err:
        bg.population([1.0], purchases=-1)
    assert (err.value.field, err.value.value) == ("purchases", "-1")


def test_churn_risk_from_the_model_joins_the_rfm_lifecycle_tags():
    log = sample()
    s = loyalty.clv.summary(log, calibration_end=dt.date(1997, 9, 30), amount_minor="amount_minor")
    predicted = loyalty.clv.BgNbd.fit(s).predict(s, 39.0)
    # Calibration members only, as a CLV summary has them; one more member ordered later.
    late = pd.DataFrame({"member_id": [99_999], "ordered_at": [pd.Timestamp("1998-01-05")], "amount_minor": [1500]})
    orders = pd.concat([log, late], ignore_index=True)
    as_of = dt.datetime(1998, 6, 30, tzinfo=dt.timezone.utc)
    out = loyalty.analytics.rfm(orders, as_of=as_of, amount_minor="amount_minor", churn_risk=predicted)
    assert list(out.columns)[-1] == "churn_risk" and len(out) == 2358
    joined = out.set_index("member_id")["churn_risk"].astype(str)
    expected = predicted.set_index("member_id")["churn_risk"].astype(str)
    assert (joined.loc[expected.index] == expected).all()
    assert joined.loc[99_999] == "unknown"
    # The same through polars, and without churn_risk no such column.
    polars = loyalty.analytics.rfm(pl.from_pandas(orders), as_of=as_of, amount_minor="amount_minor",
                                   churn_risk=pl.from_pandas(predicted[["member_id", "churn_risk"]].astype({"churn_risk": str})))
    assert polars["churn_risk"].cast(pl.String).to_list() == out["churn_risk"].astype(str).tolist()
    assert "churn_risk" not in loyalty.analytics.rfm(orders, as_of=as_of, amount_minor="amount_minor").columns
    bad = predicted.assign(churn_risk="maybe")
    with pytest.raises(loyalty.AnalyticsError) as err:
        loyalty.analytics.rfm(orders, as_of=as_of, amount_minor="amount_minor", churn_risk=bad)
    assert (err.value.field, str(err.value)) == ("churn_risk[0]", "churn_risk[0]: 'maybe' is not low, medium or high")
    twice = pd.concat([predicted.head(2), predicted.head(1)])
    with pytest.raises(loyalty.AnalyticsError, match="listed twice"):
        loyalty.analytics.rfm(orders, as_of=as_of, amount_minor="amount_minor", churn_risk=twice)


def test_values_and_lifetime_values_come_back_in_the_input_library():
    import numpy as np
    import pyarrow as pa

    s = loyalty.clv.summary(sample(), calibration_end=dt.date(1997, 9, 30), amount_minor="amount_minor")
    bg, gg = loyalty.clv.BgNbd.fit(s), loyalty.clv.GammaGamma.fit(s)
    value, ltv = gg.expected_value(s)["expected_value"].to_numpy(), gg.lifetime_value(s, bg, horizon=39)["clv"].to_numpy()
    for frame, kind in [(pl.from_pandas(s), pl.DataFrame), (pa.Table.from_pandas(s, preserve_index=False), pa.Table)]:
        for out, column, expected in [(gg.expected_value(frame), "expected_value", value),
                                      (gg.lifetime_value(frame, bg, horizon=39), "clv", ltv),
                                      (bg.predict(frame, 39.0), "p_alive", bg.predict(s, 39.0)["p_alive"].to_numpy())]:
            assert isinstance(out, kind), (type(out), column)
            assert np.array_equal(np.asarray(out[column]), expected), column


def test_bad_input_raises_clv_error():
    frame = pd.DataFrame({"frequency": [1], "recency": [5.0], "T": [4.0]})
    with pytest.raises(loyalty.clv.ClvError) as err:
        loyalty.clv.BgNbd.fit(frame)
    assert str(err.value) == "recency[0]: 5 must not exceed T" and isinstance(err.value, ValueError)


def test_lifetime_value_combines_both_models():
    s = loyalty.clv.summary(sample(), calibration_end=dt.date(1997, 9, 30), amount_minor="amount_minor")
    bg, gg = loyalty.clv.BgNbd.fit(s), loyalty.clv.GammaGamma.fit(s)
    undiscounted = gg.lifetime_value(s, bg, horizon=39)
    # Without discounting the per-week increments telescope: value per purchase x purchases in 39 weeks.
    expected = gg.expected_value(s)["expected_value"].to_numpy() * bg.predict(s, 39.0)["expected_purchases"].to_numpy()
    assert list(undiscounted.columns)[-1] == "clv"
    assert abs(undiscounted["clv"] - expected).max() < 1e-9
    discounted = gg.lifetime_value(s, bg, horizon=39, discount_rate=0.01)
    first = discounted["member_id"] == 1
    assert 0 < discounted.loc[first, "clv"].iloc[0] < undiscounted.loc[first, "clv"].iloc[0]
    with pytest.raises(loyalty.clv.ClvError) as err:
        gg.lifetime_value(s, bg, horizon=39, discount_rate=-0.5)
    assert str(err.value) == "discount_rate: -0.5 must be a finite rate of at least 0"


def test_a_negative_frequency_names_its_row():
    frame = pd.DataFrame({"frequency": [1, -1], "recency": [2.0, 0.0], "T": [4.0, 4.0]})
    with pytest.raises(loyalty.AnalyticsError) as err:
        loyalty.clv.BgNbd.fit(frame)
    assert (err.value.field, str(err.value)) == ("frequency[1]", "frequency[1]: -1 is negative; a count must be at least 0")


def test_the_summary_reads_arrow_in_place_and_agrees_with_coded_ids(in_place):
    import pyarrow as pa

    orders = sample()
    coded = orders.assign(member_id=orders["member_id"].map(lambda i: f"c{i:05d}"))
    end = dt.date(1997, 9, 30)
    by_label = loyalty.clv.summary(coded, calibration_end=end, amount_minor="amount_minor")
    # Integer ids in a table of several batches (gathered into one set of columns natively).
    table = pa.Table.from_batches(pa.Table.from_pandas(orders, preserve_index=False).to_batches(max_chunksize=1000))
    assert len(table.to_batches()) > 1
    in_place()
    by_id = loyalty.clv.summary(table, calibration_end=end, amount_minor="amount_minor").to_pandas()
    assert [f"c{i:05d}" for i in by_id["member_id"]] == list(by_label["member_id"])
    for col in ["frequency", "recency", "T", "monetary", "holdout_frequency"]:
        assert list(by_id[col]) == list(by_label[col]), col


def test_the_population_curve_is_a_distribution_with_the_expected_mean():
    bg = loyalty.clv.BgNbd(r=0.243, alpha=4.414, a=0.793, b=2.426)
    curve = bg.population([0, 39, 78], purchases=400)
    assert list(curve["t"]) == [0.0, 39.0, 78.0]
    # At t = 0 nobody has bought: P(X = 0) = 1, E[X] = 0.
    assert curve.loc[0, "p_0"] == pytest.approx(1.0, abs=1e-12) and curve.loc[0, "expected_purchases"] == pytest.approx(0.0, abs=1e-12)
    for _, row in curve.iterrows():
        # A heavy tail (r < 1): 400 purchases leave less than 1e-7 of it out.
        probabilities = [row[f"p_{k}"] for k in range(401)]
        assert sum(probabilities) == pytest.approx(1.0, abs=1e-7)
        assert sum(k * p for k, p in enumerate(probabilities)) == pytest.approx(row["expected_purchases"], rel=1e-4)
    # More time, more purchases expected.
    assert curve.loc[1, "expected_purchases"] < curve.loc[2, "expected_purchases"]
    with pytest.raises(loyalty.ClvError) as err:
        bg.population([1, -2])
    assert (err.value.field, err.value.value, str(err.value)) == ("t", "-2", "t: -2 must be a finite number of periods, at least 0")


def test_clv_errors_are_loyalty_errors_from_the_one_hierarchy():
    assert loyalty.clv.ClvError is loyalty.ClvError
    assert issubclass(loyalty.ClvError, loyalty.LoyaltyError) and issubclass(loyalty.ClvError, ValueError)
    with pytest.raises(loyalty.ClvError) as err:
        loyalty.clv.BgNbd.fit(pd.DataFrame({"frequency": [0] * 5, "recency": [0.0] * 5, "T": [5.0, 6.0, 7.0, 8.0, 9.0]}))
    assert (err.value.kind, err.value.field) == ("no_interior_maximum", "r")


def test_the_summary_in_days():
    # Member 1 orders on days 0, 10 (twice) and 20 of 2024, member 2 once on day 5; the window
    # ends on 2024-01-30: ages count in days from each first order to that date (T 29 and 24).
    orders = pd.DataFrame({
        "member_id": [1, 1, 1, 1, 2],
        "ordered_at": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-11 18:00", "2024-01-21", "2024-01-06"], format="ISO8601"),
        "amount_minor": [1000, 2000, 500, 3000, 700],
    })
    s = loyalty.clv.summary(orders, calibration_end=dt.date(2024, 1, 30), unit="day", amount_minor="amount_minor")
    # Member 1: repeat days 11th and 21st (the two orders on the 11th are one purchase of 25.00),
    # recency 20, monetary (25.00 + 30.00) / 2.
    assert s.to_dict(orient="list") == {
        "member_id": [1, 2], "frequency": [2, 0], "recency": [20.0, 0.0], "T": [29.0, 24.0],
        "monetary": [27.5, 0.0], "holdout_frequency": [0, 0],
    }
