"""Staff accounts, logins and sessions.

Passwords are hashed with Argon2 (argon2-cffi). A login gives a random token that is
stored only as its SHA-256; cookie sessions also get a CSRF token that every write
must echo in a header. Failed logins are limited per account and per client address.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select

from madoguchi.adapters.db.tables import AuthSession, LoginAttempt, Staff
from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.errors import BadInput, Conflict, NotAuthenticated, RateLimited
from madoguchi.services.runtime import Runtime

MIN_PASSWORD = 10


def _hasher(rt: Runtime) -> PasswordHasher:
    """Argon2id with the library's defaults unless the settings lower them (tests only)."""
    cfg = rt.settings
    if cfg.password_hash_memory_kib is None:
        return _DEFAULT_HASHER
    return PasswordHasher(time_cost=1, memory_cost=cfg.password_hash_memory_kib, parallelism=1)


_DEFAULT_HASHER = PasswordHasher()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _actor(staff: Staff) -> Actor:
    return Actor(staff.login, Role(staff.role), frozenset(s for s in staff.sites.split(",") if s))


def create_staff(rt: Runtime, *, login: str, display_name: str, role: str, sites: list[str],
                 password: str) -> Actor:
    login = login.strip()
    if not login or len(login) > 64 or not login.isascii():
        raise BadInput("login: 1 to 64 ASCII characters")
    try:
        role_ = Role(role)
    except ValueError:
        raise BadInput(f"role must be one of {', '.join(r.value for r in Role)}") from None
    if len(password) < MIN_PASSWORD:
        raise BadInput(f"password: at least {MIN_PASSWORD} characters")
    for site in sites:
        if site != ALL_SITES:
            rt.places.site(site)
    with rt.uow() as uow:
        if uow.session.execute(select(Staff).where(Staff.login == login)).scalar_one_or_none():
            raise Conflict(f"a staff account {login!r} already exists")
        staff = Staff(login=login, display_name=display_name, role=role_.value, sites=",".join(sites),
                      password_hash=_hasher(rt).hash(password), active=True, created_at=rt.clock())
        uow.session.add(staff)
        uow.commit()
        return _actor(staff)


@dataclass(frozen=True)
class LoginResult:
    token: str
    csrf_token: str | None
    actor: Actor
    display_name: str
    expires_at: dt.datetime


def login(rt: Runtime, *, login: str, password: str, client: str, kind: str = "cookie") -> LoginResult:
    now = rt.clock()
    since = now - dt.timedelta(seconds=rt.settings.login_window_seconds)
    with rt.uow() as uow:
        s = uow.session
        failures_login = s.execute(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.login == login, LoginAttempt.at >= since, LoginAttempt.success.is_(False))).scalar_one()
        failures_client = s.execute(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.client == client, LoginAttempt.at >= since, LoginAttempt.success.is_(False))).scalar_one()
        if failures_login >= rt.settings.login_max_attempts or failures_client >= 4 * rt.settings.login_max_attempts:
            raise RateLimited(f"too many failed logins; try again in {rt.settings.login_window_seconds // 60} minutes")
        staff = s.execute(select(Staff).where(Staff.login == login, Staff.active.is_(True))).scalar_one_or_none()
        ok = False
        if staff is not None:
            try:
                ok = _hasher(rt).verify(staff.password_hash, password)
            except (VerificationError, InvalidHashError):
                ok = False
        else:
            _hasher(rt).hash(password)  # same cost whether or not the login exists
        s.add(LoginAttempt(login=login[:64], client=client[:64], at=now, success=ok))
        if not ok or staff is None:
            uow.commit()
            raise NotAuthenticated("login or password is wrong")
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24) if kind == "cookie" else None
        expires = now + dt.timedelta(hours=rt.settings.session_hours)
        s.add(AuthSession(token_hash=_token_hash(token), staff_id=staff.id, kind=kind, csrf_token=csrf,
                          created_at=now, expires_at=expires))
        uow.commit()
        return LoginResult(token, csrf, _actor(staff), staff.display_name, expires)


@dataclass(frozen=True)
class Authenticated:
    actor: Actor
    kind: str
    csrf_token: str | None
    display_name: str = ""


def authenticate(rt: Runtime, token: str | None) -> Authenticated:
    if not token:
        raise NotAuthenticated("log in first")
    with rt.uow(read_only=True) as uow:
        row = uow.session.get(AuthSession, _token_hash(token))
        if row is None or row.expires_at <= rt.clock():
            raise NotAuthenticated("the session has ended; log in again")
        staff = uow.session.get(Staff, row.staff_id)
        if staff is None or not staff.active:
            raise NotAuthenticated("the account is disabled")
        return Authenticated(_actor(staff), row.kind, row.csrf_token, staff.display_name)


def logout(rt: Runtime, token: str) -> None:
    with rt.uow() as uow:
        uow.session.execute(delete(AuthSession).where(AuthSession.token_hash == _token_hash(token)))
        uow.commit()
