"""``/office/plan`` over HTTP: who may see it, and that it carries the planner's figures."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from madoguchi.app import create_app
from madoguchi.bootstrap import DEMO_STAFF, ensure_demo_staff
from madoguchi.services.plan.compare import waiting_grid
from madoguchi.web import install

PASSWORDS = {login: password for login, _, _, _, password in DEMO_STAFF}
ROLES = {login: role for login, _, role, _, _ in DEMO_STAFF}


@pytest.fixture
def app(rt):  # type: ignore[no-untyped-def]
    ensure_demo_staff(rt)
    app = create_app(runtime=rt)
    install(app)
    return app


def browser(app: Any, role: str) -> TestClient:
    login = next(name for name, r in ROLES.items() if r == role)
    client = TestClient(app)
    r = client.post("/api/auth/login", json={"login": login, "password": PASSWORDS[login]})
    assert r.status_code == 200, r.text
    return client


@pytest.mark.parametrize("role", ["supervisor", "accountant"])
def test_the_back_office_sees_the_waits_by_stations_and_cashless_share(app, role) -> None:  # type: ignore[no-untyped-def]
    page = browser(app, role).get("/office/plan?arrivals=100")
    assert page.status_code == 200
    assert "<h1>待ち時間の試算</h1>" in page.text
    assert "/static/vendor/echarts.min.js" in page.text
    boot = json.loads(re.search(r'<script type="application/json" id="boot">(.*?)</script>', page.text, re.S)[1])
    grid = waiting_grid(100)
    assert boot["chart"]["waits"] == [list(row) for row in grid.waits]
    assert boot["chart"]["stations"] == [1, 2, 3, 4] and boot["chart"]["shares"] == [0.2, 0.3, 0.4]


def test_a_cashier_is_refused_and_a_stranger_sent_to_log_in(app) -> None:  # type: ignore[no-untyped-def]
    assert browser(app, "cashier").get("/office/plan").status_code == 403
    stranger = TestClient(app).get("/office/plan", follow_redirects=False)
    assert stranger.status_code == 303 and stranger.headers["location"].startswith("/login")


def test_an_arrival_rate_out_of_range_is_refused(app) -> None:  # type: ignore[no-untyped-def]
    assert browser(app, "supervisor").get("/office/plan?arrivals=5000").status_code == 422


def test_the_vendored_chart_library_is_served_from_here(app) -> None:  # type: ignore[no-untyped-def]
    r = TestClient(app).get("/static/vendor/echarts.min.js")
    assert r.status_code == 200 and "echarts" in r.text[:2000]
