"""Backing up the embedded SQLite database: a consistent copy whose journal is verified.

The copy is written under a temporary name beside the target and renamed only once it
is complete and its journal checked, so a failed backup leaves nothing that looks like
one. A database whose journal does not verify is still copied (the copy is what the
database holds, and may be needed to find out what happened); the verification says so.
"""
from __future__ import annotations

import os
from pathlib import Path

from madoguchi.adapters.db.backup import copy_journal, copy_sqlite
from madoguchi.errors import BadInput
from madoguchi.services.journal.verify import Verification, verify_rows


def backup_sqlite(source: Path, target: Path) -> Verification:
    """Copy ``source`` to ``target`` (which must not exist); the copy's journal verification."""
    target = Path(target)
    if target.exists():
        raise BadInput(f"--to: {target} already exists; give a new file name (a backup never overwrites)")
    if not target.parent.is_dir():
        raise BadInput(f"--to: the folder {target.parent} does not exist")
    partial = target.with_name(f".{target.name}.partial")
    leftovers = [partial, *(partial.with_name(partial.name + end) for end in ("-wal", "-shm", "-journal"))]
    for path in leftovers:
        path.unlink(missing_ok=True)
    try:
        copy_sqlite(source, partial)
        with copy_journal(partial) as journal:
            result = verify_rows(journal)
        os.replace(partial, target)
        return result
    finally:
        for path in leftovers:
            path.unlink(missing_ok=True)
