"""Payments at a payment station: cash through the changer, cashless through the terminal."""
from __future__ import annotations

import uuid
from typing import Any

from fastapi import status

from madoguchi.api.routing import ApiRouter
from madoguchi.api.schemas_sales import CashCreate, CashlessCreate, NoteCreate, PaymentDetail, RefundPublic
from madoguchi.http.deps import CounterDep
from madoguchi.services.counter import cash, payments, refunds
from madoguchi.services.counter.stations import payment_status

router = ApiRouter(prefix="/api", tags=["payments"])


@router.post("/payments/cash", response_model=PaymentDetail, status_code=status.HTTP_201_CREATED)
def start_cash(body: CashCreate, c: CounterDep) -> dict[str, Any]:
    """Open the changer for the sale's amount; the resident then inserts cash."""
    return cash.start_cash(c.rt, payment_id=str(body.id), sale_id=str(body.sale_id), actor=c.actor)


@router.post("/payments/cashless", response_model=PaymentDetail, status_code=status.HTTP_201_CREATED)
def pay_cashless(body: CashlessCreate, c: CounterDep) -> dict[str, Any]:
    """Charge the sale's amount on the terminal; a repeat asks the terminal, never charges again."""
    return payments.pay_cashless(c.rt, payment_id=str(body.id), sale_id=str(body.sale_id), brand=body.brand,
                                 actor=c.actor)


@router.get("/payments/{payment_id}", response_model=PaymentDetail)
def get_payment(payment_id: uuid.UUID, c: CounterDep) -> dict[str, Any]:
    return payment_status(c.rt, payment_id=str(payment_id), actor=c.actor)


@router.post("/payments/{payment_id}/complete", response_model=PaymentDetail)
def complete_cash(payment_id: uuid.UUID, c: CounterDep) -> dict[str, Any]:
    """Take the inserted cash and pay out the change."""
    return cash.complete_cash(c.rt, payment_id=str(payment_id), actor=c.actor)


@router.post("/payments/{payment_id}/cancel", response_model=PaymentDetail)
def cancel_cash(payment_id: uuid.UUID, c: CounterDep) -> dict[str, Any]:
    """The resident gives up: the cash inserted comes back out."""
    return cash.cancel_cash(c.rt, payment_id=str(payment_id), actor=c.actor)


@router.post("/refunds/{refund_id}/complete", response_model=RefundPublic, tags=["refunds"])
def complete_refund(refund_id: uuid.UUID, body: NoteCreate, c: CounterDep) -> dict[str, Any]:
    """Mark a refund by bank transfer as paid out."""
    return refunds.complete_bank_refund(c.rt, refund_id=str(refund_id), note=body.note, actor=c.actor)
