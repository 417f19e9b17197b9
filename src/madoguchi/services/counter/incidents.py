"""Open incidents and how they end: a jam cleared, an unknown outcome learnt.

An in-doubt payment is resolved by a later answer from the terminal (asked by our
request id), by a supervisor recording the provider's reply, or (close of month) by
the payment agent's statement. Every resolution is a journal entry naming its evidence.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.adapters.devices.ports import TxStatus
from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.counter import Incident, Payment
from madoguchi.domain.journal import EntryKind
from madoguchi.domain.sale import PaymentState, SaleState
from madoguchi.errors import BadInput, Conflict, NotFound, TerminalError
from madoguchi.services.counter.payment_core import Fresh, approve, print_fresh
from madoguchi.services.counter.settle import booking_day, lock_booking_day
from madoguchi.services.counter.views import incident_view, sale_view
from madoguchi.services.runtime import Runtime


def list_incidents(rt: Runtime, *, actor: Actor, site: str | None = None,
                   state: str | None = "open") -> list[dict[str, Any]]:
    with rt.uow(read_only=True) as uow:
        rows = uow.incidents.listing(site=site, state=state)
        return [incident_view(i) for i in rows if actor.may(Action.VIEW, i.site)]


def _open_incident(uow: UnitOfWork, incident_id: str) -> Incident:
    incident = uow.incidents.find(incident_id, lock=True)
    if incident is None:
        raise NotFound(f"no incident {incident_id}")
    if incident.state != "open":
        raise Conflict(f"incident {incident_id} is already resolved ({incident.resolution})")
    return incident


def _close(uow: UnitOfWork, incident: Incident, *, now: dt.datetime, actor: str, resolution: str,
           note: str | None, amount: int = 0, **details: Any) -> None:
    uow.incidents.resolve(incident, at=now, by=actor, resolution=resolution, note=note)
    uow.journal.append(EntryKind.INCIDENT_RESOLVED, at=now, actor=actor, amount=amount, site=incident.site,
                       station=incident.payment_station, sale_id=incident.sale_id, incident_id=incident.id,
                       incident_kind=incident.kind, resolution=resolution, note=note, **details)


def clear_jam(rt: Runtime, *, payment_station: str, actor: Actor, note: str | None = None) -> dict[str, Any]:
    """Staff have opened the machine: cash held by the jam goes back to the resident."""
    station_cfg = rt.places.payment_station(payment_station)
    actor.require(Action.APPROVE, station_cfg.site)
    changer = rt.devices.of(payment_station).changer
    with rt.devices.lock(payment_station):
        returned = changer.clear_jam(return_deposit=True)
    returned_total = sum(d * n for d, n in returned.items())
    with rt.uow() as uow:
        now = rt.clock()
        uow.stations.set_fault(payment_station, None)
        incidents = uow.incidents.open_jams_at(payment_station)
        if returned_total:
            uow.journal.append(EntryKind.CASH_RETURNED, at=now, actor=actor.login, amount=returned_total,
                               site=station_cfg.site, station=payment_station,
                               sale_id=incidents[-1].sale_id if incidents else None,
                               counts={str(d): n for d, n in sorted(returned.items())},
                               incidents=[i.id for i in incidents])
        for incident in incidents:
            _close(uow, incident, now=now, actor=actor.login, resolution="cash_returned", note=note,
                   amount=incident.amount)
        uow.commit()
        return {"payment_station": payment_station, "returned": returned_total,
                "resolved": [i.id for i in incidents]}


def recheck_unknown(rt: Runtime, *, incident_id: str, actor: Actor) -> dict[str, Any]:
    """Ask the terminal again about an in-doubt payment (e.g. after the card was touched again)."""
    with rt.uow() as uow:
        incident = _open_incident(uow, incident_id)
        actor.require(Action.PAY, incident.site)
        if incident.kind != "cashless_unknown":
            raise Conflict("only an unknown cashless outcome can be asked about")
        station, request_id = incident.payment_station, incident.request_id
    assert station is not None and request_id is not None
    try:
        answer = rt.devices.of(station).terminal.status(request_id)
    except TerminalError as exc:
        raise TerminalError(f"the terminal did not answer: {exc.message}; the incident stays open") from None
    # The answer always says what the terminal said, so the screen can report what was learned.
    learned = {"answer": answer.status.value}
    if answer.status is TxStatus.APPROVED:
        return resolve_unknown(rt, incident_id=incident_id, paid=True, actor=actor,
                               evidence=f"terminal status: approved ({answer.reference})",
                               reference=answer.reference, _system=True) | learned
    if answer.status in (TxStatus.DECLINED, TxStatus.NOT_FOUND):
        return resolve_unknown(rt, incident_id=incident_id, paid=False, actor=actor,
                               evidence=f"terminal status: {answer.status.value}", _system=True) | learned
    with rt.uow(read_only=True) as uow:
        return incident_view(_open_incident(uow, incident_id)) | learned


def resolve_unknown(rt: Runtime, *, incident_id: str, paid: bool, actor: Actor, evidence: str,
                    reference: str | None = None, paid_at: dt.datetime | None = None,
                    _system: bool = False) -> dict[str, Any]:
    """Book what became of an in-doubt payment, with the evidence for it, in one transaction.

    Paid: the payment is approved; if the resident meanwhile paid in cash, a refund of
    the double payment is owed and an incident says so. Not paid: the sale goes back to
    awaiting payment (or stays paid, when cash covered it). The incident's close and the
    payment's booking commit together or not at all.

    A paid payment keeps the moment the money moved: ``paid_at`` when the evidence
    gives it (the statement's transaction time), else the moment the request went to
    the terminal; and it keeps its business day (see :mod:`madoguchi.services.counter.settle`).
    """
    evidence = (evidence or "").strip()
    if not evidence:
        raise BadInput("say what the resolution rests on (the provider's reply, the terminal's answer)")
    with rt.uow() as uow:
        incident = _open_incident(uow, incident_id)
        if not _system:
            actor.require(Action.APPROVE, incident.site)
        assert incident.payment_id is not None
        payment = uow.payments.get(incident.payment_id)
        sale = uow.sales.get(payment.sale_id)
        now = rt.clock()
        double_paid = paid and sale.state in (SaleState.PAID, SaleState.REFUNDED)
        if paid:
            lock_booking_day(uow, payment, now)
        if not paid:
            payment = payment.failed(PaymentState.DECLINED, f"resolved not paid: {evidence}", now)
            uow.payments.save(payment)
            if sale.state == SaleState.IN_DOUBT:
                sale = uow.sales.save(sale.moved_to(SaleState.AWAITING_PAYMENT))
        _close(uow, incident, now=now, actor=actor.login, resolution="paid" if paid else "not_paid",
               note=evidence, amount=payment.amount if paid else 0, payment_id=payment.id,
               request_id=payment.request_id, reference=reference)
        if double_paid:
            # The sale was paid in cash meanwhile: the card charge is a double payment.
            uow.incidents.add(Incident(
                id=_uuid(), kind="refund_owed", site=sale.site,
                payment_station=payment.payment_station, sale_id=sale.id, payment_id=payment.id,
                request_id=payment.request_id, brand=payment.brand, amount=payment.amount, opened_at=now,
                summary=f"in-doubt payment {payment.request_id} turned out paid after cash was taken; "
                        f"refund {payment.amount} yen to the resident"))
        fresh: Fresh = None
        if paid:
            moment = paid_at or payment.started_at
            if double_paid:
                _book_double(uow, payment, now=now, reference=reference, actor=actor.login, evidence=evidence,
                             paid_at=moment)
            else:
                _view, fresh = approve(rt, uow, payment.id, reference=reference, actor=actor.login,
                                       evidence=evidence, paid_at=moment)
        uow.commit()
    if fresh is not None:
        print_fresh(rt, {"sale": {}}, fresh)
    with rt.uow(read_only=True) as uow:
        resolved = uow.incidents.find(incident_id)
        assert resolved is not None
        return incident_view(resolved) | {"sale": sale_view(uow, uow.sales.get(sale.id, lock=False))}


def _book_double(uow: UnitOfWork, payment: Payment, *, now: dt.datetime, reference: str | None, actor: str,
                 evidence: str, paid_at: dt.datetime) -> None:
    """The card charge of a sale already paid in cash: booked (no receipt), to be paid back."""
    day, correction = booking_day(uow, payment, now)
    payment = payment.moved_to(PaymentState.APPROVED, booked_on=day if correction else None,
                               processor_reference=reference or payment.processor_reference,
                               completed_at=paid_at)
    uow.payments.save(payment)
    uow.journal.append(EntryKind.SALE_PAID, at=now, actor=actor, amount=payment.amount, site=payment.site,
                       station=payment.payment_station, sale_id=payment.sale_id, business_date=day,
                       **correction, payment_id=payment.id,
                       request_id=payment.request_id, method=payment.method, category=payment.category,
                       brand=payment.brand, double_payment=True, evidence=evidence)


def allow_cash_in_doubt(rt: Runtime, *, sale_id: str, actor: Actor, note: str) -> dict[str, Any]:
    """A supervisor lets the resident pay in cash while a cashless outcome is unknown."""
    with rt.uow() as uow:
        sale = uow.sales.get(sale_id)
        actor.require(Action.APPROVE, sale.site)
        if sale.state != SaleState.IN_DOUBT:
            raise Conflict(f"the sale is {sale.state}, not in doubt")
        sale = uow.sales.save(sale.moved_to(SaleState.AWAITING_PAYMENT, cash_only=True, payment_station=None))
        uow.journal.append(EntryKind.APPROVAL, at=rt.clock(), actor=actor.login, amount=0,
                           site=sale.site, station=sale.staff_station, sale_id=sale.id,
                           approved="cash_while_in_doubt", note=(note or "")[:200])
        view = sale_view(uow, sale)
        uow.commit()
        return view


def _uuid() -> str:
    import uuid
    return str(uuid.uuid4())
