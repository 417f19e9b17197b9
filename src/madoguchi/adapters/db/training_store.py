"""Where the training store lives: a database apart from the real one.

Training sales (練習モード) are written by the same services as real ones, but into a
database of their own, so that no report, export or close can ever include them by
mistake. On SQLite it is a sibling file (``madoguchi.db`` -> ``madoguchi.training.db``);
on PostgreSQL a schema of its own in the same database (``<schema>_training``, reached
through ``search_path`` like the test schemas of ``scratch.py``).
"""
from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import text
from sqlalchemy.engine import make_url

from madoguchi.adapters.db.engine import make_engine, normalise_url

DEFAULT_PG_SCHEMA = "madoguchi_training"


def training_url(url: str) -> str:
    """The training store's URL for the real database at ``url``."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:":
            raise ValueError("training mode needs a file database, not an in-memory one")
        stem = database[:-3] if database.endswith(".db") else database
        return parsed.set(database=f"{stem}.training.db").render_as_string(hide_password=False)
    schema = training_schema(url)
    options = f"-csearch_path={schema}"
    base = parsed.difference_update_query(["options"]).render_as_string(hide_password=False)
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(options)}"


def training_schema(url: str) -> str:
    """The PostgreSQL schema of the training store: the real one's name + ``_training``."""
    options = str(make_url(normalise_url(url)).query.get("options", ""))
    for part in options.split():
        if part.startswith("-csearch_path="):
            first = part.split("=", 1)[1].split(",")[0].strip()
            if first and first != "public":
                return f"{first}_training"
    return DEFAULT_PG_SCHEMA


def ensure_store(url: str) -> None:
    """Create the training store's schema on PostgreSQL (SQLite makes its file by itself)."""
    if make_url(normalise_url(url)).get_backend_name() == "sqlite":
        return
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{training_schema(url)}"'))
    finally:
        engine.dispose()
