"""Every path records the moments the city's outcomes are figured from: registration
started (the first line), handed off, payment started, paid, receipt printed."""
from __future__ import annotations

import datetime as dt

import pytest

from madoguchi.adapters.db.tables import Incident
from madoguchi.errors import ChangerJammed
from madoguchi.services.counter import cash, incidents, payments, receipts, sales
from tests.helpers import changer, new_id, pay_cash, terminal


def _moments(rt, sale_id):  # type: ignore[no-untyped-def]
    with rt.uow(read_only=True) as uow:
        sale = uow.sales.get(sale_id, lock=False)
        paid = [p for p in uow.payments.of_sale(sale_id) if p.state == "approved"]
        receipt = uow.receipts.latest(sale_id)
    return sale, paid, receipt


def _registered(rt, clock, cashier, station="honcho-p1"):  # type: ignore[no-untyped-def]
    """A sale made at 09:30:00: first line at +10 s, a second at +20 s, handed off at +30 s."""
    start = clock.now
    sale_id = new_id()
    sales.create_sale(rt, sale_id=sale_id, staff_station="honcho-s1", actor=cashier)
    for _ in range(2):
        clock.advance(seconds=10)
        sales.add_line(rt, sale_id=sale_id, line_id=new_id(), fee_code="juminhyo", quantity=1, actor=cashier)
    clock.advance(seconds=10)
    sales.hand_off(rt, sale_id=sale_id, handoff_id=new_id(), payment_station=station, actor=cashier)
    return sale_id, start


def _s(at: dt.datetime | None, start: dt.datetime) -> float:
    assert at is not None
    return (at - start).total_seconds()


def test_a_cash_sale_records_every_moment_in_order(rt, clock, cashier):
    sale_id, start = _registered(rt, clock, cashier)
    clock.advance(seconds=15)
    pay_cash(rt, cashier, sale_id, [1000])
    sale, [paid], receipt = _moments(rt, sale_id)
    assert (_s(sale.registration_started_at, start), _s(sale.handed_off_at, start)) == (10, 30)
    assert (_s(paid.started_at, start), _s(paid.completed_at, start), _s(sale.paid_at, start)) == (45, 45, 45)
    assert receipt is not None and _s(receipt.printed_at, start) == 45


def test_a_cashless_sale_records_every_moment(rt, clock, cashier):
    sale_id, start = _registered(rt, clock, cashier)
    clock.advance(seconds=8)
    payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand="suica", actor=cashier)
    sale, [paid], receipt = _moments(rt, sale_id)
    assert (_s(sale.registration_started_at, start), _s(sale.handed_off_at, start)) == (10, 30)
    assert _s(paid.started_at, start) == 38 and _s(sale.paid_at, start) == 38
    assert receipt is not None and _s(receipt.printed_at, start) == 38


def test_a_jam_and_a_move_keep_the_first_hand_off(rt, clock, cashier):
    sale_id, start = _registered(rt, clock, cashier)
    clock.advance(seconds=5)
    changer(rt).fail_next("begin_deposit")
    with pytest.raises(ChangerJammed):
        cash.start_cash(rt, payment_id=new_id(), sale_id=sale_id, actor=cashier)
    clock.advance(seconds=20)
    sales.move_sale(rt, sale_id=sale_id, move_id=new_id(), actor=cashier)
    clock.advance(seconds=10)
    pay_cash(rt, cashier, sale_id, [1000])
    sale, [paid], receipt = _moments(rt, sale_id)
    assert sale.payment_station == "honcho-p2"
    assert (_s(sale.registration_started_at, start), _s(sale.handed_off_at, start)) == (10, 30)
    assert (_s(paid.started_at, start), _s(sale.paid_at, start)) == (65, 65)
    assert receipt is not None and _s(receipt.printed_at, start) == 65


def test_a_reprint_keeps_the_first_printed_time(rt, clock, cashier):
    sale_id, start = _registered(rt, clock, cashier)
    pay_cash(rt, cashier, sale_id, [1000])
    clock.advance(seconds=60)
    receipts.reprint_receipt(rt, sale_id=sale_id, actor=cashier)
    _, _, receipt = _moments(rt, sale_id)
    assert receipt is not None and receipt.prints == 2 and _s(receipt.printed_at, start) == 30


def test_an_in_doubt_payment_resolved_later_keeps_when_the_money_moved(rt, clock, cashier, supervisor):
    sale_id, start = _registered(rt, clock, cashier)
    clock.advance(seconds=12)
    terminal(rt).script("timeout_unknown")
    payment_id = new_id()
    payments.pay_cashless(rt, payment_id=payment_id, sale_id=sale_id, brand="edy", actor=cashier)
    with rt.uow() as uow:
        incident_id = uow.session.query(Incident).filter_by(payment_id=payment_id, state="open").one().id
    clock.advance(hours=2)
    incidents.resolve_unknown(rt, incident_id=incident_id, paid=True, actor=supervisor,
                              evidence="provider's reply: approved")
    sale, [paid], receipt = _moments(rt, sale_id)
    assert (_s(sale.registration_started_at, start), _s(sale.handed_off_at, start)) == (10, 30)
    # The money moved when the payment started; the resolution came two hours later.
    assert _s(paid.started_at, start) == 42 and _s(paid.completed_at, start) == 42
    assert sale.paid_at is not None and _s(sale.paid_at, start) == 42 + 7200
    assert receipt is not None and receipt.printed_at is not None
