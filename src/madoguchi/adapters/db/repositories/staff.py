"""Staff accounts with their login sessions, and login attempts (the ORM: none of it is on the hot path).

What is read comes back as the frozen values of :mod:`madoguchi.domain.staff`; what is
written is flushed by the unit of work's commit.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from madoguchi.adapters.db import tables as t
from madoguchi.domain.staff import AuthSessionRecord, LoginAttempt, StaffAccount


def _account(row: t.Staff) -> StaffAccount:
    return StaffAccount(id=row.id, login=row.login, display_name=row.display_name, role=row.role,
                        sites=tuple(s for s in row.sites.split(",") if s), password_hash=row.password_hash,
                        active=row.active, created_at=row.created_at)


def _deleted(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount or 0)


class StaffRepository:
    """``uow.staff``: accounts and the sessions their logins opened."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def by_login(self, login: str) -> StaffAccount | None:
        row = self._s.execute(select(t.Staff).where(t.Staff.login == login)).scalar_one_or_none()
        return None if row is None else _account(row)

    def by_id(self, staff_id: int) -> StaffAccount | None:
        row = self._s.get(t.Staff, staff_id)
        return None if row is None else _account(row)

    def add(self, *, login: str, display_name: str, role: str, sites: tuple[str, ...], password_hash: str,
            created_at: dt.datetime, active: bool = True) -> StaffAccount:
        row = t.Staff(login=login, display_name=display_name, role=role, sites=",".join(sites),
                      password_hash=password_hash, active=active, created_at=created_at)
        self._s.add(row)
        self._s.flush()  # its id
        return _account(row)

    def display_names(self) -> dict[str, str]:
        """Every account's display name by login."""
        return {login: name for login, name in self._s.execute(select(t.Staff.login, t.Staff.display_name))}

    # --- sessions ---------------------------------------------------------------------
    def session_of(self, token_hash: str) -> AuthSessionRecord | None:
        row = self._s.get(t.AuthSession, token_hash)
        if row is None:
            return None
        return AuthSessionRecord(token_hash=row.token_hash, staff_id=row.staff_id, kind=row.kind,
                                 csrf_token=row.csrf_token, created_at=row.created_at, expires_at=row.expires_at)

    def open_session(self, record: AuthSessionRecord) -> None:
        self._s.add(t.AuthSession(token_hash=record.token_hash, staff_id=record.staff_id, kind=record.kind,
                                  csrf_token=record.csrf_token, created_at=record.created_at,
                                  expires_at=record.expires_at))

    def end_session(self, token_hash: str) -> None:
        self._s.execute(delete(t.AuthSession).where(t.AuthSession.token_hash == token_hash))

    def delete_sessions_ended_before(self, before: dt.datetime) -> int:
        """Delete the sessions that expired before ``before``; how many."""
        return _deleted(self._s.execute(delete(t.AuthSession).where(t.AuthSession.expires_at < before)))


class LoginAttempts:
    """``uow.login_attempts``: every login tried, kept for the lock and then purged."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, attempt: LoginAttempt) -> None:
        self._s.add(t.LoginAttempt(login=attempt.login, client=attempt.client, at=attempt.at,
                                   success=attempt.success, login_hashed=attempt.login_hashed))

    def newest_failures(self, *, login: str | None = None, client: str | None = None, since: dt.datetime,
                        limit: int) -> tuple[dt.datetime, ...]:
        """When the ``limit`` newest failures of ``login`` (as stored) or of ``client`` after ``since``
        happened, newest first."""
        if (login is None) == (client is None):
            raise TypeError("give exactly one of login and client")
        column = t.LoginAttempt.login if login is not None else t.LoginAttempt.client
        value = login if login is not None else client
        return tuple(self._s.execute(select(t.LoginAttempt.at).where(
            column == value, t.LoginAttempt.at > since, t.LoginAttempt.success.is_(False))
            .order_by(t.LoginAttempt.at.desc()).limit(limit)).scalars())

    def delete_before(self, before: dt.datetime) -> int:
        """Delete the attempts made before ``before``; how many."""
        return _deleted(self._s.execute(delete(t.LoginAttempt).where(t.LoginAttempt.at < before)))
