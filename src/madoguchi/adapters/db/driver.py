"""SQLAlchemy statements compiled once per dialect and run on the driver's own cursor.

Each call at the counter (create a sale, add a line, hand it off, pay, print) runs a
handful of statements. Executed through SQLAlchemy each one costs 20 µs (Core) to
0.4 ms (an ORM flush) of Python; on the DBAPI cursor, 1-5 µs. The statements stay
SQLAlchemy's: built from the same tables, compiled for the engine's dialect (SQLite
or PostgreSQL: parameter style, ``FOR UPDATE``, casts), and every value goes through
its column type's own bind and result processing (so a date, a UTC time or a
boolean is stored exactly as the ORM stores it). They run on the connection of the
unit of work, inside its transaction.

``before_cursor_execute`` listeners of the engine are told of each statement, as for
any other (the benchmark's write recorder listens there).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


class Prepared:
    """One statement compiled for one dialect, with its parameters' and columns' processing."""

    __slots__ = ("sql", "positional", "binds", "fixed", "names", "convert", "_process", "_process_given", "_pick")

    def __init__(self, statement: ClauseElement, dialect: Any) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self.sql = str(compiled)
        self.binds: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self.binds[name] = process
        # Values written into the statement (``state="open"``) are parameters too ...
        fixed = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
        # ... and so are the columns' own defaults, which an INSERT names when it is not given them.
        table = getattr(statement, "table", None)
        if getattr(statement, "is_insert", False) and table is not None:
            for column in table.c:
                if (column.key in compiled.binds and column.default is not None and column.default.is_scalar
                        and fixed.get(column.key) is None):
                    fixed[column.key] = column.default.arg
        #: Already processed: they are the same every time.
        self.fixed = {k: (self.binds[k](v) if k in self.binds else v) for k, v in fixed.items()}
        order = compiled.positiontup
        self.positional = bool(dialect.positional and order is not None)
        names = tuple(order or ()) if self.positional else tuple(compiled.binds)
        # What ``parameters`` does for each call, worked out here once: the values that need
        # their type's processing (each once, though a name may appear twice), those always
        # given apart from those given only to stand for a fixed one; and the parameters picked
        # in the statement's order from the fixed and given values at C speed.
        processed = [k for k in dict.fromkeys(names) if k in self.binds]
        self._process = tuple((k, self.binds[k]) for k in processed if k not in self.fixed)
        self._process_given = tuple((k, self.binds[k]) for k in processed if k in self.fixed)
        pick = _picker(names)
        self._pick = pick if self.positional else lambda given: dict(zip(names, pick(given), strict=True))
        columns = list(getattr(statement, "exported_columns", ()))
        self.names = tuple(c.key for c in columns)
        processors = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
        self.convert = tuple((i, p) for i, p in enumerate(processors) if p is not None)

    def parameters(self, values: dict[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The DBAPI parameters for ``values`` (the caller's own dict: processed in place)."""
        for key, process in self._process:
            values[key] = process(values[key])
        if not self.fixed:
            return self._pick(values)
        for key, process in self._process_given:
            if key in values:
                values[key] = process(values[key])
        return self._pick(self.fixed | values)  # a given value wins over a fixed one

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        if not self.convert:
            return tuple(raw)
        row = list(raw)
        for i, process in self.convert:
            row[i] = process(row[i])
        return tuple(row)


def _picker(names: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A function taking ``names``' values out of a dict, as a tuple in that order."""
    if len(names) > 1:
        return itemgetter(*names)
    if names:
        name = names[0]
        return lambda values: (values[name],)
    return lambda values: ()


class Driver:
    """Runs prepared statements on one SQLAlchemy connection's DBAPI cursor, and begins,
    commits and rolls back that connection's transactions itself.

    SQLite: ``BEGIN IMMEDIATE`` for a writer (it queues for the write lock at once
    instead of failing half-way), a plain deferred ``BEGIN`` for a reader. PostgreSQL:
    psycopg begins on the first statement; a reader runs in autocommit, which under READ
    COMMITTED (each statement sees its own snapshot either way) saves its BEGIN and
    ROLLBACK round trips. The engine's ``commit`` and ``rollback`` listeners are told, as
    when SQLAlchemy ends a transaction.
    """

    def __init__(self, connection: Connection, statements: Callable[[str, str], ClauseElement],
                 cache: dict[tuple[str, str], Prepared], *, read_only: bool = False) -> None:
        self._connection = connection
        self._dialect = connection.dialect
        self._statements = statements
        self._cache = cache
        self._mine: dict[str, Prepared] = {}  # this driver's dialect only: a lookup by name
        self.dbapi: Any = connection.connection.driver_connection
        assert self.dbapi is not None
        self._cursor = self.dbapi.cursor()
        # The engine's listeners (its own and the Engine class's; nobody adds any to a kept
        # connection itself), looked up afresh by ``listen``.
        self._events = connection.engine.dispatch
        self.listen()
        self._integrity_error = self._dialect.loaded_dbapi.IntegrityError
        self.dialect = self._dialect.name
        self.read_only = read_only
        self._sqlite = self.dialect == "sqlite"
        self._begin_sql = "BEGIN" if read_only else "BEGIN IMMEDIATE"
        self._autocommit = read_only and not self._sqlite
        if self._autocommit:
            self.dbapi.autocommit = True
        #: Whether this driver began a transaction that has not ended yet.
        self.in_transaction = False

    def listen(self) -> None:
        """Take the statement listeners as they are now (once per unit of work, not per statement)."""
        # (``iter``: ``tuple`` would first ask SQLAlchemy's collection for its length, in Python.)
        self._listeners = tuple(iter(self._events.before_cursor_execute))

    def begin(self) -> None:
        if self._sqlite:
            self._cursor.execute(self._begin_sql)
        self.in_transaction = True

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: it changes when another connection commits."""
        version: int = self._cursor.execute("PRAGMA data_version").fetchone()[0]
        return version

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a reader's transaction cannot commit")
        for listener in self._events.commit:
            listener(self._connection)
        self.dbapi.commit()
        self.in_transaction = False

    def rollback(self) -> None:
        for listener in self._events.rollback:
            listener(self._connection)
        self.in_transaction = False
        self.dbapi.rollback()  # nothing to do (and no round trip) when none is open

    def ended(self) -> None:
        """The transaction was ended through SQLAlchemy (the ORM had joined it)."""
        self.in_transaction = False

    def close(self) -> None:
        try:
            if self._autocommit:
                self.dbapi.autocommit = False  # as the pool lent it
        finally:
            self._cursor.close()

    def prepared(self, name: str) -> Prepared:
        """The statement called ``name``, compiled when first asked for (callers on the hot
        path look in ``_mine`` themselves first, saving a call)."""
        found = self._mine.get(name)
        if found is None:
            key = (self.dialect, name)
            found = self._cache.get(key)
            if found is None:
                found = self._cache[key] = Prepared(self._statements(name, self.dialect), self._dialect)
            self._mine[name] = found
        return found

    def _run(self, statement: Prepared, values: dict[str, Any]) -> Any:
        parameters = statement.parameters(values)
        for listener in self._listeners:
            listener(self._connection, self._cursor, statement.sql, parameters, None, False)
        try:
            self._cursor.execute(statement.sql, parameters)
        except self._integrity_error as exc:
            # The same exception as through SQLAlchemy, so callers tell a duplicate key one way.
            raise IntegrityError(statement.sql, parameters, exc) from exc
        return self._cursor

    def execute(self, name: str, **values: Any) -> Any:
        return self._run(self._mine.get(name) or self.prepared(name), values)

    def run(self, name: str, **values: Any) -> int:
        """A write; the number of rows it changed."""
        return int(self._run(self._mine.get(name) or self.prepared(name), values).rowcount)

    def all(self, name: str, **values: Any) -> list[tuple[Any, ...]]:
        statement = self._mine.get(name) or self.prepared(name)
        rows: list[tuple[Any, ...]] = self._run(statement, values).fetchall()
        if not statement.convert:
            return rows  # the DBAPI's rows are tuples already
        row = statement.row
        return [row(r) for r in rows]

    def first(self, name: str, **values: Any) -> tuple[Any, ...] | None:
        statement = self._mine.get(name) or self.prepared(name)
        # All of them (one at most, mostly): a cursor left mid-result holds SQLite's read lock.
        rows = self._run(statement, values).fetchall()
        if not rows:
            return None
        return statement.row(rows[0]) if statement.convert else rows[0]
