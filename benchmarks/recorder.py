"""Record the writes of each committed transaction, to replay them through the bare driver.

The baseline for the service layer is "the same rows and the same number of durable
transactions written with plain SQL": we capture exactly what the service wrote,
transaction by transaction, and replay it with sqlite3 / psycopg on a fresh schema,
after what start-up wrote (``take()`` hands that over apart), so the replayed writes
meet the same rows as the service's did.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

WRITES = ("INSERT", "UPDATE", "DELETE")


class TransactionRecorder:
    def __init__(self, engine: Engine) -> None:
        self.transactions: list[list[tuple[str, Any]]] = []
        self._current: dict[int, list[tuple[str, Any]]] = {}
        event.listen(engine, "before_cursor_execute", self._on_execute)
        event.listen(engine, "commit", self._on_commit)
        event.listen(engine, "rollback", self._on_rollback)

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(WRITES):
            writes = self._current.setdefault(id(conn), [])
            if executemany:  # the ORM's batches (start-up): the same rows, one statement each
                writes.extend((statement, p) for p in parameters)
            else:
                writes.append((statement, parameters))

    def _on_commit(self, conn) -> None:  # type: ignore[no-untyped-def]
        writes = self._current.pop(id(conn), [])
        if writes:
            self.transactions.append(writes)

    def _on_rollback(self, conn) -> None:  # type: ignore[no-untyped-def]
        self._current.pop(id(conn), None)

    @property
    def rows(self) -> int:
        return sum(len(tx) for tx in self.transactions)

    def take(self) -> list[list[tuple[str, Any]]]:
        """The transactions recorded so far; recording goes on from none."""
        taken, self.transactions = self.transactions, []
        return taken
