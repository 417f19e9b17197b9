"""A refund after payment, and the copies of a sale's lines it gave back, as values.

A refund is recorded before the device is asked (``in_progress``), or as owed by bank
transfer (``pending``), and is ``done`` once the money went back. Its state and method
change only as :func:`done`, :func:`owed_by_transfer` say; the journal's refund entry is
the booking (see :mod:`madoguchi.services.counter.refunds`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Literal

RefundMethod = Literal["cash", "terminal_cancel", "bank_transfer"]
RefundState = Literal["in_progress", "pending", "done"]


@dataclass(frozen=True, slots=True)
class Refund:
    id: str
    sale_id: str
    payment_id: str
    method: str
    amount: int
    state: str
    reason: str
    requested_by: str
    approved_by: str
    created_at: dt.datetime
    completed_at: dt.datetime | None = None

    @classmethod
    def new(cls, *, refund_id: str, sale_id: str, payment_id: str, method: RefundMethod, amount: int,
            reason: str, requested_by: str, approved_by: str, created_at: dt.datetime) -> Refund:
        """Owed by bank transfer: ``pending``; by the changer or the terminal: ``in_progress``."""
        return cls(id=refund_id, sale_id=sale_id, payment_id=payment_id, method=method, amount=amount,
                   state="pending" if method == "bank_transfer" else "in_progress", reason=reason[:200],
                   requested_by=requested_by, approved_by=approved_by, created_at=created_at)

    def done(self, at: dt.datetime) -> Refund:
        return replace(self, state="done", completed_at=at)

    def owed_by_transfer(self, why: str) -> Refund:
        """The terminal would not cancel: the money goes back by bank transfer instead."""
        return replace(self, method="bank_transfer", state="pending",
                       reason=f"{self.reason} (terminal cancel refused: {why})"[:200])


@dataclass(frozen=True, slots=True)
class RefundedLine:
    """Copies of one sale line a refund gave back, with what the journal names of the line."""

    line_id: str
    position: int
    fee_code: str
    unit_price: int
    revenue_line_code: str
    exemption: str | None
    of: int  # the line's copies
    copies: int
    amount: int
