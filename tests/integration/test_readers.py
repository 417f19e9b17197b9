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
from madoguchi.services import sales
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


def _sqlite_factory(tmp_path):  # type: ignore[no-untyped-def]
    from madoguchi.adapters.db.engine import make_engine
    from madoguchi.adapters.db.migrate import upgrade
    from madoguchi.adapters.db.uow import make_uow_factory
    engine = make_engine(f"sqlite:///{tmp_path / 'slot.db'}")
    upgrade(engine)
    return engine, make_uow_factory(engine)


def test_sqlite_writers_take_turns_on_one_connection_and_none_inherits_an_unfinished_one(tmp_path):
    import datetime as dt
    engine, uow = _sqlite_factory(tmp_path)
    now = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.timezone.utc)
    with uow() as first:
        first.rows.remember(key="a", operation="x", fingerprint="f", result="{}", created_at=now)
        first.commit()
        used = first.connection.connection.driver_connection
    with pytest.raises(RuntimeError), uow() as failing:
        failing.rows.remember(key="b", operation="x", fingerprint="f", result="{}", created_at=now)
        raise RuntimeError("the service failed before committing")
    with uow() as after:
        assert after.connection.connection.driver_connection is used
        assert after.rows.idempotency("a") is not None
        assert after.rows.idempotency("b") is None  # rolled back, not carried into this one
    engine.dispose()


def test_the_writers_connection_goes_back_to_the_pool_when_its_runtime_is_gone(tmp_path):
    import gc
    engine, uow = _sqlite_factory(tmp_path)
    with uow() as writer:
        writer.rows.idempotency("x")
    assert engine.pool.checkedout() == 1  # kept for the next writer
    del uow, writer
    gc.collect()
    assert engine.pool.checkedout() == 0  # and disposing the engine closes it
    engine.dispose()
