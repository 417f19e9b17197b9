"""What the city's outcomes read: the paid payments of a period with their sales' moments, and
the settlement fees of the month closes that were run.

Plain column reads, one statement each; every answer is a value from ``domain/outcomes.py``.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from madoguchi.adapters.db.reconcile_tables import ReconcileRun
from madoguchi.adapters.db.tables import Payment, Sale
from madoguchi.domain.outcomes import MonthFees, PaidPayment
from madoguchi.domain.sale import PaymentState

#: The money moved at the station (a later refund does not undo that it was paid there).
PAID = (PaymentState.APPROVED.value, PaymentState.REFUNDED.value)


class OutcomesRepository:
    """``uow.outcomes``: the reads behind ``madoguchi outcomes`` and ``/office/outcomes``."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def paid_between(self, first: dt.date, last: dt.date, site: str | None = None) -> list[PaidPayment]:
        """The paid payments whose business day is in ``[first, last]`` (of ``site``), oldest first."""
        stmt = (select(Payment.id, Payment.site, Payment.payment_station, Payment.method, Payment.category,
                       Payment.brand, Payment.amount, Payment.business_date, Payment.completed_at,
                       Payment.started_at, Sale.registration_started_at, Sale.handed_off_at)
                .join(Sale, Sale.id == Payment.sale_id)
                .where(Payment.business_date >= first, Payment.business_date <= last, Payment.state.in_(PAID)))
        if site is not None:
            stmt = stmt.where(Payment.site == site)
        out = [PaidPayment(id=r[0], site=r[1], payment_station=r[2], method=r[3], category=r[4], brand=r[5],
                           amount=int(r[6]), business_date=r[7], paid_at=r[8] or r[9],
                           registration_started_at=r[10], handed_off_at=r[11])
               for r in self._s.execute(stmt)]
        return sorted(out, key=lambda p: (p.paid_at, p.id))

    def month_fees(self, months: Iterable[str]) -> list[MonthFees]:
        """The fees of the last stored run of each of ``months`` that was run (others are left out)."""
        wanted = sorted(set(months))
        rows = self._s.execute(select(ReconcileRun.month, ReconcileRun.summary)
                               .where(ReconcileRun.month.in_(wanted)).order_by(ReconcileRun.id)).all()
        last = {month: summary for month, summary in rows}  # a later run replaces an earlier one
        out = []
        for month in wanted:
            if month in last:
                data = json.loads(last[month])
                by_site = tuple(sorted((str(s), int(v.get("fee", 0))) for s, v in data.get("by_site", {}).items()))
                out.append(MonthFees(month=month, fees=int(data.get("fees", 0)), by_site=by_site))
        return out
