"""Stored value through Python: Lin's tea-house card of core/tests/stories/stored_value_card.rs,
worked by hand (wallet.md section 4): amounts are Decimal, errors name the field and value."""
import datetime as dt
from decimal import Decimal

import pytest

import loyalty
from loyalty import events, effects

UTC = dt.timezone.utc
TEA_HOUSE = loyalty.Program.from_json("""{
  "name": "Tea", "version": 1, "currency": "CNY", "time_zone": "Asia/Shanghai",
  "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]}, "redemption": {"point_value": "0.01"},
  "stored_value": {"bonus_tiers": [{"min_paid": "500", "bonus": "30"}, {"min_paid": "1000", "bonus": "100"}],
                   "bonus_expiry": {"kind": "rolling_days", "days": 180}, "cap": "5000", "cash_out": "face_value"}
}""")


def at(y, m, d, h=4):
    return dt.datetime(y, m, d, h, tzinfo=UTC)


def test_top_up_card_payment_return_and_cash_out():
    lin = loyalty.Account("lin")
    out = lin.apply(TEA_HOUSE, events.StoredValueLoaded("t1", at(2025, 3, 1, 2), paid=Decimal("1000"), payment_ref="pay-1"))
    top = out.effects[0]
    assert isinstance(top, effects.StoredValueLoaded)
    assert (top.paid, top.bonus, top.available) == (Decimal("1000"), Decimal("100"), Decimal("1100"))
    # 180 days after 1 March, to the end of the local day: 2025-08-29 00:00 +08:00.
    assert top.bonus_expires_at == dt.datetime(2025, 8, 28, 16, tzinfo=UTC)
    paid = lin.apply(TEA_HOUSE, events.OrderPlaced("e1", at(2025, 3, 2), order_id="o1", amount=Decimal("550"),
                                                   stored_value=Decimal("550")))
    spent, earned = paid.effects
    assert (spent.principal, spent.bonus) == (Decimal("500"), Decimal("50"))
    assert [(d["fund"], Decimal(d["amount"])) for d in spent.draws] == [("principal", Decimal("500")), ("bonus", Decimal("50"))]
    assert earned.points == 500  # 550 less the 50 of bonus
    back = lin.apply(TEA_HOUSE, events.OrderRefunded("r1", at(2025, 3, 3), order_id="o1", amount=Decimal("220")))
    refilled = [e for e in back.effects if isinstance(e, effects.StoredValueRefilled)]
    assert [(e.principal, e.bonus, e.forfeited) for e in refilled] == [(Decimal("200"), Decimal("20"), Decimal("0"))]
    assert lin.stored_value(TEA_HOUSE, at(2025, 3, 3)) == {
        "principal": Decimal("700"), "bonus": Decimal("70"), "available": Decimal("770"),
        # 330 consumed at 1000/1100 is 300 of revenue: 700 of the 1000 still owed.
        "liability": Decimal("700")}
    # Cashing out at face value: 1000 paid less 330 consumed = 670, of the 700 principal;
    # 30 retained and the 70 bonus forfeited.
    due = lin.apply(TEA_HOUSE, events.StoredValueCashedOut("c1", at(2025, 3, 4))).effects[0]
    assert (due.amount, due.mode, due.principal_retained, due.bonus_forfeited) == (
        Decimal("670"), "face_value", Decimal("30"), Decimal("70"))


def test_refused_payments_and_top_ups_name_field_and_value_and_change_nothing():
    lin = loyalty.Account("lin")
    lin.apply(TEA_HOUSE, events.StoredValueLoaded("t1", at(2025, 3, 1), paid=Decimal("100")))
    before = lin.to_json()
    with pytest.raises(loyalty.InsufficientFunds) as short:
        lin.apply(TEA_HOUSE, events.OrderPlaced("e1", at(2025, 3, 2), order_id="o1", amount=Decimal("150"),
                                                stored_value=Decimal("150")))
    assert (short.value.kind, short.value.field, short.value.value) == ("insufficient_funds", "stored_value", "150")
    with pytest.raises(loyalty.CapExceeded) as cap:
        lin.apply(TEA_HOUSE, events.StoredValueLoaded("t2", at(2025, 3, 2), paid=Decimal("4901")))
    assert (cap.value.kind, cap.value.field, cap.value.value) == ("cap_exceeded", "paid", "4901")
    with pytest.raises(TypeError):
        events.StoredValueLoaded("t3", at(2025, 3, 2), paid=4.5).to_core()  # type: ignore[arg-type]
    assert lin.to_json() == before


def test_a_frozen_account_cannot_spend_its_stored_value():
    lin = loyalty.Account("lin")
    lin.apply(TEA_HOUSE, events.StoredValueLoaded("t1", at(2025, 3, 1), paid=Decimal("100")))
    frozen = lin.apply(TEA_HOUSE, events.AccountFrozen("f1", at(2025, 3, 2), reason="chargeback dispute")).effects
    assert [type(e) for e in frozen] == [effects.AccountFrozen] and frozen[0].reason == "chargeback dispute"
    assert lin.is_frozen
    before = lin.to_json()
    with pytest.raises(loyalty.AccountFrozen) as err:
        lin.apply(TEA_HOUSE, events.StoredValueCashedOut("c1", at(2025, 3, 3)))
    assert (err.value.kind, err.value.field, err.value.value) == ("account_frozen", "type", "stored_value_cashed_out")
    assert lin.to_json() == before
    lin.apply(TEA_HOUSE, events.AccountUnfrozen("u1", at(2025, 3, 4), reason="dispute won"))
    due = lin.apply(TEA_HOUSE, events.StoredValueCashedOut("c2", at(2025, 3, 5))).effects[0]
    assert due.amount == Decimal("100")


BAKERY = loyalty.Program.from_json("""{
  "name": "Bakery", "version": 1, "currency": "CNY", "time_zone": "Asia/Shanghai",
  "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
  "redemption": {"point_value": "0.01", "max_order_share": "0.5"},
  "stored_value": {},
  "coupons": {"partial_return": "claw_back", "definitions": [
    {"id": "TEN_PCT", "discount": {"kind": "percent_off", "percent": "10"}, "min_spend": "300",
     "validity": {"kind": "window", "from": "2025-06-01", "through": "2025-06-30"}},
    {"id": "FIFTY", "discount": {"kind": "amount_off", "amount": "50"}, "validity": {"kind": "days", "days": 30}}]}
}""")


def test_coupons_checkout_and_a_partial_return():
    """Six items of 50 with "10% off from 300" (wallet.md 4.14): paid 270; returning five under
    claw_back refunds 220, the kept item no longer meeting the minimum spend."""
    mei = loyalty.Account("mei")
    out = mei.apply(BAKERY, events.CouponGranted("c", at(2025, 6, 10), definition="TEN_PCT", reason="goodwill"))
    (issued,) = out.effects
    assert isinstance(issued, effects.CouponIssued)
    # Valid through 30 June, local: until 2025-06-30T16:00:00Z.
    assert (issued.coupon_id, issued.valid_until) == ("c", dt.datetime(2025, 6, 30, 16, tzinfo=UTC))
    mei.apply(BAKERY, events.StoredValueLoaded("t", at(2025, 6, 10), paid=Decimal("100")))
    q = mei.quote_checkout(BAKERY, Decimal("300"), at(2025, 6, 11), coupons=["c", "nope"], stored_value=True)
    assert (q["after_coupons"], q["stored_value"], q["due"], q["points_earned"]) == (
        Decimal("270.00"), Decimal("100"), Decimal("170.00"), 270)
    assert q["coupons"][0]["discount"] == Decimal("30.00")
    assert q["coupons"][1]["not_applied"] == "is not a coupon of the member's"
    out = mei.apply(BAKERY, events.OrderPlaced("o", at(2025, 6, 11), order_id="six", amount=Decimal("300"), coupons=("c",)))
    assert isinstance(out.effects[0], effects.CouponRedeemed) and out.effects[0].discount == Decimal("30.00")
    assert mei.coupons(at(2025, 6, 11))[0]["state"] == "redeemed"
    quote = mei.quote_return(BAKERY, "six", Decimal("250"), at(2025, 6, 12))
    assert (quote["refund"], quote["points"]) == (Decimal("220"), 220)
    with pytest.raises(loyalty.InvalidField) as err:
        mei.apply(BAKERY, events.OrderRefunded("r", at(2025, 6, 12), order_id="six", amount=Decimal("225"), returned=Decimal("250")))
    assert (err.value.field, err.value.value) == ("amount", "225")
    mei.apply(BAKERY, events.OrderRefunded("r", at(2025, 6, 12), order_id="six", amount=Decimal("220"), returned=Decimal("250")))


def test_a_coupon_that_cannot_be_used_is_a_typed_error_and_changes_nothing():
    mei = loyalty.Account("mei")
    mei.apply(BAKERY, events.CouponGranted("c", at(2025, 6, 10), definition="FIFTY", reason="goodwill"))
    mei.apply(BAKERY, events.CouponReserved("r1", at(2025, 6, 10), coupon_id="c", key="K1"))
    before = mei.to_json()
    with pytest.raises(loyalty.CouponNotApplicable) as err:
        mei.apply(BAKERY, events.CouponReserved("r2", at(2025, 6, 10), coupon_id="c", key="K2"))
    assert (err.value.kind, err.value.field, err.value.value) == ("coupon_not_applicable", "coupons", "c")
    with pytest.raises(loyalty.UnknownCoupon) as unknown:
        mei.apply(BAKERY, events.OrderPlaced("o", at(2025, 6, 10), order_id="x", amount=Decimal("80"), coupons=("zz",)))
    assert (unknown.value.field, unknown.value.value) == ("coupon_id", "zz")
    assert mei.to_json() == before
    # Fifteen minutes on, the hold times out.
    released = mei.advance_to(BAKERY, at(2025, 6, 10) + dt.timedelta(minutes=15))
    assert [(e.kind, e.key, e.timed_out) for e in released] == [("coupon_released", "K1", True)]
