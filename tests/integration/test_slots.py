"""Kept connections (adapters/db/slots.py): units of work reuse them, and never inherit a bad one.

A unit of work begins and commits on its kept connection's driver; the ORM joins that
transaction when asked for. A connection whose unit of work failed in the database is
closed, an idle one is pinged before use, and disposing the engine hands them all back.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError

from madoguchi.adapters.db import slots
from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.migrate import upgrade
from madoguchi.adapters.db.tables import Idempotency
from madoguchi.adapters.db.uow import make_uow_factory

NOW = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def factory(db_url):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine, make_uow_factory(engine)
    engine.dispose()


def _remember(uow, key: str) -> None:  # type: ignore[no-untyped-def]
    uow.rows.remember(key=key, operation="x", fingerprint="f", result="{}", created_at=NOW)


def _dbapi(uow):  # type: ignore[no-untyped-def]
    return uow.connection.connection.driver_connection


def _committed(uow, key: str):  # type: ignore[no-untyped-def]
    """Commit one idempotency row in a writer; the DBAPI connection it used."""
    with uow() as first:
        _remember(first, key)
        first.commit()
        return _dbapi(first)


def test_units_of_work_reuse_a_kept_connection_and_none_inherits_uncommitted_work(factory):
    engine, uow = factory
    used = _committed(uow, "a")
    with pytest.raises(RuntimeError), uow() as failing:
        _remember(failing, "b")
        raise RuntimeError("the service failed before committing")
    with uow() as after:
        assert _dbapi(after) is used
        assert after.rows.idempotency("a") is not None
        assert after.rows.idempotency("b") is None  # rolled back, not carried into this one


def test_a_connection_whose_unit_of_work_failed_in_the_database_is_not_reused(factory):
    engine, uow = factory
    used = _committed(uow, "a")
    with pytest.raises(IntegrityError), uow() as failing:
        _remember(failing, "a")
    with uow() as after:
        assert _dbapi(after) is not used
        assert after.rows.idempotency("a") is not None


def test_the_orm_joins_the_drivers_transaction_and_one_commit_lands_both(factory):
    engine, uow = factory
    with uow() as both:
        _remember(both, "driver")
        both.session.add(Idempotency(key="orm", operation="x", fingerprint="f", result="{}", created_at=NOW))
        both.commit()
        # After the commit the same unit of work begins again, both ways at once.
        _remember(both, "driver-2")
        both.session.add(Idempotency(key="orm-2", operation="x", fingerprint="f", result="{}", created_at=NOW))
    with uow(read_only=True) as reader:
        keys = set(reader.session.execute(select(Idempotency.key)).scalars())
    assert keys == {"driver", "orm"}  # the second transaction was never committed


def test_engine_listeners_hear_each_commit_and_rollback_made_on_the_driver(factory):
    engine, uow = factory
    heard: list[str] = []
    event.listen(engine, "commit", lambda conn: heard.append("commit"))
    event.listen(engine, "rollback", lambda conn: heard.append("rollback"))
    with uow() as work:
        _remember(work, "a")
        work.commit()
    with uow() as work:
        _remember(work, "b")  # not committed: rolled back on the way out
    assert heard == ["commit", "rollback"]


def test_an_idle_connection_that_died_is_replaced_before_use(factory, monkeypatch):
    engine, uow = factory
    with uow(read_only=True) as reader:
        reader.rows.idempotency("x")
        dead = _dbapi(reader)
    if engine.dialect.name == "postgresql":
        with engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dead.info.backend_pid})
    else:
        dead.close()  # what a vanished server looks like to SQLite's driver
    monkeypatch.setattr(slots, "PING_AFTER", -1.0)  # every idle slot is due a ping
    with uow(read_only=True) as reader:
        assert reader.rows.idempotency("x") is None
        assert _dbapi(reader) is not dead


def test_the_writers_connection_goes_back_to_the_pool_when_its_runtime_is_gone(tmp_path):
    import gc
    engine = make_engine(f"sqlite:///{tmp_path / 'slot.db'}")
    upgrade(engine)
    uow = make_uow_factory(engine)
    with uow() as writer:
        writer.rows.idempotency("x")
    assert engine.pool.checkedout() == 1  # kept for the next writer
    del uow, writer
    gc.collect()
    assert engine.pool.checkedout() == 0  # and disposing the engine closes it
    engine.dispose()


def test_disposing_the_engine_hands_the_kept_connections_back(factory):
    engine, uow = factory
    with uow() as writer:
        _remember(writer, "a")
        writer.commit()
    with uow(read_only=True) as reader:
        reader.rows.idempotency("a")
    assert engine.pool.checkedout() == 2  # a writer's and a reader's, kept
    engine.dispose()
    assert engine.pool.checkedout() == 0


@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.pg)], indirect=True)
def test_a_postgresql_readers_connection_goes_back_to_the_pool_as_it_was_lent(factory):
    engine, uow = factory
    with uow(read_only=True) as reader:
        reader.rows.idempotency("a")
        dbapi = _dbapi(reader)
        assert dbapi.autocommit  # a reader needs no BEGIN and no ROLLBACK round trip
    engine.dispose()  # closes the slot: the connection is returned, then closed by the pool
    assert dbapi.autocommit is False or dbapi.closed


def test_a_reader_cannot_commit(factory):
    engine, uow = factory
    with uow(read_only=True) as reader, pytest.raises(RuntimeError):
        reader.rows.idempotency("a")
        reader.commit()
