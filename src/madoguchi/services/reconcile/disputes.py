"""Disputed statement rows (照会中) resolved later, and carried into the month of the resolution.

A row that is none of our payments, or the second sale row of a duplicate, is kept out of
its month's 公金振替 (:mod:`madoguchi.domain.reconcile_transfer`). Whose it was cannot be
found by matching again: the month's run already tried every payment of ours near it. It is
found by asking the agent. So an accountant records the answer, with its evidence, against
the row as a run listed it (:func:`resolve_disputed`): the payment of ours it belonged to,
or none of ours after all (the agent reverses it). The close of the month of that
resolution (its JST day) carries the fee of each row found to be ours into its transfer,
naming the row (file, line, the month that disputed it) (:func:`carried_fees`). The
disputed month's own transfer never changes, so no fee is counted twice.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.receipt import JST, business_date
from madoguchi.domain.reconcile import Month
from madoguchi.domain.reconcile_records import DisputedResolutionRecord
from madoguchi.domain.reconcile_transfer import FeeItem
from madoguchi.errors import BadInput, Conflict, NotFound
from madoguchi.services.counter.common import check_client_id
from madoguchi.services.reconcile.access import CITY_WIDE, check_run_id
from madoguchi.services.runtime import Runtime

_OURS = ("approved", "refunded", "cancelled")


def resolve_disputed(rt: Runtime, *, resolution_id: str, run_id: int, source: str, line: int,
                     payment_reference: str | None, evidence: str, actor: Actor) -> dict[str, Any]:
    """Record whose a disputed row was (``payment_reference``; ``None``: none of ours), with evidence.

    The same ``resolution_id`` again returns the first record; a row already resolved under
    another id is a conflict."""
    actor.require(Action.ACCOUNT)
    actor.require_all_sites(CITY_WIDE)
    resolution_id = check_client_id(resolution_id, what="resolution id")
    check_run_id(run_id)
    evidence = (evidence or "").strip()
    if not evidence:
        raise BadInput("evidence: say what shows whose row it is (the agent's answer, its date and reference)")
    payment_reference = (payment_reference or "").strip() or None
    with rt.uow() as uow:
        known = uow.reconcile.resolution(resolution_id)
        if known is not None:
            return resolution_view(known)
        run = uow.reconcile.run(run_id)
        if run is None:
            raise NotFound(f"no reconciliation run {run_id}")
        summary = json.loads(run.summary)
        row = next((d for d in summary.get("transfer", {}).get("disputed", [])
                    if d["source"] == source and d["line"] == line), None)
        if row is None:
            raise BadInput(f"{source} line {line}: run {run_id} does not list this row as disputed (照会中)")
        import_id = next((s["import_id"] for s in summary.get("statements", []) if s["filename"] == source), None)
        if import_id is None:
            raise BadInput(f"{source}: run {run_id} names no imported statement of that file")
        taken = uow.reconcile.resolution_of_row(import_id, line)
        if taken is not None:
            raise Conflict(f"{source} line {line} was already resolved on {taken.resolved_on} ({taken.id})")
        if payment_reference is not None:
            state = uow.reconcile_books.cashless_payment_state(payment_reference)
            if state not in _OURS:
                raise BadInput(f"payment_reference: {payment_reference!r} is no cashless payment of ours that "
                               "moved money")
        now = rt.clock()
        record = DisputedResolutionRecord(
            id=resolution_id, run_id=run_id, disputed_month=run.month, import_id=import_id, source=source,
            line=line, brand=row["brand"], gross=row["gross"], fee=row["fee"],
            deposit_date=dt.date.fromisoformat(row["deposit_date"]), payment_reference=payment_reference,
            evidence=evidence[:500], resolved_on=business_date(now), recorded_by=actor.login, recorded_at=now)
        uow.reconcile.add_resolution(record)
        uow.commit()
        return resolution_view(record)


def resolution_view(r: DisputedResolutionRecord) -> dict[str, Any]:
    return {"id": r.id, "run_id": r.run_id, "disputed_month": r.disputed_month, "import_id": r.import_id,
            "source": r.source, "line": r.line, "brand": r.brand, "gross": r.gross, "fee": r.fee,
            "deposit_date": r.deposit_date.isoformat(), "payment_reference": r.payment_reference,
            "ours": r.payment_reference is not None, "evidence": r.evidence,
            "resolved_on": r.resolved_on.isoformat(), "recorded_by": r.recorded_by,
            "recorded_at": r.recorded_at.astimezone(JST).isoformat(timespec="minutes")}


def carried_fees(rt: Runtime, month: Month) -> tuple[list[FeeItem], list[dict[str, Any]]]:
    """The fees of the disputed rows resolved as ours during ``month``: the transfer's items, and
    each as the voucher names it (the earlier row: file, line, the month that disputed it)."""
    with rt.uow(read_only=True) as uow:
        rows = uow.reconcile.ours_resolved_between(month.first, month.last)
    items = [FeeItem(r.payment_reference or "", site, r.deposit_date, r.fee) for r, site in rows]
    return items, [resolution_view(r) | {"site": site} for r, site in rows]


def resolutions_of(rt: Runtime, import_ids: list[int]) -> dict[tuple[int, int], dict[str, Any]]:
    """The resolutions recorded against rows of these imports, by (import id, line)."""
    with rt.uow(read_only=True) as uow:
        found = uow.reconcile.resolutions_of_imports(import_ids)
    return {(r.import_id, r.line): resolution_view(r) for r in found}
