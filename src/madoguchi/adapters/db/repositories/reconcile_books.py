"""What the close of month reads of the counter's books: payments, sales, the journal, closed days, staff.

Reached as ``uow.reconcile_books``; read-only, every method returns typed values or plain
ints, strings and dates. The payments near a month are read in one SELECT of plain columns
(a month can hold a million), as typed tuples; lists of references are bounded per query.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Row, Select, func, or_, select
from sqlalchemy.orm import Session

from madoguchi.adapters.db.tables import JournalRow, Payment, Sale, SaleLine, Staff
from madoguchi.domain.reconcile_records import ClosedDay, LateBooking, NearPayment, RefundEntry

#: References per IN list: a bound every database takes.
_IN_BATCH = 1000


def _batches(refs: Iterable[str]) -> Iterable[list[str]]:
    wanted = sorted(set(refs))
    for at in range(0, len(wanted), _IN_BATCH):
        yield wanted[at:at + _IN_BATCH]


def _lines_query() -> Select[str, str, int]:
    return (select(Payment.request_id, SaleLine.revenue_line_code, func.sum(SaleLine.amount))
            .join(SaleLine, Payment.sale_id == SaleLine.sale_id)
            .group_by(Payment.request_id, SaleLine.revenue_line_code))


def _add_lines(out: dict[str, dict[str, int]], rows: Iterable[Row[str, str, int]]) -> None:
    for ref, code, amount in rows:
        out.setdefault(ref, {})[code] = int(amount)


class ReconcileBooks:
    def __init__(self, session: Session) -> None:
        self._session = session

    def payments_between(self, first: dt.date, last: dt.date) -> list[NearPayment]:
        """Every payment whose business day is from ``first`` to ``last`` (inclusive)."""
        cols = (Payment.request_id, Payment.processor_reference, Payment.terminal_id, Payment.site,
                Payment.payment_station, Payment.brand, Payment.category, Payment.amount, Payment.state,
                Payment.completed_at, Payment.started_at, Payment.business_date, Payment.booked_on)
        result = self._session.execute(select(*cols).where(Payment.business_date.between(first, last)))
        return [NearPayment._make(row) for row in result]

    def cashless_payment_state(self, request_id: str) -> str | None:
        """The state of our cashless payment with this merchant reference; ``None`` if there is none."""
        return self._session.execute(select(Payment.state).where(
            Payment.request_id == request_id, Payment.category != "cash")).scalar_one_or_none()

    def sale_of_payment(self, request_id: str) -> tuple[str, str | None]:
        """The payment's sale id and the sale's state (``None`` if the sale is gone)."""
        sale_id = self._session.execute(select(Payment.sale_id).where(Payment.request_id == request_id)
                                        ).scalar_one()
        state = self._session.execute(select(Sale.state).where(Sale.id == sale_id)).scalar_one_or_none()
        return sale_id, state

    def sales_of_payments(self, refs: Iterable[str]) -> dict[str, str]:
        """The sale of each payment, by merchant reference."""
        out: dict[str, str] = {}
        for batch in _batches(refs):
            rows = self._session.execute(select(Payment.request_id, Payment.sale_id)
                                         .where(Payment.request_id.in_(batch)))
            out.update({ref: sale_id for ref, sale_id in rows})
        return out

    def revenue_lines(self, refs: Iterable[str]) -> dict[str, dict[str, int]]:
        """Each payment's revenue lines (歳入科目) with the amount of its sale on each."""
        out: dict[str, dict[str, int]] = {}
        for batch in _batches(refs):
            _add_lines(out, self._session.execute(_lines_query().where(Payment.request_id.in_(batch))))
        return out

    def revenue_lines_between(self, first: dt.date, last: dt.date) -> dict[str, dict[str, int]]:
        """:meth:`revenue_lines` of every payment :meth:`payments_between` reads, in one SELECT."""
        out: dict[str, dict[str, int]] = {}
        _add_lines(out, self._session.execute(_lines_query().where(Payment.business_date.between(first, last))))
        return out

    def revenue_names(self) -> dict[str, str]:
        rows = self._session.execute(select(SaleLine.revenue_line_code, SaleLine.revenue_line_name).distinct())
        return {code: name for code, name in rows}

    def late_bookings(self, first: dt.date, last: dt.date, *, states: Iterable[str]) -> list[LateBooking]:
        """Cashless payments booked late, of a day of the period or booked in one."""
        rows = self._session.execute(
            select(Payment.request_id, Payment.site, Payment.business_date, Payment.booked_on, Payment.amount)
            .where(Payment.booked_on.is_not(None), Payment.category != "cash", Payment.state.in_(list(states)),
                   or_(Payment.business_date.between(first, last), Payment.booked_on.between(first, last)))).all()
        return [LateBooking._make(r) for r in rows]

    def refund_entries_since(self, first: dt.date) -> list[RefundEntry]:
        """The journal's ``refund`` entries dated on or after ``first``."""
        rows = self._session.execute(select(JournalRow.site, JournalRow.business_date, JournalRow.amount,
                                            JournalRow.data).where(
            JournalRow.kind == "refund", JournalRow.business_date >= first.isoformat())).all()
        return [RefundEntry._make(r) for r in rows]

    def closed_days(self, first: dt.date, last: dt.date) -> list[ClosedDay] | None:
        """The whole-site closes of day from ``first`` to ``last``; ``None`` if the close of day is not installed."""
        try:
            from madoguchi.adapters.db.close_tables import WHOLE_SITE, DayClose
        except ImportError:
            return None
        rows = self._session.execute(select(DayClose.business_date, DayClose.site, DayClose.figures).where(
            DayClose.station == WHOLE_SITE, DayClose.state == "closed",
            DayClose.business_date.between(first, last))).all()
        return [ClosedDay._make(r) for r in rows]

    def display_names(self, logins: Iterable[str]) -> dict[str, str]:
        """Each known login's display name."""
        wanted = sorted(set(logins))
        rows = self._session.execute(select(Staff.login, Staff.display_name).where(Staff.login.in_(wanted)))
        return {login: name for login, name in rows}
