"""Journal entries: immutable, sequence-numbered, each carrying the hash of the one before.

The hash covers every stored field of the entry, so changing any byte of a stored
entry (or removing or reordering one) breaks verification from that entry on.

Since migration 0008 an entry also carries its site's transaction number, its site's
signature counter (signed entries only), the fingerprint of the key that signed it or
the reason it is unsigned, and an Ed25519 signature over its hash; the hash covers
all of those but the signature. Entries written before (``tx_number`` is ``None``)
keep the hash they were written with. The checks of counters and signatures are in
``journal_audit.py``.
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
    KEY_INSTALLED = "key_installed"  # a signing key put in service (signed by itself)
    KEY_ROTATED = "key_rotated"    # a new signing key announced, signed by the old one


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
    tx_number: int | None = None         # per site, every entry: 1, 2, 3 ...
    sig_counter: int | None = None       # per site, signed entries only: 1, 2, 3 ...
    key_id: str | None = None            # fingerprint of the signing key
    unsigned_reason: str | None = None   # why no signature (the key was not usable)
    signature: str | None = None         # base64 Ed25519 signature of ``hash``

    @property
    def site_key(self) -> str:
        """The site whose counters this entry moves ("" for entries of no site)."""
        return self.site or ""

    def details(self) -> dict[str, Any]:
        details: dict[str, Any] = json.loads(self.data)
        return details


def entry_hash(*, seq: int, kind: str, occurred_at: str, business_date: str, site: str | None,
               station: str | None, actor: str | None, sale_id: str | None, amount: int,
               data: str, prev_hash: str, tx_number: int | None = None, sig_counter: int | None = None,
               key_id: str | None = None, unsigned_reason: str | None = None, **_ignored: Any) -> str:
    fields: dict[str, Any] = {
        "seq": seq, "kind": kind, "occurred_at": occurred_at, "business_date": business_date,
        "site": site, "station": station, "actor": actor, "sale_id": sale_id,
        "amount": amount, "data": data, "prev_hash": prev_hash,
    }
    if tx_number is not None:  # an entry written since signing began (migration 0008)
        fields.update(tx_number=tx_number, sig_counter=sig_counter, key_id=key_id,
                      unsigned_reason=unsigned_reason)
    body = canonical_json(fields)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def recompute_hash(e: JournalEntry) -> str:
    return entry_hash(seq=e.seq, kind=e.kind, occurred_at=e.occurred_at, business_date=e.business_date,
                      site=e.site, station=e.station, actor=e.actor, sale_id=e.sale_id, amount=e.amount,
                      data=e.data, prev_hash=e.prev_hash, tx_number=e.tx_number, sig_counter=e.sig_counter,
                      key_id=e.key_id, unsigned_reason=e.unsigned_reason)


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
        if recompute_hash(e) != e.hash:
            return ChainBreak(e.seq, "its content does not match its hash (altered)")
        expected_prev = e.hash
        expected_seq += 1
    return None
