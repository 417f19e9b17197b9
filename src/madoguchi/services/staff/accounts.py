"""Staff accounts, logins and sessions.

Passwords are hashed with Argon2 (argon2-cffi). A login gives a random token that is
stored only as its SHA-256; cookie sessions also get a CSRF token that every write
must echo in a header. Failed logins are limited per account and per client address,
and a login naming no account is kept only as a keyed hash (:mod:`login_guard`).

Every request is authenticated, so a session found in the database is remembered for
:data:`AUTH_CACHE_SECONDS` (:func:`cached_authentication`, cheap enough for the event
loop). What it may not hide: the expiry is checked against the clock on every use, and
a logout forgets the token at once in this process. Only a change made from outside
(another process deleting the session, an account disabled in the database) waits for
the few seconds the memory lasts.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.domain.staff import AuthSessionRecord, LoginAttempt
from madoguchi.errors import BadInput, Conflict, NotAuthenticated
from madoguchi.services.runtime import Runtime
from madoguchi.services.staff import login_guard

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
        if uow.staff.by_login(login) is not None:
            raise Conflict(f"a staff account {login!r} already exists")
        staff = uow.staff.add(login=login, display_name=display_name, role=role_.value, sites=tuple(sites),
                              password_hash=_hasher(rt).hash(password), created_at=rt.clock())
        uow.commit()
        return staff.actor()


@dataclass(frozen=True)
class LoginResult:
    token: str
    csrf_token: str | None
    actor: Actor
    display_name: str
    expires_at: dt.datetime


def login(rt: Runtime, *, login: str, password: str, client: str, kind: str = "cookie") -> LoginResult:
    """A session for ``login`` if the password is right. What is kept of the attempt, and the
    lock after repeated failures, are :mod:`madoguchi.services.staff.login_guard`'s."""
    login_guard.purge_now_and_then(rt)
    now = rt.clock()
    client = client[:64]
    with rt.uow() as uow:
        known = uow.staff.by_login(login)
        # A login naming no account may be a password typed in the wrong box: only its keyed hash is kept.
        stored = login if known is not None else login_guard.keyed_login(rt, login)
        login_guard.check_not_locked(uow.login_attempts, rt.settings, login=stored, client=client, now=now)
        staff = known if known is not None and known.active else None
        ok = False
        if staff is not None:
            try:
                ok = _hasher(rt).verify(staff.password_hash, password)
            except (VerificationError, InvalidHashError):
                ok = False
        else:
            _hasher(rt).hash(password)  # same cost whether or not the login exists
        uow.login_attempts.add(LoginAttempt(login=stored, client=client, at=now, success=ok,
                                            login_hashed=known is None))
        if not ok or staff is None:
            uow.commit()
            raise NotAuthenticated("login or password is wrong", code="login_failed")
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24) if kind == "cookie" else None
        expires = now + dt.timedelta(hours=rt.settings.session_hours)
        uow.staff.open_session(AuthSessionRecord(token_hash=_token_hash(token), staff_id=staff.id, kind=kind,
                                                 csrf_token=csrf, created_at=now, expires_at=expires))
        uow.commit()
        return LoginResult(token, csrf, staff.actor(), staff.display_name, expires)


def display_names(rt: Runtime) -> dict[str, str]:
    """Every staff member's display name by login: screens name people, never their login IDs."""
    with rt.uow(read_only=True) as uow:
        return uow.staff.display_names()


@dataclass(frozen=True)
class Authenticated:
    actor: Actor
    kind: str
    csrf_token: str | None
    display_name: str = ""


#: How long a session read from the database is believed without reading it again.
AUTH_CACHE_SECONDS = 5.0
_AUTH_CACHE_SIZE = 4096


class _AuthCache:
    """Sessions recently found valid: token hash -> (answer, session expiry, believed until).

    ``epoch`` counts logouts: a lookup that began before a logout does not store what it
    read, so a logout racing a request for the same token cannot leave it remembered.
    """

    def __init__(self) -> None:
        self.entries: dict[str, tuple[Authenticated, dt.datetime, float]] = {}
        self.epoch = 0
        self.lock = threading.Lock()

    def get(self, key: str, now: dt.datetime) -> Authenticated | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        auth, expires_at, until = entry
        if time.monotonic() >= until or expires_at <= now:
            self.entries.pop(key, None)
            return None
        return auth

    def put(self, key: str, auth: Authenticated, expires_at: dt.datetime, epoch: int) -> None:
        with self.lock:
            if epoch != self.epoch:  # a logout happened while we read: believe nothing
                return
            if len(self.entries) >= _AUTH_CACHE_SIZE:
                self.entries.clear()
            self.entries[key] = (auth, expires_at, time.monotonic() + AUTH_CACHE_SECONDS)

    def forget(self, key: str) -> None:
        with self.lock:
            self.epoch += 1
            self.entries.pop(key, None)


_CACHE_GUARD = threading.Lock()


def _auth_cache(rt: Runtime) -> _AuthCache:
    """The runtime's cache (one per runtime: tests build several in one process)."""
    cache: _AuthCache | None = rt.__dict__.get("_auth_cache")
    if cache is None:
        with _CACHE_GUARD:
            cache = rt.__dict__.setdefault("_auth_cache", _AuthCache())
    return cache


def cached_authentication(rt: Runtime, token: str | None) -> Authenticated | None:
    """The session for ``token`` if it was found valid within the last few seconds and has not
    expired or been logged out since; else ``None`` (ask :func:`authenticate`). No I/O."""
    if not token:
        return None
    return _auth_cache(rt).get(_token_hash(token), rt.clock())


def authenticate(rt: Runtime, token: str | None) -> Authenticated:
    if not token:
        raise NotAuthenticated("log in first", code="login_required")
    key = _token_hash(token)
    cache = _auth_cache(rt)
    now = rt.clock()
    known = cache.get(key, now)
    if known is not None:
        return known
    epoch = cache.epoch  # read before the database, see _AuthCache
    with rt.uow(read_only=True) as uow:
        row = uow.staff.session_of(key)
        if row is None or row.expires_at <= now:
            raise NotAuthenticated("the session has ended; log in again", code="session_ended")
        staff = uow.staff.by_id(row.staff_id)
        if staff is None or not staff.active:
            raise NotAuthenticated("the account is disabled", code="account_disabled")
        auth = Authenticated(staff.actor(), row.kind, row.csrf_token, staff.display_name)
        expires_at = row.expires_at
    cache.put(key, auth, expires_at, epoch)
    return auth


def logout(rt: Runtime, token: str) -> None:
    with rt.uow() as uow:
        uow.staff.end_session(_token_hash(token))
        uow.commit()
    _auth_cache(rt).forget(_token_hash(token))
