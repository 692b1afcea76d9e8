"""Conversions between Python values and the core's JSON shapes: `Decimal` for money,
aware `datetime` for instants, never floats for money."""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any, Optional


def money(name: str, value: Any) -> str:
    """A money amount as the core's decimal string; floats are refused."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{name}: {value!r} is a {type(value).__name__}; money must be decimal.Decimal (or int)")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{name}: {value!r} must be a finite amount")
        # Positional notation: str(Decimal("1E+3")) is "1E+3", which the core's grammar refuses.
        return format(value, "f")
    raise TypeError(f"{name}: {value!r} is a {type(value).__name__}; money must be decimal.Decimal (or int)")


#: How deep a dict given in the core's JSON shape may nest (a program nests 5 levels).
MAX_DEPTH = 32


def no_floats(name: str, value: Any) -> None:
    """Refuses a float anywhere in a dict given in the core's JSON shape (an event or a
    program): the core reads JSON numbers as decimals, so 0.1 would arrive as the binary
    float's value. `name` is the path so far, for the error. A value nested deeper than
    `MAX_DEPTH` is refused too (an `InputError`, not Python's `RecursionError`)."""
    from .errors import InputError

    stack = [(name, value, 0)]
    while stack:
        path, v, depth = stack.pop()
        if isinstance(v, float):
            raise TypeError(f"{path}: {v!r} is a float; amounts must be decimal.Decimal, str or int")
        if isinstance(v, (dict, list, tuple)) and depth >= MAX_DEPTH:
            raise InputError(f"{path}: nests deeper than {MAX_DEPTH} levels", "input", path, f"depth {depth}")
        if isinstance(v, dict):
            stack.extend((f"{path}.{k}" if path else str(k), x, depth + 1) for k, x in reversed(list(v.items())))
        elif isinstance(v, (list, tuple)):
            stack.extend((f"{path}[{i}]", x, depth + 1) for i, x in reversed(list(enumerate(v))))


def instant(name: str, value: Any) -> str:
    """An aware datetime as an ISO-8601 instant; naive datetimes are refused."""
    if not isinstance(value, _dt.datetime):
        raise TypeError(f"{name}: {value!r} is a {type(value).__name__}; expected a timezone-aware datetime")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{name}: {value.isoformat()} is a naive datetime; give it a timezone (e.g. datetime.timezone.utc)")
    return value.isoformat()


def date(name: str, value: Any) -> str:
    """A `datetime.date` as ISO-8601 text; a datetime (or anything else) is refused."""
    if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
        raise TypeError(f"{name}: {value!r} is a {type(value).__name__}; expected a datetime.date")
    return value.isoformat()


def parse_instant(text: Optional[str]) -> Optional[_dt.datetime]:
    if text is None:
        return None
    return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


_INSTANTS = {"at", "occurred_at", "available_at", "expires_at", "on", "valid_until", "earned_at", "as_of", "until", "clock",
             "bonus_expires_at", "valid_from", "issued_at"}
_DECIMALS = {"value", "cash", "needed", "spend", "amount", "order_amount", "discount", "paid", "bonus", "available",
             "principal", "forfeited", "principal_retained", "bonus_forfeited", "stored_value", "liability",
             "after_coupons", "points_value", "due", "refund", "returned"}


def from_core(value: Any, key: str = "") -> Any:
    """JSON from the core to Python values: instants to datetime, amounts to Decimal."""
    if isinstance(value, dict):
        return {k: from_core(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [from_core(v, key) for v in value]
    if isinstance(value, str) and key in _INSTANTS:
        return parse_instant(value)
    if isinstance(value, str) and key in _DECIMALS:
        return Decimal(value)
    return value
