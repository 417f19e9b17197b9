"""A refund cut short by a crash — approved and recorded, the device done, the booking lost —
is finished at restart as the device says, so a refunded sale always has its refund in the books.

Found by the ledger property test (test_ledger_properties.py): before, the refund stayed
``in_progress`` for ever, the sale said 返金済 and no sheet showed the money going back.
"""
from __future__ import annotations

from typing import Any

import pytest

from madoguchi.adapters.db.tables import Payment, Refund
from madoguchi.services.counter import refunds
from madoguchi.services.counter.recovery import recover
from tests.helpers import changer, handed_off, journal, new_id, pay_cash, terminal


class Crash(BaseException):
    """The process dies here."""


def _refund_crashing_before_the_booking(rt: Any, monkeypatch: Any, sale_id: str, supervisor: Any) -> None:
    """Refund ``sale_id``; the server dies after the device acted, before the booking commits."""
    def die(*args: Any, **kwargs: Any) -> None:
        raise Crash()
    with monkeypatch.context() as m:
        m.setattr(refunds, "book", die)
        with pytest.raises(Crash):
            refunds.refund_sale(rt, refund_id=new_id(), sale_id=sale_id, reason="申請取下げ", actor=supervisor)


def _books(rt: Any, sale_id: str) -> tuple[list[str], list[str], list[Any]]:
    with rt.uow(read_only=True) as uow:
        states = [r.state for r in uow.session.query(Refund).filter(Refund.sale_id == sale_id)]
        payments = [p.state for p in uow.session.query(Payment).filter(Payment.sale_id == sale_id)]
    entries = [e for e in journal(rt) if e.kind == "refund" and e.sale_id == sale_id]
    return states, payments, entries


def test_a_card_refund_cancelled_at_the_terminal_before_a_crash_is_booked_at_restart(
        rt, cashier, supervisor, monkeypatch):  # type: ignore[no-untyped-def]
    sale_id = handed_off(rt, cashier)
    from madoguchi.services.counter import payments
    payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand="visa", actor=cashier)
    _refund_crashing_before_the_booking(rt, monkeypatch, sale_id, supervisor)
    [tx] = terminal(rt).transactions().values()
    assert tx["cancelled"]  # the card was credited; our books do not say so yet

    recover(rt)

    states, pays, entries = _books(rt, sale_id)
    assert (states, pays) == (["done"], ["cancelled"])
    [entry] = entries
    assert entry.amount == -300 and entry.details()["method"] == "terminal_cancel"


def test_a_cash_refund_paid_out_before_a_crash_is_booked_with_the_coins_the_changer_gave(
        rt, cashier, supervisor, monkeypatch):  # type: ignore[no-untyped-def]
    sale_id = handed_off(rt, cashier)
    pay_cash(rt, cashier, sale_id, [100, 100, 100])
    held = sum(d * n for d, n in changer(rt).counts().items())
    _refund_crashing_before_the_booking(rt, monkeypatch, sale_id, supervisor)
    assert sum(d * n for d, n in changer(rt).counts().items()) == held - 300  # paid out, not booked

    recover(rt)

    states, pays, entries = _books(rt, sale_id)
    assert (states, pays) == (["done"], ["refunded"])
    [entry] = entries
    assert entry.amount == -300
    assert sum(int(d) * n for d, n in entry.details()["counts"].items()) == 300
    assert sum(d * n for d, n in changer(rt).counts().items()) == held - 300  # paid out once
