"""Partial refunds: some copies of some lines of a paid sale, with a supervisor's approval.

- ``GET /api/sales/{sale_id}/partial-refunds``: the sale, its refunds and the copies
  already refunded of each line (what the register's dialog offers is what is left).
- ``POST /api/sales/{sale_id}/partial-refunds``: a supervisor refunds ``lines`` (each a
  sale line and a number of copies); the money goes back the way it came, as the brand's
  rules allow (see ``services/counter/partial_refunds.py`` and docs/sale-states.md).
- ``POST /api/screens/approvals/partial-refund``: the same, approved on the spot at the
  clerk's register (the supervisor's login and password, no session kept), as the whole
  refund's ``POST /api/screens/approvals``.

Errors carry a code: ``bad_input`` (a malformed request, a line named twice or not of
this sale), ``refund_too_many_copies`` (more copies than are left of a line),
``refund_not_possible`` (the sale is not paid, nothing was paid for those copies, or the
refund would exceed the payment), ``permission_denied`` (not a supervisor).
"""
from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Request, status
from pydantic import Field

from madoguchi.api.routing import ApiRouter
from madoguchi.api.schemas_sales import SaleRefundsPublic
from madoguchi.domain.sale import MAX_QUANTITY
from madoguchi.errors import BadInput
from madoguchi.http.deps import ActorDep, CounterRuntimeDep, RuntimeDep, client_address
from madoguchi.http.fields import Input, Login, Password, Reason
from madoguchi.services.counter import partial_refunds
from madoguchi.services.counter.sales import get_sale
from madoguchi.services.staff import accounts as staff

router = ApiRouter(tags=["refunds"])


class CopiesCreate(Input):
    line_id: uuid.UUID
    copies: Annotated[int, Field(strict=True, ge=1, le=MAX_QUANTITY)]


class PartialRefundCreate(Input):
    id: uuid.UUID  # the refund's id (idempotent)
    reason: Reason
    lines: Annotated[list[CopiesCreate], Field(min_length=1, max_length=100)]


class PartialApprovalCreate(PartialRefundCreate):
    sale_id: uuid.UUID
    login: Login
    password: Password


class PartialRefundsPublic(SaleRefundsPublic):
    refunded_copies: dict[str, int]  # sale line id -> copies refunded so far


def _copies(body: PartialRefundCreate) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in body.lines:
        key = str(item.line_id)
        if key in out:
            raise BadInput(f"lines: line {key} is named twice", code="bad_input")
        out[key] = item.copies
    return out


@router.get("/api/sales/{sale_id}/partial-refunds", response_model=PartialRefundsPublic)
def refunded(sale_id: uuid.UUID, actor: ActorDep, rt: CounterRuntimeDep) -> dict[str, Any]:
    """The sale, its refunds and each line's copies refunded so far."""
    get_sale(rt, sale_id=str(sale_id), actor=actor)  # may the caller see it (404 / 403 otherwise)
    return partial_refunds.sale_refunds(rt, str(sale_id))


@router.post("/api/sales/{sale_id}/partial-refunds", response_model=PartialRefundsPublic,
             status_code=status.HTTP_201_CREATED)
def refund_copies(sale_id: uuid.UUID, body: PartialRefundCreate, actor: ActorDep,
                  rt: CounterRuntimeDep) -> dict[str, Any]:
    """Refund some copies of some lines of a paid sale (supervisor)."""
    return partial_refunds.refund_copies(rt, refund_id=str(body.id), sale_id=str(sale_id), copies=_copies(body),
                                         reason=body.reason, actor=actor)


@router.post("/api/screens/approvals/partial-refund", response_model=PartialRefundsPublic, tags=["screens"])
def approve_copies(body: PartialApprovalCreate, request: Request, actor: ActorDep, rt: RuntimeDep,
                   counter: CounterRuntimeDep) -> dict[str, Any]:
    """A supervisor approves the clerk's partial refund on the spot (their password, no session
    kept); done as the supervisor, the clerk recorded as the one who asked."""
    copies = _copies(body)
    checked = staff.login(rt, login=body.login, password=body.password, client=client_address(request),
                          kind="bearer")
    staff.logout(rt, checked.token)
    return partial_refunds.refund_copies(counter, refund_id=str(body.id), sale_id=str(body.sale_id), copies=copies,
                                         reason=body.reason, actor=checked.actor, requested_by=actor.login)
