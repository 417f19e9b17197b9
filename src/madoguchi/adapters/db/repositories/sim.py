"""What the day simulator reads: whether its stations are free, and the records of its day."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from madoguchi.adapters.db.tables import Incident, Payment, PaymentStation, Receipt, Sale, SaleLine
from madoguchi.adapters.db.uow import current_head
from madoguchi.domain.sale import PaymentState
from madoguchi.domain.sim_day import ApprovedPayment, SimulatedDayRecords, StationInUse

if TYPE_CHECKING:
    from madoguchi.adapters.db.uow import UnitOfWork

#: Ids per ``IN (...)``: well inside every database's limit on bound parameters.
CHUNK = 500


class SimRepository:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def stations_in_use(self, station_ids: Sequence[str]) -> tuple[StationInUse, ...]:
        """Those of ``station_ids`` that are out of service or serving a sale."""
        rows = self._uow.session.execute(
            select(PaymentStation.id, PaymentStation.fault, PaymentStation.current_sale_id)
            .where(PaymentStation.id.in_(station_ids))).all()
        return tuple(StationInUse(id, fault, sale) for id, fault, sale in rows if fault or sale)

    def day_records(self, sale_ids: Sequence[str], stations: Sequence[str]) -> SimulatedDayRecords:
        """The stored states, approved payments and open incidents of ``sale_ids``, and
        the receipts still pending at ``stations``."""
        s = self._uow.session
        states: list[str] = []
        exemptions: list[str | None] = []
        approved: list[ApprovedPayment] = []
        kinds: list[str] = []
        for n in range(0, len(sale_ids), CHUNK):
            chunk = sale_ids[n:n + CHUNK]
            states += s.execute(select(Sale.state).where(Sale.id.in_(chunk))).scalars()
            exemptions += s.execute(select(SaleLine.exemption).where(SaleLine.sale_id.in_(chunk))).scalars()
            for id, category, amount, brand, completed_at in s.execute(
                    select(Payment.id, Payment.category, Payment.amount, Payment.brand, Payment.completed_at)
                    .where(Payment.sale_id.in_(chunk), Payment.state == PaymentState.APPROVED.value)):
                assert completed_at is not None  # an approved payment has completed
                approved.append(ApprovedPayment(id, category, amount, brand, completed_at))
            kinds += s.execute(select(Incident.kind).where(Incident.sale_id.in_(chunk),
                                                           Incident.state == "open")).scalars()
        pending = s.execute(select(func.count(Receipt.id)).where(
            Receipt.state == "pending", Receipt.payment_station.in_(stations))).scalar_one()
        journal_entries, _ = current_head(s)
        return SimulatedDayRecords(
            sale_states=tuple(states), exempt_lines=sum(1 for e in exemptions if e),
            approved=tuple(sorted(approved, key=lambda p: (p.completed_at, p.id))),
            open_incident_kinds=tuple(kinds), receipts_pending=pending, journal_entries=journal_entries)
