"""Printing receipts. A printer fault never loses a sale: the receipt waits, pending.

The receipt row is written with the payment; printing happens after the commit, and
only a successful print marks it printed. Reprints say 再発行.
"""
from __future__ import annotations

from typing import Any

from madoguchi.adapters.devices.escpos_render import render_receipt
from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.receipt import ReceiptDocument
from madoguchi.errors import NotFound, PrinterError
from madoguchi.services.counter.settle import document_from_json
from madoguchi.services.counter.views import receipt_view
from madoguchi.services.runtime import Runtime


def print_receipt(rt: Runtime, *, receipt_id: int, reprint: bool = False,
                  fresh: tuple[str, ReceiptDocument] | None = None) -> dict[str, Any]:
    """Send one receipt to its station's printer; on a fault, keep it pending and say why.

    ``fresh`` is (station, document) of a receipt just written, never printed, which
    saves reading it back.
    """
    if fresh is not None:
        station, doc = fresh
    else:
        with rt.uow(read_only=True) as uow:
            receipt = uow.receipts.find(receipt_id)
            if receipt is None:
                raise NotFound(f"no receipt {receipt_id}")
            doc = document_from_json(receipt.document, reprint=reprint or receipt.prints > 0)
            station = receipt.payment_station
    printer = rt.devices.of(station).printer
    error: str | None = None
    with rt.devices.lock(station):
        try:
            printer.print_bytes(render_receipt(doc))
        except PrinterError as exc:
            error = exc.message
    # One statement: the outcome written and the row read back together.
    with rt.uow(urgent=True) as uow:
        row = uow.receipts.outcome(receipt_id, None if error is None else error[:200], at=rt.clock())
        if row is None:
            raise NotFound(f"no receipt {receipt_id}")
        uow.commit()
    return receipt_view(row)


def reprint_receipt(rt: Runtime, *, sale_id: str, actor: Actor) -> dict[str, Any]:
    with rt.uow(read_only=True) as uow:
        sale = uow.sales.get(sale_id, lock=False)
        actor.require(Action.SELL, sale.site)
        receipt = uow.receipts.latest(sale_id)
        if receipt is None:
            raise NotFound(f"sale {sale_id} has no receipt (it is not paid)")
        receipt_id = receipt.id
    return print_receipt(rt, receipt_id=receipt_id, reprint=True)


def print_pending(rt: Runtime, *, payment_station: str) -> list[dict[str, Any]]:
    """Try again every receipt of a station that is still waiting (after paper is refilled)."""
    with rt.uow(read_only=True) as uow:
        ids = uow.receipts.pending_ids(payment_station)
    results = []
    for receipt_id in ids:
        result = print_receipt(rt, receipt_id=receipt_id)
        results.append(result)
        if result["state"] != "printed":
            break
    return results
