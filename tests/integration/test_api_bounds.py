"""A run number no run can have (too large for the database, or not positive) is no run: a 404
naming it, never a 500 from an overflow (found by the fuzzing test)."""
from __future__ import annotations

from madoguchi.api import create_app
from madoguchi.bootstrap import ensure_demo_staff
from tests.integration.test_reconcile_api import Office


def test_a_run_number_beyond_the_column_is_not_found_not_a_crash(rt):  # type: ignore[no-untyped-def]
    ensure_demo_staff(rt)
    office = Office(create_app(runtime=rt), "accountant")
    for path in ("/api/reconcile/runs/262574959735838901652672418414592",
                 "/api/reconcile/runs/262574959735838901652672418414592/report",
                 "/api/reconcile/runs/2147483648", "/api/reconcile/runs/0"):
        r = office.client.get(path, headers=office.headers)
        assert r.status_code == 404, (path, r.text)
        assert "no reconciliation run" in r.json()["message"]
    assert office.client.get("/api/reconcile/runs/2147483647", headers=office.headers).status_code == 404
