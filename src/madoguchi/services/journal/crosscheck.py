"""Cross-check the operational tables against the journal.

A payment, a sale or a receipt may be changed in its own table without touching the
journal; the journal's ``sale_paid`` entries say what was paid (the payment's amount,
the sale's total, the receipt's number), so a row that says otherwise is named.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from madoguchi.domain.journal import EntryKind, JournalEntry
from madoguchi.domain.journal_audit import Finding

if TYPE_CHECKING:
    from madoguchi.adapters.db.repositories.journal import JournalRows


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


def cross_check(rows: JournalRows, facts: PaidFacts) -> list[Finding]:
    """Every payment, sale and receipt whose row says otherwise than its ``sale_paid`` entry, in journal order."""
    findings: list[Finding] = []
    for pid, amount in rows.payment_amounts(facts.payments):
        seq, journalled = facts.payments[pid]
        if amount != journalled:
            findings.append(Finding(seq, f"payment {pid} says {amount} yen, its journal entry {journalled} yen"))
    for sid, total in rows.sale_totals(facts.sales):
        seq, journalled = facts.sales[sid]
        if total != journalled:
            findings.append(Finding(seq, f"sale {sid} says a total of {total} yen, "
                                         f"its journal entry {journalled} yen"))
    for sid, number, document in rows.receipt_documents(facts.receipts):
        seq, journalled = facts.receipts[(sid, number)]
        receipt_total = json.loads(document).get("total")
        if receipt_total != journalled:
            findings.append(Finding(seq, f"receipt no. {number} of sale {sid} says {receipt_total} yen, "
                                         f"its journal entry {journalled} yen"))
    return sorted(findings, key=lambda f: f.seq)
