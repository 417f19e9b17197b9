"""The journal and the staff as the services read them: through the unit of work's
repositories, as frozen values, never as rows or ORM objects."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from madoguchi.domain.journal import EntryKind, JournalEntry
from madoguchi.domain.staff import AuthSessionRecord, LoginAttempt, StaffAccount
from madoguchi.services.runtime import Runtime
from madoguchi.services.staff.accounts import create_staff


def _append(rt: Runtime, n: int, *, site: str = "honcho") -> None:
    with rt.uow() as uow:
        for i in range(n):
            uow.journal.append(EntryKind.CASH_IN, at=rt.clock(), actor="system", amount=100 + i, site=site,
                               reason="float")
        uow.commit()


def test_the_journal_reads_back_in_order_as_frozen_entries_batch_after_batch(rt):  # type: ignore[no-untyped-def]
    _append(rt, 7)
    with rt.uow(read_only=True) as uow:
        every = list(uow.journal_rows.entries())
        middle = list(uow.journal_rows.entries(first=3, upto=5))
        head = uow.journal_rows.head()
        entry = uow.journal_rows.entry(4)
        missing = uow.journal_rows.entry(99)
    assert all(isinstance(e, JournalEntry) for e in every)
    assert [e.seq for e in every] == list(range(1, len(every) + 1))
    assert [e.seq for e in middle] == [3, 4, 5]
    assert head == (every[-1].seq, every[-1].hash)
    assert entry == every[3] and missing is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        every[0].amount = 1  # type: ignore[misc]


def test_reading_the_journal_leaves_what_else_the_unit_of_work_holds_alone(rt):  # type: ignore[no-untyped-def]
    from madoguchi.adapters.db.journal import iter_entries
    from madoguchi.adapters.db.tables import Staff
    _append(rt, 3)
    create_staff(rt, login="keeper", display_name="Keeper", role="admin", sites=["*"], password="a-long-password")
    with rt.uow(read_only=True) as uow:
        account = uow.staff.by_login("keeper")
        assert account is not None
        held = uow.session.get(Staff, account.id)
        assert len(list(iter_entries(uow.session, batch=1))) >= 3
        assert held in uow.session  # it was not: every batch emptied the whole session


def test_the_head_of_a_read_only_journal_cannot_be_locked(rt):  # type: ignore[no-untyped-def]
    from madoguchi.adapters.db.repositories.journal import JournalRows
    with rt.uow(read_only=True) as uow, pytest.raises(RuntimeError):
        JournalRows(uow.session).locked_head()


def test_a_staff_account_reads_back_as_a_frozen_value_with_its_actor(rt):  # type: ignore[no-untyped-def]
    create_staff(rt, login="hanako", display_name="花子", role="supervisor", sites=["honcho"],
                 password="a-long-password")
    with rt.uow(read_only=True) as uow:
        account = uow.staff.by_login("hanako")
        assert account is not None
        again = uow.staff.by_id(account.id)
        names = uow.staff.display_names()
    assert isinstance(account, StaffAccount) and account == again
    assert account.sites == ("honcho",) and account.active and account.password_hash != "a-long-password"
    assert account.actor().sites == frozenset({"honcho"})
    assert names["hanako"] == "花子"


def test_sessions_and_failed_logins_are_kept_then_purged(rt):  # type: ignore[no-untyped-def]
    now = rt.clock()
    create_staff(rt, login="taro", display_name="太郎", role="cashier", sites=["honcho"], password="a-long-password")
    with rt.uow() as uow:
        staff = uow.staff.by_login("taro")
        assert staff is not None
        uow.staff.open_session(AuthSessionRecord("h" * 64, staff.id, "bearer", None, now, now + dt.timedelta(hours=1)))
        for minutes, success in ((1, False), (2, True), (3, False), (4, False)):
            uow.login_attempts.add(LoginAttempt("taro", "10.0.0.1", now + dt.timedelta(minutes=minutes), success,
                                                False))
        uow.commit()
    with rt.uow(read_only=True) as uow:
        session = uow.staff.session_of("h" * 64)
        by_login = uow.login_attempts.newest_failures(login="taro", since=now, limit=2)
        by_client = uow.login_attempts.newest_failures(client="10.0.0.1", since=now, limit=10)
    assert session is not None and session.staff_id == staff.id and session.kind == "bearer"
    assert by_login == (now + dt.timedelta(minutes=4), now + dt.timedelta(minutes=3))
    assert len(by_client) == 3
    with rt.uow() as uow:
        attempts = uow.login_attempts.delete_before(now + dt.timedelta(minutes=2, seconds=30))
        sessions = uow.staff.delete_sessions_ended_before(now + dt.timedelta(hours=2))
        uow.commit()
    assert (attempts, sessions) == (2, 1)
    with rt.uow(read_only=True) as uow:
        assert uow.staff.session_of("h" * 64) is None
