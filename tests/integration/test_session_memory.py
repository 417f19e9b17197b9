"""The server remembers a checked session for a few seconds, and that memory never outlives it.

Every request is authenticated; to spare the database a lookup on each one, a session
found valid is believed for :data:`madoguchi.services.staff.accounts.AUTH_CACHE_SECONDS`. A
logout still ends the session at once, for the very next request; an expired session is
refused on time; a session removed behind the server's back (another process, a hand in
the database) ends within those seconds; and a logout that races a request never leaves
the token remembered.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from madoguchi.adapters.db.tables import AuthSession
from madoguchi.api import create_app
from madoguchi.api.deps import SESSION_COOKIE
from madoguchi.errors import NotAuthenticated
from madoguchi.services.runtime import Runtime
from madoguchi.services.staff import accounts as staff
from tests.conftest import Clock
from tests.e2e.test_http_api import PASSWORDS
from tests.helpers import new_id


@pytest.fixture
def client(rt: Runtime) -> Iterator[TestClient]:
    from madoguchi.bootstrap import ensure_demo_staff
    ensure_demo_staff(rt)
    with TestClient(create_app(runtime=rt)) as c:
        yield c


def bearer(client: TestClient, login: str = "cashier") -> dict[str, str]:
    r = client.post("/api/auth/token", data={"username": login, "password": PASSWORDS[login]})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def refused(r: Any) -> None:
    assert r.status_code == 401, r.text
    assert r.json()["error"] == "session_ended"


def new_sale() -> dict[str, str]:
    return {"id": new_id(), "staff_station": "honcho-s1"}


def test_a_logged_out_bearer_token_is_refused_by_the_very_next_request(client: TestClient) -> None:
    auth = bearer(client)
    for _ in range(3):  # used, so remembered
        assert client.get("/api/auth/me", headers=auth).status_code == 200
    assert client.post("/api/sales", json=new_sale(), headers=auth).status_code == 201
    assert client.post("/api/auth/logout", headers=auth).status_code == 204
    refused(client.get("/api/auth/me", headers=auth))
    refused(client.post("/api/sales", json=new_sale(), headers=auth))


def test_a_logged_out_cookie_is_refused_at_once_even_when_sent_again(rt: Runtime, client: TestClient) -> None:
    r = client.post("/api/auth/login", json={"login": "cashier", "password": PASSWORDS["cashier"]})
    token, csrf = r.cookies[SESSION_COOKIE], {"X-CSRF-Token": r.json()["csrf_token"]}
    assert client.get("/api/auth/me").status_code == 200
    # The remembered session still asks for the CSRF token on every write.
    forged = client.post("/api/sales", json=new_sale(), headers={"X-CSRF-Token": "forged"})
    assert forged.status_code == 403 and forged.json()["error"] == "csrf_failed"
    assert client.post("/api/sales", json=new_sale(), headers=csrf).status_code == 201
    assert client.post("/api/auth/logout", headers=csrf).status_code == 204
    with TestClient(client.app, cookies={SESSION_COOKIE: token}) as replayed:  # a copy of the old cookie
        refused(replayed.get("/api/auth/me"))
        refused(replayed.post("/api/sales", json=new_sale(), headers=csrf))


def test_a_remembered_session_still_ends_when_it_expires(rt: Runtime, client: TestClient, clock: Clock) -> None:
    auth = bearer(client)
    assert client.get("/api/auth/me", headers=auth).status_code == 200
    clock.advance(hours=rt.settings.session_hours, seconds=1)
    refused(client.get("/api/auth/me", headers=auth))


def test_a_session_removed_behind_the_servers_back_ends_within_the_memory_time(
        rt: Runtime, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staff, "AUTH_CACHE_SECONDS", 0.2)
    auth = bearer(client)
    assert client.get("/api/auth/me", headers=auth).status_code == 200
    with rt.uow() as uow:  # as another process would: no logout in this one
        uow.session.execute(delete(AuthSession))
        uow.commit()
    time.sleep(0.3)
    refused(client.get("/api/auth/me", headers=auth))


def test_a_lookup_that_races_a_logout_does_not_remember_the_token(rt: Runtime, client: TestClient) -> None:
    token = bearer(client)["Authorization"].removeprefix("Bearer ")
    real_uow = rt.uow

    class LogoutAfterTheRead:
        """The reader finds the session; the logout commits before the reader is done."""

        def __init__(self, read: Any) -> None:
            self.read = read

        def __enter__(self) -> Any:
            return self.read.__enter__()

        def __exit__(self, *exc: object) -> None:
            self.read.__exit__(*exc)
            rt.uow = real_uow
            staff.logout(rt, token)

    rt.uow = lambda read_only=False: LogoutAfterTheRead(real_uow(read_only=read_only)) if read_only \
        else real_uow()
    try:
        assert staff.authenticate(rt, token).actor.login == "cashier"  # it was valid when read
    finally:
        rt.uow = real_uow
    assert staff.cached_authentication(rt, token) is None
    with pytest.raises(NotAuthenticated):
        staff.authenticate(rt, token)
