"""A retired brand leaves the station screen and cannot be paid with; a brand without a fee rate
in the month-close rules is said at start-up, in the back office and in the close of month."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient

from madoguchi.app import create_app, start_runtime
from madoguchi.bootstrap import DEMO_STAFF, ensure_demo_staff
from madoguchi.errors import BadInput
from madoguchi.services.counter import payments
from madoguchi.services.reconcile.rules_check import rate_findings
from tests.helpers import handed_off, new_id

PASSWORDS = {login: password for login, _, _, _, password in DEMO_STAFF}


def test_a_retired_brand_cannot_be_paid_with(rt, cashier):  # type: ignore[no-untyped-def]
    sale = handed_off(rt, cashier)
    with pytest.raises(BadInput, match="LINE Pay is not offered"):
        payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale, brand="linepay", actor=cashier)
    assert payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale, brand="paypay",
                                 actor=cashier)["state"] == "approved"


def test_the_station_screen_offers_only_the_brands_in_service(rt):  # type: ignore[no-untyped-def]
    ensure_demo_staff(rt)
    with TestClient(create_app(runtime=rt)) as client:
        r = client.post("/station/honcho-p1/pair", json={"login": "supervisor", "password": PASSWORDS["supervisor"]})
        assert r.status_code == 200, r.text
        html = client.get("/station/honcho-p1").text
    boot = json.loads(html.split('<script type="application/json" id="boot">')[1].split("</script>")[0])
    codes = {b["code"] for b in boot["brands"]}
    assert "paypay" in codes and "linepay" not in codes


def test_start_up_prints_each_brand_offered_without_a_rate(settings, tmp_path, capsys):  # type: ignore[no-untyped-def]
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rates]]\nbrand = "visa"\nppm = 24800\n', encoding="utf-8")
    start_runtime(settings.model_copy(update={"reconcile_rules_path": rules}))
    out = capsys.readouterr().out
    assert "PayPay の決済手数料率が月次処理の規則にありません" in out
    assert "VISA の決済手数料率" not in out and "LINE Pay" not in out


def test_without_a_rules_file_the_example_rates_are_a_finding_too():
    codes = [(f["code"], f.get("brand")) for f in rate_findings(None, dt.date(2026, 11, 2))]
    assert codes == [("rates_example", None), ("rate_missing", "yuchopay"), ("rate_missing", "bankpay")]


def test_the_back_office_shows_the_missing_rates(rt):  # type: ignore[no-untyped-def]
    ensure_demo_staff(rt)
    with TestClient(create_app(runtime=rt)) as client:
        r = client.post("/api/auth/login", json={"login": "supervisor", "password": PASSWORDS["supervisor"]})
        assert r.status_code == 200, r.text
        html = client.get("/office").text
    assert 'id="rule-findings"' in html and "ゆうちょPay の決済手数料率" in html
