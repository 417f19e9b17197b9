"""Cashless payment at a payment station, through the terminal.

Device calls happen outside database transactions, bracketed by two commits: the
attempt is recorded before the device is asked, and the outcome after (the steps are
in :mod:`madoguchi.services.counter.payment_core`). If the server dies in between,
:mod:`madoguchi.services.counter.recovery` asks the device what happened.
"""
from __future__ import annotations

from typing import Any

from madoguchi.adapters.devices.ports import PayOutcome
from madoguchi.domain.auth import Actor
from madoguchi.domain.brands import offered_brand
from madoguchi.domain.receipt import business_date
from madoguchi.domain.sale import PaymentMethod, PaymentState
from madoguchi.errors import TerminalError
from madoguchi.services.counter.common import check_client_id
from madoguchi.services.counter.payment_core import approve_now, begin, current_view, fail_now, settle_by_status
from madoguchi.services.runtime import Runtime

__all__ = ["current_view", "pay_cashless"]


def pay_cashless(rt: Runtime, *, payment_id: str, sale_id: str, brand: str, actor: Actor,
                 amount: int | None = None) -> dict[str, Any]:
    offered_brand(brand, business_date(rt.clock()))  # a retired brand is refused by name
    payment_id = check_client_id(payment_id, what="payment id")
    # A retry of this id waits here while the first try is still under way (see DeviceRegistry.request).
    with rt.devices.request(payment_id):
        return _pay_cashless(rt, payment_id=payment_id, sale_id=sale_id, brand=brand, actor=actor, amount=amount)


def _pay_cashless(rt: Runtime, *, payment_id: str, sale_id: str, brand: str, actor: Actor,
                  amount: int | None) -> dict[str, Any]:
    payment, new, _ = begin(rt, payment_id=payment_id, sale_id=sale_id, method=PaymentMethod.CASHLESS,
                            brand=brand, amount=amount, actor=actor)
    if not new:
        if payment.state == PaymentState.PENDING:
            # A retry of a request whose answer was lost: ask, never send again.
            return settle_by_status(rt, payment)
        return current_view(rt, payment.id)
    terminal = rt.devices.of(payment.payment_station).terminal
    with rt.devices.lock(payment.payment_station):
        try:
            reply = terminal.pay(payment.request_id, payment.amount, brand)
        except TerminalError:
            reply = None  # we cannot tell whether it reached the processor: same as a timeout
    if reply is not None and reply.outcome is PayOutcome.APPROVED:
        return approve_now(rt, payment.id, reference=reply.reference, actor=actor.login)
    if reply is not None and reply.outcome is PayOutcome.DECLINED:
        fail_now(rt, payment.id, PaymentState.DECLINED, reply.reason or "declined")
        return current_view(rt, payment.id)
    return settle_by_status(rt, payment)
