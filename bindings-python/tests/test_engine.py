"""Conversions both ways and the engine's shape from Python (the rules are tested in core)."""
import datetime as dt
import json
from decimal import Decimal

import pytest

import loyalty
from loyalty import events

from conftest import utc


def test_program_round_trips_through_dict_and_json(retail):
    again = loyalty.Program.from_dict(retail.to_dict())
    assert again.to_json() == retail.to_json()
    assert (retail.name, retail.currency, retail.time_zone) == ("Harbor Records Rewards", "USD", "America/New_York")
    assert repr(retail) == 'Program(name="Harbor Records Rewards", version=3, currency="USD")'


def test_an_order_earns_pending_points_with_decimal_and_datetime(retail):
    account = loyalty.Account("m-1")
    # 2024-05-08 is the retail program's monthly member day: 42.50 x 2 = 85 points.
    outcome = account.apply(retail, events.OrderPlaced("e-1", utc(2024, 5, 8, 16), order_id="o-1", amount=Decimal("42.50")))
    earned = outcome.effects[0]
    assert earned.kind == "points_earned"
    assert (earned.points, earned.pending, earned.rules) == (85, True, ["base", "member_day"])
    # 14 pending days from 2024-05-08 New York: usable at 2024-05-22 00:00 EDT = 04:00 UTC.
    assert earned.available_at == utc(2024, 5, 22, 4)
    assert isinstance(earned.available_at, dt.datetime)
    assert repr(earned).startswith("PointsEarned(lot=0, points=85")
    b = account.balances(retail, utc(2024, 5, 22, 4))
    assert (b.available, b.pending, b.debt) == (85, 0, 0)
    assert account.revision == 1 and account.member_id == "m-1"


def test_advancing_the_clock_activates_then_warns_then_expires(retail):
    account = loyalty.Account("m-2")
    # 2024-06-03 (not a member day): 20.00 earns 20 points, pending 14 days (New York).
    account.apply(retail, events.OrderPlaced("e-1", utc(2024, 6, 3, 16), order_id="o-1", amount=Decimal("20.00")))
    # Nothing is due before the activation at 2024-06-17 00:00 EDT (04:00 UTC).
    assert account.advance_to(retail, utc(2024, 6, 17, 3)) == []
    activated = account.advance_to(retail, utc(2024, 6, 17, 4))
    assert [(e.kind, e.points) for e in activated] == [("pending_activated", 20)]
    # Twelve months rolling, rounded to month end: the lot is good through 2025-06-30 and
    # expires at 2025-07-01 00:00 EDT (04:00 UTC); the warning comes 30 days before.
    expires = utc(2025, 7, 1, 4)
    assert activated[0].expires_at == expires
    assert account.expiring(retail, utc(2024, 6, 17, 4), utc(2025, 7, 2)) == [(expires, 20)]
    assert account.expiring(retail, utc(2024, 6, 17, 4), utc(2025, 6, 30)) == []
    warned = account.advance_to(retail, utc(2025, 6, 2))
    assert [e.kind for e in warned] == ["points_expiring_soon"]
    expired = account.advance_to(retail, expires)
    assert [(e.kind, e.points) for e in expired] == [("points_expired", 20)]
    assert account.balances(retail, expires).available == 0
    # An instant before the clock does nothing (the clock does not go back).
    snapshot = account.to_json()
    assert account.advance_to(retail, utc(2025, 1, 1)) == []
    assert account.to_json() == snapshot


def test_any_utc_offset_is_accepted_for_instants(simple):
    account = loyalty.Account("m")
    paris = dt.timezone(dt.timedelta(hours=2))
    account.apply(simple, events.OrderPlaced("e", dt.datetime(2024, 6, 1, 2, tzinfo=paris), order_id="o", amount=Decimal("3")))
    assert account.clock == utc(2024, 6, 1, 0)


def test_quotes_and_statements_carry_decimals(simple):
    account = loyalty.Account("m")
    account.apply(simple, events.OrderPlaced("e", utc(2024, 1, 1), order_id="o", amount=Decimal("250")))
    q = account.quote_payment(simple, Decimal("10.00"), None, utc(2024, 1, 2))
    assert (q.points, q.value, q.cash) == (250, Decimal("2.50"), Decimal("7.50"))
    entry = account.statement()[0]
    assert entry["event_id"] == "e" and entry["at"] == utc(2024, 1, 1)


def test_snapshots_and_replays(simple):
    account = loyalty.Account("m")
    e = events.OrderPlaced("e", utc(2024, 1, 1), order_id="o", amount=Decimal("10"))
    first = account.apply(simple, e)
    again = loyalty.Account.from_json(account.to_json())
    assert again.to_json() == account.to_json()
    replay = again.apply(simple, e)
    assert replay.duplicate and replay.effects == first.effects


def test_apply_all_is_all_or_nothing(simple):
    account = loyalty.Account("m")
    batch = [
        events.OrderPlaced("a", utc(2024, 1, 1), order_id="o1", amount=Decimal("10")),
        events.RewardRedeemed("b", utc(2024, 1, 2), reward_id="r", points=50),
    ]
    with pytest.raises(loyalty.InsufficientPoints):
        account.apply_all(simple, batch)
    assert account.revision == 0
    outcomes = account.apply_all(simple, batch[:1])
    assert [o.revision for o in outcomes] == [1]


def test_dict_events_in_the_core_shape_are_accepted(simple):
    account = loyalty.Account("m")
    event = {"id": "x", "occurred_at": "2024-01-01T00:00:00Z", "type": "order_placed", "order_id": "o", "amount": "5"}
    assert account.apply(simple, event).effects[0].points == 5


def test_transfer_and_merge(simple):
    mum, kid = loyalty.Account("mum"), loyalty.Account("kid")
    mum.apply(simple, events.OrderPlaced("e", utc(2024, 1, 1), order_id="o", amount=Decimal("80")))
    sent, received = loyalty.transfer(simple, mum, kid, "t", utc(2024, 1, 2), 30)
    assert sent.effects[0].kind == "points_sent" and received.effects[0].points == 30
    twin = loyalty.Account("mum-2")
    twin.apply(simple, events.OrderPlaced("e2", utc(2024, 1, 2), order_id="o2", amount=Decimal("5")))
    merged, outcome = mum.merge(simple, twin, "m", utc(2024, 1, 3))
    assert outcome.effects[0].kind == "accounts_merged"
    assert merged.balances(simple, utc(2024, 1, 3)).available == 55


def test_tier_progress_is_none_without_tiers(simple, retail):
    assert loyalty.Account("m").tier_progress(simple, utc(2024, 1, 1)) is None
    progress = loyalty.Account("m").tier_progress(retail, utc(2024, 1, 1))
    assert progress is not None and progress["tier"] == "Member" and progress["next_tier"] == "Silver"
    assert progress["to_next"] == [{"metric": "spend", "needed": Decimal("250")}]


def test_effects_are_typed_classes_one_per_kind(retail):
    from loyalty import effects

    account = loyalty.Account("m-2")
    outcome = account.apply(retail, events.OrderPlaced("e-1", utc(2024, 5, 8, 16), order_id="o-1", amount=Decimal("42.50")))
    earned = outcome.effects[0]
    assert type(earned) is effects.PointsEarned and isinstance(earned, effects.Effect)
    assert effects.PointsEarned.__match_args__ == ("lot", "points", "rules", "available_at", "expires_at", "pending")
    assert [getattr(earned, name) for name in effects.PointsEarned.__match_args__[:3]] == [0, 85, ["base", "member_day"]]
    assert repr(earned).startswith("PointsEarned(lot=0, points=85, rules=['base', 'member_day'], available_at=")
    # Every kind the core emits has its class; a kind this version does not know stays a plain Effect.
    # The kinds the Node package's types list (bindings-node/loyalty.d.ts, camelCase).
    import pathlib
    import re

    dts = (pathlib.Path(__file__).resolve().parents[2] / "bindings-node" / "loyalty.d.ts").read_text()
    union = dts[dts.index("export type Effect ="):dts.index("export interface Outcome")]
    listed = {re.sub(r"[A-Z]", lambda c: "_" + c.group().lower(), k) for k in re.findall(r"type: '(\w+)'", union)}
    kinds = {cls.KIND for cls in effects.Effect._kinds.values()}
    schema = json.loads((pathlib.Path(__file__).resolve().parents[2] / "schema" / "effect.schema.json").read_text())
    assert kinds == listed == {v["properties"]["type"]["const"] for v in schema["oneOf"]}
    unknown = effects.Effect({"type": "something_new", "points": 1})
    assert type(unknown) is effects.Effect and unknown.points == 1
    with pytest.raises(AttributeError, match="points_earned has no field 'nope'"):
        earned.nope


def test_compact_snapshots_read_back_equal_and_refuse_damage(retail):
    account = loyalty.Account("m-3")
    account.apply(retail, events.OrderPlaced("e-1", utc(2024, 5, 8, 16), order_id="o-1", amount=Decimal("42.50")))
    data = account.to_compact()
    assert isinstance(data, bytes) and len(data) < len(account.to_json()) / 2
    assert loyalty.Account.from_compact(data).to_json() == account.to_json()
    with pytest.raises(loyalty.SnapshotError) as err:
        loyalty.Account.from_compact(data[: len(data) // 2])
    assert err.value.field == "compact"


def test_preview_order_is_the_points_an_order_would_earn_and_changes_nothing(retail):
    a = loyalty.Account("m-p")
    at = dt.datetime(2024, 5, 8, 16, tzinfo=dt.timezone.utc)
    # Retail: 2 points a unit on the 8th (member day) for 42.50: 85, as applying it earns.
    assert a.preview_order(retail, Decimal("42.50"), at) == 85
    assert a.revision == 0
    # A line in the vinyl category earns that rule's rate.
    lines = [events.OrderLine(sku="LP-1", category="vinyl", amount=Decimal("42.50"))]
    with_lines = a.preview_order(retail, Decimal("42.50"), at, lines=lines)
    placed = a.apply(retail, events.OrderPlaced("e-1", at, order_id="o-1", amount=Decimal("42.50"), lines=lines))
    assert with_lines == placed.effects[0].points
    with pytest.raises(loyalty.InvalidField) as err:
        a.preview_order(retail, Decimal("10.001"), at)
    assert err.value.field == "amount"
