"""The journal through Python: the history leaves the snapshot with each outcome, the host
keeps it, and a statement page is rendered from it. Retail program (examples/programs/retail.json:
365-day return window and 90-day idempotency horizon by default, 5 points a check-in)."""
import datetime as dt
import pathlib
from decimal import Decimal

import pytest

import loyalty
from loyalty import events, effects

UTC = dt.timezone.utc
ROOT = pathlib.Path(__file__).resolve().parents[2]
RETAIL = loyalty.Program.from_file(ROOT / "examples" / "programs" / "retail.json")


def at(y, m, d, h=12, s=0):
    return dt.datetime(y, m, d, h, 0, s, tzinfo=UTC)


def ana_for(days):
    """Ana checks in every day at noon UTC and orders $20.00 on Mondays, Wednesdays and
    Fridays at 18:00 UTC, from 2025-01-01; her journal is what the outcomes carried."""
    ana, journal = loyalty.Account("ana"), []
    start = dt.date(2025, 1, 1)
    journal += ana.apply(RETAIL, events.Joined("join", at(2025, 1, 1, 9))).journal
    for n in range(days):
        day = start + dt.timedelta(days=n)
        journal += ana.apply(RETAIL, events.CheckedIn(f"in-{n}", at(day.year, day.month, day.day))).journal
        if day.weekday() in (0, 2, 4):
            order = events.OrderPlaced(f"e-{n}", at(day.year, day.month, day.day, 18), order_id=f"o-{n}",
                                       amount=Decimal("20.00"))
            journal += ana.apply(RETAIL, order).journal
    return ana, journal


def test_the_journal_tells_the_whole_history_and_the_snapshot_keeps_a_bounded_part():
    ana, journal = ana_for(730)
    assert [j.seq for j in journal] == list(range(len(journal)))
    # Every event's entry is in the journal once: 1 join + 730 check-ins + 313 orders.
    assert sum(1 for j in journal if j.event_id is not None) == 1 + 730 + 313
    # The snapshot keeps the last 90 days of entries only; the rest left for the journal.
    assert ana.statement_start == len(journal) - len(ana.statement())
    assert all(e["at"] >= at(2026, 12, 31, 0) - dt.timedelta(days=90) for e in ana.statement())
    # The statement rendered from the journal ends at the balance the account has.
    page = loyalty.statement_page(journal, per_page=3)
    b = ana.balances(RETAIL, at(2026, 12, 31, 23))
    assert page["balance"] == b.available + b.pending - b.debt
    assert page["total"] == sum(len(j.effects) for j in journal)
    newest = page["lines"][0]
    # 2026-12-31 is a Thursday: the last line is that day's check-in.
    assert (newest["event_id"], newest["kind"], newest["points"]) == ("in-729", "points_earned", 5)
    # Page 1 follows page 0 with no gap: its first line's balance is page 0's last line's
    # balance less that line's points.
    second = loyalty.statement_page(journal, page=1, per_page=3)["lines"][0]
    assert second["balance"] == page["lines"][2]["balance"] - page["lines"][2]["points"]


def test_from_the_second_year_on_the_snapshot_stops_growing():
    # Year 2 keeps more than year 1 (the tier ladder's previous calendar year, 13 months of
    # live lots); from then on what is kept slides with the clock.
    two, _ = ana_for(730)
    three, _ = ana_for(1095)
    small, large = len(two.to_json()), len(three.to_json())
    assert large <= small * 1.10, (small, large)


def test_a_refund_after_the_window_is_refused_naming_the_order_and_its_date():
    bo = loyalty.Account("bo")
    bo.apply(RETAIL, events.OrderPlaced("e1", at(2025, 1, 6, 18), order_id="o1", amount=Decimal("50.00")))
    before = bo.to_json()
    late = events.OrderRefunded("r1", at(2026, 1, 6, 18, 1), order_id="o1", amount=Decimal("10.00"))
    with pytest.raises(loyalty.ReturnWindowClosed) as err:
        bo.apply(RETAIL, late)
    assert (err.value.field, err.value.value) == ("order_id", "o1")
    assert "2025-01-06 18:00:00 UTC" in str(err.value)
    assert bo.to_json() == before
    # 365 days to the second is still inside the window: 10 of the 50 points come back off.
    out = bo.apply(RETAIL, events.OrderRefunded("r0", at(2026, 1, 6, 18), order_id="o1", amount=Decimal("10.00")))
    assert any(isinstance(e, effects.PointsClawedBack) and e.points == 10 for e in out.effects)


def test_a_repeat_inside_the_horizon_is_a_duplicate_and_an_older_one_is_out_of_order():
    cy = loyalty.Account("cy")
    order = events.OrderPlaced("e1", at(2025, 3, 3, 18), order_id="o1", amount=Decimal("30.00"))
    first = cy.apply(RETAIL, order)
    cy.apply(RETAIL, events.CheckedIn("c1", at(2025, 5, 31)))
    again = cy.apply(RETAIL, order)
    assert again.duplicate and again.effects == first.effects and again.journal == []
    cy.apply(RETAIL, events.CheckedIn("c2", at(2025, 6, 2)))  # 91 days on: e1 has left
    before = cy.to_json()
    with pytest.raises(loyalty.OutOfOrder):
        cy.apply(RETAIL, order)
    assert cy.to_json() == before


def test_a_format_1_snapshot_migrates_with_its_statement_as_the_journal():
    old = (ROOT / "core" / "tests" / "golden" / "member_story_snapshot_format1.json").read_text()
    with pytest.raises(loyalty.SnapshotError):
        loyalty.Account.from_json(old)
    mo, journal = loyalty.Account.migrate(RETAIL, old)
    assert [j.seq for j in journal] == [0, 1, 2, 3, 4, 5]
    # 85 + 600 - 500 points, the same as the migrated account's balance.
    assert loyalty.statement_page(journal)["balance"] == 185
    assert mo.balances(RETAIL, at(2025, 6, 1, 5)).available == 185
    assert loyalty.statement_page([j.to_json() for j in journal])["balance"] == 185


def test_bad_pages_are_refused_naming_the_field():
    with pytest.raises(loyalty.InvalidField) as err:
        loyalty.statement_page([], per_page=0)
    assert err.value.field == "per_page"
    with pytest.raises(loyalty.InputError) as err:
        loyalty.statement_page([], page=-1)
    assert err.value.field == "page"


def test_journal_entry_fields_are_the_cores():
    """The Python class is written by hand: its fields must be the schema's, which is
    generated from the core's type."""
    import dataclasses
    import json
    schema = json.loads((ROOT / "schema" / "outcome.schema.json").read_text())
    defs = schema.get("$defs") or schema["definitions"]
    fields = {f.name for f in dataclasses.fields(loyalty.JournalEntry)} - {"core"}
    assert fields == set(defs["JournalEntry"]["properties"])
    assert {f.name for f in dataclasses.fields(loyalty.Outcome)} == set(schema["properties"])
