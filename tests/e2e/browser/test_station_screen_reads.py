"""The payment-station screen's state as its reads go through the service layer: a cancelled
cash payment, a jam that takes the station out of service, and a state read while a writer
holds the database (a station's poll is a reader: it never queues for the writer)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.helpers import new_id

from madoguchi.app import create_app
from madoguchi.bootstrap import DEMO_STAFF, ensure_demo_staff
from madoguchi.services.runtime import Runtime

pytestmark = pytest.mark.browser
PASSWORDS = {login: password for login, _, _, _, password in DEMO_STAFF}
STATE = "/station/honcho-p1/api/state"


@pytest.fixture
def app(rt: Runtime) -> Any:
    ensure_demo_staff(rt)
    return create_app(runtime=rt)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def _pair(client: TestClient) -> dict[str, str]:
    r = client.post("/station/honcho-p1/pair", json={"login": "supervisor", "password": PASSWORDS["supervisor"]})
    assert r.status_code == 200, r.text
    page = client.get("/station/honcho-p1")
    return {"X-CSRF-Token": page.text.split('name="csrf-token" content="')[1].split('"')[0]}


def _handed_off(app: Any) -> None:
    with TestClient(app) as desk:
        r = desk.post("/api/auth/login", json={"login": "cashier", "password": PASSWORDS["cashier"]})
        headers = {"X-CSRF-Token": r.json()["csrf_token"]}
        sale_id = new_id()
        assert desk.post("/api/sales", json={"id": sale_id, "staff_station": "honcho-s1"}, headers=headers).is_success
        assert desk.post(f"/api/sales/{sale_id}/lines", json={"id": new_id(), "fee_code": "juminhyo"},
                         headers=headers).is_success
        r = desk.post(f"/api/sales/{sale_id}/handoff",
                      json={"id": new_id(), "payment_station": "honcho-p1", "screen_offline_ok": True},
                      headers=headers)
        assert r.status_code == 200, r.text


def test_cancelling_cash_gives_it_back_and_leaves_the_sale_due(app: Any, client: TestClient, rt: Runtime) -> None:
    headers = _pair(client)
    assert client.post("/station/honcho-p1/api/cash/cancel", headers=headers).json()["error"] == "conflict"
    _handed_off(app)
    client.post("/station/honcho-p1/api/cash", json={"id": new_id()}, headers=headers)
    state = client.post("/station/honcho-p1/api/sim/insert", json={"denomination": 100}, headers=headers).json()
    assert (state["phase"], state["payment"]["inserted"], state["payment"]["remaining"]) == ("cash", 100, 200)
    state = client.post("/station/honcho-p1/api/cash/cancel", headers=headers).json()
    assert (state["phase"], state["notice"], state["sale"]["due"]) == ("due", "cash_returned", 300)
    assert rt.devices.of("honcho-p1").changer.deposit_amount() == 0


def test_a_jam_takes_the_station_out_of_service_holding_the_cash_inside(app: Any, client: TestClient) -> None:
    headers = _pair(client)
    _handed_off(app)
    client.post("/station/honcho-p1/api/cash", json={"id": new_id()}, headers=headers)
    client.post("/station/honcho-p1/api/sim/insert", json={"denomination": 100}, headers=headers)
    assert client.post("/station/honcho-p1/api/sim/jam", headers=headers).json()["armed"] == "insert"
    client.post("/station/honcho-p1/api/sim/insert", json={"denomination": 100}, headers=headers)
    state = client.get(STATE).json()
    assert state["phase"] == "fault" and state["held"] > 0


def test_the_screen_is_read_while_a_writer_holds_the_database(app: Any, client: TestClient, rt: Runtime) -> None:
    _pair(client)
    _handed_off(app)
    with rt.uow() as writer:
        assert writer.rows is not None  # the writer's transaction is open (on SQLite: the process's one writer turn)
        state = client.get(STATE).json()
    assert (state["phase"], state["sale"]["due"]) == ("due", 300)
