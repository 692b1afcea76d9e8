"""`loyalty.simulate`: the core's what-if simulation through the binding, with the figures of
the core's hand-worked test (core/src/simulation/tests.rs)."""
import datetime as dt
import doctest
from decimal import Decimal

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import loyalty
from loyalty import AnalyticsError, InputError, InvalidField, Program

UTC = dt.timezone.utc


def program(currency: str = "USD") -> Program:
    return Program.from_dict({
        "name": "T", "version": 2, "currency": currency, "time_zone": "UTC",
        "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
        "expiry": {"kind": "rolling_days", "days": 30},
        "redemption": {"point_value": "0.01", "rewards": [{"id": "big", "points": 300}, {"id": "r", "points": 100}]},
        "tiers": {"period": {"kind": "calendar_year"}, "upgrade": "immediately", "downgrade": "requalify",
                  "levels": [{"name": "Member"},
                             {"name": "Gold", "entry": {"spend": "150"}, "entry_reward": {"points": 20}}]},
    })


# Member 1: 80.00 on 5 January, 50.00 on 3 February 2024. Member 2: 200.00 on 10 February.
ORDERS = {
    "member_id": ["m2", "m1", "m1"],
    "ordered_at": [dt.datetime(2024, 2, 10, 12, tzinfo=UTC), dt.datetime(2024, 1, 5, 12, tzinfo=UTC),
                   dt.datetime(2024, 2, 3, 12, tzinfo=UTC)],
    "amount": [Decimal("200.00"), Decimal("80.00"), Decimal("50.00")],
}
AS_OF = dt.datetime(2024, 3, 10, tzinfo=UTC)


def test_a_small_log_month_by_month_as_worked_by_hand() -> None:
    # February: member 1 redeems 100 of 130; member 2 reaches Gold at once (20 points of entry
    # reward, 220) and redeems 100. March: member 1's last 30 expire. See the core's test.
    s = loyalty.simulate(pd.DataFrame(ORDERS), [program()], as_of=AS_OF, amount="amount")
    m = s.months
    assert [d.isoformat() for d in m["month"]] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert m["earned"].tolist() == [80, 270, 0]
    assert m["redeemed"].tolist() == [0, 200, 0]
    assert m["expired"].tolist() == [0, 0, 30]
    assert m["outstanding"].tolist() == [80, 150, 120]
    assert m["revenue"].tolist() == [Decimal("80.00"), Decimal("250.00"), Decimal("0")]
    assert m["liability"].tolist()[-1] == Decimal("1.20")
    assert m["entry_rewards"].tolist() == [0, 1, 0]
    p = s.programs.iloc[0]
    assert (p["members"], p["orders"], p["redemptions"], p["available"], p["expiring_30_days"]) == (2, 3, 2, 120, 120)
    # 30 expired of 350 earned, to the core's 28 digits (Python's context keeps 28 significant).
    assert p["breakage_rate"].quantize(Decimal("1e-20")) == (Decimal(30) / Decimal(350)).quantize(Decimal("1e-20"))
    t = s.tiers
    gold = t[t["tier"] == "Gold"]
    assert gold["members"].tolist() == [0, 1, 1]
    assert gold["upgraded_into"].tolist() == [0, 1, 0]


def test_two_programs_under_the_same_behaviour_and_frames_follow_the_input() -> None:
    never = loyalty.simulate(pl.DataFrame(ORDERS), [program(), program()], as_of=AS_OF, amount="amount",
                             redeem="none")
    assert isinstance(never.months, pl.DataFrame)
    assert never.months["expired"].to_list() == [0, 80, 50] * 2
    arrow = loyalty.simulate(pa.table(ORDERS), [program()], as_of=AS_OF, amount="amount", redeem="r",
                             probability=0.5, seed=3)
    assert isinstance(arrow.months, pa.Table)
    again = loyalty.simulate(pa.table(ORDERS), [program()], as_of=AS_OF, amount="amount", redeem="r",
                             probability=0.5, seed=3, threads=2)
    assert again.raw == arrow.raw


def test_refusals_name_the_field_and_the_value() -> None:
    frame = pd.DataFrame(ORDERS)
    with pytest.raises(AnalyticsError) as e:
        loyalty.simulate(frame, [program()], as_of=AS_OF, amount="amount", redeem="gift")
    assert (e.value.kind, e.value.field, e.value.value) == ("invalid", "behaviour.reward_id", "gift")
    with pytest.raises(AnalyticsError) as e:
        loyalty.simulate(frame, [program()], as_of=AS_OF, amount="amount", probability=1.5)
    assert (e.value.field, e.value.value) == ("behaviour.probability", "1.5")
    with pytest.raises(AnalyticsError) as e:
        loyalty.simulate(frame, [program()], as_of=AS_OF, amount="amount", probability=float("nan"))
    assert (e.value.field, e.value.value) == ("behaviour.probability", "NaN")
    with pytest.raises(AnalyticsError) as e:
        loyalty.simulate(frame, [program(), program("EUR")], as_of=AS_OF, amount="amount")
    assert (e.value.field, e.value.value) == ("programs[1].currency", "EUR")
    with pytest.raises(InputError) as e:
        loyalty.simulate(frame, [], as_of=AS_OF, amount="amount")
    assert e.value.field == "programs"
    with pytest.raises(InputError) as e:
        loyalty.simulate(frame, [program()], as_of=AS_OF, amount="amount", seed=-1)
    assert e.value.field == "seed"
    huge = pd.DataFrame({**ORDERS, "amount_minor": [20_000, 2**62, 5_000]})
    with pytest.raises(InvalidField) as e:
        loyalty.simulate(huge, [program()], as_of=AS_OF, amount_minor="amount_minor")
    assert e.value.field == "amount"
    assert "program 0, member" in str(e.value)


def test_draws_follow_the_member_not_the_row_order() -> None:
    # The same orders in another row order: the same members make the same choices.
    frame = pd.DataFrame(ORDERS)
    kwargs = dict(as_of=AS_OF, amount="amount", redeem="r", probability=0.5, seed=5)
    one = loyalty.simulate(frame, [program()], **kwargs)  # type: ignore[arg-type]
    two = loyalty.simulate(frame.iloc[::-1].reset_index(drop=True), [program()], **kwargs)  # type: ignore[arg-type]
    assert one.raw == two.raw


def test_the_module_example_runs() -> None:
    failures, tried = doctest.testmod(loyalty.simulation)
    assert (failures, tried > 0) == (0, True)


def test_the_frames_cover_the_fields_of_the_core_types() -> None:
    """The columns are chosen by hand: each must be a field of the core's types (the schema
    generated from them), and each core field must be a column or said here why not."""
    import json
    import pathlib

    from loyalty.simulation import MONTH_COLUMNS, PROGRAM_COLUMNS, TIER_COLUMNS

    root = pathlib.Path(__file__).resolve().parents[2]
    schema = json.loads((root / "schema" / "simulation_run.schema.json").read_text())
    defs = schema.get("$defs") or schema["definitions"]
    totals = set(defs["Totals"]["properties"])
    # Nested or per-level fields become their own frame (`tiers`) or columns of their parts.
    per_level = {"members_by_tier", "flows", "upgraded_into", "downgraded_into"}
    month = set(defs["Month"]["properties"])
    assert set(MONTH_COLUMNS) - {"program", "version"} <= month | totals
    assert month - {"totals"} - per_level <= set(MONTH_COLUMNS)
    assert {"members", "upgraded_into", "downgraded_into"} <= set(TIER_COLUMNS)
    run = set(schema["properties"])
    expiring = {"expiring_30_days", "expiring_60_days", "expiring_90_days"}
    assert set(PROGRAM_COLUMNS) - expiring <= run | totals
    assert run - {"totals", "months", "tiers", "expiring"} <= set(PROGRAM_COLUMNS)
