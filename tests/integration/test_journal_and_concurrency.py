"""The journal refuses changes; concurrent writers never share a station or break the chain."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.uow import make_uow_factory
from madoguchi.domain.journal import EntryKind
from madoguchi.errors import StationBusy
from madoguchi.services.counter import sales
from madoguchi.services.journal.verify import verify
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


def _append(uow_factory, n: int, *, commit: bool = True) -> int:  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        entry = uow.journal.append(EntryKind.APPROVAL, at=dt.datetime.now(dt.UTC), actor="test",
                                   note=f"entry {n}")
        if commit:
            uow.commit()
        return entry.seq


def _head_reads(engine) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def on_execute(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "FROM journal_head" in statement:
            seen.append(statement)
    return seen


@pytest.fixture
def servers(rt, settings):  # type: ignore[no-untyped-def]
    """Two servers' units of work on the test database, each on an engine of its own."""
    engines = [make_engine(settings.database_url) for _ in range(2)]
    yield [(make_uow_factory(e), e) for e in engines]
    for e in engines:
        e.dispose()


def test_a_process_appends_after_the_head_it_left_without_reading_it(rt, servers):
    ours, engine = servers[0]
    _append(ours, 0)
    reads = _head_reads(engine)
    seqs = [_append(ours, n) for n in range(1, 4)]
    assert seqs == list(range(seqs[0], seqs[0] + 3))
    assert reads == []  # the head row was moved conditionally, never read
    assert verify(rt).ok


def test_two_processes_appending_in_turn_keep_one_gapless_chain(rt, servers):
    (ours, engine), (other, _) = servers
    reads = _head_reads(engine)
    seqs = [_append(ours if n % 2 else other, n) for n in range(6)]
    assert seqs == list(range(seqs[0], seqs[0] + 6))
    assert len(reads) == 3  # each of ours found its hint stale and read the head
    assert verify(rt).ok


def test_an_append_rolled_back_leaves_the_next_one_where_the_chain_ends(rt):
    first = _append(rt.uow, 0)
    assert _append(rt.uow, 1, commit=False) == first + 1  # never committed
    assert _append(rt.uow, 2) == first + 1
    with rt.uow() as uow:  # two in one transaction, then a rollback of both
        uow.journal.append(EntryKind.APPROVAL, at=dt.datetime.now(dt.UTC), actor="test")
        uow.journal.append(EntryKind.APPROVAL, at=dt.datetime.now(dt.UTC), actor="test")
        uow.rollback()
        after = uow.journal.append(EntryKind.APPROVAL, at=dt.datetime.now(dt.UTC), actor="test")
        uow.commit()
    assert after.seq == first + 2
    result = verify(rt)
    assert result.ok and result.entries == after.seq
