"""What happened to a member: one small class per event kind, with a readable repr.

Money is `decimal.Decimal` (a float is a `TypeError`), instants are timezone-aware
`datetime` (a naive one is a `ValueError`), dates are `datetime.date`.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
from decimal import Decimal
from typing import Any, Dict, Optional, Tuple, Union

from ._convert import date, instant, money, no_floats


@dataclasses.dataclass(frozen=True)
class OrderLine:
    """One line of an order."""

    sku: str
    amount: Decimal
    category: Optional[str] = None
    discount: Decimal = Decimal(0)

    def to_core(self) -> Dict[str, Any]:
        """The line in the core's JSON shape."""
        d: Dict[str, Any] = {"sku": self.sku, "amount": money("lines.amount", self.amount)}
        if self.category is not None:
            d["category"] = self.category
        if self.discount:
            d["discount"] = money("lines.discount", self.discount)
        return d


@dataclasses.dataclass(frozen=True)
class _Event:
    id: str
    occurred_at: _dt.datetime

    type_name = ""

    def to_core(self) -> Dict[str, Any]:
        """The event in the core's JSON shape."""
        d: Dict[str, Any] = {"id": self.id, "occurred_at": instant("occurred_at", self.occurred_at), "type": self.type_name}
        for f in dataclasses.fields(self)[2:]:
            v = getattr(self, f.name)
            if v is None:
                continue
            d[f.name] = _field(f.name, v)
        return d


def _field(name: str, v: Any) -> Any:
    if name in ("amount", "order_amount", "stored_value", "paid", "returned"):
        return money(name, v)
    if name in ("until",):
        return instant(name, v)
    if name == "birthday":
        return date(name, v)
    if name == "lines":
        return [line.to_core() for line in v]
    if name == "coupons":
        return list(v)
    return v


@dataclasses.dataclass(frozen=True)
class Joined(_Event):
    """The member joined: the sign-up bonus, and the birthday if told."""

    birthday: Optional[_dt.date] = None
    type_name = "joined"


@dataclasses.dataclass(frozen=True)
class ProfileCompleted(_Event):
    """The member completed their profile (once ever)."""

    birthday: Optional[_dt.date] = None
    type_name = "profile_completed"


@dataclasses.dataclass(frozen=True)
class OrderPlaced(_Event):
    """An order was placed and paid: earns purchase points."""

    order_id: str = ""
    amount: Decimal = Decimal(0)
    channel: Optional[str] = None
    lines: Tuple[OrderLine, ...] = ()
    stored_value: Optional[Decimal] = None
    """The part of `amount` paid from the member's stored value."""
    coupons: Tuple[str, ...] = ()
    """The member's coupons used on it (ids), in stacking order; `amount` is then before them."""
    reservation_key: Optional[str] = None
    """The checkout key the coupons were reserved under."""
    type_name = "order_placed"


@dataclasses.dataclass(frozen=True)
class OrderRefunded(_Event):
    """Part or all of an earlier order was refunded."""

    order_id: str = ""
    amount: Decimal = Decimal(0)
    returned: Optional[Decimal] = None
    """The list value of the goods returned (required for an order that used coupons)."""
    type_name = "order_refunded"


@dataclasses.dataclass(frozen=True)
class OrderCancelled(_Event):
    """An order was cancelled: refunded in full, its coupons given back (or expired)."""

    order_id: str = ""
    type_name = "order_cancelled"


@dataclasses.dataclass(frozen=True)
class RewardRedeemed(_Event):
    """Points were exchanged for a reward."""

    reward_id: str = ""
    points: int = 0
    type_name = "reward_redeemed"


@dataclasses.dataclass(frozen=True)
class PointsPaid(_Event):
    """Points paid part of an order."""

    order_id: str = ""
    order_amount: Decimal = Decimal(0)
    points: int = 0
    type_name = "points_paid"


@dataclasses.dataclass(frozen=True)
class RedemptionCancelled(_Event):
    """An earlier redemption was cancelled."""

    redemption_id: str = ""
    type_name = "redemption_cancelled"


@dataclasses.dataclass(frozen=True)
class CheckedIn(_Event):
    """The member checked in (once per local day)."""

    type_name = "checked_in"


@dataclasses.dataclass(frozen=True)
class ReferralCompleted(_Event):
    """A referred member joined."""

    referred_member_id: str = ""
    type_name = "referral_completed"


@dataclasses.dataclass(frozen=True)
class BirthdayReached(_Event):
    """It is the member's birthday."""

    type_name = "birthday_reached"


@dataclasses.dataclass(frozen=True)
class BonusClaimed(_Event):
    """A custom bonus was claimed."""

    name: str = ""
    type_name = "bonus_claimed"


@dataclasses.dataclass(frozen=True)
class PointsAdjusted(_Event):
    """Staff adjusted the balance."""

    points: int = 0
    reason: str = ""
    type_name = "points_adjusted"


@dataclasses.dataclass(frozen=True)
class TierAssigned(_Event):
    """Staff assigned a tier as a floor until a date."""

    tier: str = ""
    until: Optional[_dt.datetime] = None
    reason: str = ""
    type_name = "tier_assigned"


@dataclasses.dataclass(frozen=True)
class StoredValueLoaded(_Event):
    """Money was loaded onto the member's stored value (a top-up; the event id is its id)."""

    paid: Decimal = Decimal(0)
    payment_ref: Optional[str] = None
    type_name = "stored_value_loaded"


@dataclasses.dataclass(frozen=True)
class StoredValueCashedOut(_Event):
    """The member cashed out the stored value: the engine says what is due, never the bonus."""

    type_name = "stored_value_cashed_out"


@dataclasses.dataclass(frozen=True)
class AccountFrozen(_Event):
    """The host froze the account: it keeps its assets but cannot spend them."""

    reason: str = ""
    type_name = "account_frozen"


@dataclasses.dataclass(frozen=True)
class AccountUnfrozen(_Event):
    """The host unfroze the account."""

    reason: str = ""
    type_name = "account_unfrozen"


@dataclasses.dataclass(frozen=True)
class CouponGranted(_Event):
    """The host granted a coupon of the program's (its id is the event's id)."""

    definition: str = ""
    reason: str = ""
    type_name = "coupon_granted"


@dataclasses.dataclass(frozen=True)
class CouponBought(_Event):
    """The member bought a coupon with points (cancel it unused with RedemptionCancelled)."""

    definition: str = ""
    type_name = "coupon_bought"


@dataclasses.dataclass(frozen=True)
class CouponReserved(_Event):
    """A checkout holds a coupon under its key."""

    coupon_id: str = ""
    key: str = ""
    type_name = "coupon_reserved"


@dataclasses.dataclass(frozen=True)
class CouponReleased(_Event):
    """A checkout let go of a coupon it held."""

    coupon_id: str = ""
    key: str = ""
    type_name = "coupon_released"


Event = Union[
    Joined,
    ProfileCompleted,
    OrderPlaced,
    OrderRefunded,
    RewardRedeemed,
    PointsPaid,
    RedemptionCancelled,
    CheckedIn,
    ReferralCompleted,
    BirthdayReached,
    BonusClaimed,
    PointsAdjusted,
    TierAssigned,
    StoredValueLoaded,
    StoredValueCashedOut,
    AccountFrozen,
    AccountUnfrozen,
    OrderCancelled,
    CouponGranted,
    CouponBought,
    CouponReserved,
    CouponReleased,
]


def to_core(event: Any) -> Dict[str, Any]:
    """An event object, or a dict already in the core's JSON shape, as that shape (a float
    anywhere in a dict is a `TypeError`: amounts are `Decimal`, `str` or `int`)."""
    if isinstance(event, _Event):
        return event.to_core()
    if isinstance(event, dict):
        no_floats("", event)
        return event
    raise TypeError(f"event: {event!r} is a {type(event).__name__}; expected a loyalty.events class or a dict")
