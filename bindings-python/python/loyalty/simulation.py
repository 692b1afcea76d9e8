"""What-if simulation: one order log replayed under several programs, month by month.

Historical logs rarely record redemptions, so members redeem by a stated, seeded behaviour:
after each order, a member whose usable points cover the reward (`redeem="cheapest"`: the
program's cheapest; or a reward id every program has) redeems it with `probability`. The draw
depends on the seed, the member and the order's number only, so every program meets the same
members making the same choices, and a seed gives the same numbers on any number of threads.

>>> import datetime as dt, pandas as pd
>>> from loyalty import Program
>>> a = Program.from_dict({"name": "A", "version": 1, "currency": "USD", "time_zone": "UTC",
...     "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
...     "redemption": {"point_value": "0.01", "rewards": [{"id": "r", "points": 100}]}})
>>> orders = pd.DataFrame({"member_id": [1, 1],
...     "ordered_at": pd.to_datetime(["2024-01-05T12:00:00Z", "2024-02-03T12:00:00Z"]),
...     "amount_minor": [8000, 5000]})
>>> s = simulate(orders, [a], as_of=dt.datetime(2024, 3, 1, tzinfo=dt.timezone.utc), amount_minor="amount_minor")
>>> s.months["outstanding"].tolist(), s.months["redeemed"].tolist()
([80, 30], [0, 100])
"""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Dict, List, Optional, Sequence

from . import _native
from ._convert import instant
from .analytics import _prepared, _thread_count
from .engine import Program
from .errors import AnalyticsError, InputError, call

__all__ = ["simulate", "Simulation", "MONTH_COLUMNS", "PROGRAM_COLUMNS", "TIER_COLUMNS"]

#: The columns of `Simulation.months`, one row per program and month.
MONTH_COLUMNS = ("program", "version", "month", "orders", "revenue", "active_members", "new_members", "redemptions",
                 "earned", "redeemed", "expired", "clawed_back", "cancelled", "restored", "outstanding", "liability",
                 "entry_rewards", "entry_reward_points", "cost_per_revenue")
#: The columns of `Simulation.programs`, one row per program.
PROGRAM_COLUMNS = ("program", "version", "members", "orders", "revenue", "redemptions", "earned", "redeemed",
                   "expired", "clawed_back", "cancelled", "available", "pending", "debt", "liability",
                   "expiring_30_days", "expiring_60_days", "expiring_90_days", "breakage_rate", "cost_per_revenue")
#: The columns of `Simulation.tiers`, one row per program, month and tier level: members at
#: the month's end, and those who moved into the level from below and from above in the month.
TIER_COLUMNS = ("program", "version", "month", "tier", "members", "upgraded_into", "downgraded_into")


@dataclass(frozen=True)
class Simulation:
    """A simulation's frames (pandas, polars or pyarrow, as the orders were), and the core's
    runs as parsed JSON (`raw`, one dict per program)."""

    months: Any
    programs: Any
    tiers: Any
    raw: List[Dict[str, Any]]


def _frame(cols: Dict[str, list], library: str) -> Any:
    if library == "polars":
        import polars as pl

        return pl.DataFrame(cols)
    if library == "pyarrow":
        import pyarrow as pa

        return pa.table(cols)
    import pandas as pd

    return pd.DataFrame(cols)


def _decimal(v: Optional[str]) -> Optional[Decimal]:
    return None if v is None else Decimal(v)


def simulate(
    orders: Any,
    programs: Sequence[Program],
    *,
    as_of: _dt.datetime,
    redeem: str = "cheapest",
    probability: float = 1.0,
    seed: int = 0,
    member_id: str = "member_id",
    ordered_at: str = "ordered_at",
    amount: Optional[str] = None,
    amount_minor: Optional[str] = None,
    threads: int = 1,
) -> Simulation:
    """Replays `orders` (a pandas, polars or pyarrow frame) under each of `programs` and
    returns `Simulation` frames per program and month (`months`), per program (`programs`)
    and per program, month and tier (`tiers`). Orders at or after `as_of` are left out.

    `redeem`: `"cheapest"`, `"none"`, or a reward id every program has; `probability` (0 to 1)
    and `seed` make the behaviour. The draws are keyed by member: integer ids as themselves,
    text ids by their rank in code-point order (as `loyalty.analytics` codes them, and as the
    `replay` command and Node do), so row order does not change them. Amounts are `amount`
    (decimals) or `amount_minor` (minor units of the programs' shared currency). Money is
    `Decimal`. Raises `AnalyticsError` naming the column and row or the setting, and an
    `EventError` subclass when an account refuses an order (the message names the program,
    member and row)."""
    programs = list(programs)
    if not programs or not all(isinstance(p, Program) for p in programs):
        raise InputError("programs: give one or more loyalty.Program", "input", "programs", repr(programs)[:120])
    if isinstance(probability, bool) or not isinstance(probability, (int, float)):
        raise InputError(f"probability: {probability!r} is not a number", "input", "probability", repr(probability))
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
        raise InputError(f"seed: {seed!r} must be a whole number from 0 to 2**64 - 1", "input", "seed", repr(seed))
    if not isinstance(redeem, str):
        raise InputError(f"redeem: {redeem!r} must be 'cheapest', 'none' or a reward id", "input", "redeem", repr(redeem))
    # Amounts are in the programs' currency: decimals become its minor units.
    digits = _native.minor_units(programs[0].currency)
    scale = 2 if digits is None else digits
    count = _thread_count(threads, AnalyticsError)
    at = instant("as_of", as_of)
    m, t, a, library, _ = _prepared(orders, member_id, ordered_at, amount, amount_minor, scale)
    runs: List[Dict[str, Any]] = json.loads(call(
        _native.simulate, m, t, a, [p._native for p in programs], at, redeem, float(probability), seed, count))

    months: Dict[str, list] = {c: [] for c in MONTH_COLUMNS}
    per_program: Dict[str, list] = {c: [] for c in PROGRAM_COLUMNS}
    tiers: Dict[str, list] = {c: [] for c in TIER_COLUMNS}
    for run in runs:
        name, version, totals = run["program"], run["version"], run["totals"]
        row = {
            "program": name, "version": version, "members": run["members"], "orders": run["orders"],
            "revenue": Decimal(run["revenue"]), "redemptions": run["redemptions"], "earned": totals["earned"],
            "redeemed": totals["redeemed"], "expired": totals["expired"], "clawed_back": totals["clawed_back"],
            "cancelled": totals["cancelled"], "available": run["available"], "pending": run["pending"],
            "debt": run["debt"], "liability": Decimal(run["liability"]), "expiring_30_days": run["expiring"][0],
            "expiring_60_days": run["expiring"][1], "expiring_90_days": run["expiring"][2],
            "breakage_rate": _decimal(run["breakage_rate"]), "cost_per_revenue": _decimal(run["cost_per_revenue"]),
        }
        for c in PROGRAM_COLUMNS:
            per_program[c].append(row[c])
        for month in run["months"]:
            day = _dt.date.fromisoformat(month["month"])
            mt = month["totals"]
            values = {
                "program": name, "version": version, "month": day, "orders": month["orders"],
                "revenue": Decimal(month["revenue"]), "active_members": month["active_members"],
                "new_members": month["new_members"], "redemptions": month["redemptions"], "earned": mt["earned"],
                "redeemed": mt["redeemed"], "expired": mt["expired"], "clawed_back": mt["clawed_back"],
                "cancelled": mt["cancelled"], "restored": mt["restored"], "outstanding": month["outstanding"],
                "liability": Decimal(month["liability"]), "entry_rewards": month["entry_rewards"],
                "entry_reward_points": month["entry_reward_points"],
                "cost_per_revenue": _decimal(month["cost_per_revenue"]),
            }
            for c in MONTH_COLUMNS:
                months[c].append(values[c])
            for level, tier in enumerate(run["tiers"]):
                tiers["program"].append(name)
                tiers["version"].append(version)
                tiers["month"].append(day)
                tiers["tier"].append(tier)
                tiers["members"].append(month["members_by_tier"][level])
                tiers["upgraded_into"].append(month["upgraded_into"][level])
                tiers["downgraded_into"].append(month["downgraded_into"][level])
    return Simulation(months=_frame(months, library), programs=_frame(per_program, library),
                      tiers=_frame(tiers, library), raw=runs)
