"""What a login leaves behind, and the lock after repeated failures.

- A failed login that names no account is stored as HMAC-SHA256 of what was typed, under
  a key kept outside the database (``settings.login_key_file``; demo mode creates it): a
  password typed into the login box by mistake is never kept in clear, and repeated
  failures of one unknown login still count towards its lock. A login naming an account
  is stored as it is (it is no secret: it is on the staff list).
- An account (or a client address) with too many failures in the window is locked until
  the failures age out of it; :class:`~madoguchi.errors.LoginLocked` says until when
  (JST), and the login page shows it in Japanese.
- Login attempts and ended sessions older than ``settings.login_retention_days`` are
  deleted (:func:`purge`): at start-up, at a login when the last purge is an hour old,
  and by ``madoguchi purge``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from madoguchi.config import Settings
from madoguchi.domain.receipt import JST
from madoguchi.errors import LoginLocked, Misconfigured
from madoguchi.services.runtime import Runtime

if TYPE_CHECKING:
    from madoguchi.adapters.db.repositories.staff import LoginAttempts

MIN_KEY_BYTES = 32
#: At a login, purge again when the last purge is older than this.
PURGE_EVERY = dt.timedelta(hours=1)
_GUARD = threading.Lock()


def login_key(rt: Runtime) -> bytes:
    """The key of the keyed hash, read once per runtime (created in demo mode if missing)."""
    key: bytes | None = rt.__dict__.get("_login_key")
    if key is None:
        with _GUARD:
            key = rt.__dict__.get("_login_key") or _load_key(rt.settings)
            rt.__dict__["_login_key"] = key
    return key


def _load_key(settings: Settings) -> bytes:
    path = settings.login_key_file
    if not path.exists() and settings.demo:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process of this server made it first
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(MIN_KEY_BYTES) + "\n")
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise Misconfigured(
            f"the login key file {path} cannot be read ({exc.strerror}); create it with "
            f"`head -c 32 /dev/urandom | base64 > {path}; chmod 600 {path}` or set MADOGUCHI_LOGIN_KEY_FILE"
        ) from None
    if len(key) < MIN_KEY_BYTES:
        raise Misconfigured(f"the login key file {path} holds {len(key)} bytes; it needs at least {MIN_KEY_BYTES}")
    return key


def keyed_login(rt: Runtime, login: str) -> str:
    """What is stored for a login that names no account: HMAC-SHA256, hex (64 characters)."""
    return hmac.new(login_key(rt), login.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def check_not_locked(attempts: LoginAttempts, settings: Settings, *, login: str, client: str,
                     now: dt.datetime) -> None:
    """Raise :class:`LoginLocked` while ``login`` (as stored) or ``client`` has too many failures."""
    window = dt.timedelta(seconds=settings.login_window_seconds)
    since = now - window
    limits = settings.login_max_attempts, 4 * settings.login_max_attempts
    held: list[tuple[dt.datetime, str]] = []
    for newest, limit, what in (
            (attempts.newest_failures(login=login, since=since, limit=limits[0]), limits[0], "account"),
            (attempts.newest_failures(client=client, since=since, limit=limits[1]), limits[1], "client")):
        if limit > 0 and len(newest) >= limit:  # locked until the limit-th newest leaves the window
            held.append((newest[limit - 1] + window, what))
    if not held:
        return
    until, what = max(held)
    shown = _ceil_minute(until.astimezone(JST))
    whom = "this account" if what == "account" else "this client address"
    raise LoginLocked(f"too many failed logins for {whom}; locked until {shown:%Y-%m-%d %H:%M} JST",
                      locked_until=shown.isoformat(timespec="minutes"), locked=what)


def _ceil_minute(t: dt.datetime) -> dt.datetime:
    whole = t.replace(second=0, microsecond=0)
    return whole if whole == t else whole + dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Purged:
    login_attempts: int
    sessions: int
    before: dt.datetime


def purge(rt: Runtime) -> Purged:
    """Delete login attempts and sessions that ended more than the retention ago."""
    now = rt.clock()
    keep = max(dt.timedelta(days=rt.settings.login_retention_days),
               dt.timedelta(seconds=rt.settings.login_window_seconds))  # the lock still needs its window
    before = now - keep
    with rt.uow() as uow:
        attempts = uow.login_attempts.delete_before(before)
        sessions = uow.staff.delete_sessions_ended_before(before)
        uow.commit()
    rt.__dict__["_last_purge"] = now
    return Purged(attempts, sessions, before)


def purge_now_and_then(rt: Runtime) -> None:
    """Purge at a login when the last purge (by this process) is :data:`PURGE_EVERY` old."""
    last: dt.datetime | None = rt.__dict__.get("_last_purge")
    now = rt.clock()
    if last is not None and last <= now < last + PURGE_EVERY:
        return
    rt.__dict__["_last_purge"] = now  # one login purges; the others go on
    purge(rt)


def on_start(rt: Runtime) -> None:
    """At start-up: the key must be there (a server without one refuses to start), then purge."""
    login_key(rt)
    purge(rt)
