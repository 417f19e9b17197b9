"""The report of one site-day around its figures: stations, incidents, findings, approval.

The figures themselves are added up in :mod:`madoguchi.domain.day_totals` (re-exported
here, so the sheet, the slip and the close import one module).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from madoguchi.domain.anchor import SignedCheckpoint
from madoguchi.domain.close import Finding, StationState
from madoguchi.domain.day_totals import (
    CATEGORIES,
    CATEGORY_JA,
    REFUND_METHOD_JA,
    REFUND_METHODS,
    AdjustmentLine,
    DayTotals,
    Tally,
    positions_from_entries,
    totals_from_entries,
)

__all__ = ["CATEGORIES", "CATEGORY_JA", "REFUND_METHODS", "REFUND_METHOD_JA", "AdjustmentLine", "DayReport",
           "DayTotals", "IncidentLine", "StationReport", "Tally", "positions_from_entries", "totals_from_entries"]

@dataclass(frozen=True, slots=True)
class IncidentLine:
    opened_at: dt.datetime
    kind: str
    state: str
    station: str | None
    brand: str | None
    amount: int
    summary: str
    resolution: str | None = None
    carried: bool = False   # opened on an earlier day and still open
    request_id: str | None = None
    sale_id: str | None = None
    # The sale as staff know it, never by its id: its receipt (payment station's name, number)
    # once paid, else where and when it was taken (staff station's name, time).
    receipt: tuple[str, int] | None = None
    taken: tuple[str, dt.datetime] | None = None


@dataclass(frozen=True, slots=True)
class StationReport:
    id: str
    name: str
    state: StationState
    closed_by: str | None = None
    closed_at: dt.datetime | None = None
    receipts: tuple[int, int, int] | None = None  # (first number, last number, how many) of the day


@dataclass(frozen=True)
class DayReport:
    municipality: str
    site: str
    site_name: str
    day: dt.date
    closed: bool
    generated_at: dt.datetime
    totals: DayTotals
    stations: tuple[StationReport, ...]
    incidents: tuple[IncidentLine, ...] = ()
    findings: tuple[Finding, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)  # fee, revenue line and brand code -> name
    people: Mapping[str, str] = field(default_factory=dict)  # staff login -> display name
    approved_by: str | None = None
    approved_at: dt.datetime | None = None
    note: str | None = None
    #: (count, reason) of the day's journal entries written unsigned (the signing key was not usable).
    journal_unsigned: tuple[tuple[int, str], ...] = ()
    #: The signed checkpoint the site's close anchored (printed as a code and a QR code).
    checkpoint: SignedCheckpoint | None = None

    @property
    def cash_expected(self) -> int:
        return sum(s.state.position.expected for s in self.stations)

    @property
    def cash_counted(self) -> int | None:
        counted = [s.state.counted_total for s in self.stations]
        return None if any(c is None for c in counted) else sum(c for c in counted if c is not None)

    @property
    def over_short(self) -> int | None:
        counted = self.cash_counted
        return None if counted is None else counted - self.cash_expected

    @property
    def open_incidents(self) -> int:
        return sum(1 for i in self.incidents if i.state == "open")

    def name(self, code: str | None) -> str:
        return self.names.get(code or "", code or "")

    def station_name(self, station: str | None) -> str:
        return next((s.name for s in self.stations if s.id == station), station or "")

    def person(self, login: str | None) -> str:
        """A staff member as people know them (their display name), not their login ID."""
        return self.people.get(login or "", login or "")
