"""The close of day from the outside: ``madoguchi close-day`` and the HTTP routes.

The CLI command is a plain function; here it is mounted on a small Typer app of its own,
as the main ``madoguchi`` app mounts it. Sales are made through the services on the
same database first (the ``rt`` fixture), then closed as an operator would.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from madoguchi.api.routes import close as close_routes
from madoguchi.app import create_app
from madoguchi.bootstrap import ensure_demo_staff
from madoguchi.cli.close import close_day_command
from madoguchi.services.counter import payments
from tests.e2e.test_http_api import Desk
from tests.helpers import changer, handed_off, journal, new_id, pay_cash

DAY = "2026-11-02"
cli = typer.Typer()
cli.callback()(lambda: None)
cli.command("close-day")(close_day_command)
runner = CliRunner()


@pytest.fixture
def day_of_sales(rt, cashier, monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    """Three sales at honcho and the file of what was counted; the CLI's own devices live in tmp."""
    monkeypatch.setenv("MADOGUCHI_DEVICE_STATE_DIR", str(tmp_path / "cli-devices"))
    pay_cash(rt, cashier, handed_off(rt, cashier, [("juminhyo", 2)]), [1000])
    pay_cash(rt, cashier, handed_off(rt, cashier, [("koseki-zenbu", 1)], station="honcho-p2"), [500])
    payments.pay_cashless(rt, payment_id=new_id(), sale_id=handed_off(rt, cashier), brand="paypay", actor=cashier)
    counted = {"stations": {s: {str(d): n for d, n in changer(rt, s).counts().items()}
                            for s in ("honcho-p1", "honcho-p2")}}
    path = tmp_path / "counted.json"
    path.write_text(json.dumps(counted))
    return path, counted


def close_day_cli(db_url: str, counted: Path, tmp_path: Path, *extra: str):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, ["close-day", "--date", DAY, "--site", "honcho", "--counted", str(counted),
                               "--out", str(tmp_path / "daily.xlsx"), "--json", str(tmp_path / "summary.json"),
                               "--db", db_url, "--by", "kakaricho", *extra])


def test_close_day_closes_the_site_and_writes_the_sheet_and_the_summary(rt, db_url, day_of_sales, tmp_path):
    counted, _ = day_of_sales
    result = close_day_cli(db_url, counted, tmp_path)
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    for key in ("date", "site", "sales_count", "gross", "by_category", "by_brand", "by_fee_item",
                "by_revenue_line", "cash_expected", "cash_counted", "over_short", "open_incidents",
                "cashless_share"):
        assert key in summary, key
    assert (summary["date"], summary["site"], summary["state"]) == (DAY, "honcho", "closed")
    assert (summary["sales_count"], summary["gross"], summary["over_short"]) == (3, 1350, 0)
    assert set(summary["by_category"]) == {"cash", "emoney", "credit", "qr"}
    assert summary["by_category"]["qr"] == {"count": 1, "amount": 300}
    assert summary["cashless_share"] == round(1 / 3, 4)
    assert summary["cash_expected"] == summary["cash_counted"]
    assert load_workbook(tmp_path / "daily.xlsx").sheetnames == ["集計", "本庁 市民課"]
    assert "honcho 2026-11-02" in result.output and "gross ¥1,350" in result.output
    assert [e.details()["scope"] for e in journal(rt) if e.kind == "day_closed"] == ["station", "station", "site"]


@pytest.mark.parametrize("mangle, words", [
    (lambda c: c["stations"]["honcho-p2"].update({"3000": 1}), ["honcho-p2", "3000", "not a yen denomination"]),
    (lambda c: c["stations"]["honcho-p1"].update({"500": 2.5}), ["honcho-p1", "denomination 500", "whole number"]),
    (lambda c: c["stations"]["honcho-p1"].update({"100": -1}), ["honcho-p1", "denomination 100"]),
    (lambda c: c["stations"].pop("honcho-p2"), ["honcho-p2", "no counted cash"]),
    (lambda c: c["stations"].update({"nishi-p1": {}}), ["nishi-p1", "not a payment station of site honcho"]),
])
def test_a_bad_counted_file_names_the_station_and_denomination_and_closes_nothing(
        rt, db_url, day_of_sales, tmp_path, mangle, words):
    path, counted = day_of_sales
    mangle(counted)
    path.write_text(json.dumps(counted))
    result = close_day_cli(db_url, path, tmp_path)
    assert result.exit_code == 2
    for word in words:
        assert word in result.output
    assert not any(e.kind == "day_closed" for e in journal(rt))
    assert not (tmp_path / "daily.xlsx").exists()


def test_malformed_json_is_reported_with_its_line_and_column(rt, db_url, day_of_sales, tmp_path):
    path, _ = day_of_sales
    path.write_text('{"stations": {\n  "honcho-p1": {"10000": 1,,}\n}}')
    result = close_day_cli(db_url, path, tmp_path)
    assert result.exit_code == 2 and "line 2, column 28" in result.output
    assert not any(e.kind == "day_closed" for e in journal(rt))


def test_export_only_writes_the_sheet_of_a_day_still_open(rt, db_url, day_of_sales, tmp_path):
    result = runner.invoke(cli, ["close-day", "--date", DAY, "--site", "honcho", "--export-only",
                                 "--out", str(tmp_path / "open.xlsx"), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "open" in result.output and (tmp_path / "open.xlsx").exists()
    assert not any(e.kind == "day_closed" for e in journal(rt))


# --- HTTP -----------------------------------------------------------------------------------
@pytest.fixture
def app(rt):  # type: ignore[no-untyped-def]
    ensure_demo_staff(rt)
    app = create_app(runtime=rt)
    if not any(getattr(r, "path", "").startswith("/api/close") for r in app.routes):
        app.include_router(close_routes.router)
    return app


def test_over_http_a_station_then_the_site_is_closed_and_the_sheet_downloaded(app, rt, cashier):
    pay_cash(rt, cashier, handed_off(rt, cashier), [1000])
    supervisor, cashier_desk = Desk(TestClient(app)).login("supervisor"), Desk(TestClient(app)).login("cashier")
    check = supervisor.post(f"/api/close/honcho/{DAY}/interim", {}, expect=200)
    assert check["interim"] and check["sales_count"] == 1
    count = {s: {str(d): n for d, n in changer(rt, s).counts().items()} for s in ("honcho-p1", "honcho-p2")}
    refused = cashier_desk.post(f"/api/close/honcho/{DAY}/stations/honcho-p1", {"counted": count["honcho-p1"]})
    assert refused["error"] == "not_allowed"
    short = dict(count["honcho-p1"], **{"1000": count["honcho-p1"]["1000"] - 1})
    refused = supervisor.post(f"/api/close/honcho/{DAY}/stations/honcho-p1", {"counted": short}, expect=409)
    assert refused["error"] == "close_refused" and "give the reason" in refused["message"]
    # Every finding comes as data too (the page lists them), each with its Japanese text.
    unbalanced = [f for f in refused["findings"] if f["code"] == "unbalanced"]
    assert unbalanced and unbalanced[0]["station"] == "honcho-p1" and unbalanced[0]["severity"] == "error"
    assert unbalanced[0]["message_ja"]
    bad = supervisor.post(f"/api/close/honcho/{DAY}/stations/honcho-p1", {"counted": {"1000": "x"}}, expect=422)
    assert "denomination 1000" in bad["message"]
    for station in ("honcho-p1", "honcho-p2"):
        view = supervisor.post(f"/api/close/honcho/{DAY}/stations/{station}", {"counted": count[station]},
                               expect=200)
        assert view["closed"] and view["over_short"] == 0
    closed = supervisor.post(f"/api/close/honcho/{DAY}", {"note": "異常なし"}, expect=200)
    assert closed["state"] == "closed" and closed["approved_by"] == "supervisor"
    r = supervisor.client.get(f"/api/close/honcho/{DAY}/sheet", headers=supervisor.headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="daily-honcho-2026-11-02.xlsx"' in r.headers["content-disposition"]
    r = supervisor.client.get(f"/api/close/honcho/{DAY}/sheet?format=csv", headers=supervisor.headers)
    assert r.status_code == 200 and "by_category" in r.text
