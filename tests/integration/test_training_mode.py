"""Training mode (練習モード): a training day leaves the real books byte for byte as they were.

A supervisor switches a staff station and a payment station to training; sales made there
(cash, cashless, a declined card, a jam, a refund) go to the training store, with
simulated devices and receipts marked 「練習 — 領収書としては無効」 and numbered apart.
The real journal, daily sheet, payments export, month register and sales tables are
compared as bytes before and after.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.training_store import training_schema, training_url
from madoguchi.domain.auth import Actor
from madoguchi.domain.reconcile import Month
from madoguchi.errors import ChangerJammed, Conflict, PermissionDenied, StationBusy
from madoguchi.services.close import export
from madoguchi.services.close.day_sheet import daily_sheet
from madoguchi.services.counter import cash, incidents, payments, refunds, sales, training
from madoguchi.services.reconcile.month import payment_rows
from madoguchi.services.runtime import Runtime
from tests.helpers import changer, handed_off, new_id, pay_cash, printer, terminal

DAY = dt.date(2026, 11, 2)
#: The tables of real sales and of the books; the training day must not change a byte of them.
BOOK_TABLES = ("sales", "sale_lines", "payments", "receipts", "refunds", "incidents", "journal", "journal_head",
               "day_closes", "idempotency")


@pytest.fixture
def real(rt: Runtime) -> Iterator[Runtime]:
    yield rt
    desk = rt.training_desk
    store = getattr(desk, "store", None)
    if store is not None and rt.settings.database_url.startswith("postgresql"):
        engine = make_engine(rt.settings.database_url)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{training_schema(rt.settings.database_url)}" CASCADE'))
        engine.dispose()


def books(rt: Runtime, accountant: Actor) -> dict[str, Any]:
    """Everything a report or an auditor reads, as bytes or exact rows."""
    out: dict[str, Any] = {
        "daily_sheet_csv": daily_sheet(rt, day=DAY, actor=accountant, fmt="csv"),
        "payments_export": export.to_csv(export.payment_rows(rt.uow, date_from=DAY, date_to=DAY)).encode(),
        "month_register": repr(payment_rows(rt, Month(2026, 11))).encode(),
    }
    with rt.uow(read_only=True) as uow:
        for table in BOOK_TABLES:
            rows = uow.connection.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()
            out[table] = repr([tuple(r) for r in rows]).encode()
    return out


def test_a_training_day_leaves_the_real_books_byte_for_byte_as_they_were(real, cashier, supervisor, clock):  # type: ignore[no-untyped-def]
    from madoguchi.domain.auth import ALL_SITES, Role
    accountant = Actor("accountant", Role.ACCOUNTANT, frozenset({ALL_SITES}))
    # A real morning: one sale paid in cash, one by PayPay.
    pay_cash(real, cashier, handed_off(real, cashier), [1000])
    real_card = handed_off(real, cashier)
    payments.pay_cashless(real, payment_id=new_id(), sale_id=real_card, brand="paypay", actor=cashier)
    real_receipts = printer(real).printed
    printed_at = clock.now
    before = books(real, accountant)

    training.set_training(real, station_id="honcho-s1", training=True, actor=supervisor, note="新人研修")
    training.set_training(real, station_id="honcho-p1", training=True, actor=supervisor)
    store = training.runtime_for(real, staff_station="honcho-s1")
    assert store.training and store is not real

    # Cash with change, through the same services, on the training store's simulated changer.
    clock.advance(minutes=5)
    cash_sale = handed_off(store, cashier, items=[("juminhyo", 2)], station=None)
    assert training.runtime_for(real, sale_id=cash_sale) is store
    paid = pay_cash(store, cashier, cash_sale, [1000])
    assert paid["sale"]["state"] == "paid" and paid["change"] == 400
    # A declined card, then the same sale paid by card.
    card_sale = handed_off(store, cashier, station=None)
    terminal(store).script("declined", reason="insufficient balance")
    declined = payments.pay_cashless(store, payment_id=new_id(), sale_id=card_sale, brand="suica", actor=cashier)
    assert declined["sale"]["state"] == "awaiting_payment"
    approved = payments.pay_cashless(store, payment_id=new_id(), sale_id=card_sale, brand="suica", actor=cashier)
    assert approved["sale"]["state"] == "paid"
    # A jam in the middle of a cash payment (an incident of the training store), cleared;
    # the sale cancelled; and a refund of the cash sale.
    jam_sale = handed_off(store, cashier, station=None)
    payment_id = new_id()
    cash.start_cash(store, payment_id=payment_id, sale_id=jam_sale, actor=cashier)
    changer(store).insert(1000)
    changer(store).fail_next("fix_deposit")
    with pytest.raises(ChangerJammed):
        cash.complete_cash(store, payment_id=payment_id, actor=cashier)
    assert [i["kind"] for i in incidents.list_incidents(store, actor=supervisor)] == ["cash_jam"]
    assert incidents.list_incidents(real, actor=supervisor) == []
    assert incidents.clear_jam(store, payment_station="honcho-p1", actor=supervisor)["returned"] == 1000
    sales.cancel_sale(store, sale_id=jam_sale, reason="練習", actor=cashier)
    refunded = refunds.refund_sale(store, refund_id=new_id(), sale_id=cash_sale, reason="練習", actor=supervisor)
    assert refunded["sale"]["state"] == "refunded"

    # Training receipts say so at the top and the bottom, and count from 1 on their own.
    texts = printer(store).texts
    assert len(texts) == 2 and all(t.count("練習 ― 領収書としては無効") == 2 for t in texts)
    assert "No. 000001" in texts[0]
    assert printer(real).printed == real_receipts  # no real printer printed anything

    training.set_training(real, station_id="honcho-p1", training=False, actor=supervisor)
    training.set_training(real, station_id="honcho-s1", training=False, actor=supervisor)
    clock.now = printed_at  # the sheet says when it was printed: print it again at the same moment
    after = books(real, accountant)
    assert after.keys() == before.keys()
    for name in before:
        assert after[name] == before[name], f"{name} changed during a training day"
    # The switches are on record, outside the books.
    assert [(s["station_id"], s["training"]) for s in training.switches(real, actor=supervisor)] == [
        ("honcho-s1", False), ("honcho-p1", False), ("honcho-p1", True), ("honcho-s1", True)]


def test_a_payment_station_in_training_takes_no_real_sale(real, cashier, supervisor):  # type: ignore[no-untyped-def]
    training.set_training(real, station_id="honcho-p1", training=True, actor=supervisor)
    sale_id = handed_off(real, cashier, station=None)  # 自動 finds the station that works for real
    assert sales.get_sale(real, sale_id=sale_id, actor=cashier)["payment_station"] != "honcho-p1"
    with pytest.raises(StationBusy, match="training mode"):
        handed_off(real, cashier, station="honcho-p1")


def test_switching_is_refused_while_a_sale_is_open_at_the_station(real, cashier, supervisor):  # type: ignore[no-untyped-def]
    handed_off(real, cashier, station="honcho-p1")
    for station in ("honcho-s1", "honcho-p1"):
        with pytest.raises(Conflict, match="open at station"):
            training.set_training(real, station_id=station, training=True, actor=supervisor)
    training.set_training(real, station_id="honcho-s2", training=True, actor=supervisor)
    store = training.runtime_for(real, staff_station="honcho-s2")
    sales.create_sale(store, sale_id=new_id(), staff_station="honcho-s2", actor=cashier)
    with pytest.raises(Conflict, match="training sale"):
        training.set_training(real, station_id="honcho-s2", training=False, actor=supervisor)


def test_only_a_supervisor_switches_a_station_to_training(real, cashier):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        training.set_training(real, station_id="honcho-s1", training=True, actor=cashier)
    assert training.training_status(real, actor=cashier) == {"staff_stations": [], "payment_stations": []}


def test_the_training_store_is_a_database_apart(tmp_path):  # type: ignore[no-untyped-def]
    assert training_url(f"sqlite:///{tmp_path}/madoguchi.db") == f"sqlite:///{tmp_path}/madoguchi.training.db"
    pg = training_url("postgresql://u@h/db?options=-csearch_path%3Dt_1")
    assert pg.endswith("search_path%3Dt_1_training")
    assert training_schema("postgresql://u@h/db?options=-csearch_path%3Dt_1") == "t_1_training"
    assert training_schema("postgresql://u@h/db") == "madoguchi_training"
