"""The close of day's own rows: ``day_closes`` (a station's close, the site-day's lock) and their counts.

The lock itself is taken by the counter (``services/counter/days.py``); this writes
what a close records on it and reads what closes stored.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from madoguchi.adapters.db.close_tables import DayClose, DayCloseCount
from madoguchi.adapters.db.repositories.close_adjustments import Adjustments, PaymentsExport
from madoguchi.adapters.db.repositories.close_figures import DayFigures
from madoguchi.domain.close import Finding
from madoguchi.domain.close_records import WHOLE_SITE, SiteClose, StationClose, StoredClose, finding_from

__all__ = ["Adjustments", "DayCloses", "DayFigures", "PaymentsExport", "stored"]


def _findings_json(findings: Iterable[Finding]) -> str:
    return json.dumps([f.as_dict() for f in findings], ensure_ascii=False)


def stored(row: DayClose, counts: Sequence[DayCloseCount] = ()) -> StoredClose:
    """A ``day_closes`` row as a plain value; ``counts`` are its counts by denomination."""
    counted = machine = None
    if row.counted is not None:
        counted = {c.denomination: c.counted for c in counts}
        if row.machine is not None:
            machine = {c.denomination: c.machine for c in counts if c.machine is not None}
    return StoredClose(
        station=row.station, state=row.state, reason=row.reason, over_short=row.over_short,
        closed_by=row.closed_by, closed_at=row.closed_at, approved_by=row.approved_by,
        approved_at=row.approved_at, journal_seq=row.journal_seq, counted=counted, machine=machine,
        findings=tuple(finding_from(f) for f in json.loads(row.findings)) if row.findings else ())


class DayCloses:
    """``uow.closes``: the closes of site-days and of their payment stations."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def of_day(self, site: str, day: dt.date) -> dict[str, StoredClose]:
        """Every close row of the site-day by station (the site's under ``"*"``), with its counts."""
        rows = list(self._s.execute(select(DayClose).where(
            DayClose.site == site, DayClose.business_date == day)).scalars())
        counted = [r.id for r in rows if r.counted is not None]
        counts: dict[int, list[DayCloseCount]] = {}
        if counted:
            for c in self._s.execute(select(DayCloseCount).where(DayCloseCount.close_id.in_(counted))
                                     .order_by(DayCloseCount.denomination.desc())).scalars():
                counts.setdefault(c.close_id, []).append(c)
        return {r.station: stored(r, counts.get(r.id, ())) for r in rows}

    def closed_stations(self, site: str, day: dt.date) -> frozenset[str]:
        """The stations (and ``"*"`` when the site is) closed for the site-day."""
        return frozenset(self._s.execute(select(DayClose.station).where(
            DayClose.site == site, DayClose.business_date == day, DayClose.state == "closed")).scalars())

    def site_closed(self, site: str, day: dt.date) -> bool:
        state = self._s.execute(select(DayClose.state).where(
            DayClose.site == site, DayClose.station == WHOLE_SITE, DayClose.business_date == day)).scalar()
        return state == "closed"

    def station_close(self, site: str, station: str | None, day: dt.date) -> StoredClose | None:
        """The closed close of one payment station on one day, if it is closed (without its counts)."""
        row = self._s.execute(select(DayClose).where(
            DayClose.site == site, DayClose.station == station, DayClose.business_date == day,
            DayClose.state == "closed")).scalar_one_or_none()
        return None if row is None else stored(row)

    def station_close_seqs(self, site: str) -> dict[tuple[str, dt.date], int | None]:
        """(station, day) -> the journal seq of that station's close, for every station close of the site."""
        return {(station, day): seq for station, day, seq in self._s.execute(
            select(DayClose.station, DayClose.business_date, DayClose.journal_seq).where(
                DayClose.site == site, DayClose.station != WHOLE_SITE)).all()}

    def add_station_close(self, close: StationClose) -> None:
        row = DayClose(
            site=close.site, station=close.station, business_date=close.day, state="closed",
            float_amount=close.float_amount, received=close.received, change=close.change, refunds=close.refunds,
            cash_in=close.cash_in, cash_out=close.cash_out, adjustments=close.adjustments,
            expected=close.expected, machine=close.machine, counted=close.counted, over_short=close.over_short,
            reason=close.reason, findings=_findings_json(close.findings), closed_by=close.closed_by,
            closed_at=close.closed_at, journal_seq=close.journal_seq)
        row.counts = [DayCloseCount(denomination=d, counted=n, machine=m) for d, n, m in close.counts]
        self._s.add(row)

    def record_site_close(self, site: str, day: dt.date, close: SiteClose) -> None:
        """Mark the site-day's lock row closed with what the close saw (the lock is held already)."""
        lock = self._s.execute(select(DayClose).where(
            DayClose.site == site, DayClose.business_date == day, DayClose.station == WHOLE_SITE)).scalar_one()
        lock.state = "closed"
        lock.expected, lock.counted, lock.over_short = close.expected, close.counted, close.over_short
        lock.reason = close.note
        lock.figures = close.figures
        lock.findings = _findings_json(close.findings)
        lock.closed_by = lock.approved_by = close.by
        lock.closed_at = lock.approved_at = close.at
        lock.journal_seq = close.journal_seq
