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
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import ClauseElement


class Prepared:
    """One statement compiled for one dialect, with its parameters' and columns' processing."""

    __slots__ = ("sql", "order", "binds", "fixed", "names", "results")

    def __init__(self, statement: ClauseElement, dialect: Any) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        order = compiled.positiontup
        self.order: tuple[str, ...] | None = tuple(order) if dialect.positional and order is not None else None
        self.binds: dict[str, Callable[[Any], Any]] = {}
        # Values written into the statement (``state="open"``) are parameters too.
        self.fixed = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
        # ... and so are the columns' own defaults, which an INSERT names when it is not given them.
        table = getattr(statement, "table", None)
        if getattr(statement, "is_insert", False) and table is not None:
            for column in table.c:
                if column.key in compiled.binds and column.default is not None and column.default.is_scalar:
                    if self.fixed.get(column.key) is None:
                        self.fixed[column.key] = column.default.arg
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self.binds[name] = process
        columns = list(getattr(statement, "exported_columns", ()))
        self.names = tuple(c.key for c in columns)
        self.results: tuple[Callable[[Any], Any] | None, ...] = tuple(
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns)

    def parameters(self, values: dict[str, Any]) -> Sequence[Any] | dict[str, Any]:
        if self.fixed:
            values = {**self.fixed, **values}
        binds = self.binds
        if binds:
            values = {k: (binds[k](v) if k in binds else v) for k, v in values.items()}
        if self.order is not None:
            return tuple(values[k] for k in self.order)
        return values

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(v if p is None else p(v) for p, v in zip(self.results, raw))


class Record:
    """A row as attributes (what the services read and change), or ``None`` for none."""

    __slots__ = ("__dict__",)

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.__dict__!r})"


class Driver:
    """Runs prepared statements on one SQLAlchemy connection's DBAPI cursor."""

    def __init__(self, connection: Connection, statements: Callable[[str, str], ClauseElement],
                 cache: dict[tuple[str, str], Prepared]) -> None:
        self._connection = connection
        self._dialect = connection.dialect
        self._statements = statements
        self._cache = cache
        self._cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self._listeners = tuple(connection.dispatch.before_cursor_execute)  # one unit of work long
        self._integrity_error = self._dialect.loaded_dbapi.IntegrityError
        self.dialect = self._dialect.name

    def prepared(self, name: str) -> Prepared:
        key = (self.dialect, name)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = Prepared(self._statements(name, self.dialect), self._dialect)
        return found

    def execute(self, name: str, **values: Any) -> Any:
        statement = self.prepared(name)
        parameters = statement.parameters(values)
        for listener in self._listeners:
            listener(self._connection, self._cursor, statement.sql, parameters, None, False)
        try:
            self._cursor.execute(statement.sql, parameters)
        except self._integrity_error as exc:
            # The same exception as through SQLAlchemy, so callers tell a duplicate key one way.
            raise IntegrityError(statement.sql, parameters, exc) from exc
        return self._cursor

    def run(self, name: str, **values: Any) -> int:
        """A write; the number of rows it changed."""
        return int(self.execute(name, **values).rowcount)

    def all(self, name: str, **values: Any) -> list[tuple[Any, ...]]:
        statement = self.prepared(name)
        return [statement.row(r) for r in self.execute(name, **values).fetchall()]

    def first(self, name: str, **values: Any) -> tuple[Any, ...] | None:
        statement = self.prepared(name)
        raw = self.execute(name, **values).fetchone()
        if raw is None:
            return None
        self._cursor.fetchall()  # drain: a cursor left mid-result holds SQLite's read lock
        return statement.row(raw)

    def record(self, name: str, cls: type[Record] = Record, **values: Any) -> Any:
        """The first row as a ``cls`` with one attribute per selected column, or ``None``."""
        row = self.first(name, **values)
        return None if row is None else cls(**dict(zip(self.prepared(name).names, row)))

    def records(self, name: str, cls: type[Record] = Record, **values: Any) -> list[Any]:
        names = self.prepared(name).names
        return [cls(**dict(zip(names, row))) for row in self.all(name, **values)]

    def close(self) -> None:
        self._cursor.close()
