"""Taking payment at a payment station: cash through the changer, cashless through the terminal.

Device calls happen outside database transactions, bracketed by two commits: the
attempt is recorded before the device is asked, and the outcome after. If the server
dies in between, :mod:`madoguchi.services.counter.recovery` asks the device what happened.

The unknown-outcome rule: after a terminal timeout we ask the terminal about *our*
request id, with back-off, before anything else. Still unknown, the payment is
``unknown``, an incident is opened, and the sale is held in doubt. We never re-send
and never refund by reflex.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from madoguchi.adapters.db.counter_rows import PaymentRecord, SaleRecord
from madoguchi.adapters.db.tables import Incident, Payment
from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.adapters.devices.ports import PayOutcome, TxStatus
from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.brands import brand as find_brand
from madoguchi.domain.brands import offered_brand
from madoguchi.domain.receipt import business_date
from madoguchi.domain.journal import EntryKind
from madoguchi.domain.sale import PaymentMethod, PaymentState, SaleState
from madoguchi.errors import (Conflict, IdempotencyMismatch,
                              NotFound, PaymentInDoubt, SplitPaymentNotAllowed, TerminalError)
from madoguchi.services.counter.common import check_client_id, claim_station, load_sale, release_station, sale_record
from madoguchi.services.counter.days import open_business_day
from madoguchi.services.counter.receipts import print_receipt
from madoguchi.services.runtime import Runtime
from madoguchi.services.counter.settle import book_approved
from madoguchi.services.counter.views import payment_view, sale_view

#: A receipt numbered in a transaction, to print after it commits: (id, station, document).
Fresh = tuple[Any, str, Any] | None


# --- shared ---------------------------------------------------------------------------
def _begin(rt: Runtime, *, payment_id: str, sale_id: str, method: PaymentMethod, brand: str | None,
           amount: int | None, actor: Actor, with_view: bool = False
           ) -> tuple[PaymentRecord, bool, dict[str, Any] | None]:
    """Record a new attempt (sale -> paying), or find the one this id already made.

    Returns the payment, whether it is new, and (``with_view``, for a new attempt) its
    view as committed, read in the same transaction.
    """
    payment_id = check_client_id(payment_id, what="payment id")
    with rt.uow() as uow:
        existing = uow.rows.payment(payment_id)
        if existing is not None:
            actor.require(Action.PAY, existing.site)
            if existing.sale_id != sale_id or existing.method != method.value or existing.brand != brand:
                raise IdempotencyMismatch(f"payment id {payment_id} was used for another payment")
            return existing, False, None
        sale = sale_record(uow, sale_id)
        actor.require(Action.PAY, sale.site)
        if sale.state != SaleState.AWAITING_PAYMENT or sale.payment_station is None:
            raise Conflict(f"the sale is {sale.state}; only a sale handed to a payment station can be paid")
        due = sale.total - sale.paid_amount
        if due <= 0:
            raise Conflict("nothing is due on this sale")
        if sale.attempts:  # only an earlier attempt can have left an unknown outcome
            _check_doubt(uow, sale, method)
        amount = due if amount is None else amount
        if amount != due and not rt.settings.allow_split_payment:
            raise SplitPaymentNotAllowed(f"the whole {due} yen must be paid in one payment")
        if not 0 < amount <= due:
            raise Conflict(f"amount must be between 1 and the {due} yen due")
        if sale.paid_amount and not rt.settings.allow_split_payment:
            raise SplitPaymentNotAllowed("this sale is already partly paid")
        # The station must be held by this sale (after a jam it was released): take it
        # again, or refuse if it is out of service or serving someone else.
        claim_station(uow, sale.payment_station, sale.id)
        now = rt.clock()
        devices = rt.devices.of(sale.payment_station)
        category = find_brand(brand).category.value if brand else "cash"
        day, _moved = open_business_day(uow, sale.site, now, station=sale.payment_station,
                                        belongs_to=sale.business_date)
        payment = PaymentRecord(
            id=payment_id, request_id=payment_id, sale_id=sale.id, site=sale.site,
            payment_station=sale.payment_station,
            terminal_id=devices.terminal.terminal_id if brand else devices.changer.device_id,
            method=method.value, brand=brand, category=category, amount=amount,
            state=PaymentState.PENDING.value, tendered=None, change=None, processor_reference=None,
            failure=None, started_at=now, completed_at=None, business_date=day, booked_on=None)
        uow.rows.insert_payment(payment)
        sale.attempts += 1
        sale.move_to(SaleState.PAYING)
        uow.rows.save_sale(sale)
        view = None
        if with_view:
            view = payment_view(payment)
            view["sale"] = sale_view(uow, sale, first_payment=payment)
        uow.commit()
        return payment, True, view


def _check_doubt(uow: UnitOfWork, sale: SaleRecord, method: PaymentMethod) -> None:
    if not any(p.state == PaymentState.UNKNOWN for p in uow.rows.payments_of(sale.id)):
        return
    if method is PaymentMethod.CASHLESS:
        raise PaymentInDoubt("a cashless payment of this sale has an unknown outcome; "
                             "a second cashless attempt is refused until it is resolved")
    if not sale.cash_only:
        raise PaymentInDoubt("a cashless payment of this sale has an unknown outcome; "
                             "a supervisor must confirm before cash is taken")


def _fail(rt: Runtime, payment_id: str, target: PaymentState, why: str) -> dict[str, Any]:
    """The attempt did not take money: record why and give the sale back to the station."""
    with rt.uow(urgent=True) as uow:
        payment = uow.session.get(Payment, payment_id)
        assert payment is not None
        sale = load_sale(uow, payment.sale_id)
        payment.move_to(target)
        payment.failure = why[:200]
        payment.completed_at = rt.clock()
        if sale.state == SaleState.PAYING:
            sale.move_to(SaleState.AWAITING_PAYMENT)
        view = payment_view(payment)
        uow.commit()
        return view


def _approve(rt: Runtime, payment_id: str, *, reference: str | None, actor: str,
             tendered: int | None = None, change: int | None = None,
             evidence: str | None = None, cash_counts: dict[str, dict[str, int]] | None = None) -> dict[str, Any]:
    """Book the payment approved, print the receipt when the sale is paid; returns the payment view."""
    with rt.uow(urgent=True) as uow:  # the device has acted: its outcome goes before new work
        view, fresh = approve_in(rt, uow, payment_id, reference=reference, actor=actor, tendered=tendered,
                                 change=change, evidence=evidence, cash_counts=cash_counts)
        uow.commit()
    return print_fresh(rt, view, fresh)


def approve_in(rt: Runtime, uow: UnitOfWork, payment_id: str, *, reference: str | None, actor: str,
               tendered: int | None = None, change: int | None = None, evidence: str | None = None,
               paid_at: dt.datetime | None = None,
               cash_counts: dict[str, dict[str, int]] | None = None) -> tuple[dict[str, Any], Fresh]:
    """Book the payment approved in the caller's open unit of work (it commits); returns the
    payment view and the receipt to print once committed (:func:`print_fresh`)."""
    payment = uow.rows.payment(payment_id)
    assert payment is not None
    sale = sale_record(uow, payment.sale_id)
    if tendered is not None:
        payment.tendered, payment.change = tendered, change
    receipt = book_approved(rt, uow, payment, sale, now=rt.clock(), actor=actor,
                            reference=reference, evidence=evidence, paid_at=paid_at, cash_counts=cash_counts)
    uow.rows.save_payment(payment)
    uow.rows.save_sale(sale)
    fresh = (receipt.id, receipt.payment_station, receipt.doc) if receipt else None
    view = payment_view(payment)
    view["sale"] = sale_view(uow, sale, receipt=receipt, first_payment=payment)
    return view, fresh


def print_fresh(rt: Runtime, view: dict[str, Any], fresh: Fresh) -> dict[str, Any]:
    """After the commit: print the receipt a booking numbered, into the view."""
    if fresh is not None:
        receipt_id, station, document = fresh
        view["sale"]["receipt"] = print_receipt(rt, receipt_id=receipt_id, fresh=(station, document))
    return view


def current_view(rt: Runtime, payment_id: str) -> dict[str, Any]:
    with rt.uow(read_only=True) as uow:
        payment = uow.rows.payment(payment_id)
        if payment is None:
            raise NotFound(f"no payment {payment_id}")
        view = payment_view(payment)
        view["sale"] = sale_view(uow, sale_record(uow, payment.sale_id, lock=False))
        return view


# --- cashless ----------------------------------------------------------------------
def pay_cashless(rt: Runtime, *, payment_id: str, sale_id: str, brand: str, actor: Actor,
                 amount: int | None = None) -> dict[str, Any]:
    offered_brand(brand, business_date(rt.clock()))  # a retired brand is refused by name
    payment, new, _ = _begin(rt, payment_id=payment_id, sale_id=sale_id, method=PaymentMethod.CASHLESS,
                             brand=brand, amount=amount, actor=actor)
    if not new:
        if payment.state == PaymentState.PENDING:
            # A retry of a request whose answer was lost: ask, never send again.
            return _settle_by_status(rt, payment)
        return current_view(rt, payment.id)
    terminal = rt.devices.of(payment.payment_station).terminal
    with rt.devices.lock(payment.payment_station):
        try:
            reply = terminal.pay(payment.request_id, payment.amount, brand)
        except TerminalError:
            reply = None  # we cannot tell whether it reached the processor: same as a timeout
    if reply is not None and reply.outcome is PayOutcome.APPROVED:
        return _approve(rt, payment.id, reference=reply.reference, actor=actor.login)
    if reply is not None and reply.outcome is PayOutcome.DECLINED:
        _fail(rt, payment.id, PaymentState.DECLINED, reply.reason or "declined")
        return current_view(rt, payment.id)
    return _settle_by_status(rt, payment)


def _settle_by_status(rt: Runtime, payment: Payment | PaymentRecord) -> dict[str, Any]:
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
            return _approve(rt, payment.id, reference=answer.reference, actor="system",
                            evidence="terminal status after timeout")
        if answer.status is TxStatus.DECLINED:
            _fail(rt, payment.id, PaymentState.DECLINED, answer.reason or "declined")
            return current_view(rt, payment.id)
        if answer.status is TxStatus.NOT_FOUND:
            _fail(rt, payment.id, PaymentState.NOT_SENT,
                  "the terminal never received the request; nothing was charged (safe to try again)")
            return current_view(rt, payment.id)
        # IN_PROGRESS: ask again after the next delay.
    hold_in_doubt(rt, payment.id)
    return current_view(rt, payment.id)


def hold_in_doubt(rt: Runtime, payment_id: str) -> None:
    with rt.uow(urgent=True) as uow:
        payment = uow.session.get(Payment, payment_id)
        assert payment is not None
        sale = load_sale(uow, payment.sale_id)
        now = rt.clock()
        payment.move_to(PaymentState.UNKNOWN)
        if sale.state == SaleState.PAYING:
            sale.move_to(SaleState.IN_DOUBT)
        release_station(uow, sale.payment_station, sale.id)
        b = find_brand(payment.brand) if payment.brand else None
        incident = Incident(
            id=str(uuid.uuid4()), kind="cashless_unknown", state="open", site=sale.site,
            payment_station=payment.payment_station, sale_id=sale.id, payment_id=payment.id,
            request_id=payment.request_id, brand=payment.brand, amount=payment.amount,
            summary=(f"{b.name if b else payment.brand} {payment.amount}円: outcome unknown after timeout "
                     f"(request {payment.request_id}); expected behaviour: {b.doubt.value if b else '?'}"),
            opened_at=now)
        uow.session.add(incident)
        uow.journal.append(EntryKind.INCIDENT_OPENED, at=now, actor="system", amount=payment.amount,
                           site=sale.site, station=payment.payment_station, sale_id=sale.id,
                           incident_id=incident.id, incident_kind=incident.kind,
                           payment_id=payment.id, request_id=payment.request_id, brand=payment.brand)
        uow.commit()
