"""What the host should do or tell: effects and outcomes as readable objects."""
from __future__ import annotations

import dataclasses
import datetime as _dt
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
    __slots__ = ()
    lot: int
    points: int
    rules: List[str]
    available_at: _dt.datetime
    expires_at: Optional[_dt.datetime]
    pending: bool


class NoPointsEarned(Effect, kind="no_points_earned"):
    __slots__ = ()
    order_id: str
    reason: str


class PendingActivated(Effect, kind="pending_activated"):
    __slots__ = ()
    lot: int
    points: int
    expires_at: Optional[_dt.datetime]


class PendingCancelled(Effect, kind="pending_cancelled"):
    __slots__ = ()
    order_id: str
    lot: int
    points: int


class PointsRedeemed(Effect, kind="points_redeemed"):
    __slots__ = ()
    reward_id: Optional[str]
    order_id: Optional[str]
    points: int
    value: Decimal
    draws: Draws


class PointsClawedBack(Effect, kind="points_clawed_back"):
    __slots__ = ()
    order_id: str
    points: int
    draws: Draws
    forgiven: int
    waived: int


class DebtCreated(Effect, kind="debt_created"):
    __slots__ = ()
    order_id: str
    points: int
    debt: int


class DebtRepaid(Effect, kind="debt_repaid"):
    __slots__ = ()
    points: int
    debt: int
    draws: Draws


class PointsExpired(Effect, kind="points_expired"):
    __slots__ = ()
    points: int
    lots: List[int]
    at: _dt.datetime


class PointsExpiringSoon(Effect, kind="points_expiring_soon"):
    __slots__ = ()
    points: int
    lots: List[int]
    expires_at: _dt.datetime


class RedemptionReversed(Effect, kind="redemption_reversed"):
    __slots__ = ()
    redemption_id: str
    restored: int
    expired: int
    draws: Draws


class TierUpgraded(Effect, kind="tier_upgraded"):
    __slots__ = ()
    # `from` is a keyword: read it as getattr(effect, "from") or effect.to_dict()["from"].
    to: str
    valid_until: Optional[_dt.datetime]
    reason: str
    reward_points: Optional[int]
    reward_id: Optional[str]


class TierRetained(Effect, kind="tier_retained"):
    __slots__ = ()
    tier: str
    valid_until: Optional[_dt.datetime]


class TierDowngraded(Effect, kind="tier_downgraded"):
    __slots__ = ()
    to: str
    reason: str
    valid_until: Optional[_dt.datetime]


class TierWillDowngrade(Effect, kind="tier_will_downgrade"):
    __slots__ = ()
    tier: str
    on: _dt.datetime
    missing: List[Dict[str, Any]]


class PointsSent(Effect, kind="points_sent"):
    __slots__ = ()
    to_member_id: str
    points: int
    draws: Draws


class PointsReceived(Effect, kind="points_received"):
    __slots__ = ()
    from_member_id: str
    points: int
    lots: List[int]


class AccountsMerged(Effect, kind="accounts_merged"):
    __slots__ = ()
    merged_member_id: str
    points: int
    lots: List[int]


class PointsAdjusted(Effect, kind="points_adjusted"):
    __slots__ = ()
    points: int
    reason: str
    draws: Draws


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What applying an event did."""

    effects: List[Effect]
    duplicate: bool
    revision: int

    @staticmethod
    def from_core(data: Dict[str, Any]) -> "Outcome":
        return Outcome([Effect(e) for e in data["effects"]], bool(data["duplicate"]), int(data["revision"]))
