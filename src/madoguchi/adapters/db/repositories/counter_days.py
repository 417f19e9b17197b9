"""The site-day rows a booking or a close locks (``day_closes``), and a station's day in the journal."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import select

from madoguchi.adapters.db.close_tables import WHOLE_SITE, DayClose
from madoguchi.adapters.db.tables import JournalRow

if TYPE_CHECKING:
    from madoguchi.adapters.db.uow import UnitOfWork


class DayLocks:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def closed(self, site: str, day: dt.date, station: str | None = None) -> bool:
        """Whether the site-day (or the station's day) is closed; its rows stay locked."""
        return "closed" in self._uow.rows.day_states(site, day, station).values()

    def lock(self, site: str, day: dt.date, station: str | None = None) -> None:
        """Lock the site-day row (created when missing) and the station's row if any
        ``FOR UPDATE`` until the transaction ends, and read them afresh into the session,
        where the close's repository (``repositories/close.py``) changes them."""
        self._uow.rows.day_states(site, day, station)
        wanted = [WHOLE_SITE] if station is None else [WHOLE_SITE, station]
        self._uow.session.execute(
            select(DayClose).where(DayClose.site == site, DayClose.business_date == day,
                                   DayClose.station.in_(wanted))
            .with_for_update().execution_options(populate_existing=True)).scalars().all()

    def station_entries(self, station: str, day: dt.date) -> list[tuple[str, str]]:
        """``(kind, data)`` of the journal entries of a payment station on ``day``, in order."""
        rows = self._uow.session.execute(select(JournalRow.kind, JournalRow.data).where(
            JournalRow.business_date == day.isoformat(), JournalRow.station == station).order_by(JournalRow.seq))
        return [(kind, data) for kind, data in rows]
