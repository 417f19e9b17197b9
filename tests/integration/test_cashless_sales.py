"""Cashless sales: approvals, declines, timeouts and the unknown-outcome rule."""
from __future__ import annotations

import pytest

from madoguchi.errors import PaymentInDoubt, PermissionDenied, SplitPaymentNotAllowed
from madoguchi.services.counter import incidents, payments, refunds, sales
from madoguchi.services.journal.verify import verify
from tests.helpers import handed_off, new_id, pay_cash, terminal


def test_three_items_paid_by_a_qr_brand(rt, cashier):
    sale_id = handed_off(rt, cashier, [("juminhyo", 1), ("koseki-zenbu", 1), ("kazei-shomei", 1)])
    result = payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand="paypay", actor=cashier)
    assert result["state"] == "approved" and result["category"] == "qr"
    assert result["processor_reference"]
    assert result["sale"]["state"] == "paid" and result["sale"]["total"] == 1050


def test_a_declined_card_returns_the_sale_to_awaiting_payment_and_a_new_try_works(rt, cashier):
    sale_id = handed_off(rt, cashier)
    terminal(rt).script("declined", reason="insufficient balance")
    declined = payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand="suica", actor=cashier)
    assert declined["state"] == "declined" and declined["failure"] == "insufficient balance"
    assert declined["sale"]["state"] == "awaiting_payment"
    ok = payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand="visa", actor=cashier)
    assert ok["sale"]["state"] == "paid"


def test_a_timeout_is_asked_about_and_booked_when_the_terminal_says_approved(rt, cashier):
    sale_id = handed_off(rt, cashier)
    terminal(rt).script("timeout_approved", in_progress_queries=2)
    result = payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand="jcb", actor=cashier)
    assert result["state"] == "approved" and result["sale"]["state"] == "paid"
    # Asked, never re-sent: the processor saw exactly one request.
    assert len(terminal(rt).transactions()) == 1


def test_a_timeout_the_terminal_never_received_is_safe_to_try_again(rt, cashier):
    sale_id = handed_off(rt, cashier)
    terminal(rt).script("timeout_not_found")
    result = payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand="id", actor=cashier)
    assert result["state"] == "not_sent" and result["sale"]["state"] == "awaiting_payment"
    assert payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand="id",
                                 actor=cashier)["state"] == "approved"


def test_an_unknown_outcome_opens_an_incident_and_holds_the_sale_in_doubt(rt, cashier, supervisor):
    sale_id = handed_off(rt, cashier)
    terminal(rt).script("timeout_unknown")
    payment_id = new_id()
    result = payments.pay_cashless(rt, payment_id=payment_id, sale_id=sale_id, brand="edy", actor=cashier)
    assert result["state"] == "unknown" and result["sale"]["state"] == "in_doubt"
    [incident] = incidents.list_incidents(rt, actor=supervisor)
    assert (incident["kind"], incident["brand"], incident["amount"], incident["request_id"]) == (
        "cashless_unknown", "edy", 300, payment_id)
    assert incident["payment_station"] == "honcho-p1"
    # The station is free for the next resident.
    handed_off(rt, cashier, station="honcho-p1", staff_station="honcho-s2")
    # The record is never lost: the journal names the incident.
    assert verify(rt).ok


def test_a_second_cashless_attempt_is_refused_and_cash_needs_a_supervisor(rt, cashier, supervisor):
    sale_id = handed_off(rt, cashier)
    terminal(rt).script("timeout_unknown")
    first = new_id()
    payments.pay_cashless(rt, payment_id=first, sale_id=sale_id, brand="waon", actor=cashier)
    with pytest.raises(PermissionDenied):
        incidents.allow_cash_in_doubt(rt, sale_id=sale_id, actor=cashier, note="resident in a hurry")
    incidents.allow_cash_in_doubt(rt, sale_id=sale_id, actor=supervisor, note="resident in a hurry")
    sales.move_sale(rt, sale_id=sale_id, move_id=new_id(), payment_station="honcho-p1", actor=cashier)
    with pytest.raises(PaymentInDoubt):
        payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand="visa", actor=cashier)
    assert pay_cash(rt, cashier, sale_id, [500])["state"] == "approved"
    # A month later the provider says the WAON payment did go through: a refund is owed.
    terminal(rt).settle(first, approved=True)
    [incident] = incidents.list_incidents(rt, actor=supervisor)
    resolved = incidents.recheck_unknown(rt, incident_id=incident["id"], actor=cashier)
    assert resolved["resolution"] == "paid"
    [owed] = incidents.list_incidents(rt, actor=supervisor)
    assert (owed["kind"], owed["amount"]) == ("refund_owed", 300)
    assert verify(rt).ok


def test_a_later_status_answer_resolves_the_incident_and_pays_the_sale(rt, cashier, supervisor):
    sale_id = handed_off(rt, cashier)
    terminal(rt).script("timeout_unknown")
    payment_id = new_id()
    payments.pay_cashless(rt, payment_id=payment_id, sale_id=sale_id, brand="edy", actor=cashier)
    [incident] = incidents.list_incidents(rt, actor=supervisor)
    still = incidents.recheck_unknown(rt, incident_id=incident["id"], actor=cashier)
    assert still["state"] == "open" and still["answer"] == "in_progress"
    terminal(rt).settle(payment_id, approved=True)
    done = incidents.recheck_unknown(rt, incident_id=incident["id"], actor=cashier)
    assert done["state"] == "resolved" and done["sale"]["state"] == "paid"
    assert done["sale"]["receipt"]["number"] == 1


def test_a_supervisor_records_the_providers_reply_that_it_was_not_paid(rt, cashier, supervisor):
    sale_id = handed_off(rt, cashier)
    terminal(rt).script("timeout_unknown")
    payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand="quicpay", actor=cashier)
    [incident] = incidents.list_incidents(rt, actor=supervisor)
    done = incidents.resolve_unknown(rt, incident_id=incident["id"], paid=False, actor=supervisor,
                                     evidence="provider reply 2026-11-30: not completed")
    assert done["sale"]["state"] == "awaiting_payment"
    assert incidents.list_incidents(rt, actor=supervisor) == []


def test_a_retry_of_a_lost_answer_never_charges_twice(rt, cashier):
    sale_id = handed_off(rt, cashier)
    payment_id = new_id()
    first = payments.pay_cashless(rt, payment_id=payment_id, sale_id=sale_id, brand="paypay", actor=cashier)
    again = payments.pay_cashless(rt, payment_id=payment_id, sale_id=sale_id, brand="paypay", actor=cashier)
    assert first["processor_reference"] == again["processor_reference"]
    assert len(terminal(rt).transactions()) == 1


def test_split_payment_is_refused_by_default(rt, cashier):
    sale_id = handed_off(rt, cashier, [("juminhyo", 2)])
    with pytest.raises(SplitPaymentNotAllowed):
        payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand="visa", amount=300,
                              actor=cashier)


def test_a_card_refund_inside_the_window_is_a_terminal_cancel(rt, cashier, supervisor):
    sale_id = handed_off(rt, cashier)
    payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand="visa", actor=cashier)
    with pytest.raises(PermissionDenied):
        refunds.refund_sale(rt, refund_id=new_id(), sale_id=sale_id, reason="wrong item", actor=cashier)
    result = refunds.refund_sale(rt, refund_id=new_id(), sale_id=sale_id, reason="wrong item", actor=supervisor)
    assert result["sale"]["state"] == "refunded"
    assert [(r["method"], r["state"]) for r in result["refunds"]] == [("terminal_cancel", "done")]


def test_an_edy_refund_is_owed_by_bank_transfer_until_marked_done(rt, cashier, supervisor):
    sale_id = handed_off(rt, cashier)
    payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand="edy", actor=cashier)
    result = refunds.refund_sale(rt, refund_id=new_id(), sale_id=sale_id, reason="duplicate", actor=supervisor)
    [refund] = result["refunds"]
    assert (refund["method"], refund["state"]) == ("bank_transfer", "pending")
    done = refunds.complete_bank_refund(rt, refund_id=refund["id"], actor=supervisor, note="transfer 11/30")
    assert done["state"] == "done"
    assert verify(rt).ok


def test_a_cash_refund_comes_out_of_the_changer(rt, cashier, supervisor):
    sale_id = handed_off(rt, cashier)
    pay_cash(rt, cashier, sale_id, [100, 100, 100])
    before = sum(d * n for d, n in rt.devices.of("honcho-p1").changer.counts().items())
    result = refunds.refund_sale(rt, refund_id=new_id(), sale_id=sale_id, reason="not needed", actor=supervisor)
    after = sum(d * n for d, n in rt.devices.of("honcho-p1").changer.counts().items())
    assert before - after == 300
    assert [(r["method"], r["state"]) for r in result["refunds"]] == [("cash", "done")]
