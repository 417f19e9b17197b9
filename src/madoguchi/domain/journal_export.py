"""The auditor's export of the journal: its files and their records, with no database.

An export is a tar of one folder (:data:`FOLDER`): ``entries.jsonl`` holds each entry's
fields exactly as its hash covers them, plus the hash (one canonical JSON object a
line); ``signatures.jsonl`` the signature of each signed entry (``seq``, ``signature``:
base64 Ed25519 over the hash's ASCII hex); ``keys/*.pub`` the public keys and
``keys/announcements.jsonl`` every ``key_installed``/``key_rotated`` entry of the whole
journal with its signature; ``anchors/`` the close-of-day anchors file when there is
one; ``manifest.json`` the range, where it starts (the hash the first entry links to,
each site's counters before it) and the SHA-256 of every other file; ``README.md``.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from madoguchi.domain.journal import JournalEntry, canonical_json
from madoguchi.domain.jsonl import json_objects
from madoguchi.errors import BadInput

FORMAT = "madoguchi-journal-export/1"
FOLDER = "madoguchi-journal"
ENTRIES, SIGNATURES, MANIFEST, README = "entries.jsonl", "signatures.jsonl", "manifest.json", "README.md"
ANNOUNCEMENTS = "keys/announcements.jsonl"

#: The fields every entry's hash covers; since signing began (migration 0008) also SIGNING_FIELDS.
BASE_FIELDS = ("seq", "kind", "occurred_at", "business_date", "site", "station", "actor", "sale_id",
               "amount", "data", "prev_hash")
SIGNING_FIELDS = ("tx_number", "sig_counter", "key_id", "unsigned_reason")
_TYPES: dict[str, tuple[type, ...]] = {
    "seq": (int,), "kind": (str,), "occurred_at": (str,), "business_date": (str,), "site": (str, type(None)),
    "station": (str, type(None)), "actor": (str, type(None)), "sale_id": (str, type(None)), "amount": (int,),
    "data": (str,), "prev_hash": (str,), "hash": (str,), "tx_number": (int, type(None)),
    "sig_counter": (int, type(None)), "key_id": (str, type(None)), "unsigned_reason": (str, type(None)),
    "signature": (str,),
}


def entry_record(e: JournalEntry, *, signature: bool = False) -> str:
    """One line of ``entries.jsonl`` (with ``signature``: of ``announcements.jsonl``)."""
    fields = BASE_FIELDS + (SIGNING_FIELDS if e.tx_number is not None else ())
    record: dict[str, Any] = {f: getattr(e, f) for f in fields} | {"hash": e.hash}
    if signature:
        record["signature"] = e.signature
    return canonical_json(record)


def signature_record(e: JournalEntry) -> str:
    return canonical_json({"seq": e.seq, "signature": e.signature})


def read_entries(text: str, *, name: str, signed: bool = False) -> Iterator[JournalEntry]:
    """The entries of ``entries.jsonl`` (or ``announcements.jsonl``); :class:`BadInput`
    names the file, line and column of anything that is not such a record."""
    for lineno, record in json_objects(text, source=name):
        keys = set(record)
        base = set(BASE_FIELDS) | {"hash"} | ({"signature"} if signed else set())
        if keys not in (base, base | set(SIGNING_FIELDS)):
            wanted = base | (set(SIGNING_FIELDS) if keys & set(SIGNING_FIELDS) else set())
            raise BadInput(f"{name} line {lineno}: not the fields an entry's hash covers "
                           f"(missing {sorted(wanted - keys)}, unexpected {sorted(keys - wanted)})")
        _check_types(record, name, lineno)
        yield JournalEntry(**record)


def read_signatures(text: str, *, name: str = SIGNATURES) -> dict[int, str]:
    signatures: dict[int, str] = {}
    for lineno, record in json_objects(text, source=name):
        if set(record) != {"seq", "signature"}:
            raise BadInput(f"{name} line {lineno}: a signature record has exactly seq and signature")
        _check_types(record, name, lineno)
        if record["seq"] in signatures:
            raise BadInput(f"{name} line {lineno}: a second signature of entry #{record['seq']}")
        signatures[record["seq"]] = record["signature"]
    return signatures


def read_manifest(text: str) -> dict[str, Any]:
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{MANIFEST} line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BadInput(f"{MANIFEST}: not a madoguchi journal export (format {FORMAT!r} expected)")
    return manifest


def _check_types(record: dict[str, Any], name: str, lineno: int) -> None:
    for key, value in record.items():
        if isinstance(value, bool) or not isinstance(value, _TYPES[key]):
            raise BadInput(f"{name} line {lineno}: {key} has the wrong type ({type(value).__name__})")
