"""What the HTTP API accepts and answers about sales, payments and incidents (XCreate / XPublic).

The building blocks (strict codes, bounded text) are in :mod:`madoguchi.api.schemas`.
"""
from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, Field

from madoguchi.domain.sale import MAX_QUANTITY, Exemption
from madoguchi.http.fields import Code, Evidence, ExemptionNote, Input, Note, Reason, Reference


# --- sales -------------------------------------------------------------------------------
class SaleCreate(Input):
    id: uuid.UUID
    staff_station: Code


class LineCreate(Input):
    id: uuid.UUID
    fee_code: Code
    quantity: Annotated[int, Field(strict=True, ge=1, le=MAX_QUANTITY)] = 1
    exemption: Exemption | None = None
    exemption_note: ExemptionNote | None = None


class StationChoice(Input):
    """A hand-off or a move: a payment station by id, or any free one of the site."""

    id: uuid.UUID
    payment_station: Code | None = None
    #: The clerk was told the named station's screen is not connected and sends the sale anyway.
    screen_offline_ok: bool = False


class CancelCreate(Input):
    reason: Reason


class RefundCreate(Input):
    id: uuid.UUID
    reason: Reason


class NoteCreate(Input):
    note: Note = ""


class LinePublic(BaseModel):
    id: str
    fee_code: str
    name_ja: str
    name_en: str
    quantity: int
    list_price: int
    unit_price: int
    amount: int
    revenue_line_code: str
    revenue_line_name: str
    exemption: str | None
    exemption_note: str | None


class ReceiptPublic(BaseModel):
    id: int
    number: int
    payment_station: str
    state: str
    prints: int
    last_error: str | None


class PaymentPublic(BaseModel):
    id: str
    request_id: str
    sale_id: str
    method: str
    brand: str | None
    category: str
    amount: int
    state: str
    tendered: int | None
    change: int | None
    processor_reference: str | None
    failure: str | None
    payment_station: str
    terminal_id: str | None
    started_at: str | None
    completed_at: str | None


class SalePublic(BaseModel):
    id: str
    site: str
    staff_station: str
    payment_station: str | None
    state: str
    total: int
    paid_amount: int
    due: int
    cash_only: bool
    created_by: str
    created_at: str | None
    business_date: str
    paid_at: str | None
    lines: list[LinePublic]
    payments: list[PaymentPublic]
    receipt: ReceiptPublic | None
    open_incidents: list[str]
    #: Set when the sale arrived for a closed business day and was booked on the next open one.
    day_notice: str | None = None


class PaymentDetail(PaymentPublic):
    """A payment with its sale; a cash payment also says how much is in and still due."""

    sale: SalePublic | None = None
    inserted: int | None = None
    remaining: int | None = None
    receipt: ReceiptPublic | None = None


class RefundPublic(BaseModel):
    id: str
    sale_id: str
    payment_id: str
    method: str
    amount: int
    state: str
    reason: str
    approved_by: str
    created_at: str | None
    completed_at: str | None


class SaleRefundsPublic(BaseModel):
    sale: SalePublic
    refunds: list[RefundPublic]


# --- payments ----------------------------------------------------------------------------
class CashCreate(Input):
    id: uuid.UUID
    sale_id: uuid.UUID


class CashlessCreate(Input):
    id: uuid.UUID
    sale_id: uuid.UUID
    brand: Code


# --- incidents ---------------------------------------------------------------------------
class IncidentPublic(BaseModel):
    id: str
    kind: str
    state: str
    site: str
    payment_station: str | None
    sale_id: str | None
    payment_id: str | None
    request_id: str | None
    brand: str | None
    amount: int
    summary: str
    opened_at: str | None
    resolved_at: str | None
    resolution: str | None
    resolved_by: str | None
    note: str | None
    answer: str | None = None
    sale: SalePublic | None = None


class ResolveCreate(Input):
    paid: Annotated[bool, Field(strict=True)]
    evidence: Evidence
    reference: Reference | None = None
