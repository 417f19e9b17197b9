"""The screens' server side through HTTP, without a browser: who may open which page, what a
paired station screen may do (its own station's sale, nothing else), and the station's view of
the sale as the payment goes (exact amount only, declined, no change)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.helpers import new_id

from madoguchi.api import create_app
from madoguchi.bootstrap import DEMO_STAFF, ensure_demo_staff
from madoguchi.services.runtime import Runtime
from madoguchi.web import install

pytestmark = pytest.mark.browser
PASSWORDS = {login: password for login, _, _, _, password in DEMO_STAFF}


@pytest.fixture
def app(rt: Runtime) -> Any:
    ensure_demo_staff(rt)
    app = create_app(runtime=rt)
    install(app)
    return app


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def _login(client: TestClient, login: str) -> dict[str, str]:
    r = client.post("/api/auth/login", json={"login": login, "password": PASSWORDS[login]})
    assert r.status_code == 200, r.text
    return {"X-CSRF-Token": r.json()["csrf_token"]}


def _pair(client: TestClient, station: str = "honcho-p1") -> dict[str, str]:
    r = client.post(f"/station/{station}/pair", json={"login": "supervisor", "password": PASSWORDS["supervisor"]})
    assert r.status_code == 200, r.text
    page = client.get(f"/station/{station}")
    csrf = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    return {"X-CSRF-Token": csrf}


def _handed_off(app: Any, fees: list[str], station: str = "honcho-p1") -> str:
    with TestClient(app) as desk:
        headers = _login(desk, "cashier")
        sale_id = new_id()
        assert desk.post("/api/sales", json={"id": sale_id, "staff_station": "honcho-s1"}, headers=headers).is_success
        for fee in fees:
            assert desk.post(f"/api/sales/{sale_id}/lines", json={"id": new_id(), "fee_code": fee},
                             headers=headers).is_success
        # The screen here is a TestClient with no event stream open: the clerk confirms sending anyway.
        r = desk.post(f"/api/sales/{sale_id}/handoff",
                      json={"id": new_id(), "payment_station": station, "screen_offline_ok": True}, headers=headers)
        assert r.status_code == 200, r.text
    return sale_id


def test_installing_the_screens_twice_is_harmless(app: Any) -> None:
    before = len(app.routes)
    install(app)
    assert len(app.routes) == before


def test_each_page_checks_who_is_looking(client: TestClient) -> None:
    assert client.get("/register", follow_redirects=False).headers["location"] == "/login?next=/register"
    assert client.get("/office", follow_redirects=False).status_code == 303
    _login(client, "accountant")
    assert client.get("/register").status_code == 403
    assert client.get("/office").status_code == 200
    _login(client, "cashier")
    assert client.get("/office").status_code == 403
    assert client.get("/register").status_code == 200
    assert client.get("/api/screens/office").status_code == 403
    assert client.get("/events/office").status_code == 403
    assert client.get("/events/register/nishi-s1").status_code == 403  # not a site this cashier serves


def test_pages_carry_no_inline_script_and_the_strict_policy(client: TestClient) -> None:
    _login(client, "cashier")
    page = client.get("/register")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for chunk in page.text.split("<script")[1:]:
        head = chunk.split(">", 1)[0]
        assert 'src="/static/' in head or 'type="application/json"' in head
    assert " style=" not in page.text and " onclick=" not in page.text


def test_only_a_supervisor_of_the_site_can_pair_a_station_screen(client: TestClient) -> None:
    assert "精算機の画面登録" in client.get("/station/honcho-p1").text
    r = client.post("/station/honcho-p1/pair", json={"login": "cashier", "password": PASSWORDS["cashier"]})
    assert r.status_code == 403
    r = client.post("/station/honcho-p1/pair", json={"login": "supervisor", "password": "wrong password"})
    assert r.status_code == 401
    r = client.post("/station/honcho-p1/pair", json={"login": "supervisor", "password": PASSWORDS["supervisor"]})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert "Path=/station/honcho-p1" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert client.get("/api/auth/me").status_code == 401  # pairing left no staff session behind


def test_a_paired_screen_can_pay_its_own_stations_sale_and_nothing_else(app: Any, client: TestClient) -> None:
    headers = _pair(client, "honcho-p1")
    assert client.get("/station/honcho-p1/api/state").json()["phase"] == "idle"
    assert client.post("/station/honcho-p1/api/cash", json={"id": new_id()}, headers=headers).status_code == 409
    # The cookie is for that one station and is no staff session.
    assert client.get("/station/honcho-p2/api/state").status_code == 401
    assert client.get("/api/sales", params={"site": "honcho"}).status_code == 401
    assert client.post("/api/sales", json={"id": new_id(), "staff_station": "honcho-s1"}).status_code == 401
    # A write needs the pairing's CSRF token.
    assert client.post("/station/honcho-p1/api/cash", json={"id": new_id()}).json()["error"] == "csrf_failed"

    _handed_off(app, ["juminhyo"])
    state = client.get("/station/honcho-p1/api/state").json()
    assert (state["phase"], state["sale"]["due"], state["sale"]["lines"][0]["name_ja"]) == ("due", 300, "住民票の写し")
    assert "id" not in state["sale"]  # the screen never learns sale ids it could replay elsewhere
    state = client.post("/station/honcho-p1/api/cash", json={"id": new_id()}, headers=headers).json()
    assert (state["phase"], state["payment"]["remaining"]) == ("cash", 300)
    state = client.post("/station/honcho-p1/api/sim/insert", json={"denomination": 1000}, headers=headers).json()
    assert (state["phase"], state["receipt_number"], state["payment"]["change"]) == ("paid", 1, 700)


def test_unpairing_from_the_office_ends_the_screens_credential(client: TestClient, app: Any) -> None:
    _pair(client, "honcho-p1")
    with TestClient(app) as office:
        headers = _login(office, "cashier")
        assert office.post("/station/honcho-p1/unpair", headers=headers).status_code == 403
        headers = _login(office, "supervisor")
        assert office.post("/station/honcho-p1/unpair").status_code == 403  # CSRF
        assert office.post("/station/honcho-p1/unpair", headers=headers).json()["unpaired"] is True
    assert client.get("/station/honcho-p1/api/state").status_code == 401


def test_a_changer_short_of_coins_asks_for_the_exact_amount_and_gives_back_a_note_it_cannot_change(
        app: Any, client: TestClient, rt: Runtime) -> None:
    changer = rt.devices.of("honcho-p1").changer
    changer.collect({d: n for d, n in changer.counts().items() if d < 1000 and n})
    headers = _pair(client)
    _handed_off(app, ["juminhyo"])
    assert client.get("/station/honcho-p1/api/state").json()["exact_only"] is True
    client.post("/station/honcho-p1/api/cash", json={"id": new_id()}, headers=headers)
    r = client.post("/station/honcho-p1/api/sim/insert", json={"denomination": 1000}, headers=headers)
    assert r.json()["error"] == "cannot_make_change"
    state = client.get("/station/honcho-p1/api/state").json()
    assert (state["phase"], state["notice"], state["exact_only"]) == ("due", "no_change", True)
    assert changer.deposit_amount() == 0  # the note went back to the resident
    _login(client, "supervisor")
    levels = {d["denomination"]: d["level"] for d in next(
        s for s in client.get("/api/screens/stations").json() if s["id"] == "honcho-p1")["denominations"]}
    assert levels[100] == "empty" and levels[1000] == "ok"


def test_a_declined_card_leaves_the_sale_due_with_a_notice_and_a_timeout_holds_it_in_doubt(
        app: Any, client: TestClient) -> None:
    headers = _pair(client)
    _handed_off(app, ["juminhyo", "inkan-shomei"])
    client.post("/station/honcho-p1/api/sim/terminal", json={"outcome": "declined"}, headers=headers)
    state = client.post("/station/honcho-p1/api/cashless", json={"id": new_id(), "brand": "waon"},
                        headers=headers).json()
    assert (state["phase"], state["notice"], state["last_brand"]) == ("due", "declined", "waon")
    client.post("/station/honcho-p1/api/sim/terminal", json={"outcome": "timeout_unknown"}, headers=headers)
    state = client.post("/station/honcho-p1/api/cashless", json={"id": new_id(), "brand": "waon"},
                        headers=headers).json()
    assert (state["phase"], state["sale"]["due"]) == ("in_doubt", 600)


def test_a_supervisor_approves_a_refund_at_the_clerks_register_and_both_are_recorded(
        app: Any, client: TestClient) -> None:
    station = _pair(client)
    sale_id = _handed_off(app, ["juminhyo"])
    client.post("/station/honcho-p1/api/cash", json={"id": new_id()}, headers=station)
    client.post("/station/honcho-p1/api/sim/insert", json={"denomination": 500}, headers=station)
    with TestClient(app) as desk:
        headers = _login(desk, "cashier")
        body = {"action": "refund", "sale_id": sale_id, "id": new_id(), "reason": "wrong certificate",
                "login": "cashier", "password": PASSWORDS["cashier"]}
        assert desk.post("/api/screens/approvals", json=body, headers=headers).status_code == 403
        body |= {"login": "supervisor", "password": PASSWORDS["supervisor"]}
        answer = desk.post("/api/screens/approvals", json=body, headers=headers).json()
        assert answer["sale"]["state"] == "refunded"
        assert answer["refunds"][0]["approved_by"] == "supervisor"
        assert desk.get("/api/auth/me").json()["login"] == "cashier"  # the clerk's session is untouched


def test_the_station_list_for_screens_has_levels_and_screen_presence(client: TestClient) -> None:
    _login(client, "supervisor")
    stations = {s["id"]: s for s in client.get("/api/screens/stations").json()}
    p1 = stations["honcho-p1"]
    assert p1["screen"] == {"paired": False, "online": False, "takes_residents": True, "paired_by": None}
    by_denomination = {d["denomination"]: d for d in p1["denominations"]}
    assert by_denomination[100]["count"] == 100 and by_denomination[100]["level"] == "ok"
    assert by_denomination[10000]["level"] == "ok"  # not watched: change never needs it
    office = client.get("/api/screens/office").json()
    assert [s["code"] for s in office["sites"]][0] == "honcho" and office["cashless_share"] == 0.0
