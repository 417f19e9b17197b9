"""The unit of work: one database transaction that rolls back unless told to commit.

Services are the only callers of :meth:`UnitOfWork.commit`. The journal writer and
the idempotency record ride in the same transaction as the change they describe, so
either all of it lands or none of it does.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Connection, Engine, event, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from madoguchi.adapters.db.change_keys import change_keys, collect_touched  # noqa: F401 (re-exported)
from madoguchi.adapters.db.counter_rows import CounterRows
from madoguchi.adapters.db.fingerprint import fingerprint, legacy_fingerprint  # noqa: F401 (re-exported)
from madoguchi.adapters.db.journal import HeadHint, JournalState, JournalWriter
from madoguchi.adapters.db.repositories.access import Repositories
from madoguchi.adapters.db.slots import Slot, Slots, WriterQueue, WriterSlot, is_database_error
from madoguchi.errors import IdempotencyMismatch

if TYPE_CHECKING:
    from madoguchi.adapters.signing import JournalSigner


WRITER_WAIT_SECONDS = 60
#: Idle connections kept per process for readers (and as many for PostgreSQL's writers):
#: about the number of requests a server serves at once. The engine's pool allows for them.
KEEP_IDLE = 16


class UnitOfWork(Repositories):
    """One transaction: ``rows`` (the driver) and ``session`` (the ORM) share its connection.

    The connection is a kept one (``slots.py``), taken when first used; the transaction
    begins on the driver, and an ORM session, made only when asked for, joins it. So a
    call that only touches the counter's rows pays for neither a pool checkout nor an
    ORM session. ``read_only``: a reader. On SQLite it neither queues for the writer
    lock nor begins ``IMMEDIATE`` (WAL readers see a snapshot and never wait for a
    writer); it cannot commit."""

    def __init__(self, engine: Engine, session_factory: sessionmaker[Session],
                 on_commit: Callable[[set[str]], None] | None, slots: Slots, *,
                 writer_queue: WriterQueue | None = None, urgent: bool = False, read_only: bool = False,
                 head_hint: HeadHint | None = None, signer: JournalSigner | None = None) -> None:
        self._engine = engine
        self._factory = session_factory
        self._on_commit = on_commit
        self._slots = slots
        self._writer_queue = writer_queue
        self._urgent = urgent
        self.read_only = read_only
        self._signer = signer
        self._touched: set[str] = set()
        self._head_hint = head_hint

    # What a unit of work starts with, kept on the class (several are made a second a
    # counter): an instance sets its own only once it takes a slot, begins, appends ...
    _slot: Slot | None = None
    _session: Session | None = None
    _rows: CounterRows | None = None
    _began = False  # whether this unit of work's current transaction has begun
    _journal_head: JournalState | None = None  # left by this transaction's appends
    _failed: BaseException | None = None  # a database error a method here answered for

    _journal: JournalWriter | None = None

    @property
    def journal(self) -> JournalWriter:
        """Appends to the journal in this transaction (made when first asked for: most
        units of work append nothing)."""
        journal = self._journal
        if journal is None:
            journal = self._journal = JournalWriter(self, self._signer)
        return journal

    def __enter__(self) -> UnitOfWork:
        if self._writer_queue is not None and not self._writer_queue.acquire(urgent=self._urgent,
                                                                             timeout=WRITER_WAIT_SECONDS):
            raise TimeoutError(f"the database stayed busy for {WRITER_WAIT_SECONDS} s")
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        # Closing rolls back whatever was not committed; the session detaches its objects
        # without expiring them, so a service may return what it read.
        self._journal_head = None  # an uncommitted append's head is nobody's
        try:
            if self._session is not None:
                self._session.close()
            if self._slot is not None:
                failed = exc or self._failed
                healthy = failed is None or not is_database_error(failed, self._engine.dialect.loaded_dbapi)
                self._slots.give_back(self._slot, healthy=healthy)
        finally:
            if self._writer_queue is not None:
                self._writer_queue.release()

    def _begin(self) -> None:
        """Begin this unit of work's (next) transaction on its kept connection."""
        slot = self._slot
        if slot is None:
            slot = self._slot = self._slots.take()
            self._rows = slot.rows
        if not (slot.joined and slot.connection.in_transaction()):
            slot.begin()
        self._began = True

    @property
    def connection(self) -> Connection:
        """This unit of work's SQLAlchemy connection, in its transaction (a new one after a commit)."""
        if not self._began:
            self._begin()
        slot = self._slot
        assert slot is not None
        slot.joined = True
        connection = slot.connection
        if not connection.in_transaction():
            # SQLAlchemy joins the transaction the driver began (the engine's begin hook
            # sees the driver's connection already in one and issues no BEGIN).
            connection.begin()
        return connection

    @property
    def session(self) -> Session:
        if self._session is None:
            # Joined to our transaction: the session flushes into it, and we commit it.
            self._session = self._factory(bind=self.connection, join_transaction_mode="rollback_only")
        elif not self._began:
            _ = self.connection  # begin again after a commit, the session's connection joining it
        return self._session

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        touched = self._touched
        if self._session is not None:
            self._session.commit()  # flushes into our transaction
            touched |= self._session.info.pop("touched", set())
        if self._slot is not None and self._began:
            self._slot.commit()
        self._began = False
        self._touched = set()
        if self._journal_head is not None:
            if self._head_hint is not None:
                self._head_hint.committed(self._journal_head)
            self._journal_head = None
        if touched and self._on_commit is not None:
            self._on_commit(touched)

    def rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()
        if self._slot is not None and self._began:
            self._slot.rollback()
        self._began = False
        self._touched = set()
        self._journal_head = None

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
        if self._session is not None:
            self.flush_orm()
        if not self._began:
            self._begin()
        return self._rows  # type: ignore[return-value]

    def flush_orm(self) -> None:
        """Write what ORM objects hold, before reading the same rows on the driver."""
        session = self._session
        if session is not None and (session.new or session.dirty or session.deleted):
            session.flush()

    # --- the journal head ----------------------------------------------------------
    def journal_head_hint(self) -> JournalState | None:
        """Where the next entry probably goes: after this transaction's last append, or
        after the last one this process committed (the writer checks it; see journal.py)."""
        if self._journal_head is not None:
            return self._journal_head
        return None if self._head_hint is None else self._head_hint.value

    def journal_moved(self, state: JournalState) -> None:
        self._journal_head = state

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
        same = (stored_fingerprint == fingerprint(request)
                or stored_fingerprint == legacy_fingerprint(request))  # remembered by an older version
        if stored_operation != operation or not same:
            raise IdempotencyMismatch(
                f"id {key} was already used for a different request ({stored_operation}); "
                "use a new id for a new request")
        return orjson.loads(result)  # type: ignore[no-any-return]

    def remember(self, key: str, operation: str, request: dict[str, Any], result: dict[str, Any],
                 now: dt.datetime) -> None:
        self.rows.remember(key=key, operation=operation, fingerprint=fingerprint(request),
                           result=orjson.dumps(result, default=str, option=orjson.OPT_NON_STR_KEYS).decode(),
                           created_at=now)

    def answers(self) -> bool:
        """Does the database answer? (the health check)."""
        try:
            self.session.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            self._failed = exc  # its connection is not given back as healthy
            return False
        return True


def make_uow_factory(engine: Engine, on_commit: Callable[[set[str]], None] | None = None, *,
                     signer: JournalSigner | None = None) -> Callable[..., UnitOfWork]:
    factory = sessionmaker(engine, expire_on_commit=False)
    if on_commit is not None:
        event.listen(factory, "after_flush", collect_touched)
    readers = Slots(engine, read_only=True, keep=KEEP_IDLE)
    hint = HeadHint()
    if engine.dialect.name == "sqlite":
        # SQLite has one writer at a time (every transaction begins IMMEDIATE). Threads
        # of this process wait in one queue (slots.WriterQueue: in order, a device's
        # outcome first) held for the whole unit of work, instead of polling the
        # database lock through SQLite's busy handler, whose growing sleeps ruin latency
        # when many requests write at once; and they take turns on one kept connection.
        # Other processes still wait through busy_timeout.
        writer = WriterSlot(engine)

        def make(read_only: bool = False, *, urgent: bool = False) -> UnitOfWork:
            if read_only:
                return UnitOfWork(engine, factory, on_commit, readers, read_only=True)
            return UnitOfWork(engine, factory, on_commit, writer, writer_queue=writer.queue, urgent=urgent,
                              head_hint=hint, signer=signer)
        return make
    # PostgreSQL: writers run side by side, each on a kept connection of its own.
    writers = Slots(engine, read_only=False, keep=KEEP_IDLE)
    # (``urgent`` orders SQLite's in-process writer queue; PostgreSQL's writers do not queue.)
    return lambda read_only=False, urgent=False: UnitOfWork(
        engine, factory, on_commit, readers if read_only else writers, read_only=read_only, head_hint=hint,
        signer=signer)


def current_head(session: Session) -> tuple[int, str]:
    from madoguchi.adapters.db.tables import JournalHead
    seq, digest = session.execute(select(JournalHead.seq, JournalHead.hash).where(JournalHead.id == 1)).one()
    return seq, digest
