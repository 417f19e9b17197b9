"""Partial refunds: some copies of a line of a paid sale go back, approved by a supervisor,
the way the money came; a copy is never refunded twice and the refunds never exceed what
was paid; the daily sheet takes the refund off exactly the refunded revenue line."""
from __future__ import annotations

from typing import Any

import pytest

from madoguchi.adapters.db.tables import Payment, Refund, Sale
from madoguchi.errors import PermissionDenied, RefundNotPossible
from madoguchi.services.close.day_figures import build_report
from madoguchi.services.counter import payments, refunds
from madoguchi.services.counter.partial_refunds import refund_copies
from tests.helpers import changer, handed_off, journal, new_id, pay_cash

ITEMS = [("juminhyo", 3), ("koseki-zenbu", 1)]  # 900 yen on 1401-01, 450 yen on 1401-02


def _lines(rt: Any, sale_id: str) -> dict[str, str]:
    with rt.uow(read_only=True) as uow:
        sale = uow.session.get(Sale, sale_id)
        return {line.fee_code: line.id for line in sale.lines}


def _state(rt: Any, sale_id: str) -> tuple[str, list[str], list[tuple[str, int, str]]]:
    with rt.uow(read_only=True) as uow:
        sale = uow.session.get(Sale, sale_id)
        pays = [p.state for p in uow.session.query(Payment).filter(Payment.sale_id == sale_id)]
        refs = [(r.method, r.amount, r.state) for r in
                uow.session.query(Refund).filter(Refund.sale_id == sale_id).order_by(Refund.created_at)]
        return sale.state, pays, refs


def _paid_in_cash(rt: Any, cashier: Any) -> str:
    sale_id = handed_off(rt, cashier, ITEMS)
    pay_cash(rt, cashier, sale_id, [1000, 500])
    return sale_id


def test_one_copy_of_a_cash_sale_comes_back_from_the_changer_and_the_journal_names_it(
        rt, cashier, supervisor):  # type: ignore[no-untyped-def]
    sale_id = _paid_in_cash(rt, cashier)
    held = sum(d * n for d, n in changer(rt).counts().items())

    out = refund_copies(rt, refund_id=new_id(), sale_id=sale_id, copies={_lines(rt, sale_id)["juminhyo"]: 1},
                        reason="1通不要", actor=supervisor)

    assert sum(d * n for d, n in changer(rt).counts().items()) == held - 300
    assert _state(rt, sale_id) == ("paid", ["approved"], [("cash", 300, "done")])
    assert out["refunded_copies"] == {_lines(rt, sale_id)["juminhyo"]: 1}
    [entry] = [e for e in journal(rt) if e.kind == "refund"]
    d = entry.details()
    assert entry.amount == -300 and d["approved_by"] == supervisor.login
    refunded = [(x["fee_code"], x["copies"], x["of"], x["amount"]) for x in d["refunded_lines"]]
    assert refunded == [("juminhyo", 1, 3, 300)]


def test_a_cashier_cannot_refund_copies_without_a_supervisor(rt, cashier):  # type: ignore[no-untyped-def]
    sale_id = _paid_in_cash(rt, cashier)
    with pytest.raises(PermissionDenied):
        refund_copies(rt, refund_id=new_id(), sale_id=sale_id, copies={_lines(rt, sale_id)["juminhyo"]: 1},
                      reason="1通不要", actor=cashier)
    assert _state(rt, sale_id)[2] == []


def test_part_of_a_card_payment_is_owed_by_bank_transfer_the_terminal_cancelling_only_whole_payments(
        rt, cashier, supervisor):  # type: ignore[no-untyped-def]
    sale_id = handed_off(rt, cashier, ITEMS)
    payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand="visa", actor=cashier)

    refund_copies(rt, refund_id=new_id(), sale_id=sale_id, copies={_lines(rt, sale_id)["koseki-zenbu"]: 1},
                  reason="不要", actor=supervisor)

    assert _state(rt, sale_id) == ("paid", ["approved"], [("bank_transfer", 450, "pending")])


def test_the_same_copies_cannot_be_refunded_twice(rt, cashier, supervisor):  # type: ignore[no-untyped-def]
    sale_id = _paid_in_cash(rt, cashier)
    line = _lines(rt, sale_id)["juminhyo"]
    refund_copies(rt, refund_id=new_id(), sale_id=sale_id, copies={line: 2}, reason="2通不要", actor=supervisor)

    with pytest.raises(RefundNotPossible, match="2 copies asked, 1 of 3 not yet refunded"):
        refund_copies(rt, refund_id=new_id(), sale_id=sale_id, copies={line: 2}, reason="再度", actor=supervisor)

    assert [r[1] for r in _state(rt, sale_id)[2]] == [600]


def test_a_repeated_request_refunds_once(rt, cashier, supervisor):  # type: ignore[no-untyped-def]
    sale_id = _paid_in_cash(rt, cashier)
    refund_id, line = new_id(), _lines(rt, sale_id)["juminhyo"]
    for _ in range(2):
        refund_copies(rt, refund_id=refund_id, sale_id=sale_id, copies={line: 1}, reason="不要", actor=supervisor)
    assert [r[1] for r in _state(rt, sale_id)[2]] == [300]


def test_refunds_of_every_copy_add_up_to_what_was_paid_and_no_more(
        rt, cashier, supervisor):  # type: ignore[no-untyped-def]
    sale_id = _paid_in_cash(rt, cashier)
    lines = _lines(rt, sale_id)
    refund_copies(rt, refund_id=new_id(), sale_id=sale_id, copies={lines["juminhyo"]: 1}, reason="a", actor=supervisor)
    refunds.refund_sale(rt, refund_id=new_id(), sale_id=sale_id, reason="残り全部", actor=supervisor)

    state, pays, refs = _state(rt, sale_id)
    assert (state, pays) == ("refunded", ["refunded"])
    assert sum(r[1] for r in refs) == 1350
    with pytest.raises(RefundNotPossible):
        refund_copies(rt, refund_id=new_id(), sale_id=sale_id, copies={lines["juminhyo"]: 1}, reason="b",
                      actor=supervisor)
    assert sum(r[1] for r in _state(rt, sale_id)[2]) == 1350


def test_the_daily_sheet_takes_a_partial_refund_off_its_own_revenue_line_only(
        rt, cashier, supervisor):  # type: ignore[no-untyped-def]
    sale_id = _paid_in_cash(rt, cashier)
    refund_copies(rt, refund_id=new_id(), sale_id=sale_id, copies={_lines(rt, sale_id)["koseki-zenbu"]: 1},
                  reason="不要", actor=supervisor)
    with rt.uow(read_only=True) as uow:
        day = uow.session.get(Sale, sale_id).business_date
        report, _state_ = build_report(rt, uow, site="honcho", day=day)
    t = report.totals
    assert t.by_revenue_line["1401-01"].amount == 900 and t.by_revenue_line["1401-02"].amount == 450
    assert {k: v.amount for k, v in t.refunds_by_revenue_line.items()} == {"1401-02": 450}
    assert t.refunds.amount == 450 and t.net == 1350 - 450


def test_the_journal_numbers_a_refunded_line_as_the_sale_does(rt, cashier, supervisor):  # type: ignore[no-untyped-def]
    # Reproduces a defect: the entry said "line": 2 for the sale's first line (positions count
    # from 1 and the entry added one more).
    sale_id = _paid_in_cash(rt, cashier)
    with rt.uow(read_only=True) as uow:
        positions = {line.fee_code: line.position for line in uow.session.get(Sale, sale_id).lines}
    assert positions == {"juminhyo": 1, "koseki-zenbu": 2}

    refund_copies(rt, refund_id=new_id(), sale_id=sale_id, copies={_lines(rt, sale_id)["koseki-zenbu"]: 1},
                  reason="不要", actor=supervisor)

    [entry] = [e for e in journal(rt) if e.kind == "refund"]
    assert [(x["fee_code"], x["line"]) for x in entry.details()["refunded_lines"]] == [("koseki-zenbu", 2)]
