"""Readers and writers: a unit of work opened read-only never waits for a writer.

On SQLite every writer begins IMMEDIATE and holds the single write lock (and, in this
process, the writer queue) until its commit; a reader begins a plain transaction and
reads the last committed snapshot (WAL), so a screen asking for a sale is answered
while a payment is being written. On PostgreSQL readers never waited for writers.
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import update

from madoguchi.adapters.db.tables import Sale
from madoguchi.services.counter import sales
from tests.helpers import open_sale


def test_a_reader_is_answered_while_a_writer_holds_the_database(rt, cashier):
    sale_id = open_sale(rt, cashier)
    writing, answered = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def writer() -> None:
        with rt.uow() as uow:
            uow.session.execute(update(Sale).where(Sale.id == sale_id).values(total=999)
                                .execution_options(synchronize_session=False))
            writing.set()
            answered.wait(10)  # hold the write lock until the reader has its answer (or gives up)
            uow.commit()

    thread = threading.Thread(target=writer)
    thread.start()
    assert writing.wait(10)
    try:
        reader = threading.Thread(target=lambda: seen.update(
            view=sales.get_sale(rt, sale_id=sale_id, actor=cashier)))
        reader.start()
        reader.join(10)
        assert not reader.is_alive(), "the reader waited for the writer"
    finally:
        answered.set()
        thread.join(10)
    assert seen["view"]["total"] == 300  # the last committed state, not the writer's uncommitted one
    assert sales.get_sale(rt, sale_id=sale_id, actor=cashier)["total"] == 999


def test_a_read_only_unit_of_work_cannot_commit(rt):
    with rt.uow(read_only=True) as uow, pytest.raises(RuntimeError, match="read-only"):
        uow.commit()
