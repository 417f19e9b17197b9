"""Resolving an in-doubt payment is one transaction, and an attempt the terminal never
received is its own state, outside the close of month.

A crash between closing the incident and booking the payment must leave both as they
were (incident open, payment unknown), so that the resolution can simply be tried again.
"""
from __future__ import annotations

import pytest

from madoguchi.adapters.db.tables import Incident
from madoguchi.services.close.export import payment_rows
from madoguchi.services.counter import incidents, payments
from tests.helpers import handed_off, journal, new_id, terminal


class Crash(Exception):
    """The server dies in the middle of the resolution."""


def _in_doubt(rt, cashier) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    sale_id = handed_off(rt, cashier)
    terminal(rt).script("timeout_unknown")
    payment_id = new_id()
    payments.pay_cashless(rt, payment_id=payment_id, sale_id=sale_id, brand="edy", actor=cashier)
    with rt.uow() as uow:
        incident = uow.session.query(Incident).filter_by(payment_id=payment_id, state="open").one()
        return incident.id, payment_id


def test_a_crash_between_closing_the_incident_and_booking_the_payment_changes_nothing(
        rt, cashier, supervisor, monkeypatch):  # type: ignore[no-untyped-def]
    incident_id, payment_id = _in_doubt(rt, cashier)
    entries_before = len(journal(rt))

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise Crash("power cut")

    monkeypatch.setattr(payments, "book_approved", crash)
    with pytest.raises(Crash):
        incidents.resolve_unknown(rt, incident_id=incident_id, paid=True, actor=supervisor,
                                  evidence="provider's reply: approved")
    with rt.uow() as uow:
        assert uow.session.get(Incident, incident_id).state == "open"
    assert payments.current_view(rt, payment_id)["state"] == "unknown"
    assert len(journal(rt)) == entries_before

    monkeypatch.undo()
    view = incidents.resolve_unknown(rt, incident_id=incident_id, paid=True, actor=supervisor,
                                     evidence="provider's reply: approved")
    assert view["state"] == "resolved" and view["sale"]["state"] == "paid"
    assert payments.current_view(rt, payment_id)["state"] == "approved"


def test_a_resolved_payment_of_an_open_day_is_booked_in_its_own_day_with_no_correction(
        rt, cashier, supervisor):  # type: ignore[no-untyped-def]
    incident_id, payment_id = _in_doubt(rt, cashier)
    incidents.resolve_unknown(rt, incident_id=incident_id, paid=True, actor=supervisor,
                              evidence="provider's reply: approved")
    [row] = [r for r in payment_rows(rt.uow, date_from=_day(rt), date_to=_day(rt))
             if r["merchant_reference"] == payment_id]
    assert row["status"] == "approved" and row["business_date"] == _day(rt).isoformat()
    assert row["booked_on"] is None


def test_an_attempt_the_terminal_never_received_is_exported_as_not_sent_not_cancelled(
        rt, cashier):  # type: ignore[no-untyped-def]
    sale_id = handed_off(rt, cashier)
    terminal(rt).script("timeout_not_found")
    payment_id = new_id()
    view = payments.pay_cashless(rt, payment_id=payment_id, sale_id=sale_id, brand="id", actor=cashier)
    assert view["state"] == "not_sent" and view["sale"]["state"] == "awaiting_payment"
    [row] = [r for r in payment_rows(rt.uow, date_from=_day(rt), date_to=_day(rt))
             if r["merchant_reference"] == payment_id]
    assert row["status"] == "not_sent"


def _day(rt):  # type: ignore[no-untyped-def]
    from madoguchi.domain.receipt import business_date
    return business_date(rt.clock())
