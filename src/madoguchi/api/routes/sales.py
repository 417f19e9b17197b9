"""Sales: create, lines, hand-off and move between payment stations, cancel, refund, reprint.

Each write that creates something takes the client's UUID ``id``; repeating the same
request with the same id returns the first answer.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import Query, status

from madoguchi.api.routing import ApiRouter
from madoguchi.api.schemas_sales import (
    CancelCreate,
    LineCreate,
    NoteCreate,
    ReceiptPublic,
    RefundCreate,
    SaleCreate,
    SalePublic,
    SaleRefundsPublic,
    StationChoice,
)
from madoguchi.domain.receipt import business_date
from madoguchi.http.deps import CounterDep
from madoguchi.http.fields import Code
from madoguchi.services.counter import incidents, receipts, refunds, sales

router = ApiRouter(prefix="/api/sales", tags=["sales"])


@router.post("", response_model=SalePublic, status_code=status.HTTP_201_CREATED)
def create_sale(body: SaleCreate, c: CounterDep) -> dict[str, Any]:
    return sales.create_sale(c.rt, sale_id=str(body.id), staff_station=body.staff_station, actor=c.actor)


@router.get("", response_model=list[SalePublic])
def list_sales(c: CounterDep, site: Annotated[Code, Query()],
               day: Annotated[dt.date | None, Query(alias="date")] = None,
               staff_station: Annotated[Code | None, Query()] = None) -> list[dict[str, Any]]:
    """The sales of one site on one business day; without ``date``, today's (JST) and those of the
    days after it (a sale made after today was closed belongs to the next open day)."""
    return sales.list_sales(c.rt, site=site, day=day or business_date(c.rt.clock()), actor=c.actor,
                            staff_station=staff_station, onward=day is None)


@router.get("/{sale_id}", response_model=SalePublic)
def get_sale(sale_id: uuid.UUID, c: CounterDep) -> dict[str, Any]:
    return sales.get_sale(c.rt, sale_id=str(sale_id), actor=c.actor)


@router.post("/{sale_id}/lines", response_model=SalePublic, status_code=status.HTTP_201_CREATED)
def add_line(sale_id: uuid.UUID, body: LineCreate, c: CounterDep) -> dict[str, Any]:
    return sales.add_line(c.rt, sale_id=str(sale_id), line_id=str(body.id), fee_code=body.fee_code,
                          quantity=body.quantity, exemption=body.exemption.value if body.exemption else None,
                          exemption_note=body.exemption_note, actor=c.actor)


@router.delete("/{sale_id}/lines/{line_id}", response_model=SalePublic)
def remove_line(sale_id: uuid.UUID, line_id: uuid.UUID, c: CounterDep) -> dict[str, Any]:
    return sales.remove_line(c.rt, sale_id=str(sale_id), line_id=str(line_id), actor=c.actor)


@router.post("/{sale_id}/handoff", response_model=SalePublic)
def hand_off(sale_id: uuid.UUID, body: StationChoice, c: CounterDep) -> dict[str, Any]:
    """Hand the sale to a payment station: the one named, or a free one of the site."""
    return sales.hand_off(c.rt, sale_id=str(sale_id), handoff_id=str(body.id),
                          payment_station=body.payment_station, screen_offline_ok=body.screen_offline_ok,
                          actor=c.actor)


@router.post("/{sale_id}/move", response_model=SalePublic)
def move_sale(sale_id: uuid.UUID, body: StationChoice, c: CounterDep) -> dict[str, Any]:
    """Move a waiting sale to another payment station (e.g. after a jam)."""
    return sales.move_sale(c.rt, sale_id=str(sale_id), move_id=str(body.id),
                           payment_station=body.payment_station, screen_offline_ok=body.screen_offline_ok,
                          actor=c.actor)


@router.post("/{sale_id}/recall", response_model=SalePublic)
def recall_sale(sale_id: uuid.UUID, c: CounterDep) -> dict[str, Any]:
    return sales.recall_sale(c.rt, sale_id=str(sale_id), actor=c.actor)


@router.post("/{sale_id}/cancel", response_model=SalePublic)
def cancel_sale(sale_id: uuid.UUID, body: CancelCreate, c: CounterDep) -> dict[str, Any]:
    return sales.cancel_sale(c.rt, sale_id=str(sale_id), reason=body.reason, actor=c.actor)


@router.post("/{sale_id}/reprint", response_model=ReceiptPublic)
def reprint(sale_id: uuid.UUID, c: CounterDep) -> dict[str, Any]:
    """Print the receipt again, marked 再発行."""
    return receipts.reprint_receipt(c.rt, sale_id=str(sale_id), actor=c.actor)


@router.post("/{sale_id}/refunds", response_model=SaleRefundsPublic, status_code=status.HTTP_201_CREATED)
def refund_sale(sale_id: uuid.UUID, body: RefundCreate, c: CounterDep) -> dict[str, Any]:
    """Refund a paid sale (supervisor)."""
    return refunds.refund_sale(c.rt, refund_id=str(body.id), sale_id=str(sale_id), reason=body.reason,
                               actor=c.actor)


@router.post("/{sale_id}/allow-cash", response_model=SalePublic)
def allow_cash(sale_id: uuid.UUID, body: NoteCreate, c: CounterDep) -> dict[str, Any]:
    """Let a sale held in doubt be paid in cash (supervisor)."""
    return incidents.allow_cash_in_doubt(c.rt, sale_id=str(sale_id), note=body.note, actor=c.actor)
