"""End to end through HTTP: a counter clerk selling certificates, as the screens will.

The app is the real one (``create_app``) on the test runtime with simulated devices;
the resident's side (inserting notes, a declined card) goes through the demo
simulator endpoints. Every test runs on SQLite, and on PostgreSQL when configured.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from madoguchi.app import create_app
from madoguchi.bootstrap import DEMO_STAFF, ensure_demo_staff
from madoguchi.services.runtime import Runtime
from tests.helpers import new_id

PASSWORDS = {login: password for login, _, _, _, password in DEMO_STAFF}


class Desk:
    """One browser (or script) talking to the API: it logs in and remembers its CSRF token."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.headers: dict[str, str] = {}

    def login(self, login: str = "cashier") -> Desk:
        r = self.client.post("/api/auth/login", json={"login": login, "password": PASSWORDS[login]})
        assert r.status_code == 200, r.text
        self.headers = {"X-CSRF-Token": r.json()["csrf_token"]}
        return self

    def bearer(self, login: str = "cashier") -> Desk:
        r = self.client.post("/api/auth/token", data={"username": login, "password": PASSWORDS[login]})
        assert r.status_code == 200, r.text
        self.headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return self

    def post(self, path: str, body: dict[str, Any] | None = None, expect: int | None = None) -> Any:
        r = self.client.post(path, json=body, headers=self.headers)
        if expect is not None:
            assert r.status_code == expect, r.text
        return r.json() if r.content else None

    def get(self, path: str, **params: Any) -> Any:
        r = self.client.get(path, params=params, headers=self.headers)
        assert r.status_code == 200, r.text
        return r.json()

    # --- the steps of a sale -------------------------------------------------------------
    def open_sale(self, items: list[tuple[str, int]], staff_station: str = "honcho-s1") -> str:
        sale_id = new_id()
        self.post("/api/sales", {"id": sale_id, "staff_station": staff_station}, expect=201)
        for code, quantity in items:
            self.post(f"/api/sales/{sale_id}/lines", {"id": new_id(), "fee_code": code, "quantity": quantity},
                      expect=201)
        return sale_id

    def handed_off(self, items: list[tuple[str, int]], station: str | None = "honcho-p1") -> str:
        sale_id = self.open_sale(items)
        self.post(f"/api/sales/{sale_id}/handoff", {"id": new_id(), "payment_station": station}, expect=200)
        return sale_id

    def pay_cash(self, sale_id: str, notes: list[int], station: str = "honcho-p1") -> Any:
        self.post("/api/payments/cash", {"id": new_id(), "sale_id": sale_id}, expect=201)
        answer = None
        for note in notes:
            answer = self.post(f"/api/sim/stations/{station}/insert", {"denomination": note, "count": 1},
                               expect=200)
        return answer

    def paid_sale(self, items: list[tuple[str, int]] | None = None) -> str:
        sale_id = self.handed_off(items or [("juminhyo", 1)])
        assert self.pay_cash(sale_id, [1000])["state"] == "approved"
        return sale_id


@pytest.fixture
def app(rt: Runtime):  # type: ignore[no-untyped-def]
    ensure_demo_staff(rt)
    return create_app(runtime=rt)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


@pytest.fixture
def desk(client: TestClient) -> Desk:
    return Desk(client).login("cashier")


def test_a_cash_sale_of_two_certificates_is_paid_with_a_1000_yen_note_and_400_yen_change(
        desk: Desk, rt: Runtime) -> None:
    changer = rt.devices.of("honcho-p1").changer
    before = changer.counts()

    sale_id = new_id()
    sale = desk.post("/api/sales", {"id": sale_id, "staff_station": "honcho-s1"}, expect=201)
    assert (sale["state"], sale["site"], sale["total"]) == ("open", "honcho", 0)
    sale = desk.post(f"/api/sales/{sale_id}/lines", {"id": new_id(), "fee_code": "juminhyo", "quantity": 2},
                     expect=201)
    assert sale["total"] == 600 and sale["lines"][0]["name_ja"] == "住民票の写し"
    sale = desk.post(f"/api/sales/{sale_id}/handoff", {"id": new_id()}, expect=200)
    assert sale["state"] == "awaiting_payment" and sale["payment_station"] == "honcho-p1"

    payment_id = new_id()
    payment = desk.post("/api/payments/cash", {"id": payment_id, "sale_id": sale_id}, expect=201)
    assert (payment["state"], payment["inserted"], payment["remaining"]) == ("pending", 0, 600)
    paid = desk.post("/api/sim/stations/honcho-p1/insert", {"denomination": 1000, "count": 1}, expect=200)

    assert (paid["id"], paid["state"], paid["tendered"], paid["change"]) == (payment_id, "approved", 1000, 400)
    sale = desk.get(f"/api/sales/{sale_id}")
    assert sale["state"] == "paid" and sale["due"] == 0
    assert sale["receipt"]["number"] == 1 and sale["receipt"]["state"] == "printed"
    assert "住民票の写し" in rt.devices.of("honcho-p1").printer.texts[-1]
    after = changer.counts()
    assert after[1000] == before[1000] + 1 and sum(d * (after[d] - before[d]) for d in after) == 600
    assert desk.get(f"/api/payments/{payment_id}")["state"] == "approved"
    assert desk.get("/api/journal/verify")["ok"] is True


def test_a_cashless_sale_with_paypay_is_approved_and_printed(desk: Desk, rt: Runtime) -> None:
    sale_id = desk.handed_off([("juminhyo", 1)])
    payment = desk.post("/api/payments/cashless", {"id": new_id(), "sale_id": sale_id, "brand": "paypay"},
                        expect=201)
    assert (payment["state"], payment["category"], payment["amount"]) == ("approved", "qr", 300)
    assert payment["processor_reference"]
    sale = payment["sale"]
    assert sale["state"] == "paid" and sale["receipt"]["number"] == 1
    assert "PayPay" in rt.devices.of("honcho-p1").printer.texts[-1]
    stations = {s["id"]: s for s in desk.get("/api/stations")}
    assert stations["honcho-p1"]["current_sale_id"] is None and stations["honcho-p1"]["pending_receipts"] == 0


def test_a_repeated_request_returns_the_first_answer_and_creates_nothing_twice(desk: Desk, rt: Runtime) -> None:
    sale_id, line_id, handoff_id, payment_id = new_id(), new_id(), new_id(), new_id()
    create = {"id": sale_id, "staff_station": "honcho-s1"}
    first = desk.post("/api/sales", create, expect=201)
    assert desk.post("/api/sales", create, expect=201) == first

    line = {"id": line_id, "fee_code": "juminhyo", "quantity": 1}
    first_line = desk.post(f"/api/sales/{sale_id}/lines", line, expect=201)
    assert desk.post(f"/api/sales/{sale_id}/lines", line, expect=201) == first_line
    handoff = {"id": handoff_id}
    assert desk.post(f"/api/sales/{sale_id}/handoff", handoff, expect=200) == \
        desk.post(f"/api/sales/{sale_id}/handoff", handoff, expect=200)

    pay = {"id": payment_id, "sale_id": sale_id, "brand": "suica"}
    first_pay = desk.post("/api/payments/cashless", pay, expect=201)
    assert desk.post("/api/payments/cashless", pay, expect=201) == first_pay

    sale = desk.get(f"/api/sales/{sale_id}")
    assert len(sale["lines"]) == 1 and sale["total"] == 300
    assert [p["id"] for p in sale["payments"]] == [payment_id]
    assert [s["id"] for s in desk.get("/api/sales", site="honcho")] == [sale_id]
    assert list(rt.devices.of("honcho-p1").terminal.transactions()) == [payment_id]

    reused = desk.post("/api/sales", {"id": line_id, "staff_station": "honcho-s1"}, expect=409)
    assert reused["error"] == "idempotency_key_reused"


def test_a_declined_card_leaves_the_sale_waiting_and_a_new_attempt_with_a_new_id_succeeds(desk: Desk) -> None:
    sale_id = desk.handed_off([("inkan-shomei", 1)])
    desk.post("/api/sim/stations/honcho-p1/terminal", {"outcome": "declined"}, expect=200)

    declined = desk.post("/api/payments/cashless", {"id": new_id(), "sale_id": sale_id, "brand": "visa"},
                         expect=201)
    assert declined["state"] == "declined" and declined["failure"]
    assert declined["sale"]["state"] == "awaiting_payment"

    approved = desk.post("/api/payments/cashless", {"id": new_id(), "sale_id": sale_id, "brand": "visa"},
                         expect=201)
    assert approved["state"] == "approved"
    sale = desk.get(f"/api/sales/{sale_id}")
    assert sale["state"] == "paid"
    assert [p["state"] for p in sale["payments"]] == ["declined", "approved"]


def test_a_bearer_token_runs_a_whole_sale_as_the_docs_page_would(client: TestClient, rt: Runtime) -> None:
    scheme = client.get("/openapi.json").json()["components"]["securitySchemes"]
    assert scheme["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"] == "/api/auth/token"
    assert client.get("/docs").status_code == 200

    docs = Desk(client).bearer("cashier")
    client.cookies.clear()  # no cookie: the bearer token alone, and no CSRF header needed
    me = docs.get("/api/auth/me")
    assert (me["login"], me["display_name"]) == ("cashier", "窓口 花子")
    sale_id = docs.handed_off([("juminhyo", 1), ("koseki-zenbu", 1)])
    assert docs.get(f"/api/sales/{sale_id}")["total"] == 300 + 450
    paid = docs.pay_cash(sale_id, [1000])
    assert (paid["state"], paid["change"]) == ("approved", 250)
    assert docs.get(f"/api/sales/{sale_id}")["state"] == "paid"


def test_a_jammed_changer_hands_the_sale_to_another_station(client: TestClient, desk: Desk) -> None:
    sale_id = desk.handed_off([("juminhyo", 1)])
    desk.post("/api/sim/stations/honcho-p1/changer-fault", {"operation": "begin_deposit"}, expect=200)

    jammed = desk.post("/api/payments/cash", {"id": new_id(), "sale_id": sale_id}, expect=409)
    assert jammed["error"] == "changer_jammed"
    stations = {s["id"]: s for s in desk.get("/api/stations")}
    assert stations["honcho-p1"]["fault"] and stations["honcho-p1"]["changer"]["status"] == "jam"

    moved = desk.post(f"/api/sales/{sale_id}/move", {"id": new_id()}, expect=200)
    assert moved["payment_station"] == "honcho-p2"
    assert desk.pay_cash(sale_id, [500], station="honcho-p2")["state"] == "approved"

    boss = Desk(TestClient(client.app)).login("supervisor")
    cleared = boss.post("/api/stations/honcho-p1/clear-jam", {"note": "opened and cleared"}, expect=200)
    assert cleared["resolved"] and desk.get("/api/incidents") == []


def test_a_sale_can_lose_a_line_be_recalled_from_the_station_and_be_cancelled(desk: Desk) -> None:
    sale_id = desk.open_sale([("juminhyo", 1)])
    extra = new_id()
    desk.post(f"/api/sales/{sale_id}/lines", {"id": extra, "fee_code": "koseki-zenbu", "quantity": 1}, expect=201)
    r = desk.client.delete(f"/api/sales/{sale_id}/lines/{extra}", headers=desk.headers)
    assert r.status_code == 200 and r.json()["total"] == 300

    desk.post(f"/api/sales/{sale_id}/handoff", {"id": new_id(), "payment_station": "honcho-p2"}, expect=200)
    recalled = desk.post(f"/api/sales/{sale_id}/recall", expect=200)
    assert recalled["state"] == "open" and recalled["payment_station"] is None
    cancelled = desk.post(f"/api/sales/{sale_id}/cancel", {"reason": "the resident left"}, expect=200)
    assert cancelled["state"] == "cancelled"
    stations = {s["id"]: s for s in desk.get("/api/stations", site="honcho")}
    assert stations["honcho-p2"]["current_sale_id"] is None
