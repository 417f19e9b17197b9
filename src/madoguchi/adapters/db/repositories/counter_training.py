"""Training mode's rows: which stations train, the record of switches, and the marks
that keep a store's payment stations out of service (``services/counter/training.py``)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from madoguchi.adapters.db.tables import Payment, PaymentStation, Refund, Sale
from madoguchi.adapters.db.training_tables import TrainingStation, TrainingSwitch

if TYPE_CHECKING:
    from madoguchi.adapters.db.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Switch:
    station_id: str
    kind: str
    site: str
    training: bool
    at: dt.datetime
    actor: str
    note: str


class TrainingRows:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def stations(self) -> list[tuple[str, str]]:
        """``(station id, kind)`` of every station in training."""
        return [(s, k) for s, k in self._uow.session.execute(
            select(TrainingStation.station_id, TrainingStation.kind)).all()]

    def is_training(self, station_id: str) -> bool:
        return self._uow.session.get(TrainingStation, station_id) is not None

    def holds(self, *, sale_id: str | None, payment_id: str | None, refund_id: str | None) -> bool:
        """Whether this store has the sale, payment or refund named."""
        s = self._uow.session
        return bool((sale_id and s.get(Sale, sale_id)) or (payment_id and s.get(Payment, payment_id))
                    or (refund_id and s.get(Refund, refund_id)))

    def switch(self, *, station_id: str, kind: str, site: str, training: bool, at: dt.datetime, actor: str,
               note: str) -> None:
        """The station in training (or not), and the switch recorded."""
        s = self._uow.session
        if training:
            s.add(TrainingStation(station_id=station_id, kind=kind, site=site, since=at, switched_by=actor))
        else:
            s.execute(delete(TrainingStation).where(TrainingStation.station_id == station_id))
        s.add(TrainingSwitch(station_id=station_id, kind=kind, site=site, training=training, at=at,
                             actor=actor, note=note))

    def switches(self) -> list[Switch]:
        """The record of switches, newest first."""
        rows = self._uow.session.execute(select(TrainingSwitch).order_by(TrainingSwitch.id.desc())).scalars()
        return [Switch(r.station_id, r.kind, r.site, r.training, r.at, r.actor, r.note) for r in rows]

    def open_sale_at(self, kind: str, station_id: str, states: frozenset[str]) -> str | None:
        """A sale not finished at the station (staff or payment), or the one a payment station holds."""
        column = Sale.staff_station if kind == "staff" else Sale.payment_station
        busy = self._uow.session.execute(select(Sale.id).where(column == station_id, Sale.state.in_(states))
                                         .limit(1)).scalar_one_or_none()
        if busy is None and kind == "payment":
            row = self._uow.session.get(PaymentStation, station_id)
            busy = row.current_sale_id if row is not None else None
        return busy

    def mark_stations(self, training: frozenset[str], *, not_training: str) -> None:
        """In a training store: the payment stations not in ``training`` out of service
        (fault ``not_training``), the ones in it back in service."""
        for row in self._uow.session.execute(select(PaymentStation)).scalars():
            if row.id in training and row.fault == not_training:
                row.fault = None
            elif row.id not in training and row.fault is None and row.current_sale_id is None:
                row.fault = not_training
