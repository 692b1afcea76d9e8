"""A loyalty engine: points ledger, expiry, redemption, tiers and customer analytics.

The rules live in a Rust core; this package converts Python values (`decimal.Decimal` for
money, timezone-aware `datetime` for instants, DataFrames for analytics) and raises
`LoyaltyError` subclasses.
"""
from . import _native, analytics, clv, events, simulation
from .effects import Effect, JournalEntry, Outcome
from .simulation import Simulation, simulate
from .engine import Account, Balances, PaymentQuote, Program, statement_page, transfer
from .errors import (
    AlreadyCancelled,
    AnalyticsError,
    AsOfBeforeClock,
    ClvError,
    DebtOutstanding,
    DuplicateOrder,
    EventError,
    IdConflict,
    InputError,
    InsufficientPoints,
    InsufficientFunds,
    CapExceeded,
    AccountFrozen,
    UnknownCoupon,
    CouponNotApplicable,
    ReturnWindowClosed,
    InternalError,
    InvalidField,
    LimitReached,
    LoyaltyError,
    NoSuchBonus,
    OutOfOrder,
    ProgramError,
    RefundExceedsOrder,
    SnapshotError,
    TooMany,
    UnknownOrder,
    UnknownRedemption,
    UnknownReward,
)

#: The package's version (the Rust core's: they are built and released together).
__version__: str = _native.__version__

__all__ = [
    "__version__",
    "Account",
    "AlreadyCancelled",
    "AnalyticsError",
    "AsOfBeforeClock",
    "Balances",
    "ClvError",
    "DebtOutstanding",
    "DuplicateOrder",
    "Effect",
    "EventError",
    "IdConflict",
    "InputError",
    "InsufficientPoints",
    "InsufficientFunds",
    "CapExceeded",
    "AccountFrozen",
    "UnknownCoupon",
    "CouponNotApplicable",
    "ReturnWindowClosed",
    "InternalError",
    "InvalidField",
    "LimitReached",
    "LoyaltyError",
    "NoSuchBonus",
    "Outcome",
    "JournalEntry",
    "statement_page",
    "simulate",
    "Simulation",
    "OutOfOrder",
    "PaymentQuote",
    "Program",
    "ProgramError",
    "RefundExceedsOrder",
    "SnapshotError",
    "TooMany",
    "UnknownOrder",
    "UnknownRedemption",
    "UnknownReward",
    "analytics",
    "clv",
    "events",
    "transfer",
]
