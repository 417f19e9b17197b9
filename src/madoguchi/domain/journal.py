"""Journal entries: immutable, sequence-numbered, each carrying the hash of the one before.

The hash covers every stored field of the entry, so changing any byte of a stored
entry (or removing or reordering one) breaks verification from that entry on.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

GENESIS_HASH = "0" * 64


class EntryKind(StrEnum):
    FLOAT_LOADED = "float_loaded"
    CASH_IN = "cash_in"
    CASH_OUT = "cash_out"
    SALE_PAID = "sale_paid"
    SALE_VOIDED = "sale_voided"
    REFUND = "refund"
    REFUND_COMPLETED = "refund_completed"
    CASH_RETURNED = "cash_returned"
    INCIDENT_OPENED = "incident_opened"
    INCIDENT_RESOLVED = "incident_resolved"
    APPROVAL = "approval"          # a supervisor allowed something the rules hold back
    DAY_CLOSED = "day_closed"
    ADJUSTMENT = "adjustment"      # a supervisor-approved correction of a closed day


def canonical_json(data: dict[str, Any]) -> str:
    """One spelling of a mapping: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    seq: int
    kind: str
    occurred_at: str       # ISO 8601 with offset
    business_date: str     # YYYY-MM-DD (JST)
    site: str | None
    station: str | None
    actor: str | None      # login of the staff member, or "system" / "device"
    sale_id: str | None
    amount: int            # yen moved by this entry (0 for a pure event)
    data: str              # canonical JSON of the details
    prev_hash: str
    hash: str

    def details(self) -> dict[str, Any]:
        return json.loads(self.data)


def entry_hash(*, seq: int, kind: str, occurred_at: str, business_date: str, site: str | None,
               station: str | None, actor: str | None, sale_id: str | None, amount: int,
               data: str, prev_hash: str) -> str:
    body = canonical_json({
        "seq": seq, "kind": kind, "occurred_at": occurred_at, "business_date": business_date,
        "site": site, "station": station, "actor": actor, "sale_id": sale_id,
        "amount": amount, "data": data, "prev_hash": prev_hash,
    })
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(entries: Iterable[JournalEntry]) -> ChainBreak | None:
    """The first entry that does not verify, or ``None`` when the whole chain holds."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for e in entries:
        if e.seq != expected_seq:
            return ChainBreak(e.seq, f"expected entry {expected_seq} here, found {e.seq} (missing or reordered)")
        if e.prev_hash != expected_prev:
            return ChainBreak(e.seq, "its link to the previous entry does not match")
        recomputed = entry_hash(seq=e.seq, kind=e.kind, occurred_at=e.occurred_at,
                                business_date=e.business_date, site=e.site, station=e.station,
                                actor=e.actor, sale_id=e.sale_id, amount=e.amount, data=e.data,
                                prev_hash=e.prev_hash)
        if recomputed != e.hash:
            return ChainBreak(e.seq, "its content does not match its hash (altered)")
        expected_prev = e.hash
        expected_seq += 1
    return None
