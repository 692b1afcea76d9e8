"""Summaries of a log's parts, sent as bytes and merged, score as the whole log does."""
import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pytest

import loyalty
from loyalty.analytics import Summary, rfm, summarize

from conftest import utc

AS_OF = utc(2024, 7, 1)


def log(n: int = 20_000, members: int = 3_000) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    return pd.DataFrame({
        "member_id": rng.integers(1, members, n, dtype=np.int64),
        "ordered_at": rng.integers(1_700_000_000, 1_722_000_000, n, dtype=np.int64),  # some after as_of
        "amount_minor": rng.integers(0, 50_000, n, dtype=np.int64),
    })


def test_three_parts_sent_as_bytes_merge_into_the_whole_log_s_scores():
    orders = log()
    whole = rfm(orders, as_of=AS_OF, amount_minor="amount_minor", time_zone="Europe/Paris", distinct_days=True)
    parts = [orders.iloc[k::3] for k in range(3)]
    sent = [summarize(p, as_of=AS_OF, amount_minor="amount_minor", time_zone="Europe/Paris", distinct_days=True).to_bytes()
            for p in parts]
    merged = Summary.from_bytes(sent[0])
    for data in sent[1:]:
        merged.merge(Summary.from_bytes(data))
    assert repr(merged) == ("Summary(as_of='2024-07-01T00:00:00+00:00', time_zone='Europe/Paris', recent_days=90, "
                            "distinct_days=True)")
    out = rfm(merged, as_of=AS_OF, time_zone="Europe/Paris", distinct_days=True)
    pd.testing.assert_frame_equal(out, whole)


def test_a_summary_scores_into_the_library_it_came_from():
    orders = log(2_000, 300)
    polars_part = summarize(pl.from_pandas(orders), as_of=AS_OF, amount_minor="amount_minor")
    out = rfm(polars_part, as_of=AS_OF)
    assert isinstance(out, pl.DataFrame)
    assert out["member_id"].to_list() == sorted(set(orders.loc[orders.ordered_at < 1_719_792_000, "member_id"]))
    arrow = rfm(Summary.from_bytes(summarize(orders, as_of=AS_OF, amount_minor="amount_minor").to_bytes(), library="pyarrow"),
                as_of=AS_OF)
    assert arrow.column("member_id").to_pylist() == out["member_id"].to_list()


def test_summaries_refuse_labels_other_settings_and_bad_bytes():
    labels = pd.DataFrame({"member_id": ["ann"], "ordered_at": [1_704_067_200], "amount_minor": [5]})
    with pytest.raises(loyalty.InputError) as err:
        summarize(labels, as_of=AS_OF, amount_minor="amount_minor")
    assert err.value.field == "member_id"
    part = summarize(log(100, 10), as_of=AS_OF, amount_minor="amount_minor")
    with pytest.raises(loyalty.InputError) as err:
        rfm(part, as_of=utc(2024, 8, 1))
    assert str(err.value).startswith("frame: a Summary of ('2024-07-01T00:00:00+00:00', 'UTC', 90, False), not of")
    # A damaged partial names the member and field, from the core's checks.
    data = part.to_bytes().replace(b'"recent_orders":', b'"recent_orders":1', 1)
    with pytest.raises(loyalty.AnalyticsError) as err:
        Summary.from_bytes(data)
    assert err.value.field == "partial" and "recent_orders" in str(err.value)
    with pytest.raises(loyalty.AnalyticsError, match="partial: not UTF-8"):
        Summary.from_bytes(b"\xff")
    # A summary scored or merged is spent.
    other = summarize(log(100, 10), as_of=AS_OF, amount_minor="amount_minor")
    part.merge(other)
    with pytest.raises(loyalty.InputError, match="already finished or merged"):
        other.to_bytes()
    rfm(part, as_of=AS_OF)
    with pytest.raises(loyalty.InputError) as err:
        rfm(part, as_of=AS_OF)
    assert (str(err.value), err.value.field) == ('summarizer: "finished" was already finished or merged', "summarizer")
