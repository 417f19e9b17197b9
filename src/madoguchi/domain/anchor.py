"""Checkpoints of a closed site-day, anchored outside the database (issue 14).

At close of day a *checkpoint* sums up what the journal holds for one site and one
business day: the global sequence number and hash of the journal head just before the
site's close entry (the chain head commits to every earlier entry of every site), how
many entries of the site-day there are up to it, and the Merkle root of their hashes.
It is signed with the journal's key, appended to a file outside the database and
printed on the daily sheet as a short *code*, so that a later rewrite of that day, even
one that recomputes every hash and re-signs with a stolen key, no longer matches.

The Merkle tree is RFC 9162's (Certificate Transparency 2.0, section 2.1.1):
``MTH({}) = SHA-256()``, a leaf is ``SHA-256(0x00 || d)`` and a node
``SHA-256(0x01 || left || right)``, where a list of n > 1 leaves is split at k, the
largest power of two smaller than n. A leaf's data ``d`` is the entry hash's 32 bytes.

The code is the first 16 characters of the base32 (RFC 4648) of the SHA-256 of the
signed checkpoint (its canonical JSON, signature or unsigned reason included): 80 bits,
typed from paper as ``ABCD-EFGH-IJKL-MNOP``. Pure: no I/O.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from madoguchi.domain.journal import canonical_json
from madoguchi.domain.jsonl import json_objects
from madoguchi.errors import BadInput

#: Version of the checkpoint's JSON (a line of the anchor file, the close entry's ``checkpoint``).
FORMAT = "madoguchi-checkpoint/1"
CODE_LENGTH = 16
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
#: What people type for base32 letters (0 for O, 1 for I, 8 for B); base32 has no 0, 1, 8 or 9.
_TYPED = str.maketrans({"0": "O", "1": "I", "8": "B"})


# --- the Merkle tree (RFC 9162, 2.1.1) ---------------------------------------------------
def leaf_hash(entry_hash: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(entry_hash)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _mth(leaves: Sequence[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(_mth(leaves[:k]), _mth(leaves[k:]))


def merkle_root(entry_hashes: Sequence[str]) -> str:
    """The Merkle tree hash (hex) of the entries' hashes, in journal order."""
    if not entry_hashes:
        return hashlib.sha256(b"").hexdigest()
    return _mth([leaf_hash(h) for h in entry_hashes]).hex()


# --- the checkpoint ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Checkpoint:
    """What the database says about one site-day up to the journal entry ``seq``."""

    site: str
    day: str       # YYYY-MM-DD
    seq: int       # the journal head's sequence number (the last entry covered, any site)
    head: str      # that entry's hash
    entries: int   # the site-day's entries up to ``seq``
    root: str      # their Merkle root (hex)

    def digest(self) -> str:
        """What the journal's key signs: the SHA-256 (hex) of the checkpoint's canonical JSON."""
        return hashlib.sha256(canonical_json({"format": FORMAT, **asdict(self)}).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    checkpoint: Checkpoint
    key_id: str | None
    signature: str | None         # base64 Ed25519 signature of ``checkpoint.digest()``
    unsigned_reason: str | None   # why there is no signature (the key was not usable)

    def body(self) -> dict[str, Any]:
        """The signed checkpoint as stored (without its code, which is derived from this)."""
        return {"format": FORMAT, **asdict(self.checkpoint), "key_id": self.key_id,
                "signature": self.signature, "unsigned_reason": self.unsigned_reason}

    @property
    def code(self) -> str:
        digest = hashlib.sha256(canonical_json(self.body()).encode("utf-8")).digest()
        return base64.b32encode(digest).decode("ascii")[:CODE_LENGTH]

    def as_dict(self) -> dict[str, Any]:
        return {**self.body(), "code": self.code}

    def line(self) -> str:
        """One line of the anchor file."""
        return canonical_json(self.as_dict())


def checkpoint_of(*, site: str, day: dt.date | str, seq: int, head: str, entry_hashes: Sequence[str]) -> Checkpoint:
    return Checkpoint(site=site, day=str(day), seq=seq, head=head, entries=len(entry_hashes),
                      root=merkle_root(entry_hashes))


def grouped(code: str) -> str:
    """``ABCDEFGHIJKLMNOP`` as people copy it: ``ABCD-EFGH-IJKL-MNOP``."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalize_code(typed: str) -> str:
    """A code as typed from paper (any case, spaces or hyphens, 0/1/8 for O/I/B) in its stored form."""
    code = "".join(c for c in typed.upper() if not c.isspace() and c != "-").translate(_TYPED)
    bad = next((c for c in code if c not in _BASE32), None)
    if bad is not None:
        raise BadInput(f"anchor code {typed!r}: {bad!r} is not a letter of the code (A-Z, 2-7)")
    if len(code) != CODE_LENGTH:
        raise BadInput(f"anchor code {typed!r}: {len(code)} characters, a code has {CODE_LENGTH}")
    return code


def qr_payload(signed: SignedCheckpoint) -> str:
    """What the daily sheet's QR code says: enough to run ``verify-journal --anchor-code``."""
    cp = signed.checkpoint
    return f"MADOGUCHI-ANCHOR:{cp.site}:{cp.day}:{grouped(signed.code)}"


# --- reading it back ---------------------------------------------------------------------
_FIELDS = {"site": str, "day": str, "seq": int, "head": str, "entries": int, "root": str}


def from_dict(data: Any, *, where: str) -> SignedCheckpoint:
    """A signed checkpoint from its stored form; :class:`BadInput` names ``where`` and the field."""
    if not isinstance(data, dict):
        raise BadInput(f"{where}: a checkpoint is a JSON object")
    if data.get("format") != FORMAT:
        raise BadInput(f"{where}: format {data.get('format')!r} is not {FORMAT!r}")
    values: dict[str, Any] = {}
    for name, kind in _FIELDS.items():
        value = data.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise BadInput(f"{where}: field {name!r} is missing or not a {kind.__name__}")
        values[name] = value
    try:
        dt.date.fromisoformat(values["day"])
    except ValueError:
        raise BadInput(f"{where}: field 'day' is not a date (YYYY-MM-DD)") from None
    optional = {}
    for name in ("key_id", "signature", "unsigned_reason"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise BadInput(f"{where}: field {name!r} is not a string")
        optional[name] = value
    return SignedCheckpoint(Checkpoint(**values), **optional)


def parse_anchor_lines(text: str, *, source: str) -> list[tuple[int, SignedCheckpoint]]:
    """The checkpoints of an anchor file, with their line numbers; a bad line is named by line and column."""
    return [(n, from_dict(data, where=f"{source}: line {n}")) for n, data in json_objects(text, source=source)]


def differences(anchored: Checkpoint, now: Checkpoint | None, head_now: str | None) -> list[str]:
    """Why the database no longer matches what was anchored (empty: it still does).

    ``now`` is the checkpoint recomputed from the database for the same site, day and
    ``seq``; ``head_now`` the hash the entry ``seq`` has today (None: no such entry)."""
    if head_now is None:
        return [f"journal entry #{anchored.seq} (the head when the day was closed) is no longer there"]
    reasons = []
    if head_now != anchored.head:
        reasons.append(f"the hash of journal entry #{anchored.seq} differs from the anchored head "
                       "(an entry up to it was changed, removed or rehashed)")
    if now is None:
        return reasons
    if now.entries != anchored.entries:
        reasons.append(f"{now.entries} entries of {anchored.site} {anchored.day} up to #{anchored.seq}, "
                       f"{anchored.entries} were anchored (entries added or removed)")
    elif now.root != anchored.root:
        reasons.append(f"the Merkle root of {anchored.site} {anchored.day} differs from the anchored one "
                       "(an entry of that day was changed)")
    return reasons
