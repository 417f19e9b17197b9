"""After a crash: finish or undo what was in flight, asking the devices what happened.

Run at start-up. A cashless payment left pending is asked about by our request id
(never re-sent). A cash payment left pending has its deposit given back; one left
settling (deposit fixed, change about to be paid) is finished if the changer still
holds the deposit, or booked if the changer already ended it. A refund left half-way is
finished as the terminal or the changer says (:func:`madoguchi.services.counter.refunds.finish_interrupted`).
"""
from __future__ import annotations

from typing import Any

from madoguchi.adapters.devices.ports import DepositEnd
from madoguchi.domain.counter import Payment
from madoguchi.domain.sale import PaymentMethod, PaymentState
from madoguchi.errors import DeviceError
from madoguchi.services.counter.payment_core import approve_now, fail_now, settle_by_status
from madoguchi.services.counter.receipts import print_receipt
from madoguchi.services.counter.refunds import finish_interrupted
from madoguchi.services.runtime import Runtime


def recover(rt: Runtime) -> dict[str, Any]:
    with rt.uow(read_only=True) as uow:
        in_flight = uow.payments.in_flight()
        waiting = uow.receipts.pending_ids()
    outcome: dict[str, Any] = {"payments": [], "receipts": 0}
    for p in in_flight:
        try:
            view = settle_by_status(rt, p) if p.method == PaymentMethod.CASHLESS else _recover_cash(rt, p)
            outcome["payments"].append((p.id, view["state"]))
        except DeviceError as exc:
            outcome["payments"].append((p.id, f"left pending: {exc.message}"))
    outcome["refunds"] = finish_interrupted(rt)
    for receipt_id in waiting:
        if print_receipt(rt, receipt_id=receipt_id)["state"] == "printed":
            outcome["receipts"] += 1
    return outcome


def _recover_cash(rt: Runtime, p: Payment) -> dict[str, Any]:
    changer = rt.devices.of(p.payment_station).changer
    with rt.devices.lock(p.payment_station):
        state = changer.deposit_state()
        if p.state == PaymentState.SETTLING:
            if state != "idle":  # the change was never paid out: finish the deposit now
                changer.end_deposit(DepositEnd.CHANGE, p.change or 0)
            return approve_now(rt, p.id, reference=None, actor="system", tendered=p.tendered, change=p.change,
                            evidence="finished after restart")
        if state in ("open", "paused"):
            changer.fix_deposit()
        if state != "idle":
            changer.end_deposit(DepositEnd.REPAY)
    return fail_now(rt, p.id, PaymentState.FAILED, "interrupted by a restart; inserted cash returned")
