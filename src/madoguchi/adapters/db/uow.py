"""The unit of work: one database transaction that rolls back unless told to commit.

Services are the only callers of :meth:`UnitOfWork.commit`. The journal writer and
the idempotency record ride in the same transaction as the change they describe, so
either all of it lands or none of it does.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from madoguchi.adapters.db.counter_rows import CounterRows, statement
from madoguchi.adapters.db.driver import Driver, Prepared
from madoguchi.adapters.db.journal import JournalWriter
from madoguchi.errors import IdempotencyMismatch


WRITER_WAIT_SECONDS = 60

#: The counter's statements, compiled once per dialect for the whole process.
_PREPARED: dict[tuple[str, str], Prepared] = {}


#: Execution option telling the SQLite engine to begin a plain (deferred) transaction.
READ_ONLY = "madoguchi_read_only"


class WriterSlot:
    """SQLite's one writer in this process: the lock writers queue on, and the connection
    (with its driver cursor) they take turns on, kept open between units of work.

    Only the holder of ``lock`` touches ``connection``. A unit of work that ends without
    committing rolls it back; one whose rollback fails drops it (the next opens anew).
    The connection goes back to the pool when the slot is no longer referenced. Keeping
    it saves each unit of work a pool checkout, a Connection, a cursor and the page
    cache SQLite rebuilds on a connection another one has written behind.
    """

    def __init__(self, engine: Engine) -> None:
        self.lock = threading.Lock()
        self._engine = engine
        self._open: list[Any] = []  # [connection, driver] while open
        weakref.finalize(self, WriterSlot._close, self._open)

    def take(self) -> tuple[Connection, Driver]:
        if not self._open:
            connection = self._engine.connect()
            self._open[:] = [connection, Driver(connection, statement, _PREPARED)]
        else:
            self._open[1].listen()
        return self._open[0], self._open[1]

    def settle(self) -> None:
        """After a unit of work: nothing left in flight on the connection."""
        if not self._open:
            return
        connection = self._open[0]
        try:
            if connection.in_transaction():
                connection.rollback()
        except Exception:
            WriterSlot._close(self._open)
            raise

    @staticmethod
    def _close(opened: list[Any]) -> None:
        if opened:
            connection, driver = opened
            opened.clear()
            try:
                driver.close()
            finally:
                connection.close()


class UnitOfWork:
    """One transaction: ``rows`` (the driver) and ``session`` (the ORM) share its connection.

    Both are made when first used, so a call that only touches the counter's rows pays
    for neither an ORM session nor its bookkeeping. ``read_only``: a reader. On SQLite
    it neither queues for the writer lock nor begins ``IMMEDIATE`` (WAL readers see a
    snapshot and never wait for a writer); it cannot commit."""

    def __init__(self, engine: Engine, session_factory: sessionmaker[Session],
                 on_commit: Callable[[set[str]], None] | None = None,
                 writer: WriterSlot | None = None, *, read_only: bool = False) -> None:
        self._engine = engine
        self._factory = session_factory
        self._on_commit = on_commit
        self._writer = None if read_only else writer
        self.read_only = read_only
        self.journal = JournalWriter(self)
        self._connection: Connection | None = None
        self._session: Session | None = None
        self._driver: Driver | None = None
        self._rows: CounterRows | None = None
        self._touched: set[str] = set()

    def __enter__(self) -> UnitOfWork:
        if self._writer is not None and not self._writer.lock.acquire(timeout=WRITER_WAIT_SECONDS):
            raise TimeoutError(f"the database stayed busy for {WRITER_WAIT_SECONDS} s")
        return self

    def __exit__(self, *exc: object) -> None:
        # Closing rolls back whatever was not committed; the session detaches its objects
        # without expiring them, so a service may return what it read.
        try:
            if self._session is not None:
                self._session.close()
            if self._writer is not None:
                self._writer.settle()  # the slot's connection stays open for the next writer
            else:
                if self._driver is not None:
                    self._driver.close()
                if self._connection is not None:
                    self._connection.close()
        finally:
            if self._writer is not None:
                self._writer.lock.release()

    @property
    def connection(self) -> Connection:
        """This unit of work's connection, in a transaction (a new one after a commit)."""
        connection = self._connection
        if connection is None:
            if self._writer is not None:
                connection, self._driver = self._writer.take()
            else:
                connection = self._engine.connect()
                if self.read_only:
                    connection.execution_options(**{READ_ONLY: True})
            self._connection = connection
        if not connection.in_transaction():
            connection.begin()
        return connection

    @property
    def session(self) -> Session:
        if self._session is None:
            # Joined to our transaction: the session flushes into it, and we commit it.
            self._session = self._factory(bind=self.connection, join_transaction_mode="rollback_only")
        return self._session

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        touched = self._touched
        if self._session is not None:
            self._session.commit()  # flushes into our transaction
            touched |= self._session.info.pop("touched", set())
        if self._connection is not None and self._connection.in_transaction():
            self._connection.commit()
        self._touched = set()
        if touched and self._on_commit is not None:
            self._on_commit(touched)

    def rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()
        if self._connection is not None and self._connection.in_transaction():
            self._connection.rollback()
        self._touched = set()

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    @property
    def rows(self) -> CounterRows:
        """The counter's rows on this transaction's connection, through the driver.

        What the ORM holds is flushed first, so statements here come after the ORM's
        changes made before them (as a statement through the session would, by autoflush).
        Writes made here are not seen by ORM objects already loaded in ``session``: a
        service uses one or the other for a given row within a transaction.
        """
        self.flush_orm()
        connection = self.connection  # begins again after a commit
        if self._rows is None:
            if self._driver is None:
                self._driver = Driver(connection, statement, _PREPARED)
            self._rows = CounterRows(self._driver, self.touch)
        return self._rows

    def flush_orm(self) -> None:
        """Write what ORM objects hold, before reading the same rows on the driver."""
        session = self._session
        if session is not None and (session.new or session.dirty or session.deleted):
            session.flush()

    def touch(self, *keys: str) -> None:
        """Change keys for live screens of a write made without the ORM (see ``change_keys``)."""
        self._touched.update(keys)

    # --- idempotent writes ---------------------------------------------------------
    def replay(self, key: str, operation: str, request: dict[str, Any]) -> dict[str, Any] | None:
        """The stored answer for ``key`` if this request was already done, else ``None``.

        The same key with a different request is refused: a client bug, not a retry.
        """
        row = self.rows.idempotency(key)
        if row is None:
            return None
        stored_operation, stored_fingerprint, result = row
        if stored_operation != operation or stored_fingerprint != fingerprint(request):
            raise IdempotencyMismatch(
                f"id {key} was already used for a different request ({stored_operation}); "
                "use a new id for a new request")
        return json.loads(result)  # type: ignore[no-any-return]

    def remember(self, key: str, operation: str, request: dict[str, Any], result: dict[str, Any],
                 now: dt.datetime) -> None:
        self.rows.remember(key=key, operation=operation, fingerprint=fingerprint(request),
                           result=json.dumps(result, ensure_ascii=False, default=str), created_at=now)


def fingerprint(request: dict[str, Any]) -> str:
    text = json.dumps(request, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_uow_factory(engine: Engine,
                     on_commit: Callable[[set[str]], None] | None = None) -> Callable[..., UnitOfWork]:
    factory = sessionmaker(engine, expire_on_commit=False)
    if on_commit is not None:
        event.listen(factory, "after_flush", _collect_touched)
    # SQLite has one writer at a time (every transaction begins IMMEDIATE). Threads
    # of this process queue on a lock held for the whole unit of work, instead of
    # polling the database lock through SQLite's busy handler, whose growing sleeps
    # ruin latency when many requests write at once. Other processes still wait
    # through busy_timeout. The writers also share one connection (WriterSlot).
    # PostgreSQL needs no such thing.
    writer = WriterSlot(engine) if engine.dialect.name == "sqlite" else None
    return lambda read_only=False: UnitOfWork(engine, factory, on_commit, writer, read_only=read_only)


def _collect_touched(session: Session, _context: object) -> None:
    """Remember what a flush wrote, as change keys for live screens."""
    touched: set[str] = session.info.setdefault("touched", set())
    for obj in (*session.new, *session.dirty):
        touched.update(change_keys(obj))


def change_keys(obj: object) -> set[str]:
    from madoguchi.adapters.db import tables as t
    if isinstance(obj, t.Sale):
        keys = {f"sale:{obj.id}", f"site:{obj.site}"}
        if obj.payment_station:
            keys.add(f"station:{obj.payment_station}")
        return keys
    if isinstance(obj, (t.Payment, t.Receipt, t.Refund)):
        station = getattr(obj, "payment_station", None)
        return {f"sale:{obj.sale_id}"} | ({f"station:{station}"} if station else set())
    if isinstance(obj, t.PaymentStation):
        return {f"station:{obj.id}", f"site:{obj.site}"}
    if isinstance(obj, t.Incident):
        return {"incidents", f"site:{obj.site}"} | ({f"sale:{obj.sale_id}"} if obj.sale_id else set())
    if isinstance(obj, t.JournalRow):
        return {"journal"} | ({f"site:{obj.site}"} if obj.site else set())
    return set()


def is_duplicate_key(exc: IntegrityError) -> bool:
    text = str(exc.orig).lower()
    return "unique" in text or "duplicate" in text


def current_head(session: Session) -> tuple[int, str]:
    from madoguchi.adapters.db.tables import JournalHead
    seq, digest = session.execute(select(JournalHead.seq, JournalHead.hash).where(JournalHead.id == 1)).one()
    return seq, digest
