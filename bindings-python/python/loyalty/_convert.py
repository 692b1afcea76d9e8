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
        return str(value)
    raise TypeError(f"{name}: {value!r} is a {type(value).__name__}; money must be decimal.Decimal (or int)")


def no_floats(name: str, value: Any) -> None:
    """Refuses a float anywhere in a dict given in the core's JSON shape (an event or a
    program): the core reads JSON numbers as decimals, so 0.1 would arrive as the binary
    float's value. `name` is the path so far, for the error."""
    if isinstance(value, float):
        raise TypeError(f"{name}: {value!r} is a float; amounts must be decimal.Decimal, str or int")
    if isinstance(value, dict):
        for k, v in value.items():
            no_floats(f"{name}.{k}" if name else str(k), v)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            no_floats(f"{name}[{i}]", v)


def instant(name: str, value: Any) -> str:
    """An aware datetime as an ISO-8601 instant; naive datetimes are refused."""
    if not isinstance(value, _dt.datetime):
        raise TypeError(f"{name}: {value!r} is a {type(value).__name__}; expected a timezone-aware datetime")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{name}: {value.isoformat()} is a naive datetime; give it a timezone (e.g. datetime.timezone.utc)")
    return value.isoformat()


def date(name: str, value: Any) -> str:
    if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
        raise TypeError(f"{name}: {value!r} is a {type(value).__name__}; expected a datetime.date")
    return value.isoformat()


def parse_instant(text: Optional[str]) -> Optional[_dt.datetime]:
    if text is None:
        return None
    return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


_INSTANTS = {"at", "occurred_at", "available_at", "expires_at", "on", "valid_until", "earned_at", "as_of", "until", "clock"}
_DECIMALS = {"value", "cash", "needed", "spend", "amount", "order_amount", "discount"}


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
