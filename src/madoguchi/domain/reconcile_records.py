"""What the close of month keeps and reads back, as typed values (no rows, no ORM objects).

The repositories of :mod:`madoguchi.adapters.db.repositories.reconcile` return these:
an imported statement, a run, an inquiry about an incident, an open incident, a disputed
row's resolution, and the plain rows the month reads in bulk (a payment near the month,
a refund entry of the journal, a closed day's figures). Amounts are whole yen.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class StatementImportRecord:
    """A statement file imported once (its SHA-256 is unique)."""

    id: int
    sha256: str
    filename: str
    rows: int
    imported_at: dt.datetime


@dataclass(frozen=True, slots=True)
class NewStatementImport:
    """A statement file about to be imported: its totals, read from the typed rows."""

    sha256: str
    filename: str
    layout: str
    encoding: str
    rows: int
    gross: int
    fee: int
    net: int
    first_day: dt.date | None
    last_day: dt.date | None
    imported_at: dt.datetime
    imported_by: str


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A reconciliation run; ``summary`` and ``statements`` are the JSON texts it was recorded with."""

    id: int
    month: str
    ran_at: dt.datetime
    ran_by: str
    statements: str
    complete: bool
    transfer_amount: int
    summary: str
    report_path: str | None


@dataclass(frozen=True, slots=True)
class InquiryRecord:
    """One inquiry about an incident: whom we asked, when, and what they answered."""

    incident_id: str
    asked_whom: str
    asked_at: dt.datetime
    answer: str | None
    answered_at: dt.datetime | None
    recorded_by: str


@dataclass(frozen=True, slots=True)
class OpenIncident:
    id: str
    kind: str
    site: str
    station: str | None
    brand: str | None
    amount: int
    request_id: str | None
    summary: str
    opened_at: dt.datetime


@dataclass(frozen=True, slots=True)
class FeeDueCase:
    """The resident's case opened when an in-doubt payment turns out not paid."""

    id: str
    site: str
    station: str | None
    sale_id: str
    request_id: str
    brand: str | None
    amount: int
    opened_at: dt.datetime
    summary: str


@dataclass(frozen=True, slots=True)
class DisputedResolutionRecord:
    """A disputed statement row (照会中) resolved with evidence (``payment_reference`` None: none of ours)."""

    id: str
    run_id: int
    disputed_month: str
    import_id: int
    source: str
    line: int
    brand: str
    gross: int
    fee: int
    deposit_date: dt.date
    payment_reference: str | None
    evidence: str
    resolved_on: dt.date
    recorded_by: str
    recorded_at: dt.datetime


class NearPayment(NamedTuple):
    """A payment near the month, as the engine reads it (a typed tuple: a month holds a million)."""

    request_id: str
    processor_reference: str | None
    terminal_id: str | None
    site: str
    station: str
    brand: str | None
    category: str
    amount: int
    state: str
    completed_at: dt.datetime | None
    started_at: dt.datetime
    business_date: dt.date
    booked_on: dt.date | None


class LateBooking(NamedTuple):
    """A payment resolved paid after its day was closed (``booked_on`` set)."""

    request_id: str
    site: str
    business_date: dt.date
    booked_on: dt.date
    amount: int


class RefundEntry(NamedTuple):
    """A ``refund`` entry of the journal: its site, the day it is dated in, its amount and data (JSON)."""

    site: str | None
    business_date: str
    amount: int
    data: str


class ClosedDay(NamedTuple):
    """A site's closed day (close of day, whole site) and its frozen figures (JSON)."""

    business_date: dt.date
    site: str
    figures: str | None
