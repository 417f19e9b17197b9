"""A request sent again with its id gets its first answer, whatever happened since; on
SQLite and PostgreSQL.

The services do not look an id up before acting (the common request is a first one):
a repeat is found when its writes are refused or its work fails, and only then. These
tests hold the answers to what a looked-up-first id gave: the first answer, never a
second write, and a refusal of its own for a request that was never made.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from madoguchi.errors import Conflict, IdempotencyMismatch, NotFound
from madoguchi.services.counter import cash, payments, sales
from tests.helpers import changer, handed_off, new_id, open_sale, terminal


def test_a_repeated_new_sale_answers_as_the_first_and_makes_one_sale(rt, cashier):
    sale_id = new_id()
    first = sales.create_sale(rt, sale_id=sale_id, staff_station="honcho-s1", actor=cashier)
    sales.add_line(rt, sale_id=sale_id, line_id=new_id(), fee_code="juminhyo", quantity=1, actor=cashier)
    again = sales.create_sale(rt, sale_id=sale_id, staff_station="honcho-s1", actor=cashier)
    assert again == first  # the answer of its time: no lines yet
    assert len(sales.get_sale(rt, sale_id=sale_id, actor=cashier)["lines"]) == 1


def test_a_repeated_line_after_the_sale_was_handed_off_answers_as_the_first(rt, cashier):
    sale_id = open_sale(rt, cashier, items=[])
    line_id = new_id()
    first = sales.add_line(rt, sale_id=sale_id, line_id=line_id, fee_code="juminhyo", quantity=1, actor=cashier)
    sales.hand_off(rt, sale_id=sale_id, handoff_id=new_id(), actor=cashier)
    # A new line would be refused now (the sale is no longer open): a repeat is not.
    with pytest.raises(Conflict, match="only be changed while the sale is open"):
        sales.add_line(rt, sale_id=sale_id, line_id=new_id(), fee_code="juminhyo", quantity=1, actor=cashier)
    again = sales.add_line(rt, sale_id=sale_id, line_id=line_id, fee_code="juminhyo", quantity=1, actor=cashier)
    assert again == first
    assert len(sales.get_sale(rt, sale_id=sale_id, actor=cashier)["lines"]) == 1


def test_a_repeated_hand_off_while_the_sale_is_being_paid_answers_as_the_first(rt, cashier):
    sale_id = open_sale(rt, cashier)
    key = new_id()
    first = sales.hand_off(rt, sale_id=sale_id, handoff_id=key, payment_station="honcho-p1", actor=cashier)
    cash.start_cash(rt, payment_id=new_id(), sale_id=sale_id, actor=cashier)
    again = sales.hand_off(rt, sale_id=sale_id, handoff_id=key, payment_station="honcho-p1", actor=cashier)
    assert again == first
    assert sales.get_sale(rt, sale_id=sale_id, actor=cashier)["state"] == "paying"


def test_an_id_used_before_for_another_request_is_refused_and_writes_nothing(rt, cashier):
    sale_id = open_sale(rt, cashier, items=[])
    line_id = new_id()
    sales.add_line(rt, sale_id=sale_id, line_id=line_id, fee_code="juminhyo", quantity=1, actor=cashier)
    # As a new sale's id, the line's id would make a sale: it must not.
    with pytest.raises(IdempotencyMismatch):
        sales.create_sale(rt, sale_id=line_id, staff_station="honcho-s1", actor=cashier)
    with pytest.raises(NotFound):
        sales.get_sale(rt, sale_id=line_id, actor=cashier)


def test_a_refused_request_is_not_remembered_and_is_refused_again_on_its_own_terms(rt, cashier):
    sale_id = handed_off(rt, cashier)
    line_id = new_id()
    for _ in range(2):
        with pytest.raises(Conflict, match="only be changed while the sale is open"):
            sales.add_line(rt, sale_id=sale_id, line_id=line_id, fee_code="juminhyo", quantity=1, actor=cashier)
    with pytest.raises(NotFound):
        sales.add_line(rt, sale_id=new_id(), line_id=new_id(), fee_code="juminhyo", quantity=1, actor=cashier)


def test_a_repeated_cash_payment_returns_its_attempt_before_and_after_it_is_paid(rt, cashier):
    sale_id = handed_off(rt, cashier)
    payment_id = new_id()
    first = cash.start_cash(rt, payment_id=payment_id, sale_id=sale_id, actor=cashier)
    again = cash.start_cash(rt, payment_id=payment_id, sale_id=sale_id, actor=cashier)
    assert again["id"] == first["id"] == payment_id and again["state"] == "pending"
    changer(rt).insert(1000)
    cash.complete_cash(rt, payment_id=payment_id, actor=cashier)
    after = cash.start_cash(rt, payment_id=payment_id, sale_id=sale_id, actor=cashier)
    assert after["id"] == payment_id and after["state"] == "approved"
    sale = sales.get_sale(rt, sale_id=sale_id, actor=cashier)
    assert sale["state"] == "paid" and len(sale["payments"]) == 1


def test_a_payment_id_used_again_for_another_sale_is_refused_and_that_sale_is_untouched(rt, cashier):
    paid, other = handed_off(rt, cashier, station="honcho-p1"), handed_off(rt, cashier, station="honcho-p2")
    payment_id = new_id()
    payments.pay_cashless(rt, payment_id=payment_id, sale_id=paid, brand="paypay", actor=cashier)
    with pytest.raises(IdempotencyMismatch):
        payments.pay_cashless(rt, payment_id=payment_id, sale_id=other, brand="paypay", actor=cashier)
    sale = sales.get_sale(rt, sale_id=other, actor=cashier)
    assert sale["state"] == "awaiting_payment" and sale["payments"] == []
    assert len(terminal(rt, "honcho-p2").transactions()) == 0


def _twins(n: int, request: Callable[[], dict[str, Any]]) -> list[dict[str, Any] | BaseException]:
    """``request`` sent ``n`` times at once, as a station's retries racing its first try."""
    barrier = threading.Barrier(n)
    answers: list[dict[str, Any] | BaseException] = []

    def send() -> None:
        barrier.wait()
        try:
            answers.append(request())
        except Exception as exc:  # noqa: BLE001 - the test says which
            answers.append(exc)

    threads = [threading.Thread(target=send) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_twin_hand_offs_racing_all_get_the_one_answer(rt, cashier):
    sale_id = open_sale(rt, cashier)
    key = new_id()
    answers = _twins(4, lambda: sales.hand_off(rt, sale_id=sale_id, handoff_id=key, actor=cashier))
    assert all(isinstance(a, dict) for a in answers), answers
    assert all(a == answers[0] for a in answers)


def test_twin_payment_requests_racing_make_one_attempt(rt, cashier):
    sale_id = handed_off(rt, cashier)
    payment_id = new_id()
    answers = _twins(4, lambda: cash.start_cash(rt, payment_id=payment_id, sale_id=sale_id, actor=cashier))
    assert all(isinstance(a, dict) and a["id"] == payment_id for a in answers), answers
    sale = sales.get_sale(rt, sale_id=sale_id, actor=cashier)
    assert sale["state"] == "paying" and len(sale["payments"]) == 1


def test_a_cashless_retry_while_the_first_try_is_being_sent_waits_for_it_and_answers_paid(rt, cashier, monkeypatch):
    """The retry finds the attempt pending before the terminal has heard of it. Asking the
    terminal then would hear "not found" and record the attempt as never sent, just before
    the first try is approved: the resident charged, the sale unpaid. It waits instead."""
    sale_id = handed_off(rt, cashier)
    payment_id = new_id()
    sending, retry_started = threading.Event(), threading.Event()
    device = terminal(rt)
    pay = device.pay

    def slow_pay(*args, **kwargs):  # type: ignore[no-untyped-def]
        sending.set()
        retry_started.wait(5)  # the first try is between its recorded attempt and the terminal
        return pay(*args, **kwargs)

    monkeypatch.setattr(device, "pay", slow_pay)
    answers: dict[str, Any] = {}

    def send(name: str) -> None:
        try:
            answers[name] = payments.pay_cashless(rt, payment_id=payment_id, sale_id=sale_id, brand="paypay",
                                                  actor=cashier)
        except Exception as exc:  # noqa: BLE001 - the assertions say which
            answers[name] = exc

    first = threading.Thread(target=send, args=("first",))
    first.start()
    assert sending.wait(5)
    retry = threading.Thread(target=send, args=("retry",))
    retry.start()
    time.sleep(0.3)  # long enough for a retry that does not wait to ask the terminal
    retry_started.set()
    first.join(20)
    retry.join(20)
    assert isinstance(answers["first"], dict) and answers["first"]["state"] == "approved", answers
    assert isinstance(answers["retry"], dict) and answers["retry"]["state"] == "approved", answers
    sale = sales.get_sale(rt, sale_id=sale_id, actor=cashier)
    assert sale["state"] == "paid" and [p["state"] for p in sale["payments"]] == ["approved"]
    assert [t["status"] for t in device.transactions().values()] == ["approved"]
