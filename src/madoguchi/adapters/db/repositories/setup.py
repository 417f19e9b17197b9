"""What start-up needs: the payment stations' rows and the staff logins that exist."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from madoguchi.adapters.db.tables import PaymentStation, Staff

if TYPE_CHECKING:
    from madoguchi.adapters.db.uow import UnitOfWork


class SetupRepository:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def payment_station_ids(self) -> frozenset[str]:
        return frozenset(self._uow.session.execute(select(PaymentStation.id)).scalars())

    def add_payment_station(self, station_id: str, site: str) -> None:
        """A new station's row: free, in service, its receipts numbered from 1."""
        self._uow.session.add(PaymentStation(id=station_id, site=site, current_sale_id=None, fault=None,
                                             next_receipt_number=1))

    def staff_logins(self) -> frozenset[str]:
        return frozenset(self._uow.session.execute(select(Staff.login)).scalars())
