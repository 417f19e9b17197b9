"""What the 日次処理 page (``/office/close``) needs from the server, through HTTP: who may open
it, and a refused close that answers with every finding as data, so the page can list them
all rather than one message. The page itself is driven in tests/e2e/browser/test_office_close.py.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from madoguchi.app import create_app
from madoguchi.bootstrap import ensure_demo_staff
from madoguchi.errors import Conflict
from madoguchi.web import install
from tests.e2e.test_http_api import Desk
from tests.helpers import changer, handed_off, open_sale, pay_cash

DAY = "2026-11-02"


@pytest.fixture
def app(rt):  # type: ignore[no-untyped-def]
    ensure_demo_staff(rt)
    app = create_app(runtime=rt)
    install(app)
    return app


def _counted(rt, station: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {str(d): n for d, n in changer(rt, station).counts().items()}


def _boot(html: str) -> dict[str, Any]:
    block = html.split('<script type="application/json" id="boot">')[1].split("</script>")[0]
    return json.loads(block)


def test_a_refused_site_close_answers_with_every_finding_as_a_list(app, rt, cashier):  # type: ignore[no-untyped-def]
    pay_cash(rt, cashier, handed_off(rt, cashier), [1000])
    waiting = open_sale(rt, cashier, staff_station="honcho-s2")  # a resident who has not paid yet
    supervisor = Desk(TestClient(app)).login("supervisor")
    supervisor.post(f"/api/close/honcho/{DAY}/stations/honcho-p1", {"counted": _counted(rt, "honcho-p1")},
                    expect=200)

    refused = supervisor.post(f"/api/close/honcho/{DAY}", {}, expect=409)

    assert set(refused) == {"error", "message", "findings"}
    assert refused["error"] == "close_refused"
    by_code = {f["code"]: f for f in refused["findings"]}
    assert {"station_not_closed", "sale_open"} <= set(by_code)  # both, not only the first
    assert by_code["station_not_closed"]["station"] == "honcho-p2"
    assert by_code["sale_open"]["ref"] == waiting
    for finding in refused["findings"]:
        assert finding["severity"] in {"error", "warning", "info"}
        assert finding["message"] and finding["message_ja"]
    # The message says the same in words, for a caller that only reads text.
    assert "honcho-p2" in refused["message"] and waiting[:8] in refused["message"]
    assert supervisor.get(f"/api/close/honcho/{DAY}")["state"] == "open"


def test_an_error_answer_carries_only_the_details_its_class_makes_public(app):  # type: ignore[no-untyped-def]
    class Refused(Conflict):
        code = "refused_for_a_test"
        public_details = ("findings", "error")  # "error" cannot replace the code

    @app.get("/api/test-only/refused")
    def refused() -> None:
        raise Refused("refused, see the findings", findings=[{"code": "x"}], error="not this one",
                      internal="kept inside")

    @app.get("/api/test-only/plain")
    def plain() -> None:
        raise Conflict("a plain conflict", findings=[{"code": "x"}])

    client = TestClient(app)
    r = client.get("/api/test-only/refused")
    assert r.status_code == 409
    assert r.json() == {"error": "refused_for_a_test", "message": "refused, see the findings",
                        "findings": [{"code": "x"}]}
    assert client.get("/api/test-only/plain").json() == {"error": "conflict", "message": "a plain conflict"}


def test_the_close_page_is_for_office_staff_and_offers_their_sites(app):  # type: ignore[no-untyped-def]
    client = TestClient(app)
    r = client.get("/office/close", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/office/close"
    Desk(client).login("cashier")
    assert client.get("/office/close").status_code == 403
    Desk(client).login("accountant")
    assert client.get("/office/close").status_code == 200
    Desk(client).login("supervisor")
    page = client.get("/office/close")
    assert page.status_code == 200 and "日次処理" in page.text
    boot = _boot(page.text)
    assert boot["sites"][0] == "honcho" and boot["today"] == DAY
    assert boot["texts"]["office_close.col_over_short"] == "過不足"
    assert 'href="/office/close"' in client.get("/office").text  # reached from the back office
