"""A consistent copy of the embedded SQLite database, taken while the server runs.

SQLite's online backup copies the database as one reader sees it (in WAL mode writers
go on meanwhile), so the copy holds whole transactions only; copying the file with
``cp`` can catch it between a write to the database and one to its WAL.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from madoguchi.adapters.db.repositories.journal import JournalRows


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy the database at ``source`` into the new file ``target``, as one file (no WAL)."""
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src, \
            closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")


@contextmanager
def copy_session(path: Path) -> Iterator[Session]:
    """A session reading the copy at ``path`` as it is: a plain connection, closed after
    (not the server's engine, which would turn the copy to WAL and keep it open)."""
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


@contextmanager
def copy_journal(path: Path) -> Iterator[JournalRows]:
    """The journal of the copy at ``path``, to verify it (read only: its head cannot be locked)."""
    with copy_session(path) as session:
        yield JournalRows(session)
