"""Refunds after payment, with a supervisor's approval.

Cash comes back out of the changer; a cashless payment is cancelled at the terminal
while its brand allows; otherwise the refund is recorded as owed by bank transfer and
stays pending until marked done. Each is a reversing journal entry.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.brands import brand as find_brand
from madoguchi.domain.brands import cancel_allowed
from madoguchi.domain.changer_book import changer_book
from madoguchi.domain.close import cash_position
from madoguchi.domain.counter import Payment
from madoguchi.domain.journal import EntryKind
from madoguchi.domain.refund import Refund, RefundMethod
from madoguchi.domain.sale import PaymentMethod, PaymentState, SaleState, age_in_days
from madoguchi.errors import BadInput, Conflict, DeviceError, NotFound, RefundNotPossible, TerminalError
from madoguchi.services.counter.common import check_client_id
from madoguchi.services.counter.days import open_business_day
from madoguchi.services.counter.views import sale_view
from madoguchi.services.runtime import Runtime


def refund_sale(rt: Runtime, *, refund_id: str, sale_id: str, reason: str, actor: Actor,
                requested_by: str | None = None) -> dict[str, Any]:
    refund_id = check_client_id(refund_id, what="refund id")
    reason = (reason or "").strip()
    if not reason:
        raise BadInput("a refund needs a reason")
    with rt.uow() as uow:
        if uow.refunds.find(refund_id) is not None:
            return refunds_of(rt, sale_id)
        sale = uow.sales.get(sale_id)
        actor.require(Action.APPROVE, sale.site)
        if sale.state != SaleState.PAID:
            raise RefundNotPossible(f"only a paid sale can be refunded (this one is {sale.state})")
        now = rt.clock()
        from madoguchi.services.counter import partial_refunds  # it builds on this module
        after_partial = bool(uow.refunds.copies_refunded(sale_id))
        if after_partial:  # the copies left, as a refund of copies (it moves the sale and books)
            plan = partial_refunds.take(uow, sale, partial_refunds.remaining_copies(uow, sale), reason=reason,
                                        refund_id=refund_id, actor=actor, requested_by=requested_by, now=now)
            payments: list[Payment] = []
        else:
            payments = [p for p in uow.payments.of_sale(sale_id) if p.state == PaymentState.APPROVED]
            plan = []
        for n, p in enumerate(payments):
            rid = refund_id if n == 0 else str(uuid.uuid5(uuid.UUID(refund_id), p.id))
            how = method_for(p, age_days=age_in_days(p.completed_at or now, now))
            uow.refunds.add(Refund.new(refund_id=rid, sale_id=sale_id, payment_id=p.id, method=how,
                                       amount=p.amount, reason=reason, requested_by=requested_by or actor.login,
                                       approved_by=actor.login, created_at=now))
            plan.append((rid, p.id, how))
        if not after_partial:
            uow.sales.save(sale.moved_to(SaleState.REFUNDED))
            for rid, pid, method in plan:
                if method == "bank_transfer":
                    book(uow, rid, pid, now=now, actor=actor.login, done=False)
        uow.commit()
    for rid, pid, method in plan:
        if method != "bank_transfer":
            carry_out(rt, rid, pid, method, actor=actor.login)
    return refunds_of(rt, sale_id)


def method_for(p: Payment, *, age_days: int) -> RefundMethod:
    """How a refund of the whole of ``p`` goes back: by the changer, a terminal cancel while
    the brand allows one, or else by bank transfer."""
    if p.method == PaymentMethod.CASH:
        return "cash"
    b = find_brand(p.brand or "")
    # Transit IC: only the terminal can tell whether it was its last transaction; try it.
    if cancel_allowed(b, age_days=age_days, is_terminal_last=True):
        return "terminal_cancel"
    return "bank_transfer"


def carry_out(rt: Runtime, refund_id: str, payment_id: str, method: str, *, actor: str) -> None:
    """Give a recorded refund back through the device, then book it (or, when the terminal
    will not cancel, record it as owed by bank transfer)."""
    with rt.uow(read_only=True) as uow:
        p = uow.payments.get(payment_id)
        station, amount, request_id = p.payment_station, uow.refunds.get(refund_id).amount, p.request_id
    devices = rt.devices.of(station)
    fallback, paid_out = None, None
    with rt.devices.lock(station):
        if method == "cash":
            paid_out = devices.changer.dispense_change(amount)  # a device error leaves the refund in progress
        else:
            try:
                reply = devices.terminal.cancel(request_id)
            except TerminalError as exc:
                reply = None
                fallback = f"terminal unavailable: {exc.message}"
            # A repeat of a cancel the terminal already made (a retry after a restart) is answered
            # with that cancel's reference: done, not refused.
            if reply is not None and not reply.cancelled and reply.reference is None:
                fallback = reply.reason or "the terminal refused the cancel"
    with rt.uow() as uow:
        now = rt.clock()
        if fallback is not None:
            uow.refunds.save(uow.refunds.get(refund_id).owed_by_transfer(fallback))
            book(uow, refund_id, payment_id, now=now, actor=actor, done=False)
        else:
            book(uow, refund_id, payment_id, now=now, actor=actor, done=True, paid_out=paid_out)
        uow.commit()


def finish_interrupted(rt: Runtime) -> list[tuple[str, str]]:
    """At start-up: the refunds a crash left half-way (recorded, the device maybe acted, not booked).

    The devices are asked, never guessed: the terminal answers a repeated cancel of our
    request id with the cancel it made, if it made one; the changer's counts, set against
    what the journal says it holds, show whether it paid the refund out (then it is
    booked with those notes and coins) or not (then it pays out now). When the counts
    tell neither, the refund stays in progress for staff to count the machine.
    """
    with rt.uow(read_only=True) as uow:
        interrupted = uow.refunds.in_progress()
    outcome = []
    for r in interrupted:
        refund_id, payment_id, method, amount, actor = r.id, r.payment_id, r.method, r.amount, r.approved_by
        if method == "cash":
            answer = _paid_out(rt, payment_id, amount)
            if answer is None:
                outcome.append((refund_id, "left in progress: the changer's counts do not tell; count it"))
                continue
            paid, counts = answer
            if paid:
                with rt.uow() as uow:
                    book(uow, refund_id, payment_id, now=rt.clock(), actor=actor, done=True, paid_out=counts)
                    uow.commit()
                outcome.append((refund_id, "booked: the changer had paid it out"))
                continue
        try:
            carry_out(rt, refund_id, payment_id, method, actor=actor)
        except DeviceError as exc:
            outcome.append((refund_id, f"left in progress: {exc.message}"))
            continue
        outcome.append((refund_id, "carried out after restart"))
    return outcome


def _paid_out(rt: Runtime, payment_id: str, amount: int) -> tuple[bool, dict[int, int] | None] | None:
    """Whether the changer paid out an unbooked cash refund, and the notes and coins it gave
    (``None``: not known); ``None`` when its counts cannot tell.

    The journal's book of the changer since it was last emptied (its station's last close)
    is set against the machine's counts: short by exactly the refund, it paid it out. Where
    the book knows only the total (a cash payment finished by recovery), the totals decide,
    and the refund is booked without its coins (as that payment was)."""
    with rt.uow(read_only=True) as uow:
        station = uow.payments.get(payment_id).payment_station
        rows = [(kind, amount, json.loads(data))
                for kind, amount, data in uow.journal_rows.since_station_emptied(station)]
    machine = rt.devices.of(station).changer.counts()
    book = changer_book((kind, data) for kind, _amount, data in rows).counts
    if book is None:  # by total: what the journal says the machine holds (corrections on paper left out)
        position = cash_position([r for r in rows if r[0] != "adjustment"])
        short_total = position.expected - sum(d * n for d, n in machine.items())
        return (False, None) if short_total == 0 else ((True, None) if short_total == amount else None)
    short = {d: book.get(d, 0) - machine.get(d, 0) for d in set(book) | set(machine)
             if book.get(d, 0) != machine.get(d, 0)}
    if not short:
        return False, None
    if all(n > 0 for n in short.values()) and sum(d * n for d, n in short.items()) == amount:
        return True, short
    return None


def book(uow: UnitOfWork, refund_id: str, payment_id: str, *, now: dt.datetime, actor: str, done: bool,
         paid_out: dict[int, int] | None = None) -> None:
    """Journal a refund (done, or owed by bank transfer), in the caller's unit of work."""
    refund = uow.refunds.get(refund_id)
    p = uow.payments.get(payment_id)
    if uow.refunds.given_on(payment_id) >= p.amount:  # partly refunded, a payment stays approved
        p = p.moved_to(PaymentState.CANCELLED if refund.method == "terminal_cancel" else PaymentState.REFUNDED)
        uow.payments.save(p)
    if done:
        refund = refund.done(now)
        uow.refunds.save(refund)
    # A refund lands in the current open day, naming the day the payment was booked in.
    day, _moved = open_business_day(uow, p.site, now, station=p.payment_station)
    uow.journal.append(EntryKind.REFUND, at=now, actor=actor, amount=-refund.amount, site=p.site,
                       station=p.payment_station, sale_id=p.sale_id, business_date=day,
                       paid_on=p.business_date.isoformat(), refund_id=refund.id, payment_id=p.id,
                       request_id=p.request_id, method=refund.method, category=p.category, brand=p.brand,
                       state=refund.state, approved_by=refund.approved_by, reason=refund.reason,
                       **_partial(uow, refund),
                       **({"counts": {str(d): n for d, n in sorted(paid_out.items())}} if paid_out else {}))


def _partial(uow: UnitOfWork, refund: Refund) -> dict[str, Any]:
    """For a refund of some copies: the lines, copies and amounts it gave back (the sheet's revenue
    lines follow them); an empty list on the second payment of such a refund. Nothing for a whole refund.
    ``line`` is the line's number on the sale (positions count from 1)."""
    rows = uow.refunds.lines_of(refund.id)
    if not rows:
        return {"lines": []} if uow.refunds.sale_has_lines(refund.sale_id) and refund.amount else {}
    return {"partial": True,
            "lines": [[r.fee_code, r.copies, r.unit_price, r.revenue_line_code, r.exemption] for r in rows],
            "refunded_lines": [{"line_id": r.line_id, "line": r.position, "fee_code": r.fee_code,
                                "copies": r.copies, "of": r.of, "amount": r.amount} for r in rows]}


def complete_bank_refund(rt: Runtime, *, refund_id: str, actor: Actor, note: str) -> dict[str, Any]:
    """Accounting marks a refund by bank transfer as paid out."""
    with rt.uow() as uow:
        found = uow.refunds.find(refund_id)
        if found is None:
            raise NotFound(f"no refund {refund_id}")
        sale = uow.sales.get(found.sale_id)
        if not (actor.may(Action.APPROVE, sale.site) or actor.may(Action.ACCOUNT, sale.site)):
            actor.require(Action.APPROVE, sale.site)
        if found.method != "bank_transfer" or found.state != "pending":
            raise Conflict(f"refund {refund_id} is not a pending bank transfer")
        now = rt.clock()
        refund = found.done(now)
        uow.refunds.save(refund)
        day, _moved = open_business_day(uow, sale.site, now)
        uow.journal.append(EntryKind.REFUND_COMPLETED, at=now, actor=actor.login, amount=0, site=sale.site,
                           sale_id=sale.id, business_date=day, refund_id=refund.id, method="bank_transfer",
                           refunded=refund.amount, note=(note or "")[:200])
        view = refund_view(refund)
        uow.commit()
        return view


def refunds_of(rt: Runtime, sale_id: str) -> dict[str, Any]:
    with rt.uow(read_only=True) as uow:
        sale = uow.sales.get(sale_id, lock=False)
        return {"sale": sale_view(uow, sale), "refunds": [refund_view(r) for r in uow.refunds.of_sale(sale_id)]}


def refund_view(r: Refund) -> dict[str, Any]:
    return {"id": r.id, "sale_id": r.sale_id, "payment_id": r.payment_id, "method": r.method,
            "amount": r.amount, "state": r.state, "reason": r.reason, "approved_by": r.approved_by,
            "created_at": r.created_at.isoformat(),
            "completed_at": r.completed_at.isoformat() if r.completed_at else None}

