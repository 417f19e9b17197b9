"""Which copies of which sale line a refund gave back (partial refunds).

One row per refund and sale line: how many copies and how much money. A whole-sale
refund after partial ones records the copies it takes too, so the rows of a sale
always say which copies are refunded; a copy is never in two of them. The migration
is ``0017_refund_lines``.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from madoguchi.adapters.db.tables import Base, Yen


class RefundLine(Base):
    __tablename__ = "refund_lines"
    __table_args__ = (Index("ix_refund_lines_sale", "sale_id"),)
    refund_id: Mapped[str] = mapped_column(ForeignKey("refunds.id"), primary_key=True)
    sale_line_id: Mapped[str] = mapped_column(ForeignKey("sale_lines.id"), primary_key=True)
    sale_id: Mapped[str] = mapped_column(String(36))
    quantity: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Yen)
