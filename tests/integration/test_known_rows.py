"""SQLite's writer skips reading what it wrote itself, and reads again whenever that may be
out of date (``adapters/db/known_rows.py``).

Every test of the suite also reads each skipped row anyway and compares it
(``tests/known_rows_check.py``); these tests drive the cases where a kept row goes out
of date: another connection commits, the ORM writes on the writer's own connection, a
transaction rolls back.
"""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import make_url

from madoguchi.adapters.db.counter_rows import _STATEMENTS, statement
from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.known_rows import KEEPING_STATEMENTS, KEPT_TABLES
from madoguchi.adapters.db.repositories.counter_sales import read_sale
from madoguchi.adapters.db.tables import Sale as SaleRow
from madoguchi.bootstrap import build_runtime, simulated_devices
from madoguchi.domain.sale import SaleState
from madoguchi.errors import Conflict
from madoguchi.services.counter import sales
from tests.conftest import _places
from tests.helpers import new_id, open_sale

#: SQLite only: PostgreSQL's writer always reads.
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _second_process(rt, settings, clock):  # type: ignore[no-untyped-def]
    """A runtime on the same database with an engine of its own, as a second server process or
    a command-line tool would have."""
    engine = make_engine(settings.database_url)
    return build_runtime(settings, engine=engine, clock=clock, sleep=lambda s: None, migrate=False,
                         devices=simulated_devices(settings, _places(settings), persist=False)), engine


@sqlite_only
def test_a_line_another_process_added_is_read_before_the_next_line(rt, settings, clock, cashier):
    sale_id = open_sale(rt, cashier, items=[("juminhyo", 1)])  # this process wrote the sale: it keeps it
    other, engine = _second_process(rt, settings, clock)
    try:
        sales.add_line(other, sale_id=sale_id, line_id=new_id(), fee_code="juminhyo", quantity=1, actor=cashier)
    finally:
        engine.dispose()
    # Kept as it was, the sale would be written at its old version and refused as changed meanwhile.
    view = sales.add_line(rt, sale_id=sale_id, line_id=new_id(), fee_code="juminhyo", quantity=1, actor=cashier)
    assert len(view["lines"]) == 3
    assert view["total"] == 3 * view["lines"][0]["unit_price"]


@sqlite_only
def test_a_sale_the_orm_changed_on_the_writer_connection_is_read_again(rt, cashier):
    sale_id = open_sale(rt, cashier, items=[("juminhyo", 1)])
    with rt.uow() as uow:  # the writer's own connection, through SQLAlchemy Core
        uow.session.execute(update(SaleRow).where(SaleRow.id == sale_id).values(
            state=SaleState.CANCELLED.value, version=SaleRow.version + 1))
        uow.commit()
    with pytest.raises(Conflict, match="cancelled"):
        sales.add_line(rt, sale_id=sale_id, line_id=new_id(), fee_code="juminhyo", quantity=1, actor=cashier)


@sqlite_only
def test_a_write_rolled_back_is_not_kept(rt, cashier):
    sale_id = open_sale(rt, cashier, items=[("juminhyo", 1)])
    with rt.uow() as uow:
        sale = uow.sales.get(sale_id)
        uow.sales.save(sale.moved_to(SaleState.AWAITING_PAYMENT))
        # no commit: rolled back on leaving
    with rt.uow() as uow:
        again = uow.sales.get(sale_id)
    assert again.state == SaleState.OPEN
    assert again.version == sale.version


# A unit of work that commits and goes on: its session, kept from an earlier transaction,
# may begin the next one itself (found by an audit of this change).

@sqlite_only
def test_an_orm_write_in_a_later_transaction_of_the_same_unit_of_work_is_read_again(rt, cashier):
    """The session, made in the unit of work's first transaction, writes a sale in its second,
    after the driver read (and kept) it: the next unit of work reads the ORM's write."""
    sale_id = open_sale(rt, cashier, items=[("juminhyo", 1)])
    with rt.uow() as uow:
        _ = uow.session  # transaction 1: the ORM joins
        uow.commit()
        sale = uow.sales.get(sale_id)  # transaction 2 begins on the driver: read and kept
        uow.session.execute(update(SaleRow).where(SaleRow.id == sale_id).values(
            state=SaleState.CANCELLED.value, version=SaleRow.version + 1))
        uow.commit()
    with rt.uow() as uow:
        fresh = read_sale(uow.rows.db, sale_id, lock=False)
        assert fresh is not None and fresh.state == SaleState.CANCELLED.value
        assert fresh.version == sale.version + 1
        found = uow.sales.get(sale_id)
        assert (found.state, found.version) == (fresh.state, fresh.version)


@sqlite_only
def test_another_process_write_is_read_in_a_transaction_the_session_began(rt, settings, cashier):
    """A transaction begun by a session kept from an earlier one (as a repository holding
    ``uow.session`` would use it), not by the driver: another process's commit just before
    it is read, not the row kept in the transaction before."""
    sale_id = open_sale(rt, cashier, items=[("juminhyo", 1)])
    with rt.uow() as uow:
        session = uow.session  # transaction 1: the ORM joins
        uow.commit()
        sale = uow.sales.get(sale_id)  # transaction 2 begins on the driver: read and kept
        uow.commit()
        # Another process cancels the sale meanwhile.
        other = sqlite3.connect(make_url(settings.database_url).database)
        other.execute("UPDATE sales SET state = 'cancelled', version = version + 1 WHERE id = ?", (sale_id,))
        other.commit()
        other.close()
        session.execute(select(1))  # transaction 3 begun by SQLAlchemy (autobegin on the session)
        fresh = read_sale(uow.rows.db, sale_id, lock=False)
        assert fresh is not None and fresh.state == SaleState.CANCELLED.value
        found = uow.sales.get(sale_id)
        assert (found.state, found.version) == (fresh.state, sale.version + 1)


@sqlite_only
def test_a_write_rolled_back_in_a_transaction_the_session_began_is_not_kept(rt, cashier):
    """A sale written on the driver in a transaction the kept session began, then rolled
    back: the next unit of work reads the sale as committed."""
    sale_id = open_sale(rt, cashier, items=[("juminhyo", 1)])
    with rt.uow() as uow:
        session = uow.session  # transaction 1: the ORM joins
        uow.commit()
        uow.sales.get(sale_id)  # transaction 2 begins on the driver: read and kept
        uow.commit()
        session.execute(select(1))  # transaction 3 begun by SQLAlchemy (autobegin on the session)
        sale = uow.sales.get(sale_id)
        uow.sales.save(sale.moved_to(SaleState.AWAITING_PAYMENT))
        uow.rollback()
    with rt.uow() as uow:
        again = uow.sales.get(sale_id)
    assert (again.state, again.version) == (SaleState.OPEN.value, sale.version)


def test_every_driver_statement_that_writes_a_kept_table_keeps_it():
    """A new statement writing sales, lines, payments or day locks must update what the
    writer keeps (and be named in KEEPING_STATEMENTS), or the writer would trust a stale row."""
    writers = {}
    for name in [*_STATEMENTS, "day_insert"]:
        made = statement(name, "sqlite")
        if getattr(made, "is_dml", False):
            writers[name] = made.table.name  # type: ignore[attr-defined]
    writing_kept = {name for name, table in writers.items() if table in KEPT_TABLES}
    assert writing_kept == KEEPING_STATEMENTS
