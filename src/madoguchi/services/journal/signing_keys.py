"""Put a journal signing key in service, or rotate it: the key files, and the entry that says so.

``install_key`` makes the first key (or a new one after a loss, when the old one can no
longer sign anything) and journals a ``key_installed`` entry signed by the new key
itself. ``rotate_key`` makes a new key and journals a ``key_rotated`` entry, signed by
the OLD key, that carries the new public key: an auditor who trusts the first key
trusts each later one through these entries (docs/journal.md). The old public key
is kept beside the new one (``<key>.<id>.pub``). ``journal(signer)`` opens a unit of
work whose entries that signer signs.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.adapters.signing import (
    JournalSigner,
    KeyUnusable,
    key_id_of,
    public_path,
    public_pem,
    read_private_key,
    read_public_key,
    write_key_pair,
)
from madoguchi.domain.journal import EntryKind
from madoguchi.errors import BadInput


def install_key(path: Path, *, replace: bool = False,
                journal: Callable[[JournalSigner], UnitOfWork] | None = None, now: dt.datetime, actor: str) -> str:
    """Write a new key pair at ``path``; journal it if a database is given. Returns its id.

    A replaced key's public key is kept (``<key>.<id>.pub``): entries it signed still verify."""
    if path.exists() and not replace:
        raise BadInput(f"a signing key already exists at {path}; rotate it with `madoguchi keys rotate`")
    _keep_public_key(path)
    key = write_key_pair(path, replace=replace)
    key_id = key_id_of(key.public_key())
    if journal is not None:
        with journal(JournalSigner(path)) as uow:
            uow.journal.append(EntryKind.KEY_INSTALLED, at=now, actor=actor, new_key_id=key_id,
                               public_key=public_pem(key.public_key()))
            uow.commit()
    return key_id


def rotate_key(path: Path, *, journal: Callable[[JournalSigner], UnitOfWork], now: dt.datetime,
               actor: str) -> tuple[str, str]:
    """Announce a new key in an entry signed with the current one, then put it in place.

    Returns (old id, new id). The announcement is committed before the new key replaces
    the old file, so no entry is ever signed by a key the journal has not announced."""
    try:
        old = read_private_key(path)
    except KeyUnusable as exc:
        raise BadInput(f"cannot rotate: {exc}; after a lost key, make a new one with "
                       "`madoguchi keys init --replace`") from None
    old_id = key_id_of(old.public_key())
    staged = path.with_name(path.name + ".next")
    new = write_key_pair(staged, replace=True)
    new_id = key_id_of(new.public_key())
    with journal(JournalSigner(path)) as uow:
        uow.journal.append(EntryKind.KEY_ROTATED, at=now, actor=actor, old_key_id=old_id, new_key_id=new_id,
                           public_key=public_pem(new.public_key()))
        uow.commit()
    _keep_public_key(path)
    public_path(staged).replace(public_path(path))
    staged.replace(path)
    return old_id, new_id


def _keep_public_key(path: Path) -> None:
    """Move the current ``.pub`` aside as ``<key>.<id>.pub``, for the entries its key signed."""
    pub = public_path(path)
    if not pub.is_file():
        return
    try:
        key_id = key_id_of(read_public_key(pub.read_text(encoding="ascii"), where=str(pub)))
    except (BadInput, UnicodeDecodeError):
        return  # not a public key: nothing worth keeping
    pub.replace(path.with_name(f"{path.name}.{key_id[:16]}.pub"))
