"""What the HTTP API accepts and answers, apart from the tables (XCreate / XPublic): login,
the catalog and places, health, the journal check and the demo panel. The building blocks
(codes, bounded text, denominations, :class:`Input`) are in :mod:`madoguchi.http.fields`.
Sales, payments and incidents are in ``schemas_sales``, payment stations in
``schemas_stations``, the close of month in ``schemas_reconcile``.

Outputs mirror the plain dicts of :mod:`madoguchi.services.counter.views`.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

# ``text`` stays importable from here for schemas_reconcile.
# ``Input`` and ``text`` are re-exported: schemas_reconcile imports them from here.
from madoguchi.http.fields import Code, Denomination, Login, Password
from madoguchi.http.fields import Input as Input
from madoguchi.http.fields import text as text


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
