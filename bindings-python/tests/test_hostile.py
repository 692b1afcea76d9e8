"""The bad-input catalogue through Python, by class (DESIGN.md, "Bad input"): each case
asserts the exception class, its kind and field, and that a refused event leaves the
account's snapshot byte for byte as it was."""
import datetime as dt
import threading
from decimal import Decimal

import pytest

import loyalty
from loyalty import events

from conftest import utc


def member(simple):
    a = loyalty.Account("m-1")
    a.apply(simple, events.OrderPlaced("e1", utc(2024, 5, 1), order_id="o1", amount=Decimal("80.00")))
    return a


def refused(account, fn, cls, kind, field):
    before = account.to_json() if account is not None else None
    with pytest.raises(cls) as err:
        fn()
    assert isinstance(err.value, loyalty.LoyaltyError), type(err.value)
    assert (err.value.kind, err.value.field) == (kind, field), str(err.value)
    if account is not None:
        assert account.to_json() == before
    return err.value


def order(**extra):
    return dict({"id": "e2", "occurred_at": "2024-05-02T00:00:00Z", "type": "order_placed", "order_id": "o2",
                 "amount": "5.00"}, **extra)


def test_class_1_the_halves_of_a_transfer_are_refused_from_apply(simple):
    a = member(simple)
    mint = {"id": "x", "occurred_at": "2024-05-02T00:00:00Z", "type": "points_received", "from_member_id": "nobody",
            "lots": [{"points": 10**12, "earned_at": "2024-05-02T00:00:00Z", "expires_at": None}]}
    e = refused(a, lambda: a.apply(simple, mint), loyalty.InvalidField, "invalid_field", "type")
    assert e.value == '"points_received"'
    burn = {"id": "y", "occurred_at": "2024-05-02T00:00:00Z", "type": "points_sent", "to_member_id": "b", "points": 10}
    refused(a, lambda: a.apply_all(simple, [burn]), loyalty.InvalidField, "invalid_field", "events[0].type")


def test_class_3_unknown_fields_lenient_numbers_and_trailing_text(simple):
    a = member(simple)
    refused(a, lambda: a.apply(simple, order(chanel="app")), loyalty.InvalidField, "invalid_field", "chanel")
    refused(a, lambda: a.apply(simple, order(lines=[{"sku": "s", "amount": "1.00", "qty": 2}])),
            loyalty.InvalidField, "invalid_field", "lines[0].qty")
    refused(a, lambda: a.apply(simple, order(amount="5_000")), loyalty.InvalidField, "invalid_field", "amount")
    refused(a, lambda: a.apply(simple, order(amount="10.001")), loyalty.InvalidField, "invalid_field", "amount")
    refused(a, lambda: a.apply(simple, events.OrderPlaced("e3", utc(2024, 5, 2), order_id="o3", amount=Decimal("10.001"))),
            loyalty.InvalidField, "invalid_field", "amount")
    # Decimal("1E+3") is written positionally, not as text the grammar would refuse.
    a.apply(simple, events.OrderPlaced("e4", utc(2024, 5, 2), order_id="o4", amount=Decimal("1E+3")))
    assert a.balances(simple, utc(2024, 5, 2)).available == 1080
    refused(None, lambda: loyalty.Program.from_json(simple.to_json() + '{"junk": 1}'), loyalty.ProgramError, "parse", ".")
    refused(None, lambda: loyalty.Account.from_json(a.to_json() + a.to_json()), loyalty.SnapshotError, "parse", ".")
    config = simple.to_dict()
    config["currency"] = "ABC"
    refused(None, lambda: loyalty.Program.from_dict(config), loyalty.ProgramError, "invalid", "currency")
    deep = {"x": None}
    for _ in range(2000):
        deep = {"x": deep}
    refused(None, lambda: loyalty.Program.from_dict(deep), loyalty.InputError, "input", "x" + ".x" * 31)


def test_class_4_numbers_are_whole_or_refused(simple):
    a = member(simple)
    b = loyalty.Account("m-2")
    for bad in (1.5, True, "10", 10**30):
        refused(a, lambda: loyalty.transfer(simple, a, b, "t", utc(2024, 5, 2), bad), loyalty.InputError, "input", "points")
    for bad in (50.9, True, "50"):
        refused(a, lambda: a.quote_payment(simple, Decimal("10.00"), bad, utc(2024, 5, 2)),
                loyalty.InputError, "input", "requested")
    e = refused(a, lambda: a.quote_payment(simple, Decimal("10.00"), -500, utc(2024, 5, 2)),
                loyalty.InvalidField, "invalid_field", "requested")
    assert e.value == "-500"
    frame = __import__("pandas").DataFrame({"member_id": [1], "ordered_at": [utc(2024, 1, 1)], "amount_minor": [100]})
    for bad in (40, -1, True):
        refused(None, lambda: loyalty.analytics.rfm(frame, as_of=utc(2024, 2, 1), amount_minor="amount_minor", scale=bad),
                loyalty.AnalyticsError, "invalid", "scale")
        refused(None, lambda: loyalty.analytics.metrics(frame, as_of=utc(2024, 2, 1), period_start=utc(2024, 1, 1),
                                                        amount_minor="amount_minor", scale=bad),
                loyalty.AnalyticsError, "invalid", "scale")
        refused(None, lambda: loyalty.analytics.cohorts(frame, as_of=utc(2024, 2, 1), amount_minor="amount_minor", scale=bad),
                loyalty.AnalyticsError, "invalid", "scale")


def test_class_5_the_clock_stops_where_events_stop(simple):
    a = member(simple)
    refused(a, lambda: a.advance_to(simple, utc(9999, 1, 1)), loyalty.InvalidField, "invalid_field", "t")
    revision = a.revision
    a.advance_to(simple, utc(2024, 6, 1))
    assert a.revision == revision + 1


def test_class_6_tampered_snapshots_are_refused(simple):
    import json
    doc = json.loads(member(simple).to_json())
    doc["ledger"]["lots"][0]["points"] = 4611686018427387904
    refused(None, lambda: loyalty.Account.from_json(json.dumps(doc)), loyalty.SnapshotError, "corrupt", "ledger.lots")
    doc = json.loads(member(simple).to_json())
    doc["orders"]["o1"]["refunded"] = "79228162514264337593543950335"
    refused(None, lambda: loyalty.Account.from_json(json.dumps(doc)), loyalty.SnapshotError, "corrupt", "orders.o1")


def test_class_7_errors_name_something(simple):
    a = member(simple)
    refused(a, lambda: loyalty.transfer(simple, a, a, "t", utc(2024, 5, 2), 5), loyalty.InputError, "input", "receiver")
    refused(None, lambda: loyalty.Account(""), loyalty.InvalidField, "invalid_field", "member_id")
    summary = loyalty.analytics.summarize(
        __import__("pandas").DataFrame({"member_id": [1], "ordered_at": [utc(2024, 1, 1)], "amount_minor": [100]}),
        as_of=utc(2024, 2, 1), amount_minor="amount_minor")
    refused(None, lambda: summary.merge(summary), loyalty.InputError, "input", "other")


def test_a_panic_becomes_an_internal_error_that_except_exception_catches():
    # pyo3's PanicException is a BaseException; `call` turns one into InternalError.
    from loyalty.errors import call

    class PanicException(BaseException):
        pass

    def boom():
        raise PanicException("index out of bounds")

    with pytest.raises(loyalty.InternalError) as err:
        try:
            call(boom)
        except Exception:
            raise
    assert (err.value.kind, err.value.value) == ("internal", "index out of bounds")


def test_mixed_member_id_kinds_are_named_not_a_numpy_type_error():
    import pandas as pd
    frame = pd.DataFrame({"member_id": ["a", 1, None], "ordered_at": [utc(2024, 1, 1)] * 3, "amount_minor": [1, 2, 3]})
    e = refused(None, lambda: loyalty.analytics.rfm(frame, as_of=utc(2024, 2, 1), amount_minor="amount_minor"),
                loyalty.AnalyticsError, "invalid", "member_id[1]")
    assert e.value == "1"


def test_a_second_borrow_of_a_native_object_is_an_input_error():
    from loyalty.errors import call

    def busy():
        raise RuntimeError("Already mutably borrowed")

    with pytest.raises(loyalty.InputError) as err:
        call(busy)
    assert (err.value.field, err.value.value) == ("self", "busy")


def test_a_total_past_64_bits_is_an_error_not_a_cap():
    import pandas as pd
    big = 2**62
    frame = pd.DataFrame({"member_id": [7, 7, 7], "ordered_at": [utc(2024, 1, d) for d in (1, 2, 3)],
                          "amount_minor": [big, big, big]})
    e = refused(None, lambda: loyalty.analytics.rfm(frame, as_of=utc(2024, 2, 1), amount_minor="amount_minor"),
                loyalty.AnalyticsError, "invalid", "monetary_minor")
    assert str(3 * big) in str(e)
