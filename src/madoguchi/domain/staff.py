"""Staff accounts, their login sessions and login attempts, as read back from the database."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from madoguchi.domain.auth import Actor, Role


@dataclass(frozen=True, slots=True)
class StaffAccount:
    id: int
    login: str
    display_name: str
    role: str
    sites: tuple[str, ...]   # site codes, or ("*",) for every site
    password_hash: str       # Argon2id
    active: bool
    created_at: dt.datetime

    def actor(self) -> Actor:
        return Actor(self.login, Role(self.role), frozenset(self.sites))


@dataclass(frozen=True, slots=True)
class AuthSessionRecord:
    """A login session, stored under the SHA-256 of its token (the token itself is never kept)."""

    token_hash: str
    staff_id: int
    kind: str                # cookie | bearer
    csrf_token: str | None
    created_at: dt.datetime
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    login: str               # as typed when it names an account, else its keyed hash
    client: str
    at: dt.datetime
    success: bool
    login_hashed: bool
