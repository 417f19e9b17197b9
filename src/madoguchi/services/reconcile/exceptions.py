"""The exceptions of a close of month, item by item, for the back office to work through.

Every finding that is not plainly matched is kept with the run (in its summary) as one
item: its class, the payment (site, brand, amount, day, the sale it belongs to) and its
evidence (each statement row as file and line, kind, gross, fee, deposit date, and the
note the matching wrote). :func:`run_exceptions` reads them back filtered by class,
site and brand.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.receipt import JST
from madoguchi.domain.reconcile import CLASS_LABELS_JA, MatchClass
from madoguchi.domain.reconcile_match import Finding
from madoguchi.errors import BadInput, NotFound
from madoguchi.services.reconcile.access import check_run_id, may_read_runs
from madoguchi.services.runtime import Runtime


def exception_items(rt: Runtime, findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """The findings other than ``matched``, as plain data with the sale each payment belongs to."""
    wanted = [f for f in findings if f.cls is not MatchClass.MATCHED]
    refs = sorted({f.payment.ref for f in wanted if f.payment})
    with rt.uow(read_only=True) as uow:
        sale_of = uow.reconcile_books.sales_of_payments(refs)
    out = []
    for f in wanted:
        p = f.payment
        first = f.rows[0] if f.rows else None
        out.append({
            "class": f.cls.value, "label": CLASS_LABELS_JA[f.cls], "ref": f.ref, "day": f.day.isoformat(),
            "site": p.site if p else "", "brand": (p.brand if p else None) or (first.brand if first else None),
            "amount": p.amount if p else None, "status": p.status if p else None,
            "sale_id": sale_of.get(p.ref) if p else None,
            "expected_gross": f.expected_gross, "statement_gross": f.statement_gross, "fee": f.fee,
            "expected_fee": f.expected_fee, "note": f.note, "candidates": list(f.candidates),
            "rows": [{"source": r.source, "line": r.line, "kind": r.kind.value, "gross": r.gross, "fee": r.fee,
                      "net": r.net, "deposit_date": r.deposit_date.isoformat(),
                      "transaction_at": r.transaction_at.astimezone(JST).isoformat(timespec="seconds"),
                      "merchant_reference": r.merchant_reference, "processor_reference": r.processor_reference}
                     for r in f.rows],
        })
    return out


def run_exceptions(rt: Runtime, *, run_id: int, actor: Actor, cls: str | None = None, site: str | None = None,
                   brand: str | None = None) -> list[dict[str, Any]]:
    """A run's exception items, filtered by class, site and brand (of the sites the actor may see)."""
    may_read_runs(actor)  # a run is the city's: every site, as its summary and reports
    if cls and cls not in {c.value for c in MatchClass}:
        raise BadInput(f"class: {cls!r} is not one of {', '.join(c.value for c in MatchClass)}")
    check_run_id(run_id)
    with rt.uow(read_only=True) as uow:
        run = uow.reconcile.run(run_id)
        if run is None:
            raise NotFound(f"no reconciliation run {run_id}")
        items = json.loads(run.summary).get("exceptions", [])
    return [i for i in items
            if (not cls or i["class"] == cls) and (not site or i["site"] == site)
            and (not brand or i["brand"] == brand) and (not i["site"] or actor.may(Action.VIEW, i["site"]))]
