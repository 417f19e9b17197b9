"""Build an engine for SQLite (embedded default) or PostgreSQL.

SQLite runs in WAL mode with foreign keys on and ``synchronous=FULL`` (a commit that
returned is on disk), and every transaction starts with ``BEGIN IMMEDIATE`` so that
writers queue on the database lock instead of failing half-way with SQLITE_BUSY.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str, *, echo: bool = False) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Units of work keep connections between them (slots.py): up to KEEP_IDLE readers
        # and the writer idle, besides those in use by the server's worker threads.
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False},
                               pool_size=20, max_overflow=30)
        _sqlite_setup(engine)
        return engine
    # pre-ping only for connections the pool lends; kept ones are pinged when idle (slots.py).
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=40)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the driver, decide when a transaction begins.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):  # type: ignore[no-untyped-def]
        # A unit of work begins on the driver (``Driver.begin``: IMMEDIATE for a writer,
        # deferred for a reader) and SQLAlchemy then joins that transaction. Anything
        # else beginning through SQLAlchemy (migrations, tools) begins IMMEDIATE.
        dbapi_conn = conn.connection.driver_connection
        if not dbapi_conn.in_transaction:
            dbapi_conn.execute("BEGIN IMMEDIATE")
