"""The journal refuses changes; concurrent writers never share a station or break the chain."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from madoguchi.errors import StationBusy
from madoguchi.services import sales
from madoguchi.services.journal import verify
from tests.helpers import handed_off, new_id, open_sale, pay_cash


def _raw(rt, sql: str) -> None:  # type: ignore[no-untyped-def]
    with rt.uow() as uow:
        uow.session.execute(text(sql))
        uow.commit()


@pytest.mark.parametrize("sql", [
    "UPDATE journal SET amount = amount + 1 WHERE seq = 1",
    "DELETE FROM journal WHERE seq = 1",
])
def test_the_database_refuses_to_change_or_remove_a_journal_entry(rt, cashier, sql):
    pay_cash(rt, cashier, handed_off(rt, cashier), [500])
    with pytest.raises(DBAPIError, match="append-only"):
        _raw(rt, sql)
    assert verify(rt).ok


def _disable_guard(rt) -> None:  # type: ignore[no-untyped-def]
    """What an attacker with the database password could do."""
    with rt.uow() as uow:
        if uow.dialect == "sqlite":
            uow.session.execute(text("DROP TRIGGER journal_no_update"))
            uow.session.execute(text("DROP TRIGGER journal_no_delete"))
        else:
            uow.session.execute(text("ALTER TABLE journal DISABLE TRIGGER USER"))
        uow.commit()


@pytest.mark.parametrize("column,sql_value", [
    ("amount", "amount + 1"), ("data", "replace(data, 'cash', 'cas0')"),
    ("actor", "'someone'"), ("occurred_at", "replace(occurred_at, '00:3', '00:4')"),
])
def test_one_changed_byte_in_any_column_is_found_and_named(rt, cashier, column, sql_value):
    for _ in range(2):
        pay_cash(rt, cashier, handed_off(rt, cashier), [500])
    before = verify(rt)
    target = before.entries - 1
    _disable_guard(rt)
    _raw(rt, f"UPDATE journal SET {column} = {sql_value} WHERE seq = {target}")
    after = verify(rt)
    assert not after.ok and after.broken.seq == target


def test_entries_removed_at_the_end_are_found(rt, cashier):
    pay_cash(rt, cashier, handed_off(rt, cashier), [500])
    last = verify(rt).entries
    _disable_guard(rt)
    _raw(rt, f"DELETE FROM journal WHERE seq = {last}")
    result = verify(rt)
    assert not result.ok and "removed" in result.broken.reason


def test_two_staff_stations_racing_for_one_payment_station_never_both_win(rt, cashier):
    contenders = [open_sale(rt, cashier, staff_station=s) for s in ("honcho-s1", "honcho-s2", "honcho-s3")]
    barrier = threading.Barrier(len(contenders))
    won, lost = [], []

    def race(sale_id: str) -> None:
        barrier.wait()
        try:
            sales.hand_off(rt, sale_id=sale_id, handoff_id=new_id(), payment_station="honcho-p1", actor=cashier)
            won.append(sale_id)
        except StationBusy:
            lost.append(sale_id)

    threads = [threading.Thread(target=race, args=(s,)) for s in contenders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(lost) == 2


def test_concurrent_payments_keep_the_journal_chain_whole(rt, cashier):
    sale_ids = [handed_off(rt, cashier, station=s, staff_station=f"honcho-s{n}")
                for n, s in ((1, "honcho-p1"), (2, "honcho-p2"))]
    errors = []

    def pay(sale_id: str) -> None:
        try:
            pay_cash(rt, cashier, sale_id, [1000])
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=pay, args=(s,)) for s in sale_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert verify(rt).ok
