"""The HTTP API refuses what it must, always in the same shape, and never with a 500 for bad input.

Who may do what (401 without a session, 403 for the wrong role or site), CSRF on
cookie writes, login rate limiting, and ``{"error": code, "message": text}`` for every
failure, from malformed JSON to an unexpected bug.
"""
from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from madoguchi.app import create_app
from madoguchi.config import Settings
from madoguchi.services.counter import sales
from madoguchi.services.runtime import Runtime
from tests.e2e.test_http_api import PASSWORDS, Desk
from tests.helpers import new_id

SALE = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def app(rt: Runtime):  # type: ignore[no-untyped-def]
    from madoguchi.bootstrap import ensure_demo_staff
    ensure_demo_staff(rt)
    return create_app(runtime=rt)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


def desk(app, login: str) -> Desk:  # type: ignore[no-untyped-def]
    return Desk(TestClient(app)).login(login)


def assert_error(r: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert {"error", "message"} <= set(body) <= {"error", "message", "params"} and body["message"], body
    if code is not None:
        assert body["error"] == code, body
    return body


# --- who is asking -------------------------------------------------------------------------
@pytest.mark.parametrize("method, path", [
    ("GET", f"/api/sales/{SALE}"), ("GET", "/api/sales?site=honcho"), ("POST", "/api/sales"),
    ("POST", f"/api/sales/{SALE}/lines"), ("POST", "/api/payments/cash"), ("GET", "/api/stations"),
    ("GET", "/api/incidents"), ("GET", "/api/journal/verify"), ("GET", "/api/auth/me"),
    ("POST", "/api/auth/logout"), ("POST", "/api/sim/stations/honcho-p1/insert"),
])
def test_every_route_but_the_public_ones_needs_a_session(client: TestClient, method: str, path: str) -> None:
    assert_error(client.request(method, path, json={}), 401, "login_required")


def test_health_catalog_and_places_are_open_without_a_session(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    fees = client.get("/api/catalog").json()
    assert fees[0]["code"] == "juminhyo" and fees[0]["amount"] == 300
    places = client.get("/api/places").json()
    assert "honcho-p1" in [p["id"] for p in places["payment_stations"]]


def test_a_cashier_may_not_refund_but_a_supervisor_may(app) -> None:  # type: ignore[no-untyped-def]
    cashier = desk(app, "cashier")
    sale_id = cashier.paid_sale()
    refused = cashier.client.post(f"/api/sales/{sale_id}/refunds", json={"id": new_id(), "reason": "wrong item"},
                                  headers=cashier.headers)
    assert_error(refused, 403, "not_allowed")
    done = desk(app, "supervisor").post(f"/api/sales/{sale_id}/refunds", {"id": new_id(), "reason": "wrong item"},
                                        expect=201)
    assert done["sale"]["state"] == "refunded" and done["refunds"][0]["method"] == "cash"


def test_a_cashier_of_another_site_can_neither_see_nor_touch_a_sale(app) -> None:  # type: ignore[no-untyped-def]
    honcho = desk(app, "cashier")
    sale_id = honcho.handed_off([("juminhyo", 1)])
    payment_id = new_id()
    honcho.post("/api/payments/cash", {"id": payment_id, "sale_id": sale_id}, expect=201)
    other = desk(app, "cashier2")
    h = other.headers
    assert_error(other.client.get(f"/api/sales/{sale_id}", headers=h), 403, "site_not_served")
    assert_error(other.client.get(f"/api/payments/{payment_id}", headers=h), 403, "site_not_served")
    assert_error(other.client.post(f"/api/payments/{payment_id}/cancel", headers=h), 403, "site_not_served")
    assert_error(other.client.post("/api/sim/stations/honcho-p1/insert", json={"denomination": 1000},
                                   headers=h), 403, "site_not_served")
    assert_error(other.client.post("/api/sales", json={"id": new_id(), "staff_station": "honcho-s1"},
                                   headers=h), 403, "site_not_served")
    assert honcho.get(f"/api/payments/{payment_id}")["state"] == "pending"
    assert [s["site"] for s in other.get("/api/stations")] == ["nishi", "higashi", "minami", "kita"]


# --- CSRF ----------------------------------------------------------------------------------
def test_a_cookie_write_without_the_csrf_token_is_refused(app) -> None:  # type: ignore[no-untyped-def]
    cashier = desk(app, "cashier")
    body = {"id": new_id(), "staff_station": "honcho-s1"}
    assert_error(cashier.client.post("/api/sales", json=body), 403, "csrf_failed")
    assert_error(cashier.client.post("/api/sales", json=body, headers={"X-CSRF-Token": "forged"}),
                 403, "csrf_failed")
    assert_error(cashier.client.post("/api/sales", json=body, headers={"X-CSRF-Token": "ünïcode".encode("latin-1")}),
                 403, "csrf_failed")
    assert cashier.client.get("/api/sales", params={"site": "honcho"}).json() == []  # reads need none
    cashier.post("/api/sales", body, expect=201)


def test_the_session_cookie_is_httponly_and_strict_and_logout_ends_it(client: TestClient) -> None:
    r = client.post("/api/auth/login", json={"login": "cashier", "password": PASSWORDS["cashier"]})
    cookie = r.headers["set-cookie"].lower()
    assert "madoguchi_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    csrf = r.json()["csrf_token"]
    assert client.get("/api/auth/me").json()["csrf_token"] == csrf
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert_error(client.get("/api/auth/me"), 401, "login_required")


def test_logins_are_rate_limited_after_five_failures(client: TestClient) -> None:
    for _ in range(5):
        assert_error(client.post("/api/auth/login", json={"login": "cashier", "password": "wrong-password"}),
                     401, "login_failed")
    # Even the right password is refused now, over either door; the answer says until when.
    for r in (client.post("/api/auth/login", json={"login": "cashier", "password": PASSWORDS["cashier"]}),
              client.post("/api/auth/token", data={"username": "cashier", "password": PASSWORDS["cashier"]})):
        assert r.status_code == 429 and r.json()["error"] == "rate_limited", r.text
        assert set(r.json()) == {"error", "message", "locked_until", "locked"}


# --- bad input is a 4xx that names the field -------------------------------------------------
def _line(**changes: Any) -> dict[str, Any]:
    return {"id": new_id(), "fee_code": "juminhyo", "quantity": 1} | changes


BAD_INPUTS = [
    ("quantity 1.5", "lines", _line(quantity=1.5), 422, "quantity"),
    ("quantity 2.0", "lines", _line(quantity=2.0), 422, "quantity"),
    ("quantity as text", "lines", _line(quantity="2"), 422, "quantity"),
    ("quantity true", "lines", _line(quantity=True), 422, "quantity"),
    ("quantity 0", "lines", _line(quantity=0), 422, "quantity"),
    ("quantity 100", "lines", _line(quantity=100), 422, "quantity"),
    ("quantity huge", "lines", _line(quantity=10**30), 422, "quantity"),
    ("missing fee code", "lines", {"id": new_id(), "quantity": 1}, 422, "fee_code"),
    ("unknown fee code", "lines", _line(fee_code="unicorn-licence"), 404, "unicorn-licence"),
    ("fee code with NUL", "lines", _line(fee_code="jumin\x00hyo"), 422, "fee_code"),
    ("line id not a UUID", "lines", _line(id="line-1"), 422, "id"),
    ("unknown exemption", "lines", _line(exemption="friend"), 422, "exemption"),
    ("oversize exemption note", "lines", _line(exemption="other", exemption_note="x" * 201), 422,
     "exemption_note"),
    ("unknown field", "lines", _line(price=1), 422, "price"),
    ("sale id not a UUID", "create", {"id": "sale-1", "staff_station": "honcho-s1"}, 422, "id"),
    ("unknown staff station", "create", {"id": new_id(), "staff_station": "mars-s1"}, 404, "mars-s1"),
    ("staff station not text", "create", {"id": new_id(), "staff_station": 7}, 422, "staff_station"),
    ("oversize staff station", "create", {"id": new_id(), "staff_station": "s" * 5000}, 422, "staff_station"),
    ("unknown brand", "cashless", {"id": new_id(), "sale_id": SALE, "brand": "bitcoin"}, 422, "bitcoin"),
    ("brand with spaces", "cashless", {"id": new_id(), "sale_id": SALE, "brand": "pay pay"}, 422, "brand"),
    ("sale id of payment not a UUID", "cash", {"id": new_id(), "sale_id": "x"}, 422, "sale_id"),
    ("cancel without reason", "cancel", {}, 422, "reason"),
    ("empty reason", "cancel", {"reason": ""}, 422, "reason"),
    ("oversize reason", "cancel", {"reason": "r" * 201}, 422, "reason"),
    ("control characters in reason", "cancel", {"reason": "bad\x00reason"}, 422, "reason"),
    ("denomination 1000.0", "insert", {"denomination": 1000.0, "count": 1}, 422, "denomination"),
    ("denomination 3000", "insert", {"denomination": 3000, "count": 1}, 422, "denomination"),
    ("count 1.5", "insert", {"denomination": 1000, "count": 1.5}, 422, "count"),
    ("not a denomination key", "cash-move", {"direction": "in", "counts": {"abc": 1}, "reason": "x"}, 422,
     "counts"),
    ("float count", "cash-move", {"direction": "in", "counts": {"100": 1.5}, "reason": "x"}, 422, "counts"),
    ("unknown direction", "cash-move", {"direction": "sideways", "counts": {"100": 1}}, 422, "direction"),
    ("paid as text", "resolve", {"paid": "yes", "evidence": "phone call"}, 422, "paid"),
]

PATHS = {
    "lines": "/api/sales/{sale}/lines", "create": "/api/sales", "cashless": "/api/payments/cashless",
    "cash": "/api/payments/cash", "cancel": "/api/sales/{sale}/cancel",
    "insert": "/api/sim/stations/honcho-p1/insert", "cash-move": "/api/stations/honcho-p1/cash",
    "resolve": f"/api/incidents/{SALE}/resolve",
}


@pytest.mark.parametrize("what, where, body, status, names", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_refused_naming_what_is_wrong(app, what: str, where: str, body: dict[str, Any],  # type: ignore[no-untyped-def]
                                                   status: int, names: str) -> None:
    supervisor = desk(app, "supervisor")
    sale_id = supervisor.open_sale([])
    r = supervisor.client.post(PATHS[where].format(sale=sale_id), json=body, headers=supervisor.headers)
    assert names in assert_error(r, status)["message"]


@pytest.mark.parametrize("what, method, path, kwargs, status", [
    ("malformed JSON", "POST", "/api/sales", {"content": b'{"id": ', "headers": {"content-type": "application/json"}},
     422),
    ("JSON array", "POST", "/api/sales", {"json": [1, 2]}, 422),
    ("not JSON at all", "POST", "/api/sales", {"content": b"id=1", "headers": {"content-type": "text/plain"}}, 422),
    ("a huge integer", "POST", "/api/sales", {"content": b'{"id": ' + b"9" * 5000 + b"}",
                                              "headers": {"content-type": "application/json"}}, 400),
    ("a body too large", "POST", "/api/sales", {"json": {"id": "x" * 100_000}}, 413),
    ("path id not a UUID", "GET", "/api/sales/not-a-uuid", {}, 422),
    ("unknown sale", "GET", f"/api/sales/{SALE}", {}, 404),
    ("bad date", "GET", "/api/sales?site=honcho&date=2026-13-40", {}, 422),
    ("missing site", "GET", "/api/sales", {}, 422),
    ("bad incident state", "GET", "/api/incidents?state=weird", {}, 422),
    ("unknown station", "POST", "/api/stations/mars-p1/print-pending", {}, 404),
    ("station id with odd characters", "POST", "/api/stations/%00/print-pending", {}, 422),
    ("unknown route", "GET", "/api/unicorns", {}, 404),
    ("wrong method", "PUT", "/api/sales", {}, 405),
])
def test_malformed_requests_get_the_error_shape(app, what: str, method: str, path: str,  # type: ignore[no-untyped-def]
                                                kwargs: dict[str, Any], status: int) -> None:
    cashier = desk(app, "cashier")
    kwargs = dict(kwargs)  # shared by the SQLite and PostgreSQL runs: do not pop from the original
    headers = cashier.headers | kwargs.pop("headers", {})
    assert_error(cashier.client.request(method, path, headers=headers, **kwargs), status)


def test_a_login_with_a_missing_password_is_bad_input_and_does_not_echo_it(client: TestClient) -> None:
    body = assert_error(client.post("/api/auth/login", json={"login": "cashier"}), 422, "bad_input")
    assert body["message"] == "password: Field required"
    body = assert_error(client.post("/api/auth/login", json={"login": "cashier", "password": 12345678901}), 422)
    assert "12345678901" not in body["message"]


def test_sale_state_conflicts_are_409s(app) -> None:  # type: ignore[no-untyped-def]
    cashier = desk(app, "cashier")
    sale_id = cashier.paid_sale()
    r = cashier.client.post(f"/api/sales/{sale_id}/lines", json=_line(), headers=cashier.headers)
    assert_error(r, 409, "conflict")
    r = cashier.client.post(f"/api/sales/{sale_id}/cancel", json={"reason": "changed mind"}, headers=cashier.headers)
    assert_error(r, 409)


def test_the_simulator_panel_does_not_exist_outside_demo_mode(rt: Runtime) -> None:
    from madoguchi.bootstrap import ensure_demo_staff
    ensure_demo_staff(rt)
    app = create_app(Settings(demo=False, database_url=rt.settings.database_url), runtime=rt)
    cashier = Desk(TestClient(app)).login("cashier")
    r = cashier.client.post("/api/sim/stations/honcho-p1/insert", json={"denomination": 1000},
                            headers=cashier.headers)
    assert_error(r, 404, "not_found")


# --- the unexpected ---------------------------------------------------------------------------
def test_an_unexpected_error_is_a_500_without_internals_and_is_logged(
        app, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals at /srv/madoguchi/db.py line 42")

    monkeypatch.setattr(sales, "get_sale", broken)
    cashier = Desk(TestClient(app, raise_server_exceptions=False)).login("cashier")
    with caplog.at_level(logging.ERROR, logger="madoguchi.api"):
        r = cashier.client.get(f"/api/sales/{SALE}", headers=cashier.headers)
    body = assert_error(r, 500, "internal")
    assert body["message"] == "unexpected error; it has been logged"
    assert "secret" not in r.text and "Traceback" not in r.text
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "secret internals" in caplog.text


def test_every_answer_carries_the_security_headers(client: TestClient) -> None:
    for r in (client.get("/healthz"), client.get("/api/unicorns"), client.get("/api/stations")):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "same-origin"
        assert "default-src 'self'" in r.headers["content-security-policy"]


# --- start-up ------------------------------------------------------------------------------------
def test_the_app_built_from_settings_starts_its_runtime_and_prints_demo_credentials_in_demo_mode(
        settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        Desk(client).login("supervisor")
    assert "demo-supervisor-2026" in capsys.readouterr().out

    quiet = settings.model_copy(update={"demo": False})
    with TestClient(create_app(quiet)) as client:
        assert client.get("/api/catalog").status_code == 200
    assert "demo-" not in capsys.readouterr().out


def test_only_a_server_sets_its_start_up_aside_from_the_collector_and_only_while_it_runs(settings: Settings) -> None:
    """A server freezes what its start-up built (gc.freeze) and unfreezes it at shutdown; an app a
    test builds never does, so its runtime, engine and connections are collected after it (a
    frozen engine once kept its PostgreSQL connections open for the rest of the test run)."""
    gc.unfreeze()
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() == 0
    with TestClient(create_app(settings, server=True)) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
