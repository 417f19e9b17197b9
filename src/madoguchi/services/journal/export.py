"""``madoguchi export journal``: the journal of a range of business days, for an auditor.

The range is the run of entries from the first to the last whose business day falls
from ``date_from`` to ``date_to`` (every entry in between too, so the links run
unbroken). The tar (``domain/journal_export.py`` names its files) holds those entries,
their signatures, the public keys kept next to the signing key and every key
announcement of the journal, the anchors file when there is one, and a README in
Japanese and English; ``madoguchi verify-export`` checks it with nothing else.
The file is written whole or not at all.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from madoguchi.adapters.files.audit_tar import write_tar
from madoguchi.adapters.signing import key_id_of, read_public_key
from madoguchi.domain.journal import GENESIS_HASH, EntryKind
from madoguchi.domain.journal_export import (
    ANNOUNCEMENTS,
    ENTRIES,
    FOLDER,
    FORMAT,
    MANIFEST,
    README,
    SIGNATURES,
    entry_record,
    signature_record,
)
from madoguchi.errors import BadInput
from madoguchi.services.journal.export_readme import README_TEXT

if TYPE_CHECKING:
    from madoguchi.adapters.db.repositories.journal import JournalRows
    from madoguchi.adapters.db.uow import UnitOfWork


@dataclass(frozen=True)
class ExportSummary:
    entries: int
    first_seq: int
    last_seq: int
    keys: tuple[str, ...]
    anchors: str | None


def export_journal(uow_factory: Callable[..., UnitOfWork], *, date_from: dt.date, date_to: dt.date, out: Path,
                   public_keys: list[Path], anchors: Path | None, now: dt.datetime) -> ExportSummary:
    if date_to < date_from:
        raise BadInput(f"--to {date_to} is before --from {date_from}")
    files: list[tuple[str, bytes]] = []
    with uow_factory(read_only=True) as uow:
        manifest, body = _journal_files(uow.journal_rows, date_from, date_to)
    files += body
    keys = []
    for path in public_keys:
        pem = path.read_text(encoding="ascii")
        key_id = key_id_of(read_public_key(pem, where=str(path)))
        keys.append(key_id)
        files.append((f"keys/{key_id[:16]}.pub", pem.encode("ascii")))
    anchors_name = None
    if anchors is not None and anchors.is_file():
        anchors_name = f"anchors/{anchors.name}"
        files.append((anchors_name, anchors.read_bytes()))
    manifest |= {"exported_at": now.astimezone(dt.UTC).isoformat(), "keys": keys,
                 "anchors": anchors_name,
                 "files": {name: hashlib.sha256(data).hexdigest() for name, data in files}}
    head = [(README, README_TEXT.encode("utf-8")),
            (MANIFEST, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))]
    write_tar(out, FOLDER, head + files, mtime=int(now.timestamp()))
    return ExportSummary(manifest["entries"], manifest["first_seq"], manifest["last_seq"], tuple(keys), anchors_name)


def _journal_files(rows: JournalRows, date_from: dt.date,
                   date_to: dt.date) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    span = rows.seq_range(date_from, date_to)
    if span is None:
        raise BadInput(f"no journal entries from {date_from} to {date_to}")
    first, last = span
    before = rows.hash_at(first - 1) if first > 1 else None
    counters = {site: list(pair) for site, pair in rows.site_counters_before(first).items()}
    entries, signatures, count, end_hash = [], [], 0, None
    for e in rows.entries(first=first, upto=last):
        entries.append(entry_record(e))
        if e.signature is not None:
            signatures.append(signature_record(e))
        count, end_hash = count + 1, e.hash
    announced = [entry_record(e, signature=True)
                 for e in rows.of_kinds(EntryKind.KEY_INSTALLED, EntryKind.KEY_ROTATED)]
    manifest = {
        "format": FORMAT, "from": date_from.isoformat(), "to": date_to.isoformat(),
        "first_seq": first, "last_seq": last, "entries": count,
        # Where the range starts: the hash its first entry links to (null: that entry is
        # missing from the journal), each site's counters before it, whether signing had begun.
        "start": {"prev_hash": GENESIS_HASH if first == 1 else before,
                  "counters": counters, "signing": bool(counters)},
        "end_hash": end_hash,
    }
    return manifest, [(ENTRIES, _lines(entries)), (SIGNATURES, _lines(signatures)), (ANNOUNCEMENTS, _lines(announced))]


def _lines(records: list[str]) -> bytes:
    return "".join(r + "\n" for r in records).encode("utf-8")
