"""Throwaway databases for tests and benchmarks: a SQLite file, or a PostgreSQL schema.

On PostgreSQL each scratch database is a schema of its own in the given server's
database, reached through ``search_path`` in the URL, so that many can live side by
side and be dropped whole.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from madoguchi.adapters.db.engine import make_engine, normalise_url


def scratch_database(kind: str, folder: Path, pg_url: str | None = None, *,
                     prefix: str = "t") -> tuple[str, Callable[[], None]]:
    """A new empty database of ``kind`` (``sqlite`` or ``postgresql``) and the function that removes it."""
    if kind == "sqlite":
        return f"sqlite:///{folder / f'{prefix}_{uuid.uuid4().hex[:12]}.db'}", lambda: None
    if kind != "postgresql" or not pg_url:
        raise ValueError(f"a {kind} scratch database needs a PostgreSQL URL")
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    sep = "&" if "?" in pg_url else "?"
    return normalise_url(pg_url) + f"{sep}options=-csearch_path%3D{schema}", drop
