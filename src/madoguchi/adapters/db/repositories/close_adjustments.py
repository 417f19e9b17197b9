"""Corrections of closed days (``day_adjustments``), and the payments export's read."""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from madoguchi.adapters.db.close_tables import Adjustment
from madoguchi.adapters.db.tables import Payment
from madoguchi.domain.close_records import AdjustmentRecord, ExportedPayment


def _record(a: Adjustment) -> AdjustmentRecord:
    return AdjustmentRecord(
        id=a.id, site=a.site, station=a.station, corrects=a.corrects_date, category=a.category,
        revenue_line=a.revenue_line, amount=a.amount, reason=a.reason, state=a.state,
        requested_by=a.requested_by, requested_at=a.requested_at, business_date=a.business_date,
        approved_by=a.approved_by, approved_at=a.approved_at, journal_seq=a.journal_seq)


class Adjustments:
    """``uow.adjustments``: requested, approved and rejected corrections of closed days."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, adjustment_id: str, *, for_update: bool = False) -> AdjustmentRecord | None:
        stmt = select(Adjustment).where(Adjustment.id == adjustment_id)
        row = self._s.execute(stmt.with_for_update() if for_update else stmt).scalar_one_or_none()
        return None if row is None else _record(row)

    def of_site(self, site: str, state: str | None = None) -> tuple[AdjustmentRecord, ...]:
        """The site's corrections (those in ``state`` if given), in the order they were asked for."""
        stmt = select(Adjustment).where(Adjustment.site == site).order_by(Adjustment.requested_at)
        if state:
            stmt = stmt.where(Adjustment.state == state)
        return tuple(_record(a) for a in self._s.execute(stmt).scalars())

    def over_short_reversed(self, site: str, station: str | None, corrects: dt.date, *,
                            states: Collection[str], besides: str) -> int:
        """What the 現金過不足 corrections (no revenue line) in ``states`` of one station-day add up to,
        leaving out ``besides``."""
        total = self._s.execute(select(func.coalesce(func.sum(Adjustment.amount), 0)).where(
            Adjustment.site == site, Adjustment.station == station, Adjustment.corrects_date == corrects,
            Adjustment.revenue_line.is_(None), Adjustment.category == "cash", Adjustment.state.in_(list(states)),
            Adjustment.id != besides)).scalar_one()
        return int(total)

    def add(self, a: AdjustmentRecord) -> None:
        self._s.add(Adjustment(
            id=a.id, site=a.site, station=a.station, corrects_date=a.corrects, category=a.category,
            revenue_line=a.revenue_line, amount=a.amount, reason=a.reason, state=a.state,
            requested_by=a.requested_by, requested_at=a.requested_at, business_date=a.business_date,
            approved_by=a.approved_by, approved_at=a.approved_at, journal_seq=a.journal_seq))
        self._s.flush()

    def save_decision(self, a: AdjustmentRecord) -> None:
        """Store an approval or a rejection: the state, who decided and when, and what it booked."""
        row = self._s.get(Adjustment, a.id)
        if row is None:
            raise LookupError(f"no adjustment {a.id}")
        row.state, row.reason, row.business_date, row.journal_seq = a.state, a.reason, a.business_date, a.journal_seq
        row.approved_by, row.approved_at = a.approved_by, a.approved_at


class PaymentsExport:
    """``uow.payments_export``: payments by business date, for the payments export."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def between(self, date_from: dt.date, date_to: dt.date) -> tuple[ExportedPayment, ...]:
        """Every payment whose business date is in ``[date_from, date_to]``, oldest first."""
        p = Payment
        rows = self._s.execute(select(
            p.request_id, p.processor_reference, p.terminal_id, p.site, p.payment_station.label("station"), p.brand,
            p.category, p.amount, p.state, p.started_at, p.completed_at, p.business_date, p.booked_on).where(
            p.business_date >= date_from, p.business_date <= date_to).order_by(p.started_at, p.id)).all()
        return tuple(ExportedPayment(**row._asdict()) for row in rows)
