"""loyalty.replay.members: an order log replayed member by member, worked by hand."""
import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

import loyalty
from loyalty import replay

UTC = dt.timezone.utc
PROGRAM = loyalty.Program.from_json("""{"name": "Shop", "version": 1, "currency": "USD", "time_zone": "UTC",
  "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]}, "redemption": {"point_value": "0.01"}}""")


def test_each_member_is_replayed_in_time_order_with_refusals_counted():
    orders = pa.table({
        "member_id": pa.array([2, 1, 1, 2, 2], pa.int64()),
        "ordered_at": pa.array([dt.datetime(2024, 3, 2, tzinfo=UTC), dt.datetime(2024, 3, 5, tzinfo=UTC),
                                dt.datetime(2024, 3, 1, tzinfo=UTC), dt.datetime(2024, 7, 1, tzinfo=UTC),
                                dt.datetime(2024, 3, 3, tzinfo=UTC)], pa.timestamp("us", tz="UTC")),
        # 1.001 has more digits than dollars have: the engine refuses that order.
        "amount": pa.array([Decimal("5.00"), Decimal("20.00"), Decimal("10.00"), Decimal("7.00"), Decimal("1.001")],
                           pa.decimal128(12, 3)),
    })
    out = replay.members(orders, PROGRAM, as_of=dt.datetime(2024, 6, 1, tzinfo=UTC), amount="amount").to_pylist()
    # Member 1: 10.00 and 20.00, 30 points, worth 0.30. Member 2: 5.00 taken, 1.001 refused, and
    # the order of 1 July is after as_of and left out.
    assert out == [
        {"member_id": 1, "orders": 2, "refused": 0, "available": 30, "pending": 0, "debt": 0, "expiring_soon": 0,
         "tier": None, "liability": Decimal("0.3000000000")},
        {"member_id": 2, "orders": 1, "refused": 1, "available": 5, "pending": 0, "debt": 0, "expiring_soon": 0,
         "tier": None, "liability": Decimal("0.0500000000")},
    ]


def test_one_money_column_and_no_floats():
    orders = pa.table({"member_id": [1], "ordered_at": pa.array([dt.datetime(2024, 1, 1, tzinfo=UTC)]), "amount": [1.5]})
    with pytest.raises(loyalty.InputError):
        replay.members(orders, PROGRAM, as_of=dt.datetime(2024, 6, 1, tzinfo=UTC))
    with pytest.raises(TypeError, match="float"):
        replay.members(orders, PROGRAM, as_of=dt.datetime(2024, 6, 1, tzinfo=UTC), amount="amount")


def test_text_ids_naive_instants_and_fractional_minor_units_are_refused_by_name():
    t = dt.datetime(2024, 1, 1, tzinfo=UTC)
    text_ids = pa.table({"member_id": ["a"], "ordered_at": pa.array([t]), "amount_minor": [100]})
    with pytest.raises(loyalty.InputError) as err:
        replay.members(text_ids, PROGRAM, as_of=dt.datetime(2024, 6, 1, tzinfo=UTC), amount_minor="amount_minor")
    assert err.value.field == "member_id"
    seconds = pa.table({"member_id": [1], "ordered_at": [1_700_000_000], "amount_minor": [100]})
    with pytest.raises(loyalty.InputError) as err:
        replay.members(seconds, PROGRAM, as_of=dt.datetime(2024, 6, 1, tzinfo=UTC), amount_minor="amount_minor")
    assert err.value.field == "ordered_at"
    fractional = pa.table({"member_id": [1], "ordered_at": pa.array([t]), "amount_minor": [12.5]})
    with pytest.raises(TypeError, match="amount_minor"):
        replay.members(fractional, PROGRAM, as_of=dt.datetime(2024, 6, 1, tzinfo=UTC), amount_minor="amount_minor")


def test_orders_at_one_instant_go_in_amount_order_whatever_the_log_order():
    """Two orders at the same instant: the result does not depend on how the log lists them."""
    t = dt.datetime(2024, 1, 1, tzinfo=UTC)
    one = pa.table({"member_id": [1, 1], "ordered_at": pa.array([t, t]), "amount_minor": [30000, 10000]})
    other = pa.table({"member_id": [1, 1], "ordered_at": pa.array([t, t]), "amount_minor": [10000, 30000]})
    as_of = dt.datetime(2024, 6, 1, tzinfo=UTC)
    assert replay.members(one, PROGRAM, as_of=as_of, amount_minor="amount_minor") == \
        replay.members(other, PROGRAM, as_of=as_of, amount_minor="amount_minor")
