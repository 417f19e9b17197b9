"""Refunds and the copies they gave back, as :mod:`madoguchi.domain.refund` values (ORM: a rare path)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from madoguchi.adapters.db.refund_tables import RefundLine
from madoguchi.adapters.db.tables import Refund as RefundRow
from madoguchi.adapters.db.tables import SaleLine
from madoguchi.domain.refund import Refund, RefundedLine

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from madoguchi.adapters.db.uow import UnitOfWork

_KEYS = tuple(c.key for c in RefundRow.__table__.c)
_CHANGES = ("method", "state", "reason", "completed_at")


def _value(row: RefundRow) -> Refund:
    return Refund(**{k: getattr(row, k) for k in _KEYS})


class RefundRepository:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    @property
    def _s(self) -> Session:
        return self._uow.session

    def find(self, refund_id: str) -> Refund | None:
        row = self._s.get(RefundRow, refund_id)
        return None if row is None else _value(row)

    def get(self, refund_id: str) -> Refund:
        refund = self.find(refund_id)
        assert refund is not None, f"no refund {refund_id}"
        return refund

    def add(self, refund: Refund) -> None:
        self._s.add(RefundRow(**{k: getattr(refund, k) for k in _KEYS}))
        self._s.flush()

    def save(self, refund: Refund) -> None:
        row = self._s.get(RefundRow, refund.id)
        assert row is not None, f"no refund {refund.id}"
        for key in _CHANGES:
            setattr(row, key, getattr(refund, key))
        self._s.flush()

    def of_sale(self, sale_id: str) -> list[Refund]:
        rows = self._s.execute(select(RefundRow).where(RefundRow.sale_id == sale_id)
                               .order_by(RefundRow.created_at)).scalars()
        return [_value(r) for r in rows]

    def in_progress(self) -> list[Refund]:
        """Refunds a crash may have left half-way, oldest first."""
        rows = self._s.execute(select(RefundRow).where(RefundRow.state == "in_progress")
                               .order_by(RefundRow.created_at)).scalars()
        return [_value(r) for r in rows]

    def given_by_payment(self, sale_id: str) -> dict[str, int]:
        """What the refunds of a sale gave back so far, by payment."""
        rows = self._s.execute(select(RefundRow.payment_id, func.sum(RefundRow.amount))
                               .where(RefundRow.sale_id == sale_id).group_by(RefundRow.payment_id))
        return {pid: int(total or 0) for pid, total in rows}

    def given_on(self, payment_id: str) -> int:
        total = self._s.execute(select(func.sum(RefundRow.amount)).where(RefundRow.payment_id == payment_id)).scalar()
        return int(total or 0)

    def copies_refunded(self, sale_id: str) -> dict[str, int]:
        """Copies refunded so far, by sale line."""
        rows = self._s.execute(select(RefundLine.sale_line_id, func.sum(RefundLine.quantity))
                               .where(RefundLine.sale_id == sale_id).group_by(RefundLine.sale_line_id))
        return {lid: int(n) for lid, n in rows}

    def add_lines(self, refund_id: str, sale_id: str, lines: Iterable[tuple[str, int, int]]) -> None:
        """Record the copies a refund gives back: ``(sale line id, copies, amount)``."""
        for line_id, copies, amount in lines:
            self._s.add(RefundLine(refund_id=refund_id, sale_line_id=line_id, sale_id=sale_id,
                                   quantity=copies, amount=amount))
        self._s.flush()

    def lines_of(self, refund_id: str) -> list[RefundedLine]:
        rows = self._s.execute(select(RefundLine, SaleLine).join(SaleLine, SaleLine.id == RefundLine.sale_line_id)
                               .where(RefundLine.refund_id == refund_id).order_by(SaleLine.position)).all()
        return [RefundedLine(line_id=sl.id, position=sl.position, fee_code=sl.fee_code, unit_price=sl.unit_price,
                             revenue_line_code=sl.revenue_line_code, exemption=sl.exemption, of=sl.quantity,
                             copies=rl.quantity, amount=rl.amount) for rl, sl in rows]

    def sale_has_lines(self, sale_id: str) -> bool:
        """Whether any refund of the sale gave back copies (it was refunded by copies)."""
        n = self._s.execute(select(func.count()).select_from(RefundLine).where(RefundLine.sale_id == sale_id)).scalar()
        return bool(n)
