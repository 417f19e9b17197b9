"""What the HTTP API accepts and answers, apart from the tables (XCreate / XPublic): the
building blocks, login, the catalog and places, health, the journal check and the demo
panel. Sales, payments and incidents are in ``schemas_sales``, payment stations in
``schemas_stations``, the close of month in ``schemas_reconcile``.

Inputs are strict: whole numbers must be JSON integers (``1.5`` and ``"2"`` are
refused, never truncated), free text is bounded and free of control characters, and
codes are short ASCII. Outputs mirror the plain dicts of :mod:`madoguchi.services.counter.views`.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from madoguchi.domain.money import DENOMINATIONS

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
