"""The payment's own steps, shared by cash, cashless, recovery and incidents.

An attempt is recorded (:func:`begin`) before the device is asked, and its outcome
after: :func:`approve` books it, :func:`fail` records why it took no money,
:func:`open_incident` ends it without an outcome to book (a jam, an unknown cashless
result). Those three take the caller's open unit of work, so a resolution and its
booking commit together; ``*_now`` run one in a transaction of their own, ahead of
new work (``urgent``), since the device has already acted.

The unknown-outcome rule (:func:`settle_by_status`): after a terminal timeout we ask
the terminal about *our* request id, with back-off, before anything else. Still
unknown, the payment is ``unknown``, an incident is opened, and the sale is held in
doubt. We never re-send and never refund by reflex.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.adapters.devices.ports import TxStatus
from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.brands import brand as find_brand
from madoguchi.domain.counter import Incident, Payment, built
from madoguchi.domain.journal import EntryKind
from madoguchi.domain.receipt import ReceiptDocument
from madoguchi.domain.sale import PaymentMethod, PaymentState, SaleState
from madoguchi.errors import (
    Conflict,
    IdempotencyMismatch,
    NotFound,
    PaymentInDoubt,
    SplitPaymentNotAllowed,
    TerminalError,
)
from madoguchi.services.counter.common import check_client_id, claim_station, release_station
from madoguchi.services.counter.days import open_business_day
from madoguchi.services.counter.receipts import print_receipt
from madoguchi.services.counter.settle import book_approved
from madoguchi.services.counter.views import payment_view, sale_view
from madoguchi.services.runtime import Runtime

#: A receipt numbered in a transaction, to print after it commits: (id, station, document).
Fresh = tuple[int, str, ReceiptDocument] | None


def begin(rt: Runtime, *, payment_id: str, sale_id: str, method: PaymentMethod, brand: str | None,
          amount: int | None, actor: Actor, with_view: bool = False
          ) -> tuple[Payment, bool, dict[str, Any] | None]:
    """Record a new attempt (sale -> paying) and commit it, or find the one this id already made.

    Returns the payment, whether it is new, and (``with_view``, for a new attempt) its
    view as committed, read in the same transaction.

    The id is not looked up first (as :func:`~madoguchi.services.counter.common.idempotent`):
    a repeat cannot record a second attempt, since its insert is refused (the id is the
    payments' primary key) or the sale, being paid already, is refused before that. Its
    transaction rolls back, and only then is the attempt the id made looked up and returned.
    Nothing here acts on a device: the caller does, once a new attempt is committed.
    """
    payment_id = check_client_id(payment_id, what="payment id")
    try:
        return _record_attempt(rt, payment_id=payment_id, sale_id=sale_id, method=method, brand=brand,
                               amount=amount, actor=actor, with_view=with_view)
    except Exception:
        with rt.uow(read_only=True) as uow:
            existing = uow.payments.find(payment_id)
        if existing is None:
            raise  # not a repeat: the attempt's own refusal
        actor.require(Action.PAY, existing.site)
        if existing.sale_id != sale_id or existing.method != method.value or existing.brand != brand:
            raise IdempotencyMismatch(f"payment id {payment_id} was used for another payment") from None
        return existing, False, None


def _record_attempt(rt: Runtime, *, payment_id: str, sale_id: str, method: PaymentMethod, brand: str | None,
                    amount: int | None, actor: Actor, with_view: bool
                    ) -> tuple[Payment, bool, dict[str, Any] | None]:
    with rt.uow() as uow:
        sale = uow.sales.get(sale_id)
        actor.require(Action.PAY, sale.site)
        station = sale.payment_station
        if sale.state != SaleState.AWAITING_PAYMENT or station is None:
            raise Conflict(f"the sale is {sale.state}; only a sale handed to a payment station can be paid")
        due = sale.due
        if due <= 0:
            raise Conflict("nothing is due on this sale")
        if sale.attempts:  # only an earlier attempt can have left an unknown outcome
            _check_doubt(uow, sale.id, cash_only=sale.cash_only, method=method)
        amount = due if amount is None else amount
        if amount != due and not rt.settings.allow_split_payment:
            raise SplitPaymentNotAllowed(f"the whole {due} yen must be paid in one payment")
        if not 0 < amount <= due:
            raise Conflict(f"amount must be between 1 and the {due} yen due")
        if sale.paid_amount and not rt.settings.allow_split_payment:
            raise SplitPaymentNotAllowed("this sale is already partly paid")
        # The station must be held by this sale (after a jam it was released): take it
        # again, or refuse if it is out of service or serving someone else.
        claim_station(uow, station, sale.id)
        now = rt.clock()
        devices = rt.devices.of(station)
        category = find_brand(brand).category.value if brand else "cash"
        day, _moved = open_business_day(uow, sale.site, now, station=station, belongs_to=sale.business_date)
        payment = built(
            Payment,
            id=payment_id, request_id=payment_id, sale_id=sale.id, site=sale.site, payment_station=station,
            terminal_id=devices.terminal.terminal_id if brand else devices.changer.device_id,
            method=method.value, brand=brand, category=category, amount=amount,
            state=PaymentState.PENDING.value, tendered=None, change=None, processor_reference=None,
            failure=None, started_at=now, completed_at=None, business_date=day, booked_on=None)
        uow.payments.add(payment)
        sale = uow.sales.save(sale.moved_to(SaleState.PAYING, attempts=sale.attempts + 1))
        view = None
        if with_view:
            view = payment_view(payment)
            view["sale"] = sale_view(uow, sale, first_payment=payment)
        uow.commit()
        return payment, True, view


def _check_doubt(uow: UnitOfWork, sale_id: str, *, cash_only: bool, method: PaymentMethod) -> None:
    if not any(p.state == PaymentState.UNKNOWN for p in uow.payments.of_sale(sale_id)):
        return
    if method is PaymentMethod.CASHLESS:
        raise PaymentInDoubt("a cashless payment of this sale has an unknown outcome; "
                             "a second cashless attempt is refused until it is resolved")
    if not cash_only:
        raise PaymentInDoubt("a cashless payment of this sale has an unknown outcome; "
                             "a supervisor must confirm before cash is taken")


def fail(uow: UnitOfWork, payment: Payment, target: PaymentState, why: str, *, now: dt.datetime) -> Payment:
    """The attempt did not take money (in the caller's unit of work): record why, and give
    the sale back to the station if it was being paid. Returns the payment as written."""
    sale = uow.sales.get(payment.sale_id)
    payment = payment.failed(target, why, now)
    uow.payments.save(payment)
    if sale.state == SaleState.PAYING:
        uow.sales.save(sale.moved_to(SaleState.AWAITING_PAYMENT))
    return payment


def fail_now(rt: Runtime, payment_id: str, target: PaymentState, why: str) -> dict[str, Any]:
    """:func:`fail` in a transaction of its own; returns the payment view."""
    with rt.uow(urgent=True) as uow:
        payment = fail(uow, uow.payments.get(payment_id), target, why, now=rt.clock())
        view = payment_view(payment)
        uow.commit()
        return view


def approve(rt: Runtime, uow: UnitOfWork, payment_id: str, *, reference: str | None, actor: str,
            tendered: int | None = None, change: int | None = None, evidence: str | None = None,
            paid_at: dt.datetime | None = None,
            cash_counts: dict[str, dict[str, int]] | None = None) -> tuple[dict[str, Any], Fresh]:
    """Book the payment approved in the caller's open unit of work (it commits); returns the
    payment view and the receipt to print once committed (:func:`print_fresh`)."""
    payment = uow.payments.get(payment_id)
    sale = uow.sales.get(payment.sale_id)
    booked = book_approved(rt, uow, payment, sale, now=rt.clock(), actor=actor, reference=reference,
                           evidence=evidence, paid_at=paid_at, tendered=tendered, change=change,
                           cash_counts=cash_counts)
    uow.payments.save(booked.payment)
    sale = uow.sales.save(booked.sale)
    receipt = booked.receipt
    fresh = (receipt.id, receipt.payment_station, booked.document) if receipt and booked.document else None
    view = payment_view(booked.payment)
    view["sale"] = sale_view(uow, sale, receipt=receipt, first_payment=booked.payment)
    return view, fresh


def approve_now(rt: Runtime, payment_id: str, *, reference: str | None, actor: str,
                tendered: int | None = None, change: int | None = None, evidence: str | None = None,
                cash_counts: dict[str, dict[str, int]] | None = None) -> dict[str, Any]:
    """:func:`approve` in a transaction of its own, then print the receipt; returns the payment view."""
    with rt.uow(urgent=True) as uow:  # the device has acted: its outcome goes before new work
        view, fresh = approve(rt, uow, payment_id, reference=reference, actor=actor, tendered=tendered,
                              change=change, evidence=evidence, cash_counts=cash_counts)
        uow.commit()
    return print_fresh(rt, view, fresh)


def print_fresh(rt: Runtime, view: dict[str, Any], fresh: Fresh) -> dict[str, Any]:
    """After the commit: print the receipt a booking numbered, into the view."""
    if fresh is not None:
        receipt_id, station, document = fresh
        view["sale"]["receipt"] = print_receipt(rt, receipt_id=receipt_id, fresh=(station, document))
    return view


def current_view(rt: Runtime, payment_id: str) -> dict[str, Any]:
    with rt.uow(read_only=True) as uow:
        payment = uow.payments.find(payment_id)
        if payment is None:
            raise NotFound(f"no payment {payment_id}")
        view = payment_view(payment)
        view["sale"] = sale_view(uow, uow.sales.get(payment.sale_id, lock=False))
        return view


def open_incident(uow: UnitOfWork, payment: Payment, *, sale_state: SaleState, release: str | None,
                  kind: str, amount: int, summary: str, actor: str, now: dt.datetime,
                  request_id: str | None = None, brand: str | None = None, **details: Any) -> Incident:
    """The attempt ends without an outcome to book (in the caller's unit of work):
    ``payment`` (in its new state) is written, the sale goes to ``sale_state`` if it was
    being paid, the station ``release`` is let go, and an incident is opened and journalled
    (with ``request_id`` and ``brand`` when a cashless request is in question)."""
    sale = uow.sales.get(payment.sale_id)
    uow.payments.save(payment)
    if sale.state == SaleState.PAYING:
        sale = uow.sales.save(sale.moved_to(sale_state))
    release_station(uow, release, sale.id)
    incident = Incident(
        id=str(uuid.uuid4()), kind=kind, site=sale.site, payment_station=payment.payment_station,
        sale_id=sale.id, payment_id=payment.id, amount=amount, summary=summary, opened_at=now,
        request_id=request_id, brand=brand)
    if request_id is not None:
        details |= {"request_id": request_id, "brand": brand}
    uow.incidents.add(incident)
    uow.journal.append(EntryKind.INCIDENT_OPENED, at=now, actor=actor, amount=amount, site=sale.site,
                       station=payment.payment_station, sale_id=sale.id, incident_id=incident.id,
                       incident_kind=kind, payment_id=payment.id, **details)
    return incident


def hold_in_doubt(rt: Runtime, payment_id: str) -> None:
    """The terminal cannot tell: the payment is unknown, the sale in doubt, an incident open."""
    with rt.uow(urgent=True) as uow:
        payment = uow.payments.get(payment_id)
        sale_station = uow.sales.get(payment.sale_id).payment_station
        b = find_brand(payment.brand) if payment.brand else None
        open_incident(
            uow, payment.moved_to(PaymentState.UNKNOWN), sale_state=SaleState.IN_DOUBT, release=sale_station,
            kind="cashless_unknown", amount=payment.amount, actor="system", now=rt.clock(),
            summary=(f"{b.name if b else payment.brand} {payment.amount}円: outcome unknown after timeout "
                     f"(request {payment.request_id}); expected behaviour: {b.doubt.value if b else '?'}"),
            request_id=payment.request_id, brand=payment.brand)
        uow.commit()


def settle_by_status(rt: Runtime, payment: Payment) -> dict[str, Any]:
    """Ask the terminal about our request id with back-off; book what it says, or hold in doubt."""
    terminal = rt.devices.of(payment.payment_station).terminal
    delays = (0.0, *rt.settings.status_backoff)
    for delay in delays:
        if delay:
            rt.sleep(delay)
        try:
            answer = terminal.status(payment.request_id)
        except TerminalError:
            continue
        if answer.status is TxStatus.APPROVED:
            return approve_now(rt, payment.id, reference=answer.reference, actor="system",
                               evidence="terminal status after timeout")
        if answer.status is TxStatus.DECLINED:
            fail_now(rt, payment.id, PaymentState.DECLINED, answer.reason or "declined")
            return current_view(rt, payment.id)
        if answer.status is TxStatus.NOT_FOUND:
            fail_now(rt, payment.id, PaymentState.NOT_SENT,
                     "the terminal never received the request; nothing was charged (safe to try again)")
            return current_view(rt, payment.id)
        # IN_PROGRESS: ask again after the next delay.
    hold_in_doubt(rt, payment.id)
    return current_view(rt, payment.id)
