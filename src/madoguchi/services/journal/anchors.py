"""Anchors outside the database: the checkpoint made at a site's close, written to the anchor
file, and the proof that the database still holds what was anchored (docs/journal.md).

- :func:`checkpoint_at_close`: inside the close's transaction, just before the site's
  ``day_closed`` entry (which carries it): the head, locked, and the site-day's entries up
  to it, summed up as a checkpoint and signed with the journal's key.
- :func:`write_anchors`: after the close commits, every checkpoint the journal holds that
  the anchor file does not yet hold is appended (so one that could not be written is
  retried at the next close). It never raises: a failure is returned, to be shown.
- :func:`check_anchors` and :func:`check_code`: recompute each anchored site-day from the
  database and name every checkpoint that no longer matches, and why.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from madoguchi.adapters.files.anchor_file import append_lines
from madoguchi.adapters.signing import JournalSigner
from madoguchi.domain.anchor import (
    Checkpoint,
    SignedCheckpoint,
    checkpoint_of,
    differences,
    from_dict,
    grouped,
    normalize_code,
    parse_anchor_lines,
)
from madoguchi.domain.close import Finding, Severity
from madoguchi.domain.journal import EntryKind
from madoguchi.domain.journal_audit import Keyring
from madoguchi.errors import BadInput
from madoguchi.services.runtime import Runtime

if TYPE_CHECKING:
    from madoguchi.adapters.db.repositories.journal import JournalRows
    from madoguchi.adapters.db.uow import UnitOfWork


# --- at close ----------------------------------------------------------------------------
def checkpoint_at_close(uow: UnitOfWork, *, site: str, day: dt.date, signer: JournalSigner | None) -> SignedCheckpoint:
    """The site-day's checkpoint at the journal's head, signed (or saying why it is not)."""
    rows = uow.journal_rows
    seq, head = rows.locked_head()  # locked until the close commits: nothing comes between
    cp = checkpoint_of(site=site, day=day, seq=seq, head=head,
                       entry_hashes=list(rows.site_day_hashes(site=site, day=day.isoformat(), upto=seq)))
    if signer is None:
        return SignedCheckpoint(cp, None, None, "署名鍵が渡されていません (no signing key given)")
    stamp = signer.stamp()
    return SignedCheckpoint(cp, stamp.key_id, stamp.sign(cp.digest()), stamp.reason)


def journalled_checkpoints(uow: UnitOfWork, *, site: str | None = None,
                           day: dt.date | None = None) -> list[tuple[int, SignedCheckpoint]]:
    """(entry seq, checkpoint) carried by the sites' ``day_closed`` entries, in journal order."""
    return _checkpoints(uow.journal_rows, site=site, day=day)


def _checkpoints(rows: JournalRows, *, site: str | None = None,
                 day: dt.date | None = None) -> list[tuple[int, SignedCheckpoint]]:
    out = []
    for entry in rows.of_kinds(EntryKind.DAY_CLOSED, site=site, day=day):
        seq, details = entry.seq, _json(entry.data)
        if details.get("scope") == "site" and "checkpoint" in details:
            try:
                out.append((seq, from_dict(details["checkpoint"], where=f"journal entry #{seq}")))
            except BadInput:
                continue  # a damaged close entry: the journal's own verification names it
    return out


def _json(data: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class AnchorWrite:
    path: Path
    written: tuple[str, ...]   # codes appended now
    error: str | None          # why the file could not be written (the close itself stands)


def anchored_codes(path: Path) -> frozenset[str]:
    """The codes the file holds (lines that do not read are skipped here; verification names them).

    Read again only when the file changed (size, mtime): the close page asks on every reload."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return frozenset()
    return _codes_in(path, st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=8)
def _codes_in(path: Path, _size: int, _mtime_ns: int) -> frozenset[str]:
    codes: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            codes.update(cp.code for _n, cp in parse_anchor_lines(line, source=str(path)))
        except BadInput:
            continue
    return frozenset(codes)


def write_anchors(rt: Runtime) -> AnchorWrite:
    """Append to the anchor file every journalled checkpoint it does not hold yet."""
    path = rt.settings.anchor_path
    try:
        held = anchored_codes(path)
        with rt.uow(read_only=True) as uow:
            missing = [cp for _seq, cp in journalled_checkpoints(uow) if cp.code not in held]
        append_lines(path, [cp.line() for cp in missing])
    except (OSError, UnicodeDecodeError) as exc:
        return AnchorWrite(path, (), f"{path}: {getattr(exc, 'strerror', None) or exc}")
    return AnchorWrite(path, tuple(cp.code for cp in missing), None)


def anchor_after_close(rt: Runtime, checkpoint: SignedCheckpoint | None) -> dict[str, Any]:
    """After a close committed: append its checkpoint (and any left over) to the anchor file.
    A failure does not undo the close: it is returned, shown, and retried at the next close."""
    result = write_anchors(rt)
    return {"code": grouped(checkpoint.code) if checkpoint else None, "file": str(result.path),
            "written": result.error is None, "error": result.error}


def anchor_view(rt: Runtime, uow: UnitOfWork, *, site: str, day: dt.date) -> dict[str, Any] | None:
    """The site-day's anchor for the close page: its code, and whether the anchor file holds it."""
    found = journalled_checkpoints(uow, site=site, day=day)
    if not found:
        return None
    cp = found[-1][1]
    try:
        written = cp.code in anchored_codes(rt.settings.anchor_path)
    except (OSError, UnicodeDecodeError):
        written = False
    return {"code": grouped(cp.code), "seq": cp.checkpoint.seq, "written": written,
            "file": str(rt.settings.anchor_path), "signed": cp.signature is not None}


def anchor_finding(view: dict[str, Any]) -> Finding:
    """The close page's warning while the day's checkpoint is not in the anchor file."""
    return Finding("anchor_not_written", Severity.WARNING,
                   f"the checkpoint {view['code']} is not in the anchor file {view['file']} yet; "
                   "it is written at the next close (check the file's disk and permissions)",
                   f"検証コード {view['code']} をアンカーファイル（{view['file']}）に書き込めていません。"
                   "次の締めで再度書き込みます（ディスクと権限を確認してください）")


# --- verification ------------------------------------------------------------------------
@dataclass(frozen=True)
class AnchorCheck:
    where: str                 # "anchors.jsonl line 3" or "typed code"
    anchored: SignedCheckpoint
    problems: tuple[str, ...]
    code: str                  # the code that was anchored: the line's, or the one typed from paper

    @property
    def ok(self) -> bool:
        return not self.problems

    def title(self) -> str:
        cp = self.anchored.checkpoint
        return f"{cp.site} {cp.day} (code {grouped(self.code)}, {self.where})"


def recompute(rows: JournalRows, anchored: Checkpoint) -> tuple[Checkpoint, str | None]:
    """The checkpoint of the same site-day and ``seq`` as the database reads now, and the
    hash entry ``seq`` has now (None when it is gone)."""
    head = rows.hash_at(anchored.seq)
    hashes = list(rows.site_day_hashes(site=anchored.site, day=anchored.day, upto=anchored.seq))
    return checkpoint_of(site=anchored.site, day=anchored.day, seq=anchored.seq, head=head or "",
                         entry_hashes=hashes), head


def _check(rows: JournalRows, anchored: SignedCheckpoint, keyring: Keyring | None, where: str) -> AnchorCheck:
    cp = anchored.checkpoint
    problems = []
    if anchored.signature is None:
        problems.append(f"the checkpoint is unsigned ({anchored.unsigned_reason or 'no reason given'})")
    elif keyring:
        if anchored.key_id is None or not keyring.knows(anchored.key_id):
            problems.append(f"the checkpoint is signed by key {(anchored.key_id or '?')[:16]}, "
                            "which is not a trusted key")
        elif not keyring.holds(anchored.key_id, cp.digest(), anchored.signature):
            problems.append("the checkpoint's signature does not verify (the anchored line was altered)")
    now, head = recompute(rows, cp)
    problems += differences(cp, now, head)
    return AnchorCheck(where, anchored, tuple(problems), anchored.code)


def check_anchors(uow: UnitOfWork, text: str, *, source: str, keyring: Keyring | None) -> list[AnchorCheck]:
    """Every checkpoint of the anchor file's ``text`` against the database."""
    rows = uow.journal_rows
    return [_check(rows, cp, keyring, f"{source} line {n}") for n, cp in parse_anchor_lines(text, source=source)]


def check_code(uow: UnitOfWork, typed: str, *, site: str, day: dt.date, keyring: Keyring | None) -> AnchorCheck:
    """A code typed from the daily sheet (as :func:`normalize_code` reads it) against the database.

    The site's close entry of ``day`` says where its checkpoint stood (``seq``) and carries
    its signature; the checkpoint is recomputed from the entries the database holds now,
    and its code must be the one printed."""
    code = normalize_code(typed)
    rows = uow.journal_rows
    found = _checkpoints(rows, site=site, day=day)
    if not found:
        raise BadInput(f"no close of site {site} on {day.isoformat()} with a checkpoint in the journal "
                       "(its day_closed entry is missing, or the day was closed before anchors)")
    seq, stored = found[-1]
    result = _check(rows, stored, keyring, f"typed code, close entry #{seq}")
    now, _head = recompute(rows, stored.checkpoint)
    rebuilt = SignedCheckpoint(now, stored.key_id, stored.signature, stored.unsigned_reason)
    problems = list(result.problems)
    if rebuilt.code != code:
        problems.insert(0, f"the code {grouped(code)} is not the code of what the database holds now "
                           f"({grouped(rebuilt.code)}): mistyped, or the day was rewritten after it was printed")
    return AnchorCheck(result.where, stored, tuple(problems), code)
