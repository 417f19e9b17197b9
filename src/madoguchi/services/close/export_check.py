"""``madoguchi verify-export``: check an auditor's export offline, with that file alone.

No database and no settings: the entries, their signatures and the public keys all come
from the tar (``domain/journal_export.py``), or the keys from the auditor (trusted keys
given; keys announced by a ``key_rotated`` entry they signed are trusted too). Checked,
collecting every finding: each entry's hash, the links (the first entry's against the
range's stated start), the sequence, each site's counters from the stated start, every
signature, the range's stated end, and the SHA-256 the manifest lists for each file.
"""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from madoguchi.adapters.files.audit_tar import read_tar
from madoguchi.adapters.signing import Keyring, read_public_key
from madoguchi.domain.journal_audit import ChainStart, Finding, UnsignedRun, audit_entries, learn_announced_keys
from madoguchi.domain.journal_export import (
    ANNOUNCEMENTS,
    ENTRIES,
    FOLDER,
    MANIFEST,
    README,
    SIGNATURES,
    read_entries,
    read_manifest,
    read_signatures,
)
from madoguchi.errors import BadInput


@dataclass(frozen=True)
class ExportCheck:
    entries: int
    first_seq: int
    last_seq: int
    date_from: str
    date_to: str
    findings: tuple[Finding, ...]   # about entries, in journal order
    problems: tuple[str, ...]       # about the files and the range as a whole
    unsigned: tuple[UnsignedRun, ...]
    keys: tuple[str, ...]           # key ids trusted at the end
    keys_from_export: bool          # no key was given: the export's own were used
    anchors: str | None

    @property
    def ok(self) -> bool:
        return not self.findings and not self.problems


def verify_export(path: Path, trusted: list[Ed25519PublicKey] | None = None) -> ExportCheck:
    files = read_tar(path, FOLDER)
    for name in (MANIFEST, ENTRIES, SIGNATURES):
        if name not in files:
            raise BadInput(f"{path}: {FOLDER}/{name} is missing; is this a madoguchi journal export?")
    manifest = read_manifest(_text(files, MANIFEST))
    problems = _file_problems(files, manifest)
    own_keys = {name: read_public_key(_text(files, name), where=name)
                for name in sorted(files) if name.startswith("keys/") and name.endswith(".pub")}
    keyring = Keyring(trusted if trusted else list(own_keys.values()))
    if not keyring:
        problems.append("no public key in the export and none given (--public-key): signatures not checked")
    first_seq, last_seq = _int(manifest, "first_seq"), _int(manifest, "last_seq")
    if ANNOUNCEMENTS in files:
        announced = read_entries(_text(files, ANNOUNCEMENTS), name=ANNOUNCEMENTS, signed=True)
        learn_announced_keys((e for e in announced if e.seq < first_seq), keyring)
    signatures = read_signatures(_text(files, SIGNATURES))
    entries = [dataclasses.replace(e, signature=signatures.pop(e.seq, None))
               for e in read_entries(_text(files, ENTRIES), name=ENTRIES)]
    problems += [f"{SIGNATURES} has a signature of entry #{seq}, which is not in {ENTRIES}" for seq in signatures]
    start = _start(manifest, first_seq, problems)
    audit = audit_entries(entries, keyring, start)
    if audit.entries != _int(manifest, "entries"):
        problems.append(f"the manifest says {manifest['entries']} entries, {ENTRIES} holds {audit.entries}")
    if entries and entries[-1].seq != last_seq:
        problems.append(f"the range ends at entry #{entries[-1].seq}, the manifest says #{last_seq} "
                        "(entries removed at the end)")
    if audit.last_hash != manifest.get("end_hash"):
        problems.append("the last entry's hash is not the range's stated end (end_hash)")
    return ExportCheck(audit.entries, first_seq, last_seq, str(manifest.get("from")), str(manifest.get("to")),
                       audit.findings, tuple(problems), audit.unsigned, tuple(keyring.key_ids), not trusted,
                       manifest.get("anchors") if isinstance(manifest.get("anchors"), str) else None)


def _start(manifest: dict[str, Any], first_seq: int, problems: list[str]) -> ChainStart:
    start = manifest.get("start")
    if not isinstance(start, dict):
        raise BadInput(f"{MANIFEST}: start is missing")
    prev_hash = start.get("prev_hash")
    if not isinstance(prev_hash, str):
        problems.append(f"the entry before the range (#{first_seq - 1}) was missing when it was exported")
        prev_hash = ""
    counters = start.get("counters", {})
    try:
        parsed = {str(site): (int(tx), int(sig)) for site, (tx, sig) in counters.items()}
    except (AttributeError, TypeError, ValueError):
        raise BadInput(f"{MANIFEST}: start.counters is not {{site: [transaction number, signature counter]}}") from None
    return ChainStart(first_seq, prev_hash, parsed, bool(start.get("signing")))


def _file_problems(files: dict[str, bytes], manifest: dict[str, Any]) -> list[str]:
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        raise BadInput(f"{MANIFEST}: files is missing")
    problems = []
    for name, digest in listed.items():
        if name not in files:
            problems.append(f"{name} is listed in the manifest but not in the tar")
        elif hashlib.sha256(files[name]).hexdigest() != digest:
            problems.append(f"{name} is not the file the manifest lists (its SHA-256 differs)")
    problems += [f"{name} is in the tar but not listed in the manifest"
                 for name in sorted(files) if name not in listed and name not in (MANIFEST, README)]
    return problems


def _int(manifest: dict[str, Any], key: str) -> int:
    value = manifest.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(f"{MANIFEST}: {key} is not a number")
    return value


def _text(files: dict[str, bytes], name: str) -> str:
    try:
        return files[name].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{name}: not UTF-8 (byte {exc.start})") from None
