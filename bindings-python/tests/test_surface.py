"""The package's surface: a version, a docstring on every public class, method and effect,
and the objects that cross to worker processes (Program, Account, Summary, fitted models,
results) pickle and come back equal."""
import datetime as dt
import importlib.metadata
import inspect
import pickle
from decimal import Decimal

import pandas as pd

import loyalty
from loyalty import analytics, clv, effects, events

from conftest import utc


def test_the_version_is_the_packages():
    assert loyalty.__version__ == importlib.metadata.version("loyalty") == "0.1.0"


def test_every_public_class_method_and_effect_has_a_docstring():
    missing = []
    for module in (loyalty, effects, events, analytics, clv):
        names = getattr(module, "__all__", [n for n in dir(module) if not n.startswith("_")])
        for name in names:
            obj = getattr(module, name, None)
            # Classes and functions of this package (not type aliases or imports).
            defined_here = str(getattr(obj, "__module__", "")).startswith("loyalty")
            if not (inspect.isclass(obj) or inspect.isfunction(obj)) or not defined_here:
                continue
            if not (inspect.getdoc(obj) or "").strip():
                missing.append(f"{module.__name__}.{name}")
            if inspect.isclass(obj):
                for attr, value in vars(obj).items():
                    if attr.startswith("_") or not (callable(value) or isinstance(value, (property, classmethod, staticmethod))):
                        continue
                    if not (inspect.getdoc(getattr(obj, attr)) or "").strip():
                        missing.append(f"{module.__name__}.{name}.{attr}")
    # Every effect kind has its class, documented.
    kinds = [c for c in vars(effects).values() if inspect.isclass(c) and issubclass(c, effects.Effect) and c is not effects.Effect]
    assert len(kinds) >= 19
    missing += [c.__name__ for c in kinds if not (c.__doc__ or "").strip()]
    assert missing == []


def test_program_account_and_summary_pickle_and_come_back_equal(simple):
    account = loyalty.Account("m-1")
    account.apply(simple, events.OrderPlaced("e1", utc(2024, 5, 1), order_id="o1", amount=Decimal("80.00")))
    for obj in (simple, account):
        again = pickle.loads(pickle.dumps(obj))
        assert type(again) is type(obj) and again == obj and again.to_json() == obj.to_json()
    # The pickled account goes on exactly as the original.
    again = pickle.loads(pickle.dumps(account))
    t = utc(2024, 6, 1)
    assert again.balances(simple, t) == account.balances(simple, t)
    orders = pd.DataFrame({"member_id": [1, 1, 2], "ordered_at": [utc(2024, 1, 5), utc(2024, 6, 20), utc(2024, 3, 1)],
                           "amount_minor": [1000, 2500, 400]})
    as_of = utc(2024, 7, 1)
    summary = analytics.summarize(orders, as_of=as_of, amount_minor="amount_minor")
    again = pickle.loads(pickle.dumps(summary))
    assert again.to_bytes() == summary.to_bytes()
    scores = analytics.rfm(again, as_of=as_of)
    direct = analytics.rfm(orders, as_of=as_of, amount_minor="amount_minor")
    pd.testing.assert_frame_equal(scores, direct)
    # Results are plain frames and values: they pickle as such.
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(scores)), scores)
    metrics = analytics.metrics(orders, as_of=as_of, period_start=utc(2024, 4, 1), amount_minor="amount_minor")
    assert pickle.loads(pickle.dumps(metrics)) == metrics
