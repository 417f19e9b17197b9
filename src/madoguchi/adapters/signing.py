"""The journal's signing key: a file outside the database, loaded once per process.

The private key is an Ed25519 key in a PEM file (PKCS#8) readable only by the server's
system user (mode 0600); its public key sits next to it (``.pub``, PEM). A key's
fingerprint (``key_id``) is the SHA-256 of its raw 32-byte public key, in hex.

:class:`JournalSigner` holds the key in memory. Signing costs tens of microseconds and
reads no file: the file is looked at again (one ``stat``) at most every
``RECHECK_SECONDS``, so a key put in place after a loss, or a rotated one, is picked
up without a restart. When no usable key is there the signer says why, and entries
are written unsigned with that reason (sales go on; the screens warn).
"""
from __future__ import annotations

import base64
import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from madoguchi.errors import BadInput

RECHECK_SECONDS = 30.0
#: The reason printed on unsigned entries starts with this (RKSV: "Sicherheitseinrichtung ausgefallen").
SIGNING_DOWN = "署名装置停止 (signing unavailable)"


def public_path(key_path: Path) -> Path:
    return key_path.with_name(key_path.name + ".pub")


def key_id_of(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def read_public_key(text: str, *, where: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(text.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise BadInput(f"{where}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise BadInput(f"{where}: not an Ed25519 public key")
    return key


def load_public_key_file(path: Path) -> Ed25519PublicKey:
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"--public-key: cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return read_public_key(text, where=str(path))


def write_key_pair(path: Path, *, replace: bool = False) -> Ed25519PrivateKey:
    """Make a new key at ``path`` (mode 0600) and its public key at ``path.pub``."""
    if path.exists() and not replace:
        raise BadInput(f"a signing key already exists at {path}; rotate it with `madoguchi keys rotate`")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(path.name + ".new")
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    os.chmod(fresh, 0o600)
    os.replace(fresh, path)  # a reader sees the old key or the new one, never half of one
    public_path(path).write_text(public_pem(key.public_key()), encoding="ascii")
    return key


def read_private_key(path: Path) -> Ed25519PrivateKey:
    """The key at ``path``; :class:`KeyUnusable` says why it cannot be used."""
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyUnusable(f"署名鍵がありません: {path}") from None
    except OSError as exc:
        raise KeyUnusable(f"署名鍵を読めません: {path}: {exc.strerror}") from None
    if mode & 0o077:
        raise KeyUnusable(f"署名鍵が他のユーザーにも読めます (mode {mode & 0o777:o}, 0600 にしてください): {path}")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise KeyUnusable(f"署名鍵が壊れています: {path}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyUnusable(f"署名鍵が Ed25519 ではありません: {path}")
    return key


class KeyUnusable(Exception):
    """The key file is missing, unreadable, too open or not an Ed25519 key."""


@dataclass(frozen=True, slots=True)
class Stamp:
    """What the next entry is signed with: a key and its id, or the reason there is none."""

    key: Ed25519PrivateKey | None
    key_id: str | None
    reason: str | None

    def sign(self, entry_hash: str) -> str | None:
        if self.key is None:
            return None
        return base64.b64encode(self.key.sign(entry_hash.encode("ascii"))).decode("ascii")


class JournalSigner:
    """The process's signing key, kept in memory (see the module docstring)."""

    def __init__(self, path: Path | None, *, recheck_seconds: float = RECHECK_SECONDS,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self._recheck = recheck_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None  # (inode, mtime_ns) of the file loaded
        self._checked_at = -float("inf")
        self._stamp = Stamp(None, None, f"{SIGNING_DOWN}: 署名鍵が設定されていません")
        self.refresh()

    def stamp(self) -> Stamp:
        if self._monotonic() - self._checked_at >= self._recheck:
            self.refresh()
        return self._stamp

    def refresh(self) -> None:
        """Look at the key file now (one ``stat``); load it if it is new or changed."""
        with self._lock:
            self._checked_at = self._monotonic()
            if self.path is None:
                return
            try:
                st = self.path.stat()
                seen = (st.st_ino, st.st_mtime_ns)
            except OSError:
                seen = None
            if seen is not None and seen == self._seen:
                return
            if seen is None and self._stamp.key is not None:
                return  # the file went away, the key in memory did not: keep signing with it
            try:
                key = read_private_key(self.path)
            except KeyUnusable as exc:
                if self._stamp.key is None:
                    self._stamp = Stamp(None, None, f"{SIGNING_DOWN}: {exc}")
                return  # a broken replacement does not take away a working key
            self._seen = seen
            self._stamp = Stamp(key, key_id_of(key.public_key()), None)

    @property
    def unsigned_reason(self) -> str | None:
        """Why entries are written unsigned now, or ``None`` when they are signed."""
        return self.stamp().reason


def signature_holds(public: Ed25519PublicKey, entry_hash: str, signature: str) -> bool:
    try:
        public.verify(base64.b64decode(signature, validate=True), entry_hash.encode("ascii"))
    except (InvalidSignature, ValueError):
        return False
    return True


class Keyring:
    """Public keys trusted to have signed entries: the auditor's, and those announced
    by a ``key_rotated`` entry that a trusted key signed (see ``journal_audit.py``)."""

    def __init__(self, keys: list[Ed25519PublicKey] | None = None) -> None:
        self._keys = {key_id_of(k): k for k in keys or ()}
        self.announced: list[str] = []

    def __bool__(self) -> bool:
        return bool(self._keys)

    @property
    def key_ids(self) -> list[str]:
        return list(self._keys)

    def knows(self, key_id: str) -> bool:
        return key_id in self._keys

    def holds(self, key_id: str, entry_hash: str, signature: str) -> bool:
        return signature_holds(self._keys[key_id], entry_hash, signature)

    def learn(self, entry) -> None:  # type: ignore[no-untyped-def]
        details = entry.details()
        try:
            key = read_public_key(details["public_key"], where=f"entry #{entry.seq}")
        except (BadInput, KeyError, TypeError):
            return
        key_id = key_id_of(key)
        if key_id == details.get("new_key_id") and key_id not in self._keys:
            self._keys[key_id] = key
            self.announced.append(key_id)
