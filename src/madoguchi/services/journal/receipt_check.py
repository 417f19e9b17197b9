"""Does the journal still hold a receipt as it was printed? (``madoguchi verify-receipt``)

A receipt carries its journal entry's verification code (``domain/receipt_code.py``);
its QR adds the entry's site and number. The entry is found by the code (every signed
``sale_paid`` entry's signature is hashed until one matches) or straight by its number,
then checked on its own: its content against its hash, its links to the entries before
and after it (or the head), and its signature with the public keys (keys announced by a
``key_rotated`` entry signed with a trusted key are trusted too). An insider who changed
the amount and recomputed every hash is caught by the signature.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from madoguchi.adapters.signing import Keyring
from madoguchi.domain.journal import GENESIS_HASH, EntryKind, JournalEntry, recompute_hash
from madoguchi.domain.journal_audit import learn_announced_keys
from madoguchi.domain.receipt import JST
from madoguchi.domain.receipt_code import ReceiptQuery, code_of
from madoguchi.errors import BadInput

if TYPE_CHECKING:
    from madoguchi.adapters.db.repositories.journal import JournalRows


class Verdict(StrEnum):
    HELD = "held"            # the journal holds the receipt as printed
    NOT_HELD = "not_held"    # no receipt with that code (or at that entry)
    ALTERED = "altered"      # its entry is there but no longer as signed


@dataclass(frozen=True)
class ReceiptCheck:
    verdict: Verdict
    code: str
    entry: JournalEntry | None = None
    reasons: tuple[str, ...] = ()

    @property
    def receipt_number(self) -> int | None:
        return self.entry.details().get("receipt_number") if self.entry else None

    @property
    def amount(self) -> int | None:
        """The receipt's total (the sale's), as the entry says."""
        return self.entry.details().get("sale_total") if self.entry else None

    @property
    def issued_at(self) -> dt.datetime | None:
        return dt.datetime.fromisoformat(self.entry.occurred_at).astimezone(JST) if self.entry else None


def check_receipt(rows: JournalRows, query: ReceiptQuery, keyring: Keyring) -> ReceiptCheck:
    if not keyring:
        raise BadInput("no public key to check the receipt's signature with; pass --public-key FILE")
    entry = _find(rows, query)
    if entry is None:
        where = f" at entry #{query.seq} of site {query.site}" if query.seq is not None else ""
        return ReceiptCheck(Verdict.NOT_HELD, query.code, reasons=(f"no receipt with this code is held{where}",))
    learn_announced_keys(rows.of_kinds(EntryKind.KEY_ROTATED, before=entry.seq), keyring)
    reasons = _problems(rows, entry, keyring)
    return ReceiptCheck(Verdict.ALTERED if reasons else Verdict.HELD, query.code, entry, tuple(reasons))


def _find(rows: JournalRows, query: ReceiptQuery) -> JournalEntry | None:
    if query.seq is not None:
        at = rows.signed_receipt(query.seq)
        candidates = [at] if at is not None and (at.site or "") == query.site else []
    else:
        # Only the signatures are read to look: 64 bytes an entry, hashed here.
        found = [seq for seq, signature in rows.receipt_signatures() if code_of(signature) == query.code]
        first = rows.signed_receipt(found[0]) if found else None
        candidates = [first] if first is not None else []
    for entry in candidates:
        if entry.signature and code_of(entry.signature) == query.code and entry.details().get("receipt_number"):
            return entry
    return None


def _problems(rows: JournalRows, e: JournalEntry, keyring: Keyring) -> list[str]:
    reasons = []
    if recompute_hash(e) != e.hash:
        reasons.append("its content does not match its hash (altered)")
    around = {x.seq: x for x in rows.entries(first=max(1, e.seq - 1), upto=e.seq + 1)}
    before = around.get(e.seq - 1)
    linked_to = GENESIS_HASH if e.seq == 1 else (before.hash if before else None)
    if e.prev_hash != linked_to:
        reasons.append("its link to the previous entry does not match (an entry before it was changed or removed)")
    after = around.get(e.seq + 1)
    if after is not None and after.prev_hash != e.hash:
        reasons.append("the next entry does not link to it (it was changed after the next was written)")
    if after is None and rows.head() != (e.seq, e.hash):
        reasons.append("the journal head does not end at it, and no entry follows it")
    if e.key_id is None or not keyring.knows(e.key_id):
        reasons.append(f"it is signed by key {(e.key_id or '?')[:16]}, which is not a trusted key")
    elif not keyring.holds(e.key_id, e.hash, e.signature or ""):
        reasons.append("its signature does not verify with the public key "
                       "(the entry was changed and its hash recomputed)")
    return reasons
