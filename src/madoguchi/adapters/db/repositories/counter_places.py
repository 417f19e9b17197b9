"""Payment stations (who holds one, its fault) and incidents.

Claiming, releasing and finding free stations, and a sale's open incidents, run the
driver's compiled statements (the counter's ordinary course); faults and incidents
are written through the ORM.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from madoguchi.adapters.db.tables import Incident as IncidentRow
from madoguchi.adapters.db.tables import PaymentStation
from madoguchi.adapters.db.tables import Sale as SaleRow
from madoguchi.domain.counter import Incident

if TYPE_CHECKING:
    from madoguchi.adapters.db.uow import UnitOfWork

_INCIDENT_KEYS = tuple(c.key for c in IncidentRow.__table__.c)


@dataclass(frozen=True, slots=True)
class StationHold:
    """Who holds a payment station, and why it is out of service if it is."""

    station: str
    current_sale_id: str | None
    fault: str | None


class StationRepository:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def claim(self, station: str, sale_id: str) -> bool:
        """Occupy ``station`` for ``sale_id`` (free, or already held by it, and in service)."""
        return bool(self._uow.rows.db.run("claim", station=station, sale_id=sale_id) == 1)

    def release(self, station: str, sale_id: str) -> None:
        self._uow.rows.db.run("release", station=station, sale_id=sale_id)

    def free(self, site: str) -> list[str]:
        return [r[0] for r in self._uow.rows.db.all("free_stations", site=site)]

    def hold(self, station: str) -> StationHold | None:
        """The station as it is now (read again, not from the session's memory)."""
        row = self._uow.session.get(PaymentStation, station)
        if row is None:
            return None
        self._uow.session.refresh(row)
        return StationHold(station=row.id, current_sale_id=row.current_sale_id, fault=row.fault)

    def every(self) -> dict[str, StationHold]:
        """Every payment station row, by id."""
        rows = self._uow.session.execute(select(PaymentStation)).scalars()
        return {r.id: StationHold(station=r.id, current_sale_id=r.current_sale_id, fault=r.fault) for r in rows}

    def serving(self, sale_ids: list[str]) -> dict[str, tuple[str, int]]:
        """``{sale id: (its staff station, its total)}`` of the sales stations serve."""
        if not sale_ids:
            return {}
        rows = self._uow.session.execute(select(SaleRow.id, SaleRow.staff_station, SaleRow.total)
                                         .where(SaleRow.id.in_(sale_ids))).all()
        return {sid: (desk, total) for sid, desk, total in rows}

    def set_fault(self, station: str, fault: str | None) -> None:
        """Out of service with ``fault`` (a jam), or back in service (``None``)."""
        row = self._uow.session.get(PaymentStation, station)
        assert row is not None, f"no payment station row {station}"
        row.fault = fault


def incident_from_row(row: IncidentRow) -> Incident:
    """An incident row as its value (the close reads incidents too)."""
    return Incident(**{k: getattr(row, k) for k in _INCIDENT_KEYS})


class IncidentRepository:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def open_ids_of_sale(self, sale_id: str) -> list[str]:
        return [r[0] for r in self._uow.rows.db.all("open_incidents", sale_id=sale_id)]

    def add(self, incident: Incident) -> None:
        self._uow.session.add(IncidentRow(**{k: getattr(incident, k) for k in _INCIDENT_KEYS}))

    def find(self, incident_id: str, *, lock: bool = False) -> Incident | None:
        stmt = select(IncidentRow).where(IncidentRow.id == incident_id)
        row = self._uow.session.execute(stmt.with_for_update() if lock else stmt).scalar_one_or_none()
        return None if row is None else incident_from_row(row)

    def open_jams_at(self, station: str) -> list[Incident]:
        """The open cash-jam incidents of a payment station, locked."""
        rows = self._uow.session.execute(select(IncidentRow).where(
            IncidentRow.payment_station == station, IncidentRow.kind == "cash_jam",
            IncidentRow.state == "open").with_for_update()).scalars().all()
        return [incident_from_row(r) for r in rows]

    def listing(self, *, site: str | None, state: str | None) -> list[Incident]:
        stmt = select(IncidentRow).order_by(IncidentRow.opened_at)
        if site:
            stmt = stmt.where(IncidentRow.site == site)
        if state:
            stmt = stmt.where(IncidentRow.state == state)
        return [incident_from_row(r) for r in self._uow.session.execute(stmt).scalars().all()]

    def resolve(self, incident: Incident, *, at: dt.datetime, by: str, resolution: str,
                note: str | None) -> Incident:
        """Write ``incident`` resolved; returns it as written."""
        row = self._uow.session.get(IncidentRow, incident.id)
        assert row is not None, f"no incident {incident.id}"
        row.state, row.resolved_at, row.resolved_by = "resolved", at, by
        row.resolution, row.note = resolution, note
        return incident_from_row(row)
