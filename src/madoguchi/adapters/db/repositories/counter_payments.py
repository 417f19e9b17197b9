"""Payments and receipts, as :mod:`madoguchi.domain.counter` values.

What a payment at the counter reads and writes runs the driver's compiled statements;
the start-up scans (payments in flight, receipts waiting) use the ORM.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import fields
from operator import attrgetter
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from madoguchi.adapters.db.counter_rows import PAYMENT_CHANGES, PAYMENT_KEYS
from madoguchi.adapters.db.tables import Payment as PaymentRow
from madoguchi.adapters.db.tables import Receipt as ReceiptRow
from madoguchi.domain.counter import Payment, Receipt, evolve, made
from madoguchi.domain.sale import PaymentState

if TYPE_CHECKING:
    from madoguchi.adapters.db.driver import Driver
    from madoguchi.adapters.db.uow import UnitOfWork


#: The payments table's columns are in :class:`Payment`'s field order: a row is ``Payment(*row)``.
if tuple(f.name for f in fields(Payment)) != PAYMENT_KEYS:
    raise AssertionError("payments' columns and Payment's fields are in different orders")


_PAYMENT_ALL = attrgetter(*PAYMENT_KEYS)
_PAYMENT_CHANGED = attrgetter(*PAYMENT_CHANGES)


def read_payment(db: Driver, payment_id: str) -> Payment | None:
    """The payment as the database has it."""
    row = db.first("payment", payment_id=payment_id)
    return None if row is None else made(Payment, row)


class PaymentRepository:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    @property
    def _db(self) -> Driver:
        return self._uow.rows.db

    def find(self, payment_id: str) -> Payment | None:
        """The payment; on SQLite's writer, as it last wrote or read it if nobody wrote it since."""
        counter = self._uow.rows
        known = counter.known
        if known is not None and (kept := known.payment(payment_id)) is not None:
            return kept
        payment = read_payment(counter.db, payment_id)
        if known is not None and payment is not None:
            known.keep_payment(payment)
        return payment

    def get(self, payment_id: str) -> Payment:
        payment = self.find(payment_id)
        assert payment is not None, f"no payment {payment_id}"
        return payment

    def of_sale(self, sale_id: str) -> list[Payment]:
        """A sale's payments, oldest first."""
        rows = self._db.all("payments_of", sale_id=sale_id)
        return [made(Payment, r) for r in rows]

    def add(self, payment: Payment) -> None:
        self._db.run("payment_insert", **dict(zip(PAYMENT_KEYS, _PAYMENT_ALL(payment), strict=True)))
        self._written(payment)

    def save(self, payment: Payment) -> None:
        self._db.run("payment_update", payment_id=payment.id,
                     **dict(zip(PAYMENT_CHANGES, _PAYMENT_CHANGED(payment), strict=True)))
        self._written(payment)

    def mark_settling(self, payment_id: str, *, tendered: int, change: int) -> bool:
        """Pending -> settling with the deposit fixed; False if it was no longer pending."""
        known = self._uow.rows.known
        kept = known.payment(payment_id) if known is not None else None  # as it was before this write
        settled = self._db.run("settling", payment_id=payment_id, tendered=tendered, change=change) == 1
        if known is not None:
            if settled and kept is not None:
                known.keep_payment(evolve(kept, state=PaymentState.SETTLING.value, tendered=tendered, change=change))
            else:
                known.drop_payment(payment_id)
        return settled

    def pending_cash_at(self, station: str) -> tuple[str, int] | None:
        """The cash payment waiting for coins at a payment station (its id and amount)."""
        row = self._db.first("pending_cash_at", station=station)
        return None if row is None else (str(row[0]), int(row[1]))

    def in_flight(self) -> list[Payment]:
        """Payments a crash may have left half-way: pending or settling."""
        rows = self._uow.session.execute(select(PaymentRow).where(PaymentRow.state.in_(
            [PaymentState.PENDING.value, PaymentState.SETTLING.value]))).scalars().all()
        return [Payment(**{k: getattr(r, k) for k in PAYMENT_KEYS}) for r in rows]

    def _written(self, payment: Payment) -> None:
        """``payment`` as now written: the live screens told, SQLite's writer keeping it."""
        known = self._uow.rows.known
        if known is not None:
            known.keep_payment(payment)
        self._uow.touch(f"sale:{payment.sale_id}", f"station:{payment.payment_station}")


_RECEIPT_KEYS = tuple(c.key for c in ReceiptRow.__table__.c)
if tuple(f.name for f in fields(Receipt)) != _RECEIPT_KEYS:
    raise AssertionError("receipts' columns and Receipt's fields are in different orders")


class ReceiptRepository:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    @property
    def _db(self) -> Driver:
        return self._uow.rows.db

    def take_number(self, station: str) -> int:
        """The station's next receipt number, the counter moved on (its row locked till the commit)."""
        row = self._db.first("receipt_number", station=station)
        assert row is not None, f"no payment station row {station}"
        return int(row[0]) - 1

    def add(self, *, sale_id: str, payment_station: str, number: int, document: str,
            created_at: dt.datetime) -> Receipt:
        row = self._db.first("receipt_insert", sale_id=sale_id, payment_station=payment_station, number=number,
                             document=document, created_at=created_at)
        assert row is not None
        self._uow.touch(f"sale:{sale_id}", f"station:{payment_station}")
        return made(Receipt, (int(row[0]), sale_id, payment_station, number, document, "pending", 0, None,
                              created_at))

    def find(self, receipt_id: int) -> Receipt | None:
        row = self._uow.session.get(ReceiptRow, receipt_id)
        return None if row is None else Receipt(**{k: getattr(row, k) for k in _RECEIPT_KEYS})

    def latest(self, sale_id: str) -> Receipt | None:
        row = self._db.first("receipt_latest", sale_id=sale_id)
        return None if row is None else made(Receipt, row)

    def outcome(self, receipt_id: int, error: str | None, at: dt.datetime) -> Receipt | None:
        """Printed ``at`` (``error`` None; the first print's time is kept) or why not, in one
        statement; the receipt as it now is."""
        if error is None:
            row = self._db.first("receipt_printed", receipt_id=receipt_id, at=at)
        else:
            row = self._db.first("receipt_failed", receipt_id=receipt_id, error=error)
        if row is None:
            return None
        receipt = made(Receipt, row)
        self._uow.touch(f"sale:{receipt.sale_id}", f"station:{receipt.payment_station}")
        return receipt

    def pending_counts(self) -> dict[str, int]:
        """``{payment station: receipts waiting for a print}``."""
        rows = self._uow.session.execute(select(ReceiptRow.payment_station, func.count()).where(
            ReceiptRow.state == "pending").group_by(ReceiptRow.payment_station)).all()
        return {station: int(n) for station, n in rows}

    def pending_ids(self, payment_station: str | None = None) -> list[int]:
        """Receipts still waiting for a print (of one station, in number order; or all)."""
        stmt = select(ReceiptRow.id).where(ReceiptRow.state == "pending")
        if payment_station is not None:
            stmt = stmt.where(ReceiptRow.payment_station == payment_station).order_by(ReceiptRow.number)
        return list(self._uow.session.execute(stmt).scalars())
