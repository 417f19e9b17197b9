"""What the HTTP API accepts and answers, apart from the tables (XCreate / XPublic).

Inputs are strict: whole numbers must be JSON integers (``1.5`` and ``"2"`` are
refused, never truncated), free text is bounded and free of control characters, and
codes are short ASCII. Outputs mirror the plain dicts of :mod:`madoguchi.services.views`.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from madoguchi.domain.money import DENOMINATIONS
from madoguchi.domain.sale import MAX_QUANTITY, Exemption

# --- building blocks ---------------------------------------------------------------------
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
#: A site, station, fee or brand code: short ASCII, safe in any database.
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]


def _printable(value: str) -> str:
    # NUL cannot be stored by PostgreSQL, and no control character belongs in a note.
    if any(ord(c) < 32 and c not in "\n\t" or ord(c) == 127 for c in value):
        raise ValueError("control characters are not allowed")
    return value


def text(max_length: int, min_length: int = 0) -> Any:
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length),
                     AfterValidator(_printable)]


def _denomination(value: int) -> int:
    if value not in DENOMINATIONS:
        raise ValueError(f"not a yen denomination (use {', '.join(map(str, DENOMINATIONS))})")
    return value


Denomination = Annotated[int, Field(strict=True), AfterValidator(_denomination)]
Login = text(64, 1)
Password = text(1024, 1)
Reason = text(200, 1)
Note = text(500)
ExemptionNote = text(200)
Evidence = text(500, 1)
Reference = text(64)


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- auth --------------------------------------------------------------------------------
class LoginCreate(Input):
    login: Login
    password: Password


class SessionPublic(BaseModel):
    login: str
    role: str
    sites: list[str]
    display_name: str | None = None
    csrf_token: str | None = None


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"


# --- catalog and places ----------------------------------------------------------------
class FeePublic(BaseModel):
    code: str
    name_ja: str
    name_en: str
    amount: int
    revenue_line_code: str
    revenue_line_name: str
    department: str
    exemptible: bool
    effective_from: dt.date


class SitePublic(BaseModel):
    code: str
    name: str


class StaffStationPublic(BaseModel):
    id: str
    site: str
    name: str


class PaymentStationPublic(BaseModel):
    id: str
    site: str
    name: str
    number: int
    colour: str


class PlacesPublic(BaseModel):
    municipality: str
    sites: list[SitePublic]
    staff_stations: list[StaffStationPublic]
    payment_stations: list[PaymentStationPublic]


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


# --- stations ----------------------------------------------------------------------------
class ChangerPublic(BaseModel):
    status: str
    counts: dict[int, int]
    deposit: int


class StationPublic(BaseModel):
    id: str
    site: str
    name: str
    number: int
    colour: str
    current_sale_id: str | None
    fault: str | None
    changer: ChangerPublic
    printer: str
    terminal_online: bool
    pending_receipts: int


class CashMoveCreate(Input):
    direction: Literal["float", "in", "out"]
    counts: dict[Denomination, Annotated[int, Field(strict=True, ge=0, le=10_000)]]
    reason: Note = ""


class CashMovePublic(BaseModel):
    payment_station: str
    amount: int
    inventory: dict[int, int]


class JamCleared(BaseModel):
    payment_station: str
    returned: int
    resolved: list[str]


class JournalCheck(BaseModel):
    ok: bool
    entries: int
    broken_at: int | None = None
    reason: str | None = None


class Health(BaseModel):
    status: str


# --- the demo simulator panel ------------------------------------------------------------
class InsertCreate(Input):
    denomination: Denomination
    count: Annotated[int, Field(strict=True, ge=1, le=100)] = 1


class ChangerFaultCreate(Input):
    operation: Code


class TerminalScriptCreate(Input):
    outcome: Code


class PrinterStateCreate(Input):
    paper_out: Annotated[bool, Field(strict=True)]


class SimPublic(BaseModel):
    payment_station: str
    done: str
