"""Errors carry a code specific enough for a screen to say it in Japanese, with its params.

The English ``message`` stays for API clients; a screen speaks from ``error`` and ``params``
(tests/e2e/browser/test_japanese_screens.py shows the Japanese side).
"""
from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.test_http_api import Desk, app, client, desk  # noqa: F401  (its fixtures)


def test_a_request_without_a_session_is_login_required(client: TestClient) -> None:  # noqa: F811
    r = client.get("/api/sales?site=honcho")
    assert r.status_code == 401
    assert r.json()["error"] == "login_required" and r.json()["message"] == "log in first"


def test_a_cashier_asking_for_the_office_figures_is_not_allowed_with_role_and_action(desk: Desk) -> None:  # noqa: F811
    r = desk.client.get("/api/screens/office")
    assert r.status_code == 403
    body = r.json()
    assert body["error"] == "not_allowed" and body["params"] == {"role": "cashier", "action": "office"}


def test_a_cashier_of_one_site_asking_for_another_site_is_told_which(desk: Desk) -> None:  # noqa: F811
    r = desk.client.get("/api/sales?site=nishi")
    assert r.status_code == 403
    assert r.json()["error"] == "site_not_served" and r.json()["params"] == {"site": "nishi"}
