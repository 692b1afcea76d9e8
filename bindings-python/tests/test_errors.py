"""Every exception class, and the conversions that refuse bad Python values."""
import datetime as dt
from decimal import Decimal

import pytest

import loyalty
from loyalty import events

from conftest import utc


def test_float_money_is_a_type_error(simple):
    with pytest.raises(TypeError, match="amount: 42.5 is a float"):
        loyalty.Account("m").apply(simple, events.OrderPlaced("e", utc(2024, 1, 1), order_id="o", amount=42.5))


def test_float_money_in_dicts_is_a_type_error_naming_its_path(simple):
    event = {"id": "e", "occurred_at": "2024-01-01T00:00:00Z", "type": "order_placed", "order_id": "o",
             "amount": "10", "lines": [{"sku": "a", "amount": 42.5}]}
    account = loyalty.Account("m")
    with pytest.raises(TypeError, match=r"^lines\[0\]\.amount: 42\.5 is a float"):
        account.apply(simple, event)
    with pytest.raises(TypeError, match=r"^amount: 42\.5 is a float"):
        account.apply_all(simple, [dict(event, amount=42.5, lines=[])])
    assert account.revision == 0
    config = simple.to_dict()
    config["redemption"]["point_value"] = 0.01
    with pytest.raises(TypeError, match=r"^redemption\.point_value: 0\.01 is a float"):
        loyalty.Program.from_dict(config)
    # The same dicts with Decimal, str or int amounts are fine.
    config["redemption"]["point_value"] = Decimal("0.01")
    assert loyalty.Program.from_dict(config).to_json() == simple.to_json()


def test_arguments_refused_before_the_core_are_input_errors(simple):
    account = loyalty.Account("m")
    # An event the core cannot read names the field it could not read, with its value.
    bad = {"id": "e", "occurred_at": "2024-01-01T00:00:00Z", "type": "teleported"}
    with pytest.raises(loyalty.InvalidField) as err:
        account.apply(simple, bad)
    assert isinstance(err.value, ValueError) and isinstance(err.value, loyalty.LoyaltyError)
    assert (err.value.kind, err.value.field, err.value.value) == ("invalid_field", "type", '"teleported"')
    assert "unknown variant `teleported`" in str(err.value)
    with pytest.raises(loyalty.InvalidField) as err:
        account.apply(simple, dict(bad, type="order_placed", occurred_at="yesterday", order_id="o", amount="1"))
    assert (err.value.field, err.value.value) == ("occurred_at", '"yesterday"')
    with pytest.raises(loyalty.InputError) as err:
        loyalty.analytics.rfm(__import__("pandas").DataFrame({"member_id": [1], "ordered_at": [utc(2024, 1, 1)],
                                                               "amount_minor": [100]}),
                              as_of=utc(2024, 2, 1), amount_minor="amount_minor", time_zone="Mars/Base")
    assert (err.value.field, err.value.value) == ("time_zone", "Mars/Base")
    assert account.revision == 0


def test_dates_are_dates_and_events_have_a_readable_repr():
    joined = events.Joined("e-1", utc(2024, 1, 1), birthday=dt.date(1990, 2, 28))
    assert joined.to_core() == {"id": "e-1", "occurred_at": "2024-01-01T00:00:00+00:00", "type": "joined",
                                "birthday": "1990-02-28"}
    assert repr(joined).startswith("Joined(id='e-1', occurred_at=datetime.datetime(2024, 1, 1, 0, 0, tzinfo=")
    assert "birthday=datetime.date(1990, 2, 28)" in repr(joined)
    # A datetime is not a date.
    with pytest.raises(TypeError, match="birthday: .* expected a datetime.date"):
        events.Joined("e-2", utc(2024, 1, 1), birthday=utc(1990, 2, 28)).to_core()


def test_naive_datetimes_are_refused(simple):
    with pytest.raises(ValueError, match="naive datetime"):
        loyalty.Account("m").apply(simple, events.CheckedIn("e", dt.datetime(2024, 1, 1)))
    with pytest.raises(ValueError, match="naive"):
        loyalty.Account("m").balances(simple, dt.datetime(2024, 1, 1))


def test_program_errors_name_the_field_and_are_value_errors():
    with pytest.raises(loyalty.ProgramError) as err:
        loyalty.Program.from_dict(
            {"name": "x", "version": 1, "currency": "USD", "time_zone": "Mars/Base",
             "earning": {"rules": []}, "redemption": {"point_value": "0.01"}}
        )
    assert isinstance(err.value, ValueError) and isinstance(err.value, loyalty.LoyaltyError)
    assert (err.value.kind, err.value.field, err.value.value) == ("invalid", "time_zone", '"Mars/Base"')
    assert str(err.value) == 'time_zone: "Mars/Base" is not an IANA time zone name'


@pytest.mark.parametrize(
    "make, cls, field",
    [
        (lambda t: events.RewardRedeemed("r", t, reward_id="x", points=10), loyalty.InsufficientPoints, "points"),
        (lambda t: events.OrderRefunded("r", t, order_id="nope", amount=Decimal("1")), loyalty.UnknownOrder, "order_id"),
        (lambda t: events.RedemptionCancelled("r", t, redemption_id="nope"), loyalty.UnknownRedemption, "redemption_id"),
        (lambda t: events.CheckedIn("r", t), loyalty.NoSuchBonus, "type"),
        (lambda t: events.OrderPlaced("r", t, order_id="o", amount=Decimal("-1")), loyalty.InvalidField, "amount"),
        (lambda t: events.OrderPlaced("e", t, order_id="o2", amount=Decimal("2")), loyalty.IdConflict, "id"),
        (lambda t: events.OrderPlaced("r", t, order_id="o", amount=Decimal("2")), loyalty.DuplicateOrder, "order_id"),
        (lambda t: events.OrderRefunded("r", t, order_id="o", amount=Decimal("99")), loyalty.RefundExceedsOrder, "amount"),
        (lambda t: events.Joined("r", t - dt.timedelta(days=1)), loyalty.OutOfOrder, "occurred_at"),
        (lambda t: events.TierAssigned("r", t, tier="Gold", until=t + dt.timedelta(days=1), reason="x"), loyalty.InvalidField, "tier"),
    ],
)
def test_event_errors_map_to_their_classes(simple, make, cls, field):
    account = loyalty.Account("m")
    t = utc(2024, 1, 1)
    account.apply(simple, events.OrderPlaced("e", t, order_id="o", amount=Decimal("5")))
    before = account.to_json()
    with pytest.raises(cls) as err:
        account.apply(simple, make(t))
    assert isinstance(err.value, loyalty.EventError) and err.value.field == field
    assert account.to_json() == before


def test_more_event_error_classes(simple):
    account = loyalty.Account("m")
    account.apply(simple, events.Joined("j", utc(2024, 1, 1)))
    with pytest.raises(loyalty.LimitReached):
        account.apply(simple, events.Joined("j2", utc(2024, 1, 1)))
    with pytest.raises(loyalty.AsOfBeforeClock):
        account.balances(simple, utc(2023, 1, 1))
    account.apply(simple, events.OrderPlaced("o", utc(2024, 1, 2), order_id="o", amount=Decimal("10")))
    account.apply(simple, events.RewardRedeemed("r", utc(2024, 1, 3), reward_id="x", points=10))
    account.apply(simple, events.RedemptionCancelled("c", utc(2024, 1, 4), redemption_id="r"))
    with pytest.raises(loyalty.AlreadyCancelled):
        account.apply(simple, events.RedemptionCancelled("c2", utc(2024, 1, 4), redemption_id="r"))
    account.apply(simple, events.RewardRedeemed("r2", utc(2024, 1, 5), reward_id="x", points=10))
    account.apply(simple, events.OrderRefunded("f", utc(2024, 1, 6), order_id="o", amount=Decimal("10")))
    with pytest.raises(loyalty.DebtOutstanding):
        account.apply(simple, events.RewardRedeemed("r3", utc(2024, 1, 7), reward_id="x", points=1))


def test_unknown_reward(retail):
    account = loyalty.Account("m")
    with pytest.raises(loyalty.UnknownReward):
        account.apply(retail, events.RewardRedeemed("r", utc(2024, 1, 1), reward_id="yacht", points=1000))


def test_snapshot_errors():
    with pytest.raises(loyalty.SnapshotError) as err:
        loyalty.Account.from_json('{"format": 99}')
    assert isinstance(err.value, ValueError)
