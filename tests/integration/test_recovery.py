"""After a crash, what was in flight is finished or undone by asking the devices, never guessed."""
from __future__ import annotations

from madoguchi.adapters.devices.ports import DepositEnd
from madoguchi.domain.sale import PaymentMethod
from madoguchi.services.counter import payments, sales
from madoguchi.services.counter.cash import _mark_settling
from madoguchi.services.counter.recovery import recover
from madoguchi.services.journal.verify import verify
from tests.helpers import changer, handed_off, new_id, terminal


def _value(counts: dict[int, int]) -> int:
    return sum(d * n for d, n in counts.items())


def _begin(rt, actor, sale_id, method, brand=None):  # type: ignore[no-untyped-def]
    payment, _, _ = payments._begin(rt, payment_id=new_id(), sale_id=sale_id, method=method, brand=brand,
                                 amount=None, actor=actor)
    return payment


def test_a_card_payment_sent_just_before_a_crash_is_asked_about_and_booked(rt, cashier):
    sale_id = handed_off(rt, cashier)
    p = _begin(rt, cashier, sale_id, PaymentMethod.CASHLESS, "visa")
    terminal(rt).pay(p.request_id, p.amount, "visa")  # the server died before writing the answer
    recover(rt)
    sale = sales.get_sale(rt, sale_id=sale_id, actor=cashier)
    assert sale["state"] == "paid" and sale["payments"][0]["processor_reference"]
    assert len(terminal(rt).transactions()) == 1


def test_a_card_payment_that_never_left_is_marked_failed_and_can_be_retried(rt, cashier):
    sale_id = handed_off(rt, cashier)
    _begin(rt, cashier, sale_id, PaymentMethod.CASHLESS, "paypay")
    recover(rt)
    assert sales.get_sale(rt, sale_id=sale_id, actor=cashier)["state"] == "awaiting_payment"


def test_cash_inserted_before_a_crash_is_given_back(rt, cashier):
    sale_id = handed_off(rt, cashier)
    p = _begin(rt, cashier, sale_id, PaymentMethod.CASH)
    c = changer(rt)
    before = _value(c.counts())
    c.begin_deposit()
    c.insert(1000)
    recover(rt)
    assert c.deposit_amount() == 0 and _value(c.counts()) == before
    sale = sales.get_sale(rt, sale_id=sale_id, actor=cashier)
    assert sale["state"] == "awaiting_payment" and sale["payments"][0]["state"] == "failed"
    assert p.id == sale["payments"][0]["id"]


def test_a_deposit_fixed_before_a_crash_is_finished_with_its_change(rt, cashier):
    sale_id = handed_off(rt, cashier)
    p = _begin(rt, cashier, sale_id, PaymentMethod.CASH)
    c = changer(rt)
    before = _value(c.counts())
    c.begin_deposit()
    c.insert(1000)
    c.fix_deposit()
    _mark_settling(rt, p.id, tendered=1000, change=700)
    recover(rt)
    assert _value(c.counts()) == before + 300
    sale = sales.get_sale(rt, sale_id=sale_id, actor=cashier)
    assert sale["state"] == "paid" and sale["payments"][0]["change"] == 700
    assert verify(rt).ok


def test_change_paid_out_just_before_a_crash_is_booked_not_paid_twice(rt, cashier):
    sale_id = handed_off(rt, cashier)
    p = _begin(rt, cashier, sale_id, PaymentMethod.CASH)
    c = changer(rt)
    before = _value(c.counts())
    c.begin_deposit()
    c.insert(1000)
    c.fix_deposit()
    _mark_settling(rt, p.id, tendered=1000, change=700)
    c.end_deposit(DepositEnd.CHANGE, 700)  # done on the machine; the server died before booking it
    recover(rt)
    assert _value(c.counts()) == before + 300
    assert sales.get_sale(rt, sale_id=sale_id, actor=cashier)["state"] == "paid"
