"""Issue 30's measure through Python: a member with a check-in every day and an order of $20.00
three times a week under examples/programs/retail.json. Prints the JSON snapshot's size after
one, two and five years and the cost of load + apply + save (from_json, apply, to_json) of one
event on the five-year snapshot, the cycle a backend runs per event.

    python bench/bounded_state.py
"""
import datetime as dt
import pathlib
import time
from decimal import Decimal

import loyalty
from loyalty import events

ROOT = pathlib.Path(__file__).resolve().parents[1]
RETAIL = loyalty.Program.from_file(ROOT / "examples" / "programs" / "retail.json")
UTC = dt.timezone.utc


def member(days):
    a = loyalty.Account("member-0001")
    start = dt.datetime(2025, 1, 1, tzinfo=UTC)
    a.apply(RETAIL, events.Joined("join", start + dt.timedelta(hours=9)))
    for n in range(days):
        day = start + dt.timedelta(days=n)
        a.apply(RETAIL, events.CheckedIn(f"in-{n}", day + dt.timedelta(hours=12)))
        if n % 7 in (0, 2, 5):
            a.apply(RETAIL, events.OrderPlaced(f"o-{n}", day + dt.timedelta(hours=18), order_id=f"o-{n}",
                                               amount=Decimal("20.00")))
    return a, start + dt.timedelta(days=days)


def main():
    for years in (1, 2, 5):
        a, _ = member(365 * years)
        print(f"after {years} year(s): {len(a.to_json())} bytes of JSON, {len(a.to_compact())} compact")
    a, nxt = member(365 * 5)
    snapshot = a.to_json()
    rounds = 300
    t0 = time.perf_counter()
    for i in range(rounds):
        b = loyalty.Account.from_json(snapshot)
        b.apply(RETAIL, events.CheckedIn(f"next-{i}", nxt + dt.timedelta(hours=12)))
        b.to_json()
    per = (time.perf_counter() - t0) / rounds
    print(f"five years: load + apply a check-in + save: {per * 1e3:.2f} ms per event ({rounds} rounds)")


if __name__ == "__main__":
    main()
