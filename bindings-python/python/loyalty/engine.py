"""`Program` and `Account`: the engine for backends."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
from decimal import Decimal
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import _native
from ._convert import from_core, instant, money, no_floats
from .effects import Effect, JournalEntry, Outcome
from .errors import InputError, call


def _whole(name: str, value: Any, optional: bool = False) -> Optional[int]:
    """A whole number of points: an int (not a bool, not a float), within what the core
    takes (-10^12 to 10^12); the core checks the sign and the rest."""
    if optional and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{name}: {value!r} must be a whole number of points (an int)", "input", name, repr(value))
    if not -(10**12) <= value <= 10**12:
        raise InputError(f"{name}: {value} must be from -1000000000000 to 1000000000000", "input", name, str(value))
    return value
from .events import to_core


class Program:
    """A validated loyalty program.

    >>> p = Program.from_dict({"name": "Shop", "version": 1, "currency": "USD", "time_zone": "UTC",
    ...     "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
    ...     "redemption": {"point_value": "0.01"}})
    >>> p.currency, p.time_zone
    ('USD', 'UTC')
    """

    def __init__(self, native: _native.Program) -> None:
        self._native = native

    @classmethod
    def from_json(cls, text: str) -> "Program":
        """Parses and validates JSON text; raises `ProgramError` naming the field."""
        return cls(call(_native.Program, text))

    @classmethod
    def from_dict(cls, config: Dict[str, Any]) -> "Program":
        """Validates a program given as a dict (amounts as strings or Decimal; a float is a
        `TypeError` naming its path)."""
        no_floats("", config)
        return cls.from_json(json.dumps(config, default=_json_default))

    @classmethod
    def from_file(cls, path: Union[str, "os.PathLike[str]"]) -> "Program":
        """Reads and validates a JSON file."""
        with open(path, encoding="utf-8") as f:
            return cls.from_json(f.read())

    def to_json(self) -> str:
        """The program as JSON text; `from_json` reads it back to an equal program."""
        return self._native.to_json()

    def to_dict(self) -> Dict[str, Any]:
        """The program as a dict in the core's JSON shape (amounts as strings)."""
        return json.loads(self._native.to_json())

    @property
    def name(self) -> str:
        """The program's name."""
        return self._native.name

    @property
    def currency(self) -> str:
        """The ISO 4217 code amounts are in."""
        return self._native.currency

    @property
    def time_zone(self) -> str:
        """The IANA time zone that defines the program's days."""
        return self._native.time_zone

    def __reduce__(self) -> Tuple[Any, Tuple[str]]:
        # Pickles as its JSON (programs cross to worker processes and Spark executors).
        return (Program.from_json, (self.to_json(),))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Program) and self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._native)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return money("amount", value)
    if isinstance(value, _dt.datetime):
        return instant("instant", value)
    raise InputError(f"{value!r} is a {type(value).__name__}, which has no JSON form", "input", type(value).__name__, repr(value))


@dataclasses.dataclass(frozen=True)
class Balances:
    """A member's points as of an instant."""

    as_of: _dt.datetime
    available: int
    pending: int
    debt: int
    expiring_soon: int


@dataclasses.dataclass(frozen=True)
class PaymentQuote:
    """How many points may pay part of an order."""

    points: int
    value: Decimal
    cash: Decimal
    max_points: int


class Account:
    """One member's account: apply events, advance the clock, query balances.

    >>> import datetime as dt
    >>> from decimal import Decimal
    >>> from loyalty import events
    >>> p = Program.from_dict({"name": "Shop", "version": 1, "currency": "USD", "time_zone": "UTC",
    ...     "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
    ...     "redemption": {"point_value": "0.01"}})
    >>> a = Account("m-1")
    >>> t = dt.datetime(2024, 5, 1, 12, tzinfo=dt.timezone.utc)
    >>> a.apply(p, events.OrderPlaced("e-1", t, order_id="o-1", amount=Decimal("12.50"))).effects[0].points
    12
    >>> a.balances(p, t).available
    12
    """

    def __init__(self, member_id: str) -> None:
        self._native = call(_native.Account, member_id)

    @classmethod
    def _wrap(cls, native: _native.Account) -> "Account":
        account = cls.__new__(cls)
        account._native = native
        return account

    @classmethod
    def from_json(cls, text: str) -> "Account":
        """Reads a snapshot written by `to_json`; raises `SnapshotError`."""
        return cls._wrap(call(_native.Account.from_json, text))

    def to_json(self) -> str:
        """The snapshot as JSON text: store it beside `revision`; `from_json` reads it back."""
        return self._native.to_json()

    def __reduce__(self) -> Tuple[Any, Tuple[bytes]]:
        # Pickles as its compact snapshot, checked again when read.
        return (Account.from_compact, (self.to_compact(),))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Account) and self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def from_compact(cls, data: bytes) -> "Account":
        """Reads bytes written by `to_compact`; raises `SnapshotError`."""
        return cls._wrap(call(_native.Account.from_compact, bytes(data)))

    def to_compact(self) -> bytes:
        """The snapshot in a compact binary form for storage (the JSON deflated against a
        built-in dictionary: under 1 KiB for a typical member with eight live lots)."""
        return self._native.to_compact()

    @property
    def member_id(self) -> str:
        """The member's id."""
        return self._native.member_id

    @property
    def revision(self) -> int:
        """Counts the changes: store it beside the snapshot for optimistic concurrency."""
        return self._native.revision

    @property
    def is_frozen(self) -> bool:
        """Whether the host froze the account (it cannot spend points or stored value)."""
        return self._native.is_frozen

    @property
    def clock(self) -> _dt.datetime:
        """The instant the account has been brought up to."""
        return _dt.datetime.fromisoformat(self._native.clock)

    def apply(self, program: Program, event: Any) -> Outcome:
        """Applies one event (a `loyalty.events` object or a dict in the core's shape)."""
        payload = json.dumps(to_core(event), default=_json_default)
        return Outcome.from_core(json.loads(call(self._native.apply, program._native, payload)))

    def apply_all(self, program: Program, events: Iterable[Any]) -> List[Outcome]:
        """Applies events in order, all or nothing."""
        payload = json.dumps([to_core(e) for e in events], default=_json_default)
        return [Outcome.from_core(o) for o in json.loads(call(self._native.apply_all, program._native, payload))]

    def advance(self, program: Program, at: _dt.datetime) -> Outcome:
        """Moves the clock as `advance_to` does, and returns the outcome with the journal
        entries it made (a host that keeps the member's journal calls this one)."""
        return Outcome.from_core(json.loads(call(self._native.advance, program._native, instant("at", at))))

    @property
    def statement_start(self) -> int:
        """The journal `seq` of the first statement entry the snapshot still keeps."""
        return int(self._native.statement_start())

    @classmethod
    def migrate(cls, program: Program, text: str) -> Tuple["Account", List[JournalEntry]]:
        """Reads a snapshot of an earlier format: the account in today's format, and the
        journal entries that left it (store them before saving the new snapshot)."""
        native, journal = call(_native.Account.migrate, program._native, text)
        return cls._wrap(native), [JournalEntry.from_core(j) for j in json.loads(journal)]

    def advance_to(self, program: Program, at: _dt.datetime) -> List[Effect]:
        """Moves the clock: activations, expiries, tier changes, warnings."""
        return [Effect(e) for e in json.loads(call(self._native.advance_to, program._native, instant("at", at)))]

    def balances(self, program: Program, as_of: _dt.datetime) -> Balances:
        """The member's points as of `as_of` (the account itself does not change)."""
        data = json.loads(call(self._native.balances, program._native, instant("as_of", as_of)))
        return Balances(from_core(data["as_of"], "as_of"), data["available"], data["pending"], data["debt"], data["expiring_soon"])

    def stored_value(self, program: Program, as_of: _dt.datetime) -> Dict[str, Decimal]:
        """The member's stored value as of `as_of`: `principal`, `bonus` (what expires by then
        left out), `available` (what the member can spend) and `liability` (the revenue still
        to recognize, at each top-up's discount), all `Decimal` (the account does not change)."""
        data = json.loads(call(self._native.stored_value, program._native, instant("as_of", as_of)))
        return {k: Decimal(v) for k, v in data.items()}

    def coupons(self, as_of: _dt.datetime) -> List[Dict[str, Any]]:
        """The member's coupons as of `as_of`: dicts with `coupon_id`, `definition`, `issued_at`,
        `valid_from`, `valid_until` and `state` (issued, reserved with `key` and `until`,
        redeemed with `order_id` and `discount`, expired or cancelled) as it is then."""
        return [from_core(c) for c in json.loads(call(self._native.coupons, instant("as_of", as_of)))]

    def quote_checkout(self, program: Program, amount: Decimal, at: _dt.datetime, *, coupons: Sequence[str] = (),
                       channel: Optional[str] = None, lines: Optional[List[Any]] = None,
                       reservation_key: Optional[str] = None, points: Optional[int] = None,
                       stored_value: bool = False) -> Dict[str, Any]:
        """What an order of `amount` would cost at `at`, without changing the account: the
        `coupons` first (in order, each on what the ones before left; one that does not apply
        has `not_applied` saying why), then at most `points` points, then stored value (when
        `stored_value`); `due` is left for other tenders, `points_earned` what the order earns."""
        checkout: Dict[str, Any] = {"amount": money("amount", amount), "coupons": list(coupons), "stored_value": stored_value}
        if channel is not None:
            checkout["channel"] = channel
        if lines is not None:
            checkout["lines"] = [line.to_core() for line in lines]
        if reservation_key is not None:
            checkout["reservation_key"] = reservation_key
        if points is not None:
            checkout["points"] = _whole("points", points, optional=False)
        data = json.loads(call(self._native.quote_checkout, program._native, json.dumps(checkout), instant("at", at)))
        result: Dict[str, Any] = from_core(data)
        return result

    def quote_return(self, program: Program, order_id: str, returned: Decimal, at: _dt.datetime) -> Dict[str, Any]:
        """What returning goods worth `returned` (list value) from `order_id` refunds at `at`
        under the program's partial-return policy (`refund`, a Decimal: the `amount` of the
        `OrderRefunded` to send with `returned`), and the `points` it claws back."""
        data = json.loads(call(self._native.quote_return, program._native, order_id, money("returned", returned),
                               instant("at", at)))
        result: Dict[str, Any] = from_core(data)
        return result

    def expiring(self, program: Program, as_of: _dt.datetime, until: _dt.datetime) -> List[Tuple[_dt.datetime, int]]:
        """Usable points as of `as_of` that expire by `until`: (expiry instant, points), soonest
        first."""
        data = json.loads(call(self._native.expiring, program._native, instant("as_of", as_of), instant("until", until)))
        return [(from_core(e["expires_at"], "expires_at"), e["points"]) for e in data]

    def tier_progress(self, program: Program, as_of: _dt.datetime) -> Optional[Dict[str, Any]]:
        """The tier, its expiry and what is missing to reach the next and keep this one; None
        without tiers."""
        data = call(self._native.tier_progress, program._native, instant("as_of", as_of))
        return None if data is None else from_core(json.loads(data))

    def preview_order(self, program: Program, amount: Decimal, at: _dt.datetime, *, channel: Optional[str] = None,
                      lines: Optional[List[Any]] = None) -> int:
        """The points an order of `amount` (its `channel` and `lines`, `loyalty.events.OrderLine`
        objects, for scoped rules) would earn at `at`, without changing the account: what a
        cart shows before the order is placed."""
        lines_json = None if lines is None else json.dumps([line.to_core() for line in lines])
        result: int = call(self._native.preview_order, program._native, money("amount", amount), instant("at", at),
                           channel, lines_json)
        return result

    def quote_payment(self, program: Program, order_amount: Decimal, requested: Optional[int], as_of: _dt.datetime) -> PaymentQuote:
        """Quotes paying part of an order with points: at most `requested` (or the most
        allowed when None); a negative or non-whole `requested` is refused."""
        data = json.loads(
            call(self._native.quote_payment, program._native, money("order_amount", order_amount),
                 _whole("requested", requested, optional=True), instant("as_of", as_of))
        )
        return PaymentQuote(data["points"], Decimal(data["value"]), Decimal(data["cash"]), data["max_points"])

    def statement(self) -> List[Dict[str, Any]]:
        """The statement: one entry per event or clock instant, with its effects."""
        return [
            {"at": from_core(e["at"], "at"), "event_id": e["event_id"], "effects": [Effect(x) for x in e["effects"]]}
            for e in json.loads(self._native.statement())
        ]

    def merge(self, program: Program, other: "Account", id: str, at: _dt.datetime) -> Tuple["Account", Outcome]:
        """Merges another account of the same person into a copy of this one, as replaying
        both members' events into one account would; neither input changes."""
        native, outcome = call(self._native.merge, program._native, other._native, id, instant("at", at))
        return Account._wrap(native), Outcome.from_core(json.loads(outcome))

    def __repr__(self) -> str:
        return repr(self._native)


def statement_page(entries: Iterable[Union[JournalEntry, str]], opening: int = 0, page: int = 0,
                   per_page: int = 50) -> Dict[str, Any]:
    """Renders page `page` (0 is the newest) of a member's statement from their journal
    entries (`JournalEntry` objects or the JSON text a host stored), from `seq` 0 or from a
    later entry with `opening` the balance before it: {"lines": [...newest first, each with
    seq, at, event_id, kind, points, balance], "total": lines in all, "balance": after the
    newest}."""
    for name, n in (("page", page), ("per_page", per_page)):
        if _whole(name, n) is not None and n < 0:
            raise InputError(f"{name}: {n} must not be negative", "input", name, str(n))
    rows = [e.core if isinstance(e, JournalEntry) else json.loads(e) for e in entries]
    data = json.loads(call(_native.statement_page, json.dumps(rows), _whole("opening", opening), page, per_page))
    for line in data["lines"]:
        line["at"] = from_core(line["at"], "at")
    return dict(data)


def transfer(program: Program, sender: Account, receiver: Account, id: str, at: _dt.datetime, points: int) -> Tuple[Outcome, Outcome]:
    """Moves points between two members atomically; returns (sent, received) outcomes."""
    sent, received = call(_native.transfer, program._native, sender._native, receiver._native, id, instant("at", at),
                          _whole("points", points))
    return Outcome.from_core(json.loads(sent)), Outcome.from_core(json.loads(received))
