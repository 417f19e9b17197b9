"""Partial refunds: some copies of some lines of a paid sale, with a supervisor's approval.

The sale keeps which copies each refund gave back (``refund_lines``), so a copy is
never refunded twice and the refunds of a sale never add up to more than was paid.
The money goes back the way it came: cash from the changer; a cashless payment is
cancelled at the terminal only when the refund takes back the whole payment at once
and its brand still allows a cancel (the terminal cancels a transaction, never part
of one); any other cashless refund is owed by bank transfer, as a whole refund past
the brand's window is. When the last copy is refunded the sale is ``refunded``.

The journal's refund entry names the lines, copies and amount (``lines``), so the
daily sheet takes the refund off exactly those revenue lines.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.counter import Line, Sale
from madoguchi.domain.refund import Refund, RefundMethod
from madoguchi.domain.sale import PaymentState, SaleState, age_in_days
from madoguchi.errors import BadInput, RefundNotPossible
from madoguchi.services.counter import refunds as whole
from madoguchi.services.counter.common import check_client_id
from madoguchi.services.runtime import Runtime


def refund_copies(rt: Runtime, *, refund_id: str, sale_id: str, copies: Mapping[str, int], reason: str,
                  actor: Actor, requested_by: str | None = None) -> dict[str, Any]:
    """Refund ``copies`` (sale line id -> number of copies) of the paid sale ``sale_id``."""
    refund_id = check_client_id(refund_id, what="refund id")
    reason = (reason or "").strip()
    if not reason:
        raise BadInput("a refund needs a reason")
    if not copies:
        raise BadInput("a partial refund names at least one line and its copies")
    with rt.uow(read_only=True) as uow:
        repeated = uow.refunds.find(refund_id) is not None
    if repeated:  # the same request again: what it did, once
        return sale_refunds(rt, sale_id)
    with rt.uow() as uow:
        if uow.refunds.find(refund_id) is not None:  # a twin got there between the two reads
            plan = []
        else:
            plan = _approve(uow, rt, sale_id, copies, refund_id=refund_id, reason=reason, actor=actor,
                            requested_by=requested_by)
    for rid, pid, method in plan:
        if method != "bank_transfer":
            whole.carry_out(rt, rid, pid, method, actor=actor.login)
    return sale_refunds(rt, sale_id)


def _approve(uow: UnitOfWork, rt: Runtime, sale_id: str, copies: Mapping[str, int], *, refund_id: str,
             reason: str, actor: Actor, requested_by: str | None) -> list[tuple[str, str, str]]:
    sale = uow.sales.get(sale_id)
    actor.require(Action.APPROVE, sale.site)
    if sale.state != SaleState.PAID:
        raise RefundNotPossible(f"only a paid sale can be refunded (this one is {sale.state})")
    plan = take(uow, sale, copies, reason=reason, refund_id=refund_id, actor=actor,
                 requested_by=requested_by, now=rt.clock())
    uow.commit()
    return plan


def remaining_copies(uow: UnitOfWork, sale: Sale) -> dict[str, int]:
    """Each line's copies not yet refunded (lines with none left are left out)."""
    done = uow.refunds.copies_refunded(sale.id)
    return {line.id: line.quantity - done.get(line.id, 0) for line in sale.lines
            if line.quantity - done.get(line.id, 0) > 0}


def take(uow: UnitOfWork, sale: Sale, copies: Mapping[str, int], *, reason: str, refund_id: str, actor: Actor,
         requested_by: str | None, now: dt.datetime) -> list[tuple[str, str, str]]:
    """Record the refund of ``copies`` (checked against what is left) and book what needs no
    device, in the caller's unit of work; returns what the devices must give back."""
    lines = {line.id: line for line in sale.lines}
    done = uow.refunds.copies_refunded(sale.id)
    taken: list[tuple[Line, int, int]] = []
    for line_id, n in copies.items():
        line = lines.get(line_id)
        if line is None:
            raise BadInput(f"sale {sale.id} has no line {line_id}")
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise BadInput(f"line {line.position} ({line.name_ja}): copies to refund must be a whole "
                           f"number of at least 1 (got {n!r})")
        left = line.quantity - done.get(line_id, 0)
        if n > left:
            raise RefundNotPossible(f"line {line.position} ({line.name_ja}): {n} copies asked, "
                                    f"{left} of {line.quantity} not yet refunded", code="refund_too_many_copies",
                                    params={"line": line.position, "name": line.name_ja, "asked": n, "left": left})
        # The last copies take what is left of the line's amount, so the line is never over-refunded.
        amount = line.amount - (done.get(line_id, 0) * line.unit_price) if n == left else n * line.unit_price
        taken.append((line, n, amount))
    total = sum(a for _l, _n, a in taken)
    if total <= 0:
        raise RefundNotPossible("nothing was paid for these copies (exempt): there is no money to give back")
    payments = sorted((p for p in uow.payments.of_sale(sale.id) if p.state == PaymentState.APPROVED),
                      key=lambda p: (p.started_at, p.id))
    given = uow.refunds.given_by_payment(sale.id)
    left_paid = {p.id: p.amount - given.get(p.id, 0) for p in payments}
    if total > sum(left_paid.values()):
        raise RefundNotPossible(f"a refund of {total:,} yen would exceed what is left of the payment "
                                f"({sum(left_paid.values()):,} yen)")
    plan: list[tuple[str, str, str]] = []
    owed = total
    for p in payments:
        part = min(owed, left_paid[p.id])
        if part <= 0:
            continue
        rid = refund_id if not plan else str(uuid.uuid5(uuid.UUID(refund_id), p.id))
        whole_payment = part == p.amount and not given.get(p.id)
        how: RefundMethod = (whole.method_for(p, age_days=age_in_days(p.completed_at or now, now))
                             if whole_payment or p.method == "cash" else "bank_transfer")
        uow.refunds.add(Refund.new(refund_id=rid, sale_id=sale.id, payment_id=p.id, method=how, amount=part,
                                   reason=reason, requested_by=requested_by or actor.login,
                                   approved_by=actor.login, created_at=now))
        plan.append((rid, p.id, how))
        owed -= part
    uow.refunds.add_lines(refund_id, sale.id, ((line.id, n, amount) for line, n, amount in taken))
    if all(line.quantity - done.get(line.id, 0) - copies.get(line.id, 0) <= 0 for line in sale.lines):
        uow.sales.save(sale.moved_to(SaleState.REFUNDED))
    for rid, pid, method in plan:
        if method == "bank_transfer":
            whole.book(uow, rid, pid, now=now, actor=actor.login, done=False)
    return plan


def sale_refunds(rt: Runtime, sale_id: str) -> dict[str, Any]:
    """The sale, its refunds and the copies refunded of each line."""
    out = whole.refunds_of(rt, sale_id)
    with rt.uow(read_only=True) as uow:
        out["refunded_copies"] = uow.refunds.copies_refunded(sale_id)
    return out
