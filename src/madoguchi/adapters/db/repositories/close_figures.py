"""What the report of a site-day reads: its journal entries, and what is still open at the site.

Plain column reads (no ORM objects to track): a day of 2,000 sales is read in a few
statements. Every answer is a plain value from ``domain/``.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from madoguchi.adapters.db.journal import unsigned_on
from madoguchi.adapters.db.repositories.counter_places import incident_from_row
from madoguchi.adapters.db.tables import Incident, JournalRow, Payment, PaymentStation, Receipt, Refund, Sale, Staff
from madoguchi.domain.close_records import BankRefund, OpenWork, SalesKnown, StationRow
from madoguchi.domain.counter import Incident as IncidentValue
from madoguchi.domain.journal import JournalEntry
from madoguchi.domain.sale import PaymentState, SaleState

UNFINISHED = (SaleState.OPEN.value, SaleState.AWAITING_PAYMENT.value, SaleState.PAYING.value)
IN_FLIGHT = (PaymentState.PENDING.value, PaymentState.SETTLING.value)
_COLUMNS = tuple(getattr(JournalRow, name) for name in JournalEntry.__slots__)
_CHUNK = 500


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    wanted = sorted(ids)
    for n in range(0, len(wanted), _CHUNK):
        yield wanted[n:n + _CHUNK]


class DayFigures:
    """``uow.day_figures``: the reads behind one site-day's report (nothing here writes)."""

    def __init__(self, session: Session) -> None:
        self._s = session

    # --- the journal ---------------------------------------------------------------------
    def entries(self, site: str, day: dt.date) -> tuple[JournalEntry, ...]:
        """Every journal entry of one site-day, in sequence order."""
        rows = self._s.execute(select(*_COLUMNS).where(
            JournalRow.business_date == day.isoformat(), JournalRow.site == site).order_by(JournalRow.seq))
        return tuple(JournalEntry(*row) for row in rows)

    def paid_lines(self, sale_ids: Collection[str]) -> dict[str, list[list[Any]]]:
        """The lines of each sale's completing payment entry (for refunds of sales paid another day)."""
        found: dict[str, list[list[Any]]] = {}
        for chunk in _chunks(sale_ids):
            rows = self._s.execute(select(JournalRow.sale_id, JournalRow.data).where(
                JournalRow.sale_id.in_(chunk), JournalRow.kind == "sale_paid")).all()
            for sale_id, data in rows:
                details = json.loads(data)
                if sale_id and details.get("fully_paid", True) and not details.get("double_payment"):
                    found[sale_id] = details.get("lines") or []
        return found

    def unsigned(self, site: str, day: dt.date) -> tuple[tuple[int, str], ...]:
        """(count, reason) of the site-day's entries written unsigned."""
        return unsigned_on(self._s, site=site, day=day)

    # --- what is open at the site --------------------------------------------------------
    def open_work(self, stations: Collection[str], start: dt.datetime, end: dt.datetime) -> OpenWork:
        """The stations' rows, payments in flight, receipts waiting and the receipts of ``[start, end)``."""
        ids = list(stations)
        s = self._s
        rows = {sid: StationRow(sale, fault) for sid, sale, fault in s.execute(
            select(PaymentStation.id, PaymentStation.current_sale_id, PaymentStation.fault)
            .where(PaymentStation.id.in_(ids))).all()}
        in_flight = s.execute(select(Payment.payment_station, Payment.id).where(
            Payment.payment_station.in_(ids), Payment.state.in_(IN_FLIGHT))).all()
        pending = s.execute(select(Receipt.payment_station, func.count()).where(
            Receipt.payment_station.in_(ids), Receipt.state == "pending").group_by(Receipt.payment_station)).all()
        receipts = s.execute(select(
            Receipt.payment_station, func.min(Receipt.number), func.max(Receipt.number), func.count()).where(
            Receipt.payment_station.in_(ids), Receipt.created_at >= start, Receipt.created_at < end)
            .group_by(Receipt.payment_station)).all()
        return OpenWork(stations=rows, in_flight=tuple((st, pid) for st, pid in in_flight),
                        receipts_pending={sid: int(n) for sid, n in pending},
                        receipts={sid: (first, last, int(n)) for sid, first, last, n in receipts})

    def incidents(self, site: str, start: dt.datetime, end: dt.datetime) -> tuple[IncidentValue, ...]:
        """Incidents opened in ``[start, end)``, or earlier and not resolved before ``start``; oldest first."""
        i = Incident
        rows = self._s.execute(select(i).where(
            i.site == site, i.opened_at < end,
            or_(i.opened_at >= start, i.resolved_at.is_(None), i.resolved_at >= start))
            .order_by(i.opened_at)).scalars()
        return tuple(incident_from_row(row) for row in rows)

    def bank_refunds(self, site: str, start: dt.datetime, end: dt.datetime) -> tuple[BankRefund, ...]:
        """Refunds by bank transfer made before ``end``: those of ``[start, end)`` and those still owed."""
        r = Refund
        rows = self._s.execute(select(r.id, r.sale_id, r.amount, r.reason, r.state, r.created_at)
                               .join(Sale, Sale.id == r.sale_id).where(
            Sale.site == site, r.method == "bank_transfer", r.created_at < end,
            or_(r.state == "pending", r.created_at >= start)).order_by(r.created_at)).all()
        return tuple(BankRefund(*row) for row in rows)

    def open_sales(self, site: str, day: dt.date) -> tuple[tuple[str, str], ...]:
        """(sale id, state) of the site's sales of ``day`` or before still unfinished, oldest first."""
        return tuple((sid, st) for sid, st in self._s.execute(select(Sale.id, Sale.state).where(
            Sale.site == site, Sale.business_date <= day, Sale.state.in_(UNFINISHED))
            .order_by(Sale.created_at)).all())

    def sales_known(self, sale_ids: Collection[str]) -> SalesKnown:
        """Each sale's receipt (payment station, number) and where (staff station) and when it was taken."""
        ids = [x for x in sale_ids if x]
        if not ids:
            return SalesKnown()
        taken = {sid: (desk, at) for sid, desk, at in self._s.execute(
            select(Sale.id, Sale.staff_station, Sale.created_at).where(Sale.id.in_(ids))).all()}
        receipts = {sid: (station, number) for sid, station, number in self._s.execute(
            select(Receipt.sale_id, Receipt.payment_station, Receipt.number).where(Receipt.sale_id.in_(ids))
            .order_by(Receipt.id)).all()}
        return SalesKnown(receipts=receipts, taken=taken)

    def people(self) -> dict[str, str]:
        """Staff login -> display name."""
        return {login: name for login, name in self._s.execute(select(Staff.login, Staff.display_name)).all()}
