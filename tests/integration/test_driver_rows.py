"""The counter's rows on the driver: what they write is what the ORM reads, and the other way round.

The sale's ordinary course runs SQLAlchemy-compiled statements on the DBAPI cursor
(adapters/db/driver.py); faults, voids and closes use the ORM. Both must agree on
every stored value (UTC times, dates, booleans, column defaults), share one
transaction, and behave like SQLAlchemy where callers depend on it.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.exc import IntegrityError

from madoguchi.adapters.db.tables import Payment, Sale
from madoguchi.services.counter import cash, sales
from tests.helpers import open_sale


def test_a_sale_written_on_the_driver_reads_back_through_the_orm_value_for_value(rt, cashier, clock):
    sale_id = open_sale(rt, cashier)
    with rt.uow(read_only=True) as uow:
        orm = uow.session.get(Sale, sale_id)
        record = uow.rows.sale(sale_id, lock=False)
    assert orm is not None and record is not None
    for column in Sale.__table__.c:
        if column.key != "version":
            assert getattr(record, column.key) == getattr(orm, column.key), column.key
    assert orm.created_at == clock() and orm.created_at.tzinfo is not None
    assert isinstance(orm.business_date, dt.date) and orm.cash_only is False
    assert [x.id for x in record.lines] == [x.id for x in orm.lines]
    assert record.lines[0].amount == orm.lines[0].amount == 300


def test_a_payment_changed_by_the_orm_is_what_the_driver_reads_in_the_same_transaction(rt, cashier):
    sale_id = open_sale(rt, cashier)
    sales.hand_off(rt, sale_id=sale_id, handoff_id="6f1c1a4e-6b4b-4b8e-9d53-000000000001",
                   payment_station="honcho-p1", actor=cashier)
    view = cash.start_cash(rt, payment_id="6f1c1a4e-6b4b-4b8e-9d53-000000000002", sale_id=sale_id, actor=cashier)
    with rt.uow() as uow:
        payment = uow.session.get(Payment, view["id"])
        assert payment is not None
        payment.failure = "noted by the ORM"
        uow.flush_orm()
        assert uow.rows.payment(view["id"]).failure == "noted by the ORM"
        # And a change on the driver is seen by a fresh ORM query in the same transaction.
        uow.rows.mark_settling(view["id"], tendered=300, change=0)
        state = uow.session.execute(select(Payment.state).where(Payment.id == view["id"])).scalar_one()
        assert state == "settling"
    with rt.uow(read_only=True) as uow:  # nothing was committed
        assert uow.rows.payment(view["id"]).state == "pending"


def test_a_duplicate_key_on_the_driver_is_sqlalchemys_integrity_error(rt):
    now = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
    with rt.uow() as uow:
        uow.rows.remember(key="k1", operation="x", fingerprint="f", result="{}", created_at=now)
        with pytest.raises(IntegrityError):
            uow.rows.remember(key="k1", operation="x", fingerprint="f", result="{}", created_at=now)


def test_engine_listeners_see_the_statements_run_on_the_driver(rt, cashier):
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()[:3]).upper())

    event.listen(Engine, "before_cursor_execute", listen)
    try:
        open_sale(rt, cashier)
    finally:
        event.remove(Engine, "before_cursor_execute", listen)
    assert "INSERT INTO SALES" in seen and "INSERT INTO SALE_LINES" in seen
    assert seen.count("INSERT INTO IDEMPOTENCY") == 2  # the sale's and the line's answers


def test_a_unit_of_work_that_only_reads_rows_builds_no_orm_session(rt, cashier):
    sale_id = open_sale(rt, cashier)
    with rt.uow(read_only=True) as uow:
        assert uow.rows.sale(sale_id) is not None
        assert uow._session is None  # noqa: SLF001 (what this test is about)


def test_what_the_orm_holds_is_written_before_a_statement_on_the_driver(rt, cashier, clock):
    # A sale added to the session, a journal entry (on the driver), then a payment of that
    # sale: the sale must reach the database before the payment that refers to it.
    from madoguchi.adapters.db.tables import Payment as P
    from madoguchi.domain.journal import EntryKind
    sale_id = open_sale(rt, cashier)
    other = "6f1c1a4e-6b4b-4b8e-9d53-0000000000aa"
    now = clock()
    with rt.uow() as uow:
        uow.session.add(Sale(id=other, site="honcho", staff_station="honcho-s1", state="paid", total=300,
                             paid_amount=300, cash_only=False, attempts=1, created_by="t", created_at=now,
                             business_date=now.date(), paid_at=now))
        uow.journal.append(EntryKind.SALE_PAID, at=now, actor="t", amount=300, site="honcho", sale_id=other)
        uow.session.add(P(id=other, request_id=other, sale_id=other, site="honcho", payment_station="honcho-p1",
                          method="cash", category="cash", amount=300, state="approved", started_at=now,
                          business_date=now.date()))
        uow.commit()
    with rt.uow(read_only=True) as uow:
        assert uow.rows.payment(other).sale_id == other
    assert sale_id != other
