"""Plain-dict views of stored things: what the API returns and idempotent replays repeat."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from madoguchi.domain.counter import Incident, Line, Payment, Receipt, Sale

if TYPE_CHECKING:
    from madoguchi.adapters.db.uow import UnitOfWork


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def line_view(line: Line) -> dict[str, Any]:
    return {
        "id": line.id, "fee_code": line.fee_code, "name_ja": line.name_ja, "name_en": line.name_en,
        "quantity": line.quantity, "list_price": line.list_price, "unit_price": line.unit_price,
        "amount": line.amount, "revenue_line_code": line.revenue_line_code,
        "revenue_line_name": line.revenue_line_name, "exemption": line.exemption,
        "exemption_note": line.exemption_note,
    }


def payment_view(p: Payment) -> dict[str, Any]:
    return {
        "id": p.id, "request_id": p.request_id, "sale_id": p.sale_id, "method": p.method,
        "brand": p.brand, "category": p.category, "amount": p.amount, "state": p.state,
        "tendered": p.tendered, "change": p.change, "processor_reference": p.processor_reference,
        "failure": p.failure, "payment_station": p.payment_station, "terminal_id": p.terminal_id,
        "started_at": _iso(p.started_at), "completed_at": _iso(p.completed_at),
    }


def receipt_view(r: Receipt) -> dict[str, Any]:
    return {"id": r.id, "number": r.number, "payment_station": r.payment_station, "state": r.state,
            "prints": r.prints, "last_error": r.last_error}


def incident_view(i: Incident) -> dict[str, Any]:
    return {"id": i.id, "kind": i.kind, "state": i.state, "site": i.site,
            "payment_station": i.payment_station, "sale_id": i.sale_id, "payment_id": i.payment_id,
            "request_id": i.request_id, "brand": i.brand, "amount": i.amount, "summary": i.summary,
            "opened_at": _iso(i.opened_at), "resolved_at": _iso(i.resolved_at),
            "resolution": i.resolution, "resolved_by": i.resolved_by, "note": i.note}


def sale_view(uow: UnitOfWork, sale: Sale, *, receipt: Receipt | None = None,
              first_payment: Payment | None = None) -> dict[str, Any]:
    """``receipt``: the sale's latest receipt when the caller holds it (saves a query).
    Its payments, receipt and open incidents are read through the repositories.

    ``first_payment``: the payment of a sale's first attempt, as the caller holds it.
    It is then the sale's only payment, and the sale has no incident (every incident
    of a sale comes from one of its payments): no query at all.
    """
    # A sale without payment attempts has no payments, receipt or incidents: skip the
    # queries (most calls at the counter are on such sales).
    payments: list[Payment] = []
    open_incidents: list[str] = []
    if sale.attempts:
        first = first_payment is not None and sale.attempts == 1
        payments = [first_payment] if first and first_payment is not None else uow.payments.of_sale(sale.id)
        if sale.paid_amount and receipt is None:
            receipt = uow.receipts.latest(sale.id)
        if not first and (sale.cash_only or any(p.state != "approved" for p in payments)):
            open_incidents = uow.incidents.open_ids_of_sale(sale.id)
    return {
        "id": sale.id, "site": sale.site, "staff_station": sale.staff_station,
        "payment_station": sale.payment_station, "state": sale.state, "total": sale.total,
        "paid_amount": sale.paid_amount, "due": sale.total - sale.paid_amount,
        "cash_only": sale.cash_only, "created_by": sale.created_by,
        "created_at": _iso(sale.created_at), "business_date": sale.business_date.isoformat(),
        "paid_at": _iso(sale.paid_at), "lines": [line_view(x) for x in sale.lines],
        "payments": [payment_view(p) for p in payments],
        "receipt": receipt_view(receipt) if receipt else None,
        "open_incidents": list(open_incidents),
    }
