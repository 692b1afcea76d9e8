"""Replaying an order log under a program, member by member: each member's orders, in time
order, become `order_placed` events applied to that member's account; the result is one row
per member with the balances, the tier and the points liability as of an instant.

This is the single-machine form of `loyalty.spark.replay`, which applies it to each partition
of a log spread by member: the two give the same rows.
"""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any, Dict, List, Optional

from ._convert import instant
from .engine import Account, Program
from .errors import EventError, InputError

__all__ = ["members", "COLUMNS"]

#: The columns of `members`, in order.
COLUMNS = ("member_id", "orders", "refused", "available", "pending", "debt", "expiring_soon", "tier", "liability")


def _amount_text(value: Any, minor: bool, scale: int) -> str:
    if minor:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"amount_minor: {value!r} is a {type(value).__name__}; minor units must be whole numbers")
        return str(Decimal(value).scaleb(-scale))
    if isinstance(value, float):
        raise TypeError(f"amount: {value!r} is a float; amounts must be Decimal (a decimal column) or minor units")
    return format(Decimal(value), "f")


def members(
    orders: Any,
    program: Program,
    *,
    as_of: _dt.datetime,
    member_id: str = "member_id",
    ordered_at: str = "ordered_at",
    amount: Optional[str] = None,
    amount_minor: Optional[str] = None,
    scale: int = 2,
) -> Any:
    """One row per member of `orders` (a pyarrow Table, or anything `pyarrow.table` reads):
    how many orders were applied and refused, the points `available`, `pending`, `debt` and
    `expiring_soon` as of `as_of`, the `tier` (None without tiers) and the `liability` (points
    held times the program's point value, a Decimal). Orders of a member are applied in time
    order (ties in the log's order), each with the id `<member>-<n>`; the accounts are then
    brought to `as_of` (orders after `as_of` are left out). Returns a pyarrow Table, members in
    id order, with the types of `SCHEMA`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if (amount is None) == (amount_minor is None):
        raise InputError("amount: give one of amount or amount_minor", "input", "amount", repr((amount, amount_minor)))
    money = amount if amount is not None else amount_minor
    table = orders if isinstance(orders, pa.Table) else pa.table(orders)
    instant("as_of", as_of)
    point_value = Decimal(program.to_dict()["redemption"]["point_value"])
    table = table.select([member_id, ordered_at, money])
    for name, ok, want in ((member_id, pa.types.is_integer, "integers"), (ordered_at, pa.types.is_timestamp, "timestamps")):
        kind = table.schema.field(name).type
        if not ok(kind) or table.column(name).null_count:
            raise InputError(f"{name}: a {kind} column with {table.column(name).null_count} nulls; expected {want} without nulls",
                             "input", name, str(kind))
    # Sort by member, then time, then amount: orders at the same instant go in an order the
    # data decides (a tier upgrade between them changes the points), whatever the partitioning.
    indices = pc.sort_indices(table, sort_keys=[(member_id, "ascending"), (ordered_at, "ascending"), (money, "ascending")])
    table = table.take(indices)
    ids = table.column(member_id).to_pylist()
    times = table.column(ordered_at).to_pylist()
    amounts = table.column(money).to_pylist()
    out: Dict[str, List[Any]] = {c: [] for c in COLUMNS}
    start = 0
    while start < len(ids):
        end = start
        while end < len(ids) and ids[end] == ids[start]:
            end += 1
        _replay_one(program, ids[start], times[start:end], amounts[start:end], amount_minor is not None, scale,
                    as_of, point_value, out)
        start = end
    return pa.table(out, schema=schema())


def schema() -> Any:
    """The pyarrow schema of `members`' result."""
    import pyarrow as pa

    ints = [(name, pa.int64()) for name in COLUMNS[:7]]
    return pa.schema(ints + [("tier", pa.string()), ("liability", pa.decimal128(38, 10))])


def _replay_one(program: Program, member: Any, times: List[Any], amounts: List[Any], minor: bool, scale: int,
                as_of: _dt.datetime, point_value: Decimal, out: Dict[str, List[Any]]) -> None:
    account = Account(str(member))
    events = []
    for n, (at, value) in enumerate(zip(times, amounts)):
        if at.tzinfo is None:
            at = at.replace(tzinfo=_dt.timezone.utc)
        if at > as_of:
            continue
        events.append({"id": f"{member}-{n}", "occurred_at": at.isoformat(), "type": "order_placed",
                       "order_id": f"{member}-{n}", "amount": _amount_text(value, minor, scale)})
    refused = 0
    try:
        account.apply_all(program, events)
    except EventError:
        # One at a time, counting what the engine refuses (an order after `as_of`, a bad amount).
        account = Account(str(member))
        for e in events:
            try:
                account.apply(program, e)
            except EventError:
                refused += 1
    account.advance_to(program, as_of)
    b = account.balances(program, as_of)
    progress = account.tier_progress(program, as_of)
    available, pending, debt, soon = b.available, b.pending, b.debt, b.expiring_soon
    tier = None if progress is None else progress["tier"]
    out["member_id"].append(int(member))
    out["orders"].append(len(events) - refused)
    out["refused"].append(refused)
    out["available"].append(available)
    out["pending"].append(pending)
    out["debt"].append(debt)
    out["expiring_soon"].append(soon)
    out["tier"].append(tier)
    out["liability"].append((Decimal(available + pending) * point_value).quantize(Decimal("1E-10")))
