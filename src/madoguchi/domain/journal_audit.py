"""Audit the journal: hashes, links, per-site counters and signatures, as findings.

The chain alone (``journal.py``) cannot stop someone who can write the database: they
may change an entry and recompute every later hash. Signatures can: an entry's
signature is made over its hash with a key that is not in the database, so a changed
entry no longer verifies under the public key, and neither does any entry rehashed
after it. Each site's transaction number (every entry) and signature counter (signed
entries) run 1, 2, 3 ... as a German TSE keeps them, so a removed or reordered entry
leaves a gap even where the chain was rebuilt.

Which public keys are trusted is the :class:`Keyring`'s business: the auditor's own
keys, and the keys announced by a ``key_rotated`` entry that a trusted key signed.
Checks return every finding, in journal order. A run that starts inside the journal (an
auditor's export) states where it starts (:class:`ChainStart`).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from madoguchi.domain.journal import GENESIS_HASH, EntryKind, JournalEntry, recompute_hash


class Keyring(Protocol):
    def __bool__(self) -> bool: ...                       # any key to check with?
    def knows(self, key_id: str) -> bool: ...
    def holds(self, key_id: str, entry_hash: str, signature: str) -> bool: ...
    def learn(self, entry: JournalEntry) -> None: ...    # a key announced by a verified entry


@dataclass(frozen=True, slots=True)
class Finding:
    seq: int
    reason: str


@dataclass(frozen=True, slots=True)
class UnsignedRun:
    """Consecutive unsigned entries (journal order) written for one reason."""

    first_seq: int
    last_seq: int
    count: int
    reason: str


@dataclass(frozen=True)
class Audit:
    entries: int
    findings: tuple[Finding, ...]
    unsigned: tuple[UnsignedRun, ...]
    signatures_checked: bool
    legacy: int  # entries written before signing began (no counters, no signature)
    last_hash: str | None


@dataclass(frozen=True)
class ChainStart:
    """Where a run of entries starts when it is not the whole journal (an auditor's export):
    its first entry's number, the hash it links to, and each site's counters before it."""

    seq: int = 1
    prev_hash: str = GENESIS_HASH
    counters: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # site -> (tx, sig)
    signing: bool = False  # signing had begun before the run


def audit_entries(entries: Iterable[JournalEntry], keyring: Keyring, start: ChainStart | None = None) -> Audit:
    start = start or ChainStart()
    findings: list[Finding] = []
    unsigned: list[UnsignedRun] = []
    tx: dict[str, int] = {site: t for site, (t, _) in start.counters.items()}
    sig: dict[str, int] = {site: s for site, (_, s) in start.counters.items()}
    expected_seq, prev_hash, count, legacy, signing = start.seq, start.prev_hash, 0, 0, start.signing
    last_hash: str | None = None
    for e in entries:
        count += 1
        found = findings.append
        if e.seq != expected_seq:
            found(Finding(e.seq, f"expected entry {expected_seq} here, found {e.seq} (missing or reordered)"))
        if e.prev_hash != prev_hash:
            found(Finding(e.seq, "its link to the previous entry does not match"))
        intact = recompute_hash(e) == e.hash
        if not intact:
            found(Finding(e.seq, "its content does not match its hash (altered)"))
        expected_seq, prev_hash, last_hash = e.seq + 1, e.hash, e.hash
        if e.tx_number is None:
            if signing:
                found(Finding(e.seq, "it has no transaction number, but signing began before it"))
            else:
                legacy += 1
            continue
        signing = True
        site = e.site_key
        want = tx.get(site, 0) + 1
        if e.tx_number != want:
            found(Finding(e.seq, f"transaction number {e.tx_number} of site {site or '(none)'!r}, "
                                 f"expected {want} (an entry is missing, repeated or moved)"))
        tx[site] = e.tx_number
        if e.signature is None:
            if e.sig_counter is not None or not e.unsigned_reason:
                found(Finding(e.seq, "it is unsigned but does not say why, or has a signature counter"))
            _unsigned(unsigned, e)
            continue
        want = sig.get(site, 0) + 1
        if e.sig_counter != want:
            found(Finding(e.seq, f"signature counter {e.sig_counter} of site {site or '(none)'!r}, "
                                 f"expected {want} (a signed entry is missing, repeated or moved)"))
        sig[site] = e.sig_counter or 0
        if not keyring:
            continue
        if e.key_id is None or not keyring.knows(e.key_id):
            found(Finding(e.seq, f"it is signed by key {(e.key_id or '?')[:16]}, which is not a trusted key"))
        elif not keyring.holds(e.key_id, e.hash, e.signature):
            found(Finding(e.seq, "its signature does not verify with the public key "
                                 "(the entry was changed and its hash recomputed)"))
        elif intact and e.kind == EntryKind.KEY_ROTATED.value:
            keyring.learn(e)
    return Audit(count, tuple(findings), tuple(unsigned), bool(keyring), legacy, last_hash)


def _unsigned(runs: list[UnsignedRun], e: JournalEntry) -> None:
    reason = e.unsigned_reason or ""
    if runs and runs[-1].reason == reason and runs[-1].last_seq == e.seq - 1:
        last = runs[-1]
        runs[-1] = UnsignedRun(last.first_seq, e.seq, last.count + 1, reason)
    else:
        runs.append(UnsignedRun(e.seq, e.seq, 1, reason))


def learn_announced_keys(entries: Iterable[JournalEntry], keyring: Keyring) -> None:
    """Trust the keys announced by ``key_rotated`` entries (journal order) that are intact
    and signed by a key already trusted: what :func:`audit_entries` learns on its way, for
    a check that does not read every entry (one receipt, an export's range)."""
    for e in entries:
        if (e.kind == EntryKind.KEY_ROTATED.value and e.key_id and e.signature and keyring.knows(e.key_id)
                and recompute_hash(e) == e.hash and keyring.holds(e.key_id, e.hash, e.signature)):
            keyring.learn(e)
