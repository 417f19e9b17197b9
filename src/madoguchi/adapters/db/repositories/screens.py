"""The screens' reads: the payment-station screen's state and a staff member's name.

Every method reads only; the callers open a read-only unit of work for them (on SQLite
a reader never waits for the writer).
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from madoguchi.adapters.db.tables import Incident, Payment, PaymentStation, Receipt, Sale, Staff
from madoguchi.domain.sale import PaymentState, SaleState
from madoguchi.domain.station_screen import ScreenLine, ScreenPayment, ScreenSale, StationOccupancy

if TYPE_CHECKING:
    from madoguchi.adapters.db.uow import UnitOfWork


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _payment(p: Payment | None) -> ScreenPayment | None:
    if p is None:
        return None
    started = _aware(p.started_at)
    assert started is not None
    return ScreenPayment(id=p.id, sale_id=p.sale_id, payment_station=p.payment_station, method=p.method,
                         category=p.category, brand=p.brand, state=p.state, amount=p.amount,
                         tendered=p.tendered, change=p.change, failure=p.failure, started_at=started,
                         completed_at=_aware(p.completed_at))


class ScreensRepository:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    @property
    def _s(self) -> Session:
        return self._uow.session

    # --- the payment station ---------------------------------------------------------
    def occupancy(self, station_id: str) -> StationOccupancy | None:
        row = self._s.get(PaymentStation, station_id)
        return None if row is None else StationOccupancy(fault=row.fault, current_sale_id=row.current_sale_id)

    def held_in_open_jams(self, station_id: str) -> int:
        """Cash held inside the station by its open jams (handed back by staff)."""
        held = self._s.execute(select(func.coalesce(func.sum(Incident.amount), 0)).where(
            Incident.payment_station == station_id, Incident.kind == "cash_jam",
            Incident.state == "open")).scalar_one()
        return int(held)

    def sale(self, sale_id: str) -> ScreenSale | None:
        sale = self._s.get(Sale, sale_id)
        if sale is None:
            return None
        lines = tuple(ScreenLine(fee_code=x.fee_code, name_ja=x.name_ja, name_en=x.name_en, quantity=x.quantity,
                                 amount=x.amount, exempt=x.exemption is not None) for x in sale.lines)
        return ScreenSale(id=sale.id, state=sale.state, total=sale.total, paid_amount=sale.paid_amount,
                          cash_only=sale.cash_only, business_date=sale.business_date, lines=lines)

    def running_payment(self, sale_id: str) -> ScreenPayment | None:
        """The sale's payment under way (pending or settling), the latest started."""
        return _payment(self._s.execute(select(Payment).where(
            Payment.sale_id == sale_id, Payment.state.in_((PaymentState.PENDING.value, PaymentState.SETTLING.value)))
            .order_by(Payment.started_at.desc()).limit(1)).scalar_one_or_none())

    def latest_payment(self, sale_id: str) -> ScreenPayment | None:
        return _payment(self._s.execute(select(Payment).where(Payment.sale_id == sale_id)
                        .order_by(Payment.started_at.desc(), Payment.completed_at.desc()).limit(1))
                        .scalar_one_or_none())

    def last_in_doubt(self, station_id: str) -> ScreenPayment | None:
        """The station's latest payment of unknown outcome whose sale is still in doubt."""
        return _payment(self._s.execute(select(Payment).join(Sale, Sale.id == Payment.sale_id).where(
            Payment.payment_station == station_id, Payment.state == PaymentState.UNKNOWN.value,
            Sale.state == SaleState.IN_DOUBT.value).order_by(Payment.started_at.desc()).limit(1))
            .scalar_one_or_none())

    def last_paid(self, station_id: str) -> ScreenPayment | None:
        """The station's latest approved payment whose sale is paid."""
        return _payment(self._s.execute(select(Payment).join(Sale, Sale.id == Payment.sale_id).where(
            Payment.payment_station == station_id, Payment.state == PaymentState.APPROVED.value,
            Sale.state == SaleState.PAID.value).order_by(Payment.completed_at.desc()).limit(1))
            .scalar_one_or_none())

    def receipt_number(self, sale_id: str) -> int | None:
        """The number of the sale's latest receipt."""
        return self._s.execute(select(Receipt.number).where(Receipt.sale_id == sale_id)
                               .order_by(Receipt.id.desc()).limit(1)).scalar_one_or_none()

    def anything_since(self, station_id: str, at: dt.datetime) -> bool:
        """A payment attempt or an incident at the station after ``at``."""
        later_payment = self._s.execute(select(Payment.id).where(
            Payment.payment_station == station_id, Payment.started_at > at).limit(1)).first()
        if later_payment is not None:
            return True
        return self._s.execute(select(Incident.id).where(
            Incident.payment_station == station_id, Incident.opened_at > at).limit(1)).first() is not None

    def pending_payment_id(self, *, sale_id: str, station_id: str, method: str) -> str | None:
        """The sale's latest pending payment by ``method`` at the station."""
        return self._s.execute(
            select(Payment.id).where(Payment.sale_id == sale_id, Payment.payment_station == station_id,
                                     Payment.method == method, Payment.state == PaymentState.PENDING.value)
            .order_by(Payment.started_at.desc()).limit(1)).scalar_one_or_none()

    # --- staff pages ---------------------------------------------------------------
    def staff_name(self, login: str) -> str | None:
        return self._s.execute(select(Staff.display_name).where(Staff.login == login)).scalar_one_or_none()
