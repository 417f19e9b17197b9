"""Verify the journal: hashes, links, per-site counters, signatures, and the tables beside it.

Signatures are checked with public keys alone (an auditor's own copies, or by default
the ``.pub`` file next to the configured signing key); keys announced in the journal
by a ``key_rotated`` entry signed with a trusted key are trusted from there on.
Every finding is kept; ``broken`` is the first of them (what the short answers show).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from madoguchi.adapters.signing import Keyring, load_public_key_file, public_path
from madoguchi.config import Settings
from madoguchi.domain.journal import ChainBreak
from madoguchi.domain.journal_audit import Finding, UnsignedRun, audit_entries
from madoguchi.services.journal.crosscheck import PaidFacts, cross_check
from madoguchi.services.runtime import Runtime

if TYPE_CHECKING:
    from madoguchi.adapters.db.repositories.journal import JournalRows
    from madoguchi.adapters.db.uow import UnitOfWork


@dataclass(frozen=True)
class Verification:
    entries: int
    broken: ChainBreak | None
    findings: tuple[Finding, ...] = ()
    unsigned: tuple[UnsignedRun, ...] = ()
    signatures_checked: bool = False
    keys: tuple[str, ...] = field(default=())  # key ids trusted at the end (given, then announced)

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_journal(uow_factory: Callable[..., UnitOfWork], keyring: Keyring | None = None) -> Verification:
    with uow_factory() as uow:
        return verify_rows(uow.journal_rows, keyring)


def verify_rows(rows: JournalRows, keyring: Keyring | None = None) -> Verification:
    """Verify the journal as ``rows`` reads it (entries in order, streamed, then the head, then the tables)."""
    keyring = keyring if keyring is not None else Keyring()
    facts = PaidFacts()
    audit = audit_entries(facts.collect(rows.entries()), keyring)
    findings = list(audit.findings)
    count = audit.entries
    head_seq, head_hash = rows.head()
    if head_seq != count or (count and head_hash != audit.last_hash):
        findings.append(Finding(count + 1 if head_seq > count else head_seq,
                                f"the journal head says {head_seq} entries but {count} were found "
                                "(entries removed at the end)"))
    findings += cross_check(rows, facts)
    first = findings[0] if findings else None
    return Verification(count, ChainBreak(first.seq, first.reason) if first else None, tuple(findings),
                        audit.unsigned, audit.signatures_checked, tuple(keyring.key_ids))


def default_keyring(settings: Settings) -> Keyring:
    """The public keys kept next to the configured signing key. An auditor passes their own copies instead."""
    return Keyring([load_public_key_file(p) for p in public_key_files(settings)])


def public_key_files(settings: Settings) -> list[Path]:
    """The configured signing key's ``.pub`` and those of the keys it replaced (``<key>.<id>.pub``)."""
    key = settings.signing_key_path
    pubs = [public_path(key), *sorted(key.parent.glob(f"{key.name}.*.pub"))] if key.parent.is_dir() else []
    return [p for p in pubs if p.is_file()]


def verify(rt: Runtime) -> Verification:
    return verify_journal(rt.uow, default_keyring(rt.settings))
