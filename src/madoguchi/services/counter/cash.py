"""Cash at the payment station, following the changer's deposit steps.

begin deposit -> the resident inserts notes and coins -> fix -> end with change.
Every yen inserted ends applied to the sale, given back, or named in an incident
when a jam keeps it inside the machine.
"""
from __future__ import annotations

from typing import Any

from madoguchi.adapters.devices.ports import DepositEnd
from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.counter import Payment
from madoguchi.domain.sale import PaymentMethod, PaymentState, SaleState, payment_transition
from madoguchi.domain.station_fault import jam_fault
from madoguchi.errors import CannotMakeChange, ChangerJammed, Conflict, NotFound
from madoguchi.services.counter.payment_core import approve_now, begin, current_view, fail_now, open_incident
from madoguchi.services.runtime import Runtime


def start_cash(rt: Runtime, *, payment_id: str, sale_id: str, actor: Actor) -> dict[str, Any]:
    payment, new, view = begin(rt, payment_id=payment_id, sale_id=sale_id, method=PaymentMethod.CASH,
                               brand=None, amount=None, actor=actor, with_view=True)
    if not new:
        return cash_view(rt, payment.id)
    changer = rt.devices.of(payment.payment_station).changer
    with rt.devices.lock(payment.payment_station):
        try:
            changer.begin_deposit()
        except ChangerJammed as exc:
            record_jam(rt, payment.id, step="begin_deposit", retained=changer.deposit_amount())
            raise ChangerJammed(f"{exc.message}: the sale can move to another payment station") from None
    return cash_view(rt, payment.id, view)


def cash_view(rt: Runtime, payment_id: str, view: dict[str, Any] | None = None) -> dict[str, Any]:
    """The payment with what the changer holds so far; ``view``: the payment view if already read."""
    view = view if view is not None else current_view(rt, payment_id)
    if view["state"] == PaymentState.PENDING:
        view["inserted"] = rt.devices.of(view["payment_station"]).changer.deposit_amount()
    else:
        view["inserted"] = view["tendered"] or 0
    view["remaining"] = max(0, view["amount"] - view["inserted"])
    return view


def _pending_cash(rt: Runtime, payment_id: str, actor: Actor) -> Payment:
    with rt.uow(read_only=True) as uow:
        payment = uow.payments.find(payment_id)
        if payment is None or payment.method != PaymentMethod.CASH:
            raise NotFound(f"no cash payment {payment_id}")
        actor.require(Action.PAY, payment.site)
        return payment


def complete_cash(rt: Runtime, *, payment_id: str, actor: Actor) -> dict[str, Any]:
    """Take the inserted cash for the sale and pay out the change."""
    payment = _pending_cash(rt, payment_id, actor)
    if payment.state != PaymentState.PENDING:
        return cash_view(rt, payment_id)
    station = payment.payment_station
    changer = rt.devices.of(station).changer
    with rt.devices.lock(station):
        inserted = changer.deposit_amount()
        if inserted < payment.amount:
            raise Conflict(f"{inserted} yen inserted of {payment.amount} due; insert {payment.amount - inserted} more")
        step = "fix_deposit"
        inserted_counts = changer.deposit_counts()  # journalled by denomination with the change
        try:
            changer.fix_deposit()
            change = inserted - payment.amount
            if not changer.can_dispense(change):
                step = "end_deposit"
                changer.end_deposit(DepositEnd.REPAY)
                fail_now(rt, payment_id, PaymentState.FAILED, f"cannot make change of {change} yen; cash returned")
                raise CannotMakeChange(
                    f"the machine cannot give {change} yen change; please pay the exact amount or choose cashless",
                    returned=inserted)
            _mark_settling(rt, payment_id, tendered=inserted, change=change)
            step = "end_deposit"
            given = changer.end_deposit(DepositEnd.CHANGE, change)
        except ChangerJammed as exc:
            record_jam(rt, payment_id, step=step, retained=changer.deposit_amount())
            raise ChangerJammed(f"{exc.message} ({step}): {changer.deposit_amount()} yen is held in the machine; "
                                "staff will return it, and the sale can move to another payment station") from None
    view = approve_now(rt, payment_id, reference=None, actor=actor.login, tendered=inserted, change=change,
                    cash_counts={"inserted": _text_keys(inserted_counts), "change": _text_keys(given)})
    return view | {"inserted": inserted, "remaining": 0}


def _text_keys(counts: dict[int, int]) -> dict[str, int]:
    return {str(d): n for d, n in sorted(counts.items()) if n}


def _mark_settling(rt: Runtime, payment_id: str, *, tendered: int, change: int) -> None:
    # Written before the change is paid out, so a crash right after can be finished
    # (recovery sees a settling payment and asks the changer whether the deposit ended).
    payment_transition(PaymentState.PENDING, PaymentState.SETTLING)  # the table allows it
    with rt.uow(urgent=True) as uow:
        if not uow.payments.mark_settling(payment_id, tendered=tendered, change=change):
            raise Conflict(f"cash payment {payment_id} is no longer pending")
        uow.commit()


def cancel_cash(rt: Runtime, *, payment_id: str, actor: Actor) -> dict[str, Any]:
    """The resident gives up: everything inserted comes back out."""
    payment = _pending_cash(rt, payment_id, actor)
    if payment.state != PaymentState.PENDING:
        raise Conflict(f"the cash payment is {payment.state}; it can no longer be cancelled")
    changer = rt.devices.of(payment.payment_station).changer
    with rt.devices.lock(payment.payment_station):
        try:
            if changer.deposit_state() != "fixed":
                changer.fix_deposit()  # UnifiedPOS: a deposit is fixed before it ends
            returned = changer.end_deposit(DepositEnd.REPAY)
        except ChangerJammed as exc:
            record_jam(rt, payment_id, step="end_deposit", retained=changer.deposit_amount())
            raise ChangerJammed(f"{exc.message}: staff will return the cash inserted") from None
    total = sum(d * n for d, n in returned.items())
    fail_now(rt, payment_id, PaymentState.FAILED, f"cancelled at the station; {total} yen returned")
    return cash_view(rt, payment_id)


def record_jam(rt: Runtime, payment_id: str, *, step: str, retained: int) -> None:
    """A jam: the attempt fails, the station goes out of service, the sale is free to move,
    and an incident names the cash held inside."""
    with rt.uow(urgent=True) as uow:
        payment = uow.payments.get(payment_id)
        now = rt.clock()
        station = payment.payment_station
        uow.stations.set_fault(station, jam_fault(step))
        open_incident(
            uow, payment.failed(PaymentState.FAILED, f"changer jammed at {step}", now),
            sale_state=SaleState.AWAITING_PAYMENT, release=station, kind="cash_jam", amount=retained,
            actor="device", now=now, step=step,
            summary=f"cash changer jammed at {step}; {retained} yen held inside for sale {payment.sale_id[:8]}")
        uow.commit()
