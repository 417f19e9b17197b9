"""Cash sales through the services with the simulated changer, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from madoguchi.adapters.db.tables import Idempotency
from madoguchi.adapters.db.uow import fingerprint, legacy_fingerprint
from madoguchi.domain.catalog import Catalog
from madoguchi.errors import (
    CannotMakeChange,
    ChangerJammed,
    Conflict,
    IdempotencyMismatch,
    InvalidTransition,
    StationBusy,
)
from madoguchi.services.counter import cash, incidents, sales
from madoguchi.services.journal.verify import verify
from tests.helpers import changer, handed_off, journal, new_id, open_sale, pay_cash, printer


def test_a_cash_sale_with_change_is_paid_and_gets_receipt_number_one(rt, cashier):
    before = changer(rt).counts()
    sale_id = handed_off(rt, cashier, [("juminhyo", 2)])
    result = pay_cash(rt, cashier, sale_id, [1000])
    assert result["state"] == "approved"
    assert (result["tendered"], result["change"]) == (1000, 400)
    sale = sales.get_sale(rt, sale_id=sale_id, actor=cashier)
    assert sale["state"] == "paid" and sale["receipt"]["number"] == 1
    assert sale["receipt"]["state"] == "printed"
    after = changer(rt).counts()
    assert sum(d * n for d, n in after.items()) - sum(d * n for d, n in before.items()) == 600
    assert "住民票の写し" in printer(rt).texts[-1]
    assert verify(rt).ok


def test_a_sale_keeps_its_price_when_the_catalog_changes(rt, cashier):
    sale_id = open_sale(rt, cashier, [("juminhyo", 1)])
    cheaper = [item.__class__(**{**{f: getattr(item, f) for f in item.__slots__}, "amount": 250})
               for item in rt.catalog.items]
    rt.catalog = Catalog(tuple(cheaper))
    sale = sales.get_sale(rt, sale_id=sale_id, actor=cashier)
    assert sale["total"] == 300 and sale["lines"][0]["unit_price"] == 300


def test_an_exemption_sets_the_price_to_zero_and_keeps_the_reason(rt, cashier):
    sale_id = open_sale(rt, cashier, [])
    view = sales.add_line(rt, sale_id=sale_id, line_id=new_id(), fee_code="koseki-zenbu", quantity=1,
                          exemption="official_request", actor=cashier)
    line = view["lines"][0]
    assert (line["unit_price"], line["list_price"], line["exemption"]) == (0, 450, "official_request")


def test_a_payment_station_serves_one_sale_at_a_time(rt, cashier):
    handed_off(rt, cashier, station="honcho-p1")
    second = open_sale(rt, cashier, staff_station="honcho-s2")
    with pytest.raises(StationBusy):
        sales.hand_off(rt, sale_id=second, handoff_id=new_id(), payment_station="honcho-p1", actor=cashier)
    view = sales.hand_off(rt, sale_id=second, handoff_id=new_id(), actor=cashier)
    assert view["payment_station"] == "honcho-p2"


def test_a_repeated_hand_off_returns_the_first_answer(rt, cashier):
    sale_id = open_sale(rt, cashier)
    key = new_id()
    first = sales.hand_off(rt, sale_id=sale_id, handoff_id=key, actor=cashier)
    again = sales.hand_off(rt, sale_id=sale_id, handoff_id=key, actor=cashier)
    assert first == again


def test_an_id_used_again_for_another_request_is_refused(rt, cashier):
    sale_id = open_sale(rt, cashier, items=[])
    key = new_id()
    sales.add_line(rt, sale_id=sale_id, line_id=key, fee_code="juminhyo", quantity=1, actor=cashier)
    with pytest.raises(IdempotencyMismatch):
        sales.add_line(rt, sale_id=sale_id, line_id=key, fee_code="juminhyo", quantity=2, actor=cashier)
    assert len(sales.get_sale(rt, sale_id=sale_id, actor=cashier)["lines"]) == 1


def test_a_retry_remembered_under_the_older_fingerprint_still_gets_its_first_answer(rt, cashier):
    sale_id = open_sale(rt, cashier, items=[])
    key = new_id()
    first = sales.add_line(rt, sale_id=sale_id, line_id=key, fee_code="juminhyo", quantity=1, actor=cashier)
    request = {"sale_id": sale_id, "fee_code": "juminhyo", "quantity": 1, "exemption": None,
               "exemption_note": None}
    with rt.uow() as uow:  # as a version before 2026-12 stored it
        row = uow.session.get(Idempotency, key)
        assert row is not None and row.fingerprint == fingerprint(request) != legacy_fingerprint(request)
        row.fingerprint = legacy_fingerprint(request)
        uow.commit()
    again = sales.add_line(rt, sale_id=sale_id, line_id=key, fee_code="juminhyo", quantity=1, actor=cashier)
    assert again == first
    assert len(sales.get_sale(rt, sale_id=sale_id, actor=cashier)["lines"]) == 1


@pytest.mark.parametrize("step", ["begin_deposit", "fix_deposit", "end_deposit"])
def test_a_jam_at_each_deposit_step_names_the_cash_held_and_frees_the_sale(rt, cashier, supervisor, step):
    sale_id = handed_off(rt, cashier, [("juminhyo", 1)])
    payment_id = new_id()
    if step == "begin_deposit":
        changer(rt).fail_next(step)
        with pytest.raises(ChangerJammed):
            cash.start_cash(rt, payment_id=payment_id, sale_id=sale_id, actor=cashier)
        held = 0
    else:
        cash.start_cash(rt, payment_id=payment_id, sale_id=sale_id, actor=cashier)
        changer(rt).insert(1000)
        changer(rt).fail_next(step)
        with pytest.raises(ChangerJammed):
            cash.complete_cash(rt, payment_id=payment_id, actor=cashier)
        held = 1000
    sale = sales.get_sale(rt, sale_id=sale_id, actor=cashier)
    assert sale["state"] == "awaiting_payment"
    [incident] = incidents.list_incidents(rt, actor=supervisor)
    assert (incident["kind"], incident["amount"]) == ("cash_jam", held)
    # The counter goes on: the sale moves to the other machine and is paid there.
    sales.move_sale(rt, sale_id=sale_id, move_id=new_id(), actor=cashier)
    assert pay_cash(rt, cashier, sale_id, [500])["state"] == "approved"
    # Staff clear the jam: the cash held inside goes back to the resident.
    cleared = incidents.clear_jam(rt, payment_station="honcho-p1", actor=supervisor)
    assert cleared["returned"] == held
    assert incidents.list_incidents(rt, actor=supervisor) == []
    assert verify(rt).ok


def test_a_jammed_station_takes_no_new_sale_until_cleared(rt, cashier, supervisor):
    sale_id = handed_off(rt, cashier)
    changer(rt).fail_next("begin_deposit")
    with pytest.raises(ChangerJammed):
        cash.start_cash(rt, payment_id=new_id(), sale_id=sale_id, actor=cashier)
    other = open_sale(rt, cashier, staff_station="honcho-s2")
    with pytest.raises(StationBusy, match="out of service"):
        sales.hand_off(rt, sale_id=other, handoff_id=new_id(), payment_station="honcho-p1", actor=cashier)
    incidents.clear_jam(rt, payment_station="honcho-p1", actor=supervisor)
    sales.hand_off(rt, sale_id=other, handoff_id=new_id(), payment_station="honcho-p1", actor=cashier)


def test_when_change_cannot_be_made_the_cash_comes_back_and_the_sale_waits(rt, cashier):
    c = changer(rt)
    c.collect({d: n for d, n in c.counts().items() if n})  # an empty machine
    sale_id = handed_off(rt, cashier, [("juminhyo", 1)])
    payment_id = new_id()
    cash.start_cash(rt, payment_id=payment_id, sale_id=sale_id, actor=cashier)
    c.insert(1000)
    with pytest.raises(CannotMakeChange, match="exact amount"):
        cash.complete_cash(rt, payment_id=payment_id, actor=cashier)
    assert sum(c.counts().values()) == 0 and c.deposit_amount() == 0
    assert sales.get_sale(rt, sale_id=sale_id, actor=cashier)["state"] == "awaiting_payment"
    assert pay_cash(rt, cashier, sale_id, [100, 100, 100])["change"] == 0


def test_not_enough_inserted_is_refused_without_taking_anything(rt, cashier):
    sale_id = handed_off(rt, cashier, [("koseki-zenbu", 1)])
    payment_id = new_id()
    cash.start_cash(rt, payment_id=payment_id, sale_id=sale_id, actor=cashier)
    changer(rt).insert(100)
    with pytest.raises(Conflict, match="350 more"):
        cash.complete_cash(rt, payment_id=payment_id, actor=cashier)
    cancelled = cash.cancel_cash(rt, payment_id=payment_id, actor=cashier)
    assert cancelled["state"] == "failed" and changer(rt).deposit_amount() == 0


def test_paper_out_keeps_the_receipt_pending_and_it_prints_after_refill(rt, cashier):
    printer(rt).set_paper_out(True)
    sale_id = handed_off(rt, cashier)
    pay_cash(rt, cashier, sale_id, [100, 100, 100])
    sale = sales.get_sale(rt, sale_id=sale_id, actor=cashier)
    assert sale["state"] == "paid" and sale["receipt"]["state"] == "pending"
    printer(rt).refill()
    from madoguchi.services.counter.receipts import print_pending, reprint_receipt
    [printed] = print_pending(rt, payment_station="honcho-p1")
    assert printed["state"] == "printed"
    assert "再発行" not in printer(rt).texts[-1]
    reprint_receipt(rt, sale_id=sale_id, actor=cashier)
    assert "再発行" in printer(rt).texts[-1]


def test_receipt_numbers_have_no_gaps_per_payment_station(rt, cashier):
    numbers = []
    for _ in range(3):
        sale_id = handed_off(rt, cashier, station="honcho-p2")
        pay_cash(rt, cashier, sale_id, [100, 100, 100])
        numbers.append(sales.get_sale(rt, sale_id=sale_id, actor=cashier)["receipt"]["number"])
    assert numbers == [1, 2, 3]


def test_a_sale_cannot_be_cancelled_while_it_is_being_paid(rt, cashier):
    sale_id = handed_off(rt, cashier)
    cash.start_cash(rt, payment_id=new_id(), sale_id=sale_id, actor=cashier)
    with pytest.raises(InvalidTransition):
        sales.cancel_sale(rt, sale_id=sale_id, reason="resident left", actor=cashier)


def test_cancel_before_payment_frees_the_station_and_is_journalled(rt, cashier):
    sale_id = handed_off(rt, cashier)
    view = sales.cancel_sale(rt, sale_id=sale_id, reason="wrong certificate", actor=cashier)
    assert view["state"] == "cancelled"
    handed_off(rt, cashier, station="honcho-p1")
    last = journal(rt)[-1]
    assert (last.kind, last.sale_id, last.details()["reason"]) == ("sale_voided", sale_id, "wrong certificate")


def test_a_sale_with_every_line_exempt_is_complete_without_a_payment_station(rt, cashier):
    sale_id = open_sale(rt, cashier, [])
    sales.add_line(rt, sale_id=sale_id, line_id=new_id(), fee_code="koseki-zenbu", quantity=2,
                   exemption="official_request", actor=cashier)
    view = sales.hand_off(rt, sale_id=sale_id, handoff_id=new_id(), actor=cashier)
    assert (view["state"], view["total"], view["payment_station"]) == ("paid", 0, None)
    last = journal(rt)[-1]
    assert (last.kind, last.amount, last.details()["category"]) == ("sale_paid", 0, "exempt")


def test_after_a_jam_the_old_station_is_not_the_sales_until_it_takes_it_again(rt, cashier, supervisor):
    sale_id = handed_off(rt, cashier)
    changer(rt).fail_next("begin_deposit")
    with pytest.raises(ChangerJammed):
        cash.start_cash(rt, payment_id=new_id(), sale_id=sale_id, actor=cashier)
    incidents.clear_jam(rt, payment_station="honcho-p1", actor=supervisor)
    other = handed_off(rt, cashier, station="honcho-p1", staff_station="honcho-s2")
    with pytest.raises(StationBusy):
        cash.start_cash(rt, payment_id=new_id(), sale_id=sale_id, actor=cashier)
    pay_cash(rt, cashier, other, [100, 100, 100])
    assert pay_cash(rt, cashier, sale_id, [100, 100, 100])["state"] == "approved"
