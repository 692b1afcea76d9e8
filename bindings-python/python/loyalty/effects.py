"""What the host should do or tell: effects and outcomes as readable objects."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from decimal import Decimal
from typing import Any, ClassVar, Dict, List, Optional

from ._convert import from_core


class Effect:
    """One effect. `kind` is its type (`points_earned`, `tier_upgraded`, ...); its fields are
    attributes, with instants as `datetime` and amounts as `Decimal`. `Effect(data)` makes
    the kind's own class (`PointsEarned`, `TierUpgraded`, ... below, with typed fields and
    `__match_args__`), or a plain `Effect` for a kind this version does not know."""

    __slots__ = ("kind", "_fields")
    _kinds: ClassVar[Dict[str, type]] = {}
    KIND: ClassVar[str] = ""

    def __init_subclass__(cls, kind: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.KIND = kind
        Effect._kinds[kind] = cls
        setattr(cls, "__match_args__", tuple(name for name in cls.__annotations__ if not name.isupper()))

    def __new__(cls, data: Dict[str, Any]) -> "Effect":
        if cls is Effect:
            cls = Effect._kinds.get(data.get("type", ""), Effect)
        return object.__new__(cls)

    def __init__(self, data: Dict[str, Any]) -> None:
        data = dict(data)
        self.kind: str = data.pop("type")
        self._fields = from_core(data)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(f"{self.kind} has no field {name!r}") from None

    def to_dict(self) -> Dict[str, Any]:
        """The effect as a dict, `type` included."""
        return {"type": self.kind, **self._fields}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Effect) and other.kind == self.kind and other._fields == self._fields

    def __repr__(self) -> str:
        name = "".join(part.capitalize() for part in self.kind.split("_"))
        fields = ", ".join(f"{k}={v!r}" for k, v in self._fields.items())
        return f"{name}({fields})"


# The effect kinds, one class each: fields as the core's JSON names them (snake_case), with
# instants as datetime and money as Decimal. A draw is {"lot": int, "points": int}.
Draws = List[Dict[str, int]]


class PointsEarned(Effect, kind="points_earned"):
    """Points were credited as a new lot (pending if `available_at` is in the future)."""

    __slots__ = ()
    lot: int
    points: int
    rules: List[str]
    available_at: _dt.datetime
    expires_at: Optional[_dt.datetime]
    pending: bool


class NoPointsEarned(Effect, kind="no_points_earned"):
    """A purchase earned nothing (below the minimum amount, no matching rule, or capped)."""

    __slots__ = ()
    order_id: str
    reason: str


class PendingActivated(Effect, kind="pending_activated"):
    """Pending points became usable."""

    __slots__ = ()
    lot: int
    points: int
    expires_at: Optional[_dt.datetime]


class PendingCancelled(Effect, kind="pending_cancelled"):
    """Pending points were cancelled by a refund inside the pending window (not a clawback)."""

    __slots__ = ()
    order_id: str
    lot: int
    points: int


class PointsRedeemed(Effect, kind="points_redeemed"):
    """Points were spent."""

    __slots__ = ()
    reward_id: Optional[str]
    order_id: Optional[str]
    points: int
    value: Decimal
    draws: Draws


class PointsClawedBack(Effect, kind="points_clawed_back"):
    """Available points were taken back because an order was refunded."""

    __slots__ = ()
    order_id: str
    points: int
    draws: Draws
    forgiven: int
    waived: int


class DebtCreated(Effect, kind="debt_created"):
    """A clawback exceeded the balance; the rest is owed."""

    __slots__ = ()
    order_id: str
    points: int
    debt: int


class DebtRepaid(Effect, kind="debt_repaid"):
    """New points paid off debt."""

    __slots__ = ()
    points: int
    debt: int
    draws: Draws


class PointsExpired(Effect, kind="points_expired"):
    """Points expired."""

    __slots__ = ()
    points: int
    lots: List[int]
    at: _dt.datetime


class PointsExpiringSoon(Effect, kind="points_expiring_soon"):
    """Points will expire soon: the lots, their points now and when they expire."""

    __slots__ = ()
    points: int
    lots: List[int]
    expires_at: _dt.datetime


class RedemptionReversed(Effect, kind="redemption_reversed"):
    """A cancelled redemption gave its points back."""

    __slots__ = ()
    redemption_id: str
    restored: int
    expired: int
    draws: Draws


class TierUpgraded(Effect, kind="tier_upgraded"):
    """The member moved up the tier ladder."""

    __slots__ = ()
    # `from` is a keyword: read it as getattr(effect, "from") or effect.to_dict()["from"].
    to: str
    valid_until: Optional[_dt.datetime]
    reason: str
    reward_points: Optional[int]
    reward_id: Optional[str]


class TierRetained(Effect, kind="tier_retained"):
    """The member met the retain threshold at the tier's expiry and keeps it another period."""

    __slots__ = ()
    tier: str
    valid_until: Optional[_dt.datetime]


class TierDowngraded(Effect, kind="tier_downgraded"):
    """The member moved down the ladder."""

    __slots__ = ()
    to: str
    reason: str
    valid_until: Optional[_dt.datetime]


class TierWillDowngrade(Effect, kind="tier_will_downgrade"):
    """The member will be downgraded on `on` unless the missing metrics are reached."""

    __slots__ = ()
    tier: str
    on: _dt.datetime
    missing: List[Dict[str, Any]]


class PointsSent(Effect, kind="points_sent"):
    """Points went to another member."""

    __slots__ = ()
    to_member_id: str
    points: int
    draws: Draws


class PointsReceived(Effect, kind="points_received"):
    """Points came from another member."""

    __slots__ = ()
    from_member_id: str
    points: int
    lots: List[int]


class AccountsMerged(Effect, kind="accounts_merged"):
    """Another account of the same person was merged into this one."""

    __slots__ = ()
    merged_member_id: str
    points: int
    lots: List[int]


class PointsAdjusted(Effect, kind="points_adjusted"):
    """Staff changed the balance."""

    __slots__ = ()
    points: int
    reason: str
    draws: Draws


class StoredValueLoaded(Effect, kind="stored_value_loaded"):
    """Money was loaded onto the stored value, with its bonus."""

    __slots__ = ()
    topup_id: str
    paid: Decimal
    bonus: Decimal
    bonus_expires_at: Optional[_dt.datetime]
    payment_ref: Optional[str]
    available: Decimal


class StoredValueSpent(Effect, kind="stored_value_spent"):
    """Stored value paid (part of) an order: `draws` are {"topup_id", "fund", "amount"}."""

    __slots__ = ()
    order_id: str
    amount: Decimal
    principal: Decimal
    bonus: Decimal
    draws: List[Dict[str, Any]]


class StoredValueRefilled(Effect, kind="stored_value_refilled"):
    """A refund gave stored value back to the funds that paid the order."""

    __slots__ = ()
    order_id: str
    principal: Decimal
    bonus: Decimal
    forfeited: Decimal


class StoredValueBonusExpiring(Effect, kind="stored_value_bonus_expiring"):
    """A top-up's bonus will expire (announced once)."""

    __slots__ = ()
    topup_id: str
    amount: Decimal
    expires_at: _dt.datetime


class StoredValueBonusExpired(Effect, kind="stored_value_bonus_expired"):
    """A top-up's bonus expired."""

    __slots__ = ()
    topup_id: str
    amount: Decimal
    at: _dt.datetime


class StoredValueRefundDue(Effect, kind="stored_value_refund_due"):
    """The member cashed out: `amount` is what the host must pay back."""

    __slots__ = ()
    amount: Decimal
    mode: str
    principal_retained: Decimal
    bonus_forfeited: Decimal


class AccountFrozen(Effect, kind="account_frozen"):
    """The account was frozen: it cannot spend points or stored value until unfrozen."""

    __slots__ = ()
    reason: str


class AccountUnfrozen(Effect, kind="account_unfrozen"):
    """The account was unfrozen."""

    __slots__ = ()
    reason: str


class CouponIssued(Effect, kind="coupon_issued"):
    """A coupon was issued: `source` is joined, birthday:<year>, tier:<tier>, bought or granted."""

    __slots__ = ()
    coupon_id: str
    definition: str
    source: str
    reason: Optional[str]
    valid_from: _dt.datetime
    valid_until: _dt.datetime


class CouponExpiringSoon(Effect, kind="coupon_expiring_soon"):
    """A coupon's validity ends soon (once)."""

    __slots__ = ()
    coupon_id: str
    definition: str
    valid_until: _dt.datetime


class CouponReserved(Effect, kind="coupon_reserved"):
    """A coupon is held for one checkout until `until`."""

    __slots__ = ()
    coupon_id: str
    key: str
    until: _dt.datetime


class CouponReleased(Effect, kind="coupon_released"):
    """A hold ended: released, or timed out."""

    __slots__ = ()
    coupon_id: str
    key: str
    timed_out: bool


class CouponRedeemed(Effect, kind="coupon_redeemed"):
    """A coupon was used on an order."""

    __slots__ = ()
    coupon_id: str
    definition: str
    order_id: str
    discount: Decimal


class CouponReturned(Effect, kind="coupon_returned"):
    """A cancelled order gave its coupon back."""

    __slots__ = ()
    coupon_id: str
    order_id: str


class CouponExpired(Effect, kind="coupon_expired"):
    """A coupon's validity ended unused."""

    __slots__ = ()
    coupon_id: str
    definition: str
    valid_until: _dt.datetime


class CouponCancelled(Effect, kind="coupon_cancelled"):
    """A bought coupon was cancelled unused (its points come back)."""

    __slots__ = ()
    coupon_id: str


@dataclasses.dataclass(frozen=True)
class JournalEntry:
    """One entry of a member's journal, which the host appends and keeps: what one event
    (``event_id``) or one clock instant (``event_id`` None) did. ``seq`` numbers a member's
    entries 0, 1, 2, ... without gaps; ``format`` is the core's ``JOURNAL_FORMAT``."""

    format: int
    seq: int
    at: _dt.datetime
    event_id: Optional[str]
    effects: List[Effect]
    core: Dict[str, Any] = dataclasses.field(repr=False, compare=False, default_factory=dict)

    @staticmethod
    def from_core(data: Dict[str, Any]) -> "JournalEntry":
        """An entry from the core's JSON shape."""
        return JournalEntry(int(data["format"]), int(data["seq"]), from_core(data["at"], "at"), data["event_id"],
                            [Effect(e) for e in data["effects"]], data)

    def to_json(self) -> str:
        """The entry as the core writes it: what a host stores as the journal row (and
        `statement_page` reads back)."""
        return json.dumps(self.core, separators=(",", ":"))


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What applying an event did, and the journal entries it made for the host to keep."""

    effects: List[Effect]
    duplicate: bool
    revision: int
    journal: List[JournalEntry] = dataclasses.field(default_factory=list)

    @staticmethod
    def from_core(data: Dict[str, Any]) -> "Outcome":
        """An outcome from the core's JSON shape."""
        return Outcome([Effect(e) for e in data["effects"]], bool(data["duplicate"]), int(data["revision"]),
                       [JournalEntry.from_core(j) for j in data.get("journal", [])])
