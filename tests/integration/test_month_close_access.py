"""The close of month is the city's: only staff who serve every site may run it, read its runs or
download its reports. A supervisor or accountant limited to one site is refused (403) on the
API, and the page tells them why in Japanese."""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from madoguchi.app import create_app
from madoguchi.bootstrap import ensure_demo_staff
from madoguchi.domain.auth import Actor, Role
from madoguchi.errors import PermissionDenied
from madoguchi.services.reconcile.month import reconcile_month
from madoguchi.services.staff.accounts import create_staff
from madoguchi.web import install
from tests.integration.test_reconcile import FIXTURES, _pay
from tests.integration.test_reconcile_api import PASSWORDS, Office, _runs

LIMITED_PASSWORD = "honcho-only-2026"
STATEMENT = (FIXTURES / "statement-2026-11.csv").read_bytes()


class LimitedOffice(Office):
    def __init__(self, app: Any, login: str) -> None:
        PASSWORDS.setdefault(login, LIMITED_PASSWORD)
        super().__init__(app, login)


@pytest.fixture
def app(rt):  # type: ignore[no-untyped-def]
    ensure_demo_staff(rt)
    for login, role in (("kakari-honcho", "supervisor"), ("kaikei-honcho", "accountant")):
        create_staff(rt, login=login, display_name=f"{login} 本庁", role=role, sites=["honcho"],
                     password=LIMITED_PASSWORD)
    app = create_app(runtime=rt)
    install(app)
    return app


@pytest.fixture
def a_run(app) -> int:  # type: ignore[no-untyped-def]
    """A run of November made by the city's accountant (who serves every site)."""
    r = Office(app, "accountant").upload(str(uuid.uuid4()), [("s.csv", STATEMENT)])
    assert r.status_code == 201, r.text
    return int(r.json()["run_id"])


@pytest.mark.parametrize("login", ["kakari-honcho", "kaikei-honcho"])
def test_a_site_limited_role_may_not_read_or_download_the_citys_month_close(app, a_run, login):  # type: ignore[no-untyped-def]
    office = LimitedOffice(app, login)
    for path in ("/api/reconcile/runs", "/api/reconcile/runs?month=2026-11", f"/api/reconcile/runs/{a_run}",
                 f"/api/reconcile/runs/{a_run}/report", f"/api/reconcile/runs/{a_run}/matched"):
        r = office.client.get(path, headers=office.headers)
        assert (r.status_code, r.json()["error"]) == (403, "all_sites_required"), path
        assert "covers every site" in r.json()["message"]


def test_a_site_limited_accountant_may_not_run_the_month_close_and_nothing_is_kept(app, rt):  # type: ignore[no-untyped-def]
    office = LimitedOffice(app, "kaikei-honcho")
    r = office.upload(str(uuid.uuid4()), [("s.csv", STATEMENT)])
    assert r.status_code == 403 and "covers every site" in r.json()["message"]
    assert _runs(rt) == 0
    reports = Path(rt.settings.reconcile_dir)
    assert not reports.exists() or not any(reports.rglob("*.*"))


def test_the_service_refuses_a_site_limited_accountant_too(rt, tmp_path):  # type: ignore[no-untyped-def]
    statement = tmp_path / "s.csv"
    statement.write_bytes(STATEMENT)
    limited = Actor("kaikei-honcho", Role.ACCOUNTANT, frozenset({"honcho"}))
    with pytest.raises(PermissionDenied, match="covers every site"):
        reconcile_month(rt, month="2026-11", statements=[statement], actor=limited, out=tmp_path / "r.xlsx")
    assert _runs(rt) == 0 and not (tmp_path / "r.xlsx").exists()


def test_a_site_limited_supervisor_still_follows_up_the_open_incidents_of_their_site(app, rt, cashier,
                                                                                     clock):  # type: ignore[no-untyped-def]
    _pay(rt, cashier, clock, "waon", [("juminhyo", 1)], "timeout_unknown")
    office = LimitedOffice(app, "kakari-honcho")
    [incident] = office.client.get("/api/reconcile/open-incidents", headers=office.headers).json()
    body = {"id": str(uuid.uuid4()), "asked_whom": "WAON", "asked_at": "2026-11-10T10:00:00+09:00"}
    logged = office.client.post(f"/api/incidents/{incident['id']}/inquiries", json=body, headers=office.headers)
    assert logged.status_code == 201


@pytest.mark.parametrize("login", ["kakari-honcho", "kaikei-honcho"])
def test_the_month_close_page_refuses_a_site_limited_role_in_japanese(app, login):  # type: ignore[no-untyped-def]
    office = LimitedOffice(app, login)
    page = office.client.get("/office/reconcile")
    assert page.status_code == 403
    assert "月次処理は市全体（全拠点）の締めです" in page.text and "全拠点を担当する職員だけ" in page.text
    assert 'href="/office/reconcile"' not in office.client.get("/office").text


def test_the_month_close_page_opens_for_staff_of_every_site(app):  # type: ignore[no-untyped-def]
    for login in ("accountant", "supervisor"):
        with TestClient(app) as client:
            client.post("/api/auth/login", json={"login": login, "password": PASSWORDS[login]})
            assert client.get("/office/reconcile").status_code == 200
            assert 'href="/office/reconcile"' in client.get("/office").text
