"""Connections kept open between units of work, each with its driver and its own transactions.

A unit of work used to check a connection out of SQLAlchemy's pool, wrap it in a
``Connection``, begin through it (events, bookkeeping) and give it back (a reset, and
on PostgreSQL a ping at every checkout): 30-80 µs of Python, and on PostgreSQL two
round trips, for every call at the counter. A slot keeps a pool connection checked
out with its driver (``driver.py``), and the unit of work begins, commits and rolls
back on the driver's connection itself. When the ORM is needed as well it joins that
same transaction (see ``UnitOfWork.session``).

- SQLite's one writer (``WriterSlot``): one slot, behind the queue writers wait in (``WriterQueue``).
- Everyone else (readers; PostgreSQL's writers): a stack of idle slots, the most
  recently used first, at most ``keep`` of them.

A slot whose unit of work failed with a database error is discarded (its connection
invalidated, never handed to the next caller); one idle
longer than ``PING_AFTER`` seconds is pinged before use (what the pool's pre-ping did at
every checkout), and replaced if the server has gone away. Slots go back to the pool
when their owner is no longer referenced or the engine is disposed.
"""
from __future__ import annotations

import threading
import time
import weakref
from collections import deque
from contextlib import suppress
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError

from madoguchi.adapters.db.counter_rows import CounterRows, statement
from madoguchi.adapters.db.driver import Driver, Prepared
from madoguchi.adapters.db.known_rows import KnownRows

#: The counter's statements, compiled once per dialect for the whole process.
PREPARED: dict[tuple[str, str], Prepared] = {}

#: Seconds a slot may sit idle before it is pinged on its next use.
PING_AFTER = 10.0


class Slot:
    """One kept connection: SQLAlchemy's (for the ORM), the driver on its DBAPI connection
    and the counter's rows on that driver."""

    __slots__ = ("connection", "driver", "rows", "used_at", "joined", "known")

    def __init__(self, engine: Engine, *, read_only: bool, writer: bool = False) -> None:
        self.connection: Connection = engine.connect()
        self.driver = Driver(self.connection, statement, PREPARED, read_only=read_only)
        #: SQLite's one writer keeps what it wrote (``known_rows.py``); nobody else does.
        self.known = KnownRows(self.driver) if writer else None
        self.rows = CounterRows(self.driver, self.known)
        if self.known is not None:
            _watch_sqlalchemy(self.connection, self.known)
        self.used_at = time.monotonic()
        #: Whether SQLAlchemy's side (the ORM, ``uow.connection``) was used since the slot was
        #: last settled: only then may ``connection`` hold a transaction (one the ORM joined).
        #: The counter's calls, on the driver alone, skip asking it.
        self.joined = False

    def alive(self) -> bool:
        try:
            return bool(self.connection.dialect.do_ping(self.driver.dbapi))
        except Exception:
            return False

    def begin(self) -> None:
        """Begin a transaction on the driver."""
        self.driver.begin()
        if self.known is not None:
            self.known.began()

    def commit(self) -> None:
        """Commit the transaction: through SQLAlchemy if the ORM joined it, else on the driver."""
        if self.joined and self.connection.in_transaction():
            self.connection.commit()
            self.driver.ended()
        elif self.driver.in_transaction:
            self.driver.commit()

    def rollback(self) -> None:
        if self.joined and self.connection.in_transaction():
            # (Nothing is kept in a transaction SQLAlchemy took part in: ``_watch_sqlalchemy``.)
            self.connection.rollback()
            self.driver.ended()
        elif self.driver.in_transaction:
            if self.known is not None:
                self.known.forget()  # what the transaction rolled back is not in the database
            self.driver.rollback()

    def settle(self) -> None:
        """Nothing left in flight: whatever was not committed is rolled back."""
        self.rollback()
        self.joined = False
        self.used_at = time.monotonic()

    def close(self) -> None:
        try:
            self.driver.close()
        finally:
            self.connection.close()  # back to the pool, which resets it


def _watch_sqlalchemy(connection: Connection, known: KnownRows) -> None:
    """Forget, and keep nothing more, in any transaction SQLAlchemy takes part in on
    ``connection``: the ORM, Core or ``text()`` may write the kept rows. Whatever SQLAlchemy
    runs, it runs in a transaction it began or joined, and either fires ``begin`` on the
    connection (an autobegin too; ``Driver.begin`` does not, being the driver's own)."""
    event.listen(connection, "begin", lambda _conn: known.stop())


class Slots:
    """Idle slots of one kind (readers, or writers where the database has many).

    Threads take and give back slots without a lock: a deque's appends and pops are
    atomic (thread-safe, as its documentation says)."""

    def __init__(self, engine: Engine, *, read_only: bool, keep: int, writer: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._writer = writer
        self._keep = keep
        self._idle: deque[Slot] = deque()
        idle = self._idle
        weakref.finalize(self, Slots._close_all, idle)
        # engine.dispose() closes what the pool has lent out to us too.
        event.listen(engine, "engine_disposed", lambda _engine: Slots._close_all(idle))

    def take(self) -> Slot:
        try:
            slot = self._idle.pop()  # the most recently used
        except IndexError:
            return Slot(self._engine, read_only=self._read_only, writer=self._writer)
        if time.monotonic() - slot.used_at > PING_AFTER and not slot.alive():
            _close_quietly(slot, invalidate=True)
            return Slot(self._engine, read_only=self._read_only, writer=self._writer)
        slot.driver.listen()  # statement listeners added since it was last used
        return slot

    def give_back(self, slot: Slot, *, healthy: bool) -> None:
        """Settle ``slot`` and keep it, or close it if its unit of work failed in the database
        (a connection in doubt is never handed to the next caller)."""
        if healthy:
            try:
                slot.settle()
            except Exception:
                healthy = False
        if not healthy:
            _close_quietly(slot, invalidate=True)
            return
        idle = self._idle
        idle.append(slot)
        if len(idle) > self._keep:  # more came back at once than are kept: the least recently used goes
            with suppress(IndexError):  # (unless taken meanwhile)
                _close_quietly(idle.popleft())

    @staticmethod
    def _close_all(idle: deque[Slot]) -> None:
        while idle:
            _close_quietly(idle.pop())


class WriterQueue:
    """The queue SQLite's writers of one process wait in: first come, first served, except
    that an *urgent* writer goes before every ordinary one waiting.

    Urgent is for writing down what a device has already done (the change paid out, the
    card approved, the receipt printed): the call is half way through, and the money
    has moved. Without it, a payment's second and third transactions each queue behind
    every new call that arrived meanwhile, so under load the calls that take money
    wait several times as long as the others. ``threading.Lock`` is not fair either:
    a thread that releases it can take it again before one that has waited.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._urgent: deque[threading.Lock] = deque()
        self._ordinary: deque[threading.Lock] = deque()

    def acquire(self, *, urgent: bool = False, timeout: float = -1) -> bool:
        with self._mutex:
            if not self._held and not self._urgent and (urgent or not self._ordinary):
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            (self._urgent if urgent else self._ordinary).append(turn)
        if turn.acquire(timeout=timeout):
            return True  # handed over by release(): ours now
        with self._mutex:
            try:
                (self._urgent if urgent else self._ordinary).remove(turn)
            except ValueError:  # handed over just as we gave up: pass it on
                self._release_locked()
        return False

    def release(self) -> None:
        with self._mutex:
            self._release_locked()

    def _release_locked(self) -> None:
        waiting = self._urgent or self._ordinary
        if waiting:
            waiting.popleft().release()  # stays held: handed straight to the next writer
        else:
            self._held = False


class WriterSlot(Slots):
    """SQLite's one writer in this process: the queue writers wait in, and the one slot
    they take turns on (only the writer at the head of ``queue`` touches it)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, read_only=False, keep=1, writer=True)
        self.queue = WriterQueue()


def _close_quietly(slot: Slot, *, invalidate: bool = False) -> None:
    """Give ``slot``'s connection back to the pool; ``invalidate``: discard it instead
    (the pool opens a new one), for a connection that failed or died."""
    connection = slot.connection
    try:
        if invalidate:
            # Roll back and close the cursor first: SQLite keeps a closed connection
            # (and its write lock) alive while a statement of it is unfinished.
            with suppress(Exception):
                slot.driver.rollback()
            with suppress(Exception):
                slot.driver.close()
            connection.invalidate()
        else:
            slot.driver.close()
    except Exception:
        with suppress(Exception):
            connection.invalidate()
    finally:
        with suppress(Exception):
            connection.close()


def is_database_error(exc: BaseException | None, dbapi: Any) -> bool:
    """An error raised by the database or its driver (the connection may be in doubt)."""
    return exc is not None and isinstance(exc, (DBAPIError, dbapi.Error))
