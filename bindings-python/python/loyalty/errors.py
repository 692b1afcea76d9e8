"""The exception hierarchy: one class per core error kind, rooted at `LoyaltyError`.

Validation errors also subclass `ValueError`. Every error carries `field` and `value`
(what was refused) and `kind` (a stable snake_case name of the core error).
"""
from __future__ import annotations

from typing import Callable, Dict, Type, TypeVar

from . import _native

T = TypeVar("T")


class LoyaltyError(Exception):
    """Base of every loyalty error."""

    kind: str
    field: str
    value: str

    def __init__(self, message: str, kind: str = "", field: str = "", value: str = "") -> None:
        super().__init__(message)
        self.kind, self.field, self.value = kind, field, value


class ProgramError(LoyaltyError, ValueError):
    """A program configuration was refused (`field` is the path, e.g. `earning.rules[0]`)."""


class SnapshotError(LoyaltyError, ValueError):
    """An account snapshot could not be read."""


class AnalyticsError(LoyaltyError, ValueError):
    """Analytics input was refused (`field` names the column and row)."""


class ClvError(LoyaltyError, ValueError):
    """A CLV model could not be fitted or applied (bad figures, or no convergence)."""


class InternalError(LoyaltyError):
    """A bug in the engine (a Rust panic caught at the boundary), never the caller's input.
    An `Exception`, so `except Exception` catches it, unlike pyo3's `PanicException`."""


class InputError(LoyaltyError, ValueError):
    """An argument was refused before reaching the core: a malformed instant or decimal
    text, an option, or a dict that is not an event (`field` names it, `value` is the whole
    value)."""


class EventError(LoyaltyError):
    """An account refused an event or a query."""


class IdConflict(EventError):
    """The event id was applied before with a different payload."""


class InvalidField(EventError, ValueError):
    """A field of the event is not acceptable on its own."""


class OutOfOrder(EventError, ValueError):
    """The event is earlier than the account's clock."""


class UnknownOrder(EventError, LookupError):
    """A refund names an order this member never placed."""


class DuplicateOrder(EventError):
    """An order id was placed twice."""


class RefundExceedsOrder(EventError, ValueError):
    """Refunds would add up to more than the order."""


class UnknownRedemption(EventError, LookupError):
    """A cancellation names no redemption of this member."""


class AlreadyCancelled(EventError):
    """A redemption was cancelled twice."""


class UnknownReward(EventError, LookupError):
    """A reward is not in the program's catalog."""


class NoSuchBonus(EventError):
    """The program offers no such bonus."""


class LimitReached(EventError):
    """A bonus was already claimed for its period."""


class DebtOutstanding(EventError):
    """Redemption is refused while the member owes points."""


class InsufficientPoints(EventError):
    """Not enough usable points."""


class InsufficientFunds(EventError):
    """Not enough stored value for a payment."""


class CapExceeded(EventError):
    """A top-up would take the stored value above the program's cap."""


class AccountFrozen(EventError):
    """The account is frozen and the event would spend (or earn) while it is."""


class UnknownCoupon(EventError):
    """The account holds no coupon with this id."""


class CouponNotApplicable(EventError):
    """A coupon cannot be used, reserved or cancelled now; the message says why."""


class ReturnWindowClosed(EventError):
    """A refund or cancellation came after the program's return window closed; field is
    ``order_id`` or ``redemption_id`` and value the id, the message names its date."""


class TooMany(EventError):
    """The account reached a size limit."""


class AsOfBeforeClock(EventError, ValueError):
    """A query asked about an instant the account has moved past."""


_EVENT_ERRORS: Dict[str, Type[EventError]] = {
    "id_conflict": IdConflict,
    "invalid_field": InvalidField,
    "out_of_order": OutOfOrder,
    "unknown_order": UnknownOrder,
    "duplicate_order": DuplicateOrder,
    "refund_exceeds_order": RefundExceedsOrder,
    "unknown_redemption": UnknownRedemption,
    "already_cancelled": AlreadyCancelled,
    "unknown_reward": UnknownReward,
    "no_such_bonus": NoSuchBonus,
    "limit_reached": LimitReached,
    "debt_outstanding": DebtOutstanding,
    "insufficient_points": InsufficientPoints,
    "insufficient_funds": InsufficientFunds,
    "cap_exceeded": CapExceeded,
    "account_frozen": AccountFrozen,
    "unknown_coupon": UnknownCoupon,
    "coupon_not_applicable": CouponNotApplicable,
    "return_window_closed": ReturnWindowClosed,
    "too_many": TooMany,
    "as_of_before_clock": AsOfBeforeClock,
}


def call(fn: Callable[..., T], *args: object) -> T:
    """Calls the native module, raising the public exception for any error it reports."""
    try:
        return fn(*args)
    except _native.ProgramError as e:
        raise ProgramError(*e.args) from None
    except _native.SnapshotError as e:
        raise SnapshotError(*e.args) from None
    except _native.AnalyticsError as e:
        raise AnalyticsError(*e.args) from None
    except _native.ClvError as e:
        raise ClvError(*e.args) from None
    except _native.InputError as e:
        raise InputError(*e.args) from None
    except _native.EventError as e:
        message, kind, field, value = e.args
        raise _EVENT_ERRORS.get(kind, EventError)(message, kind, field, value) from None
    except RuntimeError as e:
        # pyo3 refuses a second borrow of one native object (a call from another thread
        # while a long job runs on it): name the object, not "Already borrowed".
        if "borrowed" in str(e):
            raise InputError(f"self: this object is in use by another call (another thread?); {e}", "input", "self",
                             "busy") from None
        raise
    except BaseException as e:
        # pyo3 raises a Rust panic as PanicException, a BaseException that `except
        # Exception` does not catch: it becomes our InternalError, with a distinct kind.
        if type(e).__name__ == "PanicException":
            raise InternalError(f"internal error (a bug in loyalty, please report it): {e}", "internal", "", str(e)) from None
        raise
