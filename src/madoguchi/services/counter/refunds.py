"""Refunds after payment, with a supervisor's approval.

Cash comes back out of the changer; a cashless payment is cancelled at the terminal
while its brand allows; otherwise the refund is recorded as owed by bank transfer and
stays pending until marked done. Each is a reversing journal entry.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from madoguchi.adapters.db.tables import JournalRow, Payment, Refund, Sale
from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.brands import brand as find_brand
from madoguchi.domain.brands import cancel_allowed
from madoguchi.domain.changer_book import changer_book
from madoguchi.domain.close import cash_position
from madoguchi.domain.journal import EntryKind
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
        if uow.session.get(Refund, refund_id) is not None:
            return _sale_refunds(rt, sale_id)
        sale = load_sale(uow, sale_id)
        actor.require(Action.APPROVE, sale.site)
        if sale.state != SaleState.PAID:
            raise RefundNotPossible(f"only a paid sale can be refunded (this one is {sale.state})")
        now = rt.clock()
        from madoguchi.services.counter import partial_refunds  # it builds on this module
        after_partial = bool(partial_refunds.refunded_copies(uow, sale_id))
        if after_partial:  # the copies left, as a refund of copies (it moves the sale and books)
            plan = partial_refunds._take(uow, sale, partial_refunds.remaining_copies(uow, sale), reason=reason,
                                         refund_id=refund_id, actor=actor, requested_by=requested_by, now=now)
            payments: Sequence[Payment] = []
        else:
            payments = uow.session.execute(select(Payment).where(
                Payment.sale_id == sale_id, Payment.state == PaymentState.APPROVED.value)).scalars().all()
            plan = []
        for n, p in enumerate(payments):
            rid = refund_id if n == 0 else str(uuid.uuid5(uuid.UUID(refund_id), p.id))
            method = _method_for(p, age_days=age_in_days(p.completed_at or now, now))
            state = "pending" if method == "bank_transfer" else "in_progress"
            uow.session.add(Refund(id=rid, sale_id=sale_id, payment_id=p.id, method=method, amount=p.amount,
                                   state=state, reason=reason[:200], requested_by=requested_by or actor.login,
                                   approved_by=actor.login, created_at=now))
            plan.append((rid, p.id, method))
        if not after_partial:
            sale.move_to(SaleState.REFUNDED)
            for rid, pid, method in plan:
                if method == "bank_transfer":
                    _book(uow, rid, pid, now=now, actor=actor.login, done=False)
        uow.commit()
    for rid, pid, method in plan:
        if method != "bank_transfer":
            _carry_out(rt, rid, pid, method, actor=actor.login)
    return _sale_refunds(rt, sale_id)


def _method_for(p: Payment, *, age_days: int) -> str:
    if p.method == PaymentMethod.CASH:
        return "cash"
    b = find_brand(p.brand or "")
    # Transit IC: only the terminal can tell whether it was its last transaction; try it.
    if cancel_allowed(b, age_days=age_days, is_terminal_last=True):
        return "terminal_cancel"
    return "bank_transfer"


def _carry_out(rt: Runtime, refund_id: str, payment_id: str, method: str, *, actor: str) -> None:
    with rt.uow() as uow:
        p = uow.session.get(Payment, payment_id)
        refund = uow.session.get(Refund, refund_id)
        assert p is not None and refund is not None
        station, amount, request_id = p.payment_station, refund.amount, p.request_id
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
        refund = uow.session.get(Refund, refund_id)
        assert refund is not None
        now = rt.clock()
        if fallback is not None:
            refund.method = "bank_transfer"
            refund.state = "pending"
            refund.reason = f"{refund.reason} (terminal cancel refused: {fallback})"[:200]
            _book(uow, refund_id, payment_id, now=now, actor=actor, done=False)
        else:
            _book(uow, refund_id, payment_id, now=now, actor=actor, done=True, paid_out=paid_out)
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
        rows = uow.session.execute(
            select(Refund.id, Refund.payment_id, Refund.method, Refund.amount, Refund.approved_by)
            .where(Refund.state == "in_progress").order_by(Refund.created_at)).all()
    outcome = []
    for refund_id, payment_id, method, amount, actor in rows:
        if method == "cash":
            answer = _paid_out(rt, payment_id, amount)
            if answer is None:
                outcome.append((refund_id, "left in progress: the changer's counts do not tell; count it"))
                continue
            paid, counts = answer
            if paid:
                with rt.uow() as uow:
                    _book(uow, refund_id, payment_id, now=rt.clock(), actor=actor, done=True, paid_out=counts)
                    uow.commit()
                outcome.append((refund_id, "booked: the changer had paid it out"))
                continue
        try:
            _carry_out(rt, refund_id, payment_id, method, actor=actor)
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
        station = uow.session.execute(select(Payment.payment_station).where(Payment.id == payment_id)).scalar_one()
        emptied = uow.session.execute(select(func.max(JournalRow.seq)).where(
            JournalRow.station == station, JournalRow.kind == "day_closed")).scalar() or 0
        rows = [(kind, amount, json.loads(data)) for kind, amount, data in uow.session.execute(
            select(JournalRow.kind, JournalRow.amount, JournalRow.data).where(
                JournalRow.station == station, JournalRow.seq > emptied).order_by(JournalRow.seq))]
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


def _book(uow: Any, refund_id: str, payment_id: str, *, now: Any, actor: str, done: bool,
          paid_out: dict[int, int] | None = None) -> None:
    refund = uow.session.get(Refund, refund_id)
    p = uow.session.get(Payment, payment_id)
    uow.session.flush()
    given = uow.session.execute(select(func.sum(Refund.amount)).where(Refund.payment_id == payment_id)).scalar() or 0
    if given >= p.amount:  # a payment partly refunded stays approved: the rest of it is still paid
        p.move_to(PaymentState.CANCELLED if refund.method == "terminal_cancel" else PaymentState.REFUNDED)
    if done:
        refund.state = "done"
        refund.completed_at = now
    # A refund lands in the current open day, naming the day the payment was booked in.
    day, _moved = open_business_day(uow, p.site, now, station=p.payment_station)
    uow.journal.append(EntryKind.REFUND, at=now, actor=actor, amount=-refund.amount, site=p.site,
                       station=p.payment_station, sale_id=p.sale_id, business_date=day,
                       paid_on=p.business_date.isoformat(), refund_id=refund.id, payment_id=p.id,
                       request_id=p.request_id, method=refund.method, category=p.category, brand=p.brand,
                       state=refund.state, approved_by=refund.approved_by, reason=refund.reason,
                       **_partial(uow, refund),
                       **({"counts": {str(d): n for d, n in sorted(paid_out.items())}} if paid_out else {}))


def _partial(uow: Any, refund: Refund) -> dict[str, Any]:
    """For a refund of some copies: the lines, copies and amounts it gave back (the sheet's revenue
    lines follow them); an empty list on the second payment of such a refund. Nothing for a whole refund."""
    from madoguchi.adapters.db.refund_tables import RefundLine
    from madoguchi.adapters.db.tables import SaleLine
    head = refund.id
    rows = uow.session.execute(select(RefundLine, SaleLine).join(SaleLine, SaleLine.id == RefundLine.sale_line_id)
                               .where(RefundLine.refund_id == head).order_by(SaleLine.position)).all()
    if not rows:
        siblings = uow.session.execute(select(func.count()).select_from(RefundLine).where(
            RefundLine.sale_id == refund.sale_id)).scalar()
        return {"lines": []} if siblings and refund.amount else {}
    return {"partial": True,
            "lines": [[sl.fee_code, rl.quantity, sl.unit_price, sl.revenue_line_code, sl.exemption] for rl, sl in rows],
            "refunded_lines": [{"line_id": sl.id, "line": sl.position + 1, "fee_code": sl.fee_code,
                                "copies": rl.quantity, "of": sl.quantity, "amount": rl.amount} for rl, sl in rows]}


def complete_bank_refund(rt: Runtime, *, refund_id: str, actor: Actor, note: str) -> dict[str, Any]:
    """Accounting marks a refund by bank transfer as paid out."""
    with rt.uow() as uow:
        refund = uow.session.get(Refund, refund_id)
        if refund is None:
            raise NotFound(f"no refund {refund_id}")
        sale = load_sale(uow, refund.sale_id)
        if not (actor.may(Action.APPROVE, sale.site) or actor.may(Action.ACCOUNT, sale.site)):
            actor.require(Action.APPROVE, sale.site)
        if refund.method != "bank_transfer" or refund.state != "pending":
            raise Conflict(f"refund {refund_id} is not a pending bank transfer")
        now = rt.clock()
        refund.state = "done"
        refund.completed_at = now
        day, _moved = open_business_day(uow, sale.site, now)
        uow.journal.append(EntryKind.REFUND_COMPLETED, at=now, actor=actor.login, amount=0, site=sale.site,
                           sale_id=sale.id, business_date=day, refund_id=refund.id, method="bank_transfer",
                           refunded=refund.amount, note=(note or "")[:200])
        view = refund_view(refund)
        uow.commit()
        return view


def _sale_refunds(rt: Runtime, sale_id: str) -> dict[str, Any]:
    with rt.uow() as uow:
        sale = uow.sales.get(sale_id, lock=False)
        refunds = uow.session.execute(select(Refund).where(Refund.sale_id == sale_id)
                                      .order_by(Refund.created_at)).scalars().all()
        return {"sale": sale_view(uow, sale), "refunds": [refund_view(r) for r in refunds]}


# The sale with its lines in one round trip, as the ORM's object (refunds change it through the ORM).
_SALE = select(Sale).options(joinedload(Sale.lines)).where(Sale.id == bindparam("sale_id"))
_SALE_LOCKED = _SALE.with_for_update(of=Sale)


def load_sale(uow: UnitOfWork, sale_id: str, *, lock: bool = True) -> Sale:
    stmt = _SALE_LOCKED if lock else _SALE
    sale = uow.session.execute(stmt, {"sale_id": sale_id}).unique().scalar_one_or_none()
    if sale is None:
        raise NotFound(f"no sale {sale_id}")
    return sale


def refund_view(r: Refund) -> dict[str, Any]:
    return {"id": r.id, "sale_id": r.sale_id, "payment_id": r.payment_id, "method": r.method,
            "amount": r.amount, "state": r.state, "reason": r.reason, "approved_by": r.approved_by,
            "created_at": r.created_at.isoformat(),
            "completed_at": r.completed_at.isoformat() if r.completed_at else None}

