"""Close of month over HTTP: upload, run once per key, read runs, download, log inquiries."""
from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from madoguchi.adapters.db.reconcile_tables import ReconcileRun
from madoguchi.adapters.db.tables import Incident
from madoguchi.app import create_app
from madoguchi.bootstrap import DEMO_STAFF, ensure_demo_staff
from tests.integration.test_reconcile import FIXTURES, HEADER, _november, _statement

PASSWORDS = {login: password for login, _, _, _, password in DEMO_STAFF}


class Office:
    """A logged-in browser of the back office (cookie session and its CSRF token)."""

    def __init__(self, app: Any, login: str) -> None:
        self.client = TestClient(app)
        r = self.client.post("/api/auth/login", json={"login": login, "password": PASSWORDS[login]})
        assert r.status_code == 200, r.text
        self.headers = {"X-CSRF-Token": r.json()["csrf_token"]}

    def upload(self, key: str, files: list[tuple[str, bytes]], month: str = "2026-11", **form: Any) -> Any:
        return self.client.post("/api/reconcile", headers=self.headers | {"Idempotency-Key": key},
                                data={"month": month, **form},
                                files=[("statements", (name, io.BytesIO(data), "text/csv")) for name, data in files])


@pytest.fixture
def app(rt):  # type: ignore[no-untyped-def]
    ensure_demo_staff(rt)
    return create_app(runtime=rt)


def _runs(rt) -> int:  # type: ignore[no-untyped-def]
    with rt.uow() as uow:
        return uow.session.execute(select(func.count()).select_from(ReconcileRun)).scalar_one()


def test_an_uploaded_statement_is_reconciled_once_per_key_and_its_reports_download(
        app, rt, cashier, clock, tmp_path):  # type: ignore[no-untyped-def]
    refs = _november(rt, cashier, clock)
    st = tmp_path / "statement.csv"
    _statement(rt, st, refs)
    office = Office(app, "accountant")
    key = str(uuid.uuid4())
    r = office.upload(key, [("agent statement.csv", st.read_bytes())], complete="true")
    assert r.status_code == 201, r.text
    summary = r.json()
    assert summary["counts"]["matched"] == 2 and summary["counts"]["fee_mismatch"] == 1
    assert summary["counts"]["in_doubt_resolved_paid"] == 1 and summary["counts"]["in_doubt_resolved_not_paid"] == 1
    run_id = summary["run_id"]

    again = office.upload(key, [("agent statement.csv", st.read_bytes())], complete="true")
    assert again.status_code == 201 and again.json()["run_id"] == run_id and again.json()["replayed"]
    assert _runs(rt) == 1  # a lost answer or a double click never runs the month twice

    listed = office.client.get("/api/reconcile/runs?month=2026-11", headers=office.headers).json()
    assert [x["id"] for x in listed] == [run_id] and listed[0]["counts"]["matched"] == 2
    report = office.client.get(f"/api/reconcile/runs/{run_id}/report", headers=office.headers)
    assert report.status_code == 200 and report.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "公金振替伝票" in load_workbook(io.BytesIO(report.content), read_only=True).sheetnames
    matched = office.client.get(f"/api/reconcile/runs/{run_id}/matched", headers=office.headers)
    assert matched.status_code == 200 and refs["ok_suica"] in matched.text


def test_a_malformed_statement_is_refused_with_line_and_column_and_nothing_is_kept(
        app, rt, tmp_path, settings):  # type: ignore[no-untyped-def]
    office = Office(app, "accountant")
    bad = (",".join(HEADER) + "\n2026-11-02T10:00:00,T1,r1,p1,suica,sale,300円,9,291,2026-11-30\n").encode()
    r = office.upload(str(uuid.uuid4()), [("bad.csv", bad)])
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "statement_invalid"
    assert "line 2, column gross: '300円' is not a whole number of yen" in r.json()["message"]
    assert r.json()["params"] == {"file": "bad.csv", "count": 1}
    assert r.json()["rows"] == [{"line": 2, "column": "gross", "value": "300円"}]
    assert _runs(rt) == 0
    binary = office.upload(str(uuid.uuid4()), [("収納明細 11月.xlsx", b"PK\x03\x04\xff\xfe\x00\x81")])
    assert binary.status_code == 422 and binary.json()["message"].startswith("収納明細 11月.xlsx: ")
    assert str(settings.reconcile_dir) not in binary.json()["message"]  # named as sent, not where it is kept
    month_dir = settings.reconcile_dir / "2026-11"
    assert not month_dir.exists() or not any(month_dir.iterdir())
    no_key = office.client.post("/api/reconcile", headers=office.headers, data={"month": "2026-11"},
                                files=[("statements", ("s.csv", io.BytesIO(bad), "text/csv"))])
    assert no_key.status_code == 422 and "Idempotency-Key" in no_key.json()["message"]
    wrong_month = office.upload(str(uuid.uuid4()), [("s.csv", bad)], month="2026-13")
    assert wrong_month.status_code == 422 and "YYYY-MM" in wrong_month.json()["message"]


def test_a_cashier_may_not_run_the_close_of_month(app, tmp_path):  # type: ignore[no-untyped-def]
    cashier = Office(app, "cashier")
    r = cashier.upload(str(uuid.uuid4()), [("s.csv", b"x")])
    assert r.status_code == 403 and r.json()["error"] == "not_allowed"
    assert cashier.client.get("/api/reconcile/runs", headers=cashier.headers).status_code == 403


def test_an_inquiry_is_logged_once_per_id_and_listed_with_the_open_incident(
        app, rt, cashier, clock):  # type: ignore[no-untyped-def]
    from tests.integration.test_reconcile import _pay
    _pay(rt, cashier, clock, "waon", [("juminhyo", 1)], "timeout_unknown")
    with rt.uow() as uow:
        incident_id = uow.session.execute(select(Incident.id)).scalars().first()
    office = Office(app, "accountant")
    body = {"id": str(uuid.uuid4()), "asked_whom": "イオンリテール 電子マネー窓口",
            "asked_at": "2026-11-10T10:00:00+09:00", "answer": "調査中、2週間程度"}
    path = f"/api/incidents/{incident_id}/inquiries"
    first = office.client.post(path, json=body, headers=office.headers)
    assert first.status_code == 201, first.text
    assert office.client.post(path, json=body, headers=office.headers).json() == first.json()
    log = office.client.get(path, headers=office.headers).json()
    assert len(log) == 1 and log[0]["answer"] == "調査中、2週間程度"
    [row] = [i for i in office.client.get("/api/reconcile/open-incidents", headers=office.headers).json()
             if i["id"] == incident_id]
    assert row["last_inquiry"]["asked_whom"].startswith("イオン") and row["age_days"] >= 0
    naive = office.client.post(path, json=body | {"id": str(uuid.uuid4()), "asked_at": "2026-11-10T10:00:00"},
                               headers=office.headers)
    assert naive.status_code == 422 and "time zone" in naive.json()["message"]
    nobody = office.client.post(path, json=body | {"id": str(uuid.uuid4()), "asked_whom": ""}, headers=office.headers)
    assert nobody.status_code == 422
    missing = office.client.get(f"/api/incidents/{uuid.uuid4()}/inquiries", headers=office.headers)
    assert missing.status_code == 404


def test_a_good_statement_sent_with_a_malformed_one_is_not_imported_either(
        app, rt, tmp_path):  # type: ignore[no-untyped-def]
    from madoguchi.adapters.db.reconcile_tables import StatementImport
    office = Office(app, "accountant")
    good = (FIXTURES / "statement-2026-11.csv").read_bytes()
    bad = (FIXTURES / "malformed" / "bad-amount.csv").read_bytes()
    r = office.upload(str(uuid.uuid4()), [("a-good.csv", good), ("b-bad.csv", bad)])
    assert r.status_code == 422 and "b-bad.csv" in r.json()["message"] and "line 3, column gross" in r.json()["message"]
    with rt.uow() as uow:
        assert uow.session.execute(select(func.count()).select_from(StatementImport)).scalar_one() == 0
    assert _runs(rt) == 0
    # Corrected, the same good file is imported as new (nothing of the refused upload was kept).
    again = office.upload(str(uuid.uuid4()), [("a-good.csv", good)])
    assert again.status_code == 201, again.text
    assert again.json()["statements"][0]["new"] is True


def test_another_agents_statement_is_read_through_the_uploaded_mapping(app, rt):  # type: ignore[no-untyped-def]
    office = Office(app, "accountant")
    sent = [("ExamplePay 11月.csv", (FIXTURES / "examplepay-2026-11.csv").read_bytes())]
    without = office.upload(str(uuid.uuid4()), sent)
    assert without.status_code == 422 and without.json()["message"].startswith("ExamplePay 11月.csv")
    key = str(uuid.uuid4())
    r = office.client.post(
        "/api/reconcile", headers=office.headers | {"Idempotency-Key": key}, data={"month": "2026-11"},
        files=[("statements", (sent[0][0], io.BytesIO(sent[0][1]), "text/csv")),
               ("mapping", ("examplepay.toml", (FIXTURES / "examplepay-mapping.toml").read_bytes(),
                            "application/toml"))])
    assert r.status_code == 201, r.text
    summary = r.json()
    assert summary["statements"][0]["rows"] == 4 and summary["statement_gross"] > 0
    assert summary["counts"]["missing_in_register"] >= 1  # the register of this test database is empty
    run = office.client.get(f"/api/reconcile/runs/{summary['run_id']}", headers=office.headers).json()
    assert run["summary"]["statements"][0]["filename"] == "ExamplePay 11月.csv"


def test_a_cashier_may_not_read_or_log_inquiries(app, rt, cashier, clock):  # type: ignore[no-untyped-def]
    from tests.integration.test_reconcile import _pay
    _pay(rt, cashier, clock, "waon", [("juminhyo", 1)], "timeout_unknown")
    with rt.uow() as uow:
        incident_id = uow.session.execute(select(Incident.id)).scalars().first()
    staff = Office(app, "cashier")
    path = f"/api/incidents/{incident_id}/inquiries"
    body = {"id": str(uuid.uuid4()), "asked_whom": "WAON", "asked_at": "2026-11-10T10:00:00+09:00"}
    assert staff.client.post(path, json=body, headers=staff.headers).status_code == 403
    assert staff.client.get(path, headers=staff.headers).status_code == 403
    assert staff.client.get("/api/reconcile/open-incidents", headers=staff.headers).status_code == 403


def test_a_run_whose_answer_was_lost_is_answered_again_not_run_twice(
        app, rt, cashier, clock, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from madoguchi.services.reconcile import runs as reconcile_runs
    refs = _november(rt, cashier, clock)
    st = tmp_path / "statement.csv"
    _statement(rt, st, refs)
    office = Office(app, "accountant")
    key = str(uuid.uuid4())
    remember = reconcile_runs._remember

    def crash(*args: Any) -> Any:
        raise RuntimeError("the server stopped after the run was recorded")
    monkeypatch.setattr(reconcile_runs, "_remember", crash)
    with pytest.raises(RuntimeError):
        office.upload(key, [("statement.csv", st.read_bytes())], complete="true")
    monkeypatch.setattr(reconcile_runs, "_remember", remember)
    again = office.upload(key, [("statement.csv", st.read_bytes())], complete="true")
    assert again.status_code == 201, again.text
    assert _runs(rt) == 1 and again.json()["counts"]["matched"] == 2
    report = office.client.get(f"/api/reconcile/runs/{again.json()['run_id']}/report", headers=office.headers)
    assert report.status_code == 200  # the first attempt's workbook is still there


def test_a_supervisor_reads_the_close_of_month_and_logs_inquiries_but_only_accounting_runs_it(
        app, rt, cashier, clock):  # type: ignore[no-untyped-def]
    from tests.integration.test_reconcile import _pay
    _pay(rt, cashier, clock, "waon", [("juminhyo", 1)], "timeout_unknown")
    supervisor = Office(app, "supervisor")
    refused = supervisor.upload(str(uuid.uuid4()), [("s.csv", (FIXTURES / "statement-2026-11.csv").read_bytes())])
    assert refused.status_code == 403 and refused.json()["error"] == "not_allowed"
    assert supervisor.client.get("/api/reconcile/runs", headers=supervisor.headers).json() == []
    [incident] = supervisor.client.get("/api/reconcile/open-incidents", headers=supervisor.headers).json()
    body = {"id": str(uuid.uuid4()), "asked_whom": "WAON", "asked_at": "2026-11-10T10:00:00+09:00"}
    logged = supervisor.client.post(f"/api/incidents/{incident['id']}/inquiries", json=body,
                                    headers=supervisor.headers)
    assert logged.status_code == 201 and logged.json()["answer"] is None
