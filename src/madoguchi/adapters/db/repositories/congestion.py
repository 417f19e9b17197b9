"""What the public congestion board reads: queues per site, stations serving, payment times.

Counts and durations only, never a sale id, an amount or a name: what leaves here is what
the public may see. Every method reads; callers open a read-only unit of work.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from madoguchi.adapters.db.tables import Payment, PaymentStation, Sale
from madoguchi.domain.sale import PaymentState, SaleState

if TYPE_CHECKING:
    from madoguchi.adapters.db.uow import UnitOfWork

#: The states of a sale whose resident waits for (or stands at) a payment station. An
#: in-doubt sale is left out: it waits for the card company's answer, not for a station,
#: and may stay open long after the resident has gone (a supervisor lets them pay in cash
#: meanwhile, which returns the sale to awaiting payment, where it is counted again).
WAITING = (SaleState.AWAITING_PAYMENT.value, SaleState.PAYING.value)
#: Recent payments read per site at most (the median of more would say nothing new).
MAX_SAMPLES = 500


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


class CongestionRepository:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def waiting_by_site(self, business_date: dt.date) -> dict[str, int]:
        """Residents handed off and not yet paid, per site, on ``business_date``."""
        rows = self._uow.session.execute(
            select(Sale.site, func.count()).where(Sale.state.in_(WAITING), Sale.business_date == business_date)
            .group_by(Sale.site)).all()
        return {site: int(n) for site, n in rows}

    def stations_without_fault(self) -> frozenset[str]:
        """Payment stations not stopped by a fault (a jam, a paper-out)."""
        rows = self._uow.session.execute(select(PaymentStation.id).where(PaymentStation.fault.is_(None))).scalars()
        return frozenset(rows)

    def payment_seconds(self, site: str, since: dt.datetime) -> tuple[float, ...]:
        """Seconds from start to completion of the site's payments approved since ``since``."""
        rows = self._uow.session.execute(
            select(Payment.started_at, Payment.completed_at)
            .where(Payment.site == site, Payment.state.in_((PaymentState.APPROVED.value,
                                                            PaymentState.REFUNDED.value,
                                                            PaymentState.CANCELLED.value)),
                   Payment.completed_at.is_not(None), Payment.completed_at >= since)
            .order_by(Payment.completed_at.desc()).limit(MAX_SAMPLES)).all()
        return tuple(max(0.0, (_aware(done) - _aware(started)).total_seconds())
                     for started, done in rows if done is not None)
