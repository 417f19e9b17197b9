"""Cross-check the operational tables against the journal.

A payment, a sale or a receipt may be changed in its own table without touching the
journal; the journal's ``sale_paid`` entries say what was paid (the payment's amount,
the sale's total, the receipt's number), so a row that says otherwise is named.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from madoguchi.adapters.db.tables import Payment, Receipt, Sale
from madoguchi.domain.journal import EntryKind, JournalEntry
from madoguchi.domain.journal_audit import Finding

_CHUNK = 500


@dataclass
class PaidFacts:
    """What the journal's sale_paid entries say, collected while they are read."""

    payments: dict[str, tuple[int, int]] = field(default_factory=dict)            # id -> (seq, amount)
    sales: dict[str, tuple[int, int]] = field(default_factory=dict)               # id -> (seq, total)
    receipts: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)  # (sale, no) -> (seq, total)

    def collect(self, entries: Iterable[JournalEntry]) -> Iterator[JournalEntry]:
        paid = EntryKind.SALE_PAID.value
        for e in entries:
            if e.kind == paid and e.sale_id:
                d = e.details()
                if d.get("payment_id"):
                    self.payments[d["payment_id"]] = (e.seq, e.amount)
                if isinstance(d.get("sale_total"), int):
                    self.sales[e.sale_id] = (e.seq, d["sale_total"])
                    if isinstance(d.get("receipt_number"), int):
                        self.receipts[(e.sale_id, d["receipt_number"])] = (e.seq, d["sale_total"])
            yield e


def cross_check(session: Session, facts: PaidFacts) -> list[Finding]:
    findings: list[Finding] = []
    for ids in _chunks(list(facts.payments)):
        for pid, amount in session.execute(select(Payment.id, Payment.amount).where(Payment.id.in_(ids))):
            seq, journalled = facts.payments[pid]
            if amount != journalled:
                findings.append(Finding(seq, f"payment {pid} says {amount} yen, its journal entry {journalled} yen"))
    for ids in _chunks(list(facts.sales)):
        for sid, total in session.execute(select(Sale.id, Sale.total).where(Sale.id.in_(ids))):
            seq, journalled = facts.sales[sid]
            if total != journalled:
                findings.append(Finding(seq, f"sale {sid} says a total of {total} yen, "
                                             f"its journal entry {journalled} yen"))
    for keys in _chunks(list(facts.receipts)):
        rows = session.execute(select(Receipt.sale_id, Receipt.number, Receipt.document).where(
            tuple_(Receipt.sale_id, Receipt.number).in_(keys)))
        for sid, number, document in rows:
            seq, journalled = facts.receipts[(sid, number)]
            total = json.loads(document).get("total")
            if total != journalled:
                findings.append(Finding(seq, f"receipt no. {number} of sale {sid} says {total} yen, "
                                             f"its journal entry {journalled} yen"))
    return sorted(findings, key=lambda f: f.seq)


def _chunks(items: list) -> Iterator[list]:  # type: ignore[type-arg]
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]
