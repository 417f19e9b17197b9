"""The payments export: one row per payment attempt, for matching with the agent's statement.

Columns follow the settlement files the agent sends (Adyen Settlement Details,
Stripe payout reconciliation): our request id as ``merchant_reference``, their id as
``processor_reference``. Statuses are the six an outsider can act on; a payment still
in flight or in doubt is ``unknown``, a cash attempt that took no money is ``cancelled``
(as is an approved payment cancelled at the terminal), a cashless attempt the terminal
never received is ``not_sent`` (no money moved: the close of month leaves it out).
Dates are JST business dates, times ISO 8601 in JST (``+09:00``).

``paid_at`` is the moment the money moved (for an in-doubt payment resolved later, the
terminal's or the statement's time, not the resolution's); ``business_date`` is the day
the payment belongs to, in whose month's register it is; ``booked_on`` is the open day
that booked it when that is another day (its own day was closed by then), else empty.
"""
from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.adapters.files.writing import csv_writer
from madoguchi.domain.close_records import ExportedPayment
from madoguchi.domain.receipt import JST
from madoguchi.domain.sale import PaymentState
from madoguchi.errors import BadInput

COLUMNS: tuple[str, ...] = ("merchant_reference", "processor_reference", "terminal_id", "site", "station",
                            "brand", "category", "amount", "status", "paid_at", "business_date", "booked_on")

#: Our payment states as the export names them.
EXPORT_STATUS: dict[str, str] = {
    PaymentState.PENDING: "unknown",
    PaymentState.SETTLING: "unknown",   # cash whose change was being paid out: not final yet
    PaymentState.UNKNOWN: "unknown",
    PaymentState.APPROVED: "approved",
    PaymentState.DECLINED: "declined",
    PaymentState.FAILED: "cancelled",
    PaymentState.NOT_SENT: "not_sent",
    PaymentState.REFUNDED: "refunded",
    PaymentState.CANCELLED: "cancelled",
}

#: Longest period one export may cover (a fiscal year and a bit).
MAX_DAYS = 400


def export_status(state: str) -> str:
    return EXPORT_STATUS[PaymentState(state)]


def payment_rows(uow_factory: Callable[[], UnitOfWork], *, date_from: dt.date,
                 date_to: dt.date) -> list[dict[str, Any]]:
    """Every payment whose JST business date is in ``[date_from, date_to]``, oldest first."""
    if date_to < date_from:
        raise BadInput(f"--to {date_to.isoformat()} is before --from {date_from.isoformat()}")
    if (date_to - date_from).days >= MAX_DAYS:
        raise BadInput(f"export at most {MAX_DAYS} days at a time")
    with uow_factory() as uow:
        return [_row(p) for p in uow.payments_export.between(date_from, date_to)]


def _row(p: ExportedPayment) -> dict[str, Any]:
    moment = p.completed_at or p.started_at
    return {
        "merchant_reference": p.request_id,
        "processor_reference": p.processor_reference,
        "terminal_id": p.terminal_id,
        "site": p.site,
        "station": p.station,
        "brand": p.brand,
        "category": p.category,
        "amount": p.amount,
        "status": export_status(p.state),
        "paid_at": moment.astimezone(JST).isoformat(timespec="seconds"),
        "business_date": p.business_date.isoformat(),
        "booked_on": p.booked_on.isoformat() if p.booked_on else None,
    }


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO) -> None:
    """CSV with a header row; an absent value is an empty field."""
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if row[k] is None else row[k] for k in COLUMNS])


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    write_csv(rows, buffer)
    return buffer.getvalue()


def to_json(rows: Iterable[dict[str, Any]]) -> str:
    return json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n"
