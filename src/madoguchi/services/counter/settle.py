"""Booking an approved payment: the sale paid, the receipt numbered, the journal entry.

Shared by cash and cashless, and by the later resolution of an in-doubt payment.

A payment belongs to the business day the money moved on (``business_date``, fixed when
it was attempted), and to that day's month, whenever it is booked. Booked after that day
was closed (an in-doubt payment resolved weeks later), it lands in the open day
(``booked_on``) as a correction naming its own day (``moved_from``): the closed day's
sheet stays as it was, the open day's sheet lists it, and the month's register still has
it in its own month, once.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any

import orjson

from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.domain.brands import brand
from madoguchi.domain.counter import Payment, Receipt, Sale, built, evolve
from madoguchi.domain.journal import EntryKind, JournalEntry
from madoguchi.domain.receipt import JST, ReceiptDocument, ReceiptLine
from madoguchi.domain.receipt_code import code_of, qr_payload
from madoguchi.domain.sale import EXEMPTION_LABELS_JA, Exemption, PaymentState, SaleState
from madoguchi.services.counter.common import release_station
from madoguchi.services.counter.days import moved_note, open_business_day
from madoguchi.services.runtime import Runtime

METHOD_LABELS_JA = {"cash": "現金", "emoney": "電子マネー", "credit": "クレジット", "qr": "QRコード"}


@dataclass(frozen=True, slots=True)
class Booked:
    """An approved payment as booked: the payment and the sale as they now are (the caller
    saves both), and the receipt written with its document when the sale became paid."""

    payment: Payment
    sale: Sale
    receipt: Receipt | None = None
    document: ReceiptDocument | None = None


def book_approved(rt: Runtime, uow: UnitOfWork, payment: Payment, sale: Sale, *, now: dt.datetime,
                  actor: str, reference: str | None = None, evidence: str | None = None,
                  paid_at: dt.datetime | None = None, tendered: int | None = None, change: int | None = None,
                  cash_counts: dict[str, dict[str, int]] | None = None) -> Booked:
    """``payment`` approved and, when the sale is fully paid, the sale closed with a receipt.

    The receipt and the journal entry are written here; the caller saves the payment and
    the sale it returns. ``paid_at`` is the moment the money moved when that was before
    ``now`` (a resolution). ``tendered`` and ``change``: what a cash payment took in and gave
    back, set on the payment as it is approved. ``cash_counts``: the notes and coins a cash payment took in and
    gave back (``inserted``, ``change``), journalled so the changer's counts can be checked
    by denomination.
    """
    # The day lock first: the payment lands wholly before or wholly after a close.
    day, correction = booking_day(uow, payment, now)
    payment = payment.moved_to(PaymentState.APPROVED, completed_at=paid_at or now,
                               booked_on=day if correction else None,
                               processor_reference=reference or payment.processor_reference,
                               **({} if tendered is None else {"tendered": tendered, "change": change}))
    # One new sale value: the amount paid changes with the state move, if any.
    paid_amount = sale.paid_amount + payment.amount
    fully_paid = paid_amount >= sale.total
    number = None
    if fully_paid:
        sale = sale.moved_to(SaleState.PAID, paid_at=now, paid_amount=paid_amount)
        release_station(uow, sale.payment_station, sale.id)
        # The counter row is locked with the sale's transaction: numbers are gapless per
        # station because a rolled-back sale rolls its number back too. One statement
        # takes the number and moves the counter on (the row stays locked).
        number = uow.receipts.take_number(payment.payment_station)
    elif sale.state == SaleState.PAYING:
        sale = sale.moved_to(SaleState.AWAITING_PAYMENT, paid_amount=paid_amount)
    else:
        sale = evolve(sale, paid_amount=paid_amount)
    entry = uow.journal.append(
        EntryKind.SALE_PAID, at=now, actor=actor, amount=payment.amount, site=sale.site,
        station=payment.payment_station, sale_id=sale.id, business_date=day,
        payment_id=payment.id, request_id=payment.request_id, method=payment.method,
        category=payment.category, brand=payment.brand, tendered=payment.tendered,
        change=payment.change, processor_reference=payment.processor_reference,
        sale_total=sale.total, fully_paid=fully_paid,
        receipt_number=number, evidence=evidence,
        lines=[[x.fee_code, x.quantity, x.unit_price, x.revenue_line_code, x.exemption] for x in sale.lines],
        **(correction or moved_note(sale.business_date, sale.created_at, day, day != sale.business_date)),
        **({"cash_counts": cash_counts} if cash_counts is not None else {}),
    )
    if number is None:
        return built(Booked, payment=payment, sale=sale)
    # Written after its entry, whose signature gives the receipt its verification code.
    doc = receipt_document(rt, sale, payment, number=number, issued_at=now, entry=entry)
    receipt = uow.receipts.add(sale_id=sale.id, payment_station=payment.payment_station, number=number,
                               document=document_to_json(doc), created_at=now)
    return built(Booked, payment=payment, sale=sale, receipt=receipt, document=doc)


def lock_booking_day(uow: UnitOfWork, payment: Payment, now: dt.datetime) -> None:
    """Take the day lock a booking of ``payment`` now takes, ahead of the rest of its
    transaction: before the journal's head, in the order a close takes them (day, then head)."""
    open_business_day(uow, payment.site, now, station=payment.payment_station, belongs_to=payment.business_date)


def booking_day(uow: UnitOfWork, payment: Payment, now: dt.datetime) -> tuple[dt.date, dict[str, str]]:
    """The open day that books ``payment`` now (locked), and, when that is not the payment's
    own day, the journal fields naming the closed day it corrects (its ``booked_on`` is then that day)."""
    day, moved = open_business_day(uow, payment.site, now, station=payment.payment_station,
                                   belongs_to=payment.business_date)
    return day, ({"moved_from": payment.business_date.isoformat()} if moved else {})


def book_free(uow: UnitOfWork, sale: Sale, *, now: dt.datetime, actor: str) -> Sale:
    """Close a sale with nothing due (every line exempt): no payment, no station, journalled.
    Returns the sale paid (the caller saves it)."""
    day, moved = open_business_day(uow, sale.site, now, belongs_to=sale.business_date)
    sale = sale.moved_to(SaleState.PAID, paid_at=now)
    uow.journal.append(
        EntryKind.SALE_PAID, at=now, actor=actor, amount=0, site=sale.site, station=None, sale_id=sale.id,
        business_date=day, method="none", category="exempt", brand=None, tendered=None, change=None,
        sale_total=0, fully_paid=True, receipt_number=None,
        lines=[[x.fee_code, x.quantity, x.unit_price, x.revenue_line_code, x.exemption] for x in sale.lines],
        **moved_note(sale.business_date, sale.created_at, day, moved),
    )
    return sale


def code_fields(entry: JournalEntry) -> dict[str, Any]:
    """The receipt fields of ``entry``'s verification code and QR, or the mark of an unsigned one."""
    if entry.signature is None:
        return {"signing_down": True}
    code = code_of(entry.signature)
    return {"verification_code": code,
            "verification_qr": qr_payload(site=entry.site or "", seq=entry.seq, code=code)}


def receipt_document(rt: Runtime, sale: Sale, payment: Payment, *, number: int,
                     issued_at: dt.datetime, entry: JournalEntry) -> ReceiptDocument:
    """What the receipt of ``sale`` paid by ``payment`` says, ``entry`` being its journal entry."""
    station = rt.places.payment_station(payment.payment_station)
    lines = tuple(
        built(ReceiptLine, name=x.name_ja, quantity=x.quantity, unit_price=x.unit_price, amount=x.amount,
              exemption=EXEMPTION_LABELS_JA[Exemption(x.exemption)] if x.exemption else None)
        for x in sale.lines)
    return built(
        ReceiptDocument, municipality=rt.places.municipality, site_name=rt.places.site(sale.site).name,
        station_name=station.name, receipt_number=number, issued_at=issued_at.astimezone(JST),
        lines=lines, total=sale.total, method_label=METHOD_LABELS_JA[payment.category],
        brand_name=brand(payment.brand).name if payment.brand else None,
        tendered=payment.tendered, change=payment.change, sale_reference=sale.id[:8].upper(),
        processor_reference=payment.processor_reference, training=rt.training, **code_fields(entry),
    )


def document_to_json(doc: ReceiptDocument) -> str:
    """The receipt as stored: its fields, the time in ISO 8601 with its offset."""
    data = dict(zip(_DOCUMENT_FIELDS, _read_document(doc), strict=True))  # what orjson makes of the dataclass
    if not doc.training:
        del data["training"]  # a real receipt is stored exactly as before training mode existed
    return orjson.dumps(data).decode()


_DOCUMENT_FIELDS = tuple(f.name for f in fields(ReceiptDocument))
_read_document = attrgetter(*_DOCUMENT_FIELDS)  # its field values, in that order


def document_from_json(text: str, *, reprint: bool = False) -> ReceiptDocument:
    data = orjson.loads(text)
    data["issued_at"] = dt.datetime.fromisoformat(data["issued_at"])
    data["lines"] = tuple(ReceiptLine(**x) for x in data["lines"])
    data["reprint"] = reprint
    return ReceiptDocument(**data)
