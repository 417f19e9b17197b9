"""Issue 13: the back office lists a run's exceptions themselves, filtered, each with its evidence and sale."""
from __future__ import annotations

import uuid

from tests.integration.test_reconcile import _november, _statement
from tests.integration.test_reconcile_api import Office, app  # noqa: F401  (the app fixture)


def test_a_runs_exceptions_are_listed_item_by_item_with_evidence_and_filtered_by_class_site_and_brand(
        app, rt, cashier, clock, tmp_path):  # type: ignore[no-untyped-def]  # noqa: F811
    refs = _november(rt, cashier, clock)
    st = tmp_path / "statement.csv"
    _statement(rt, st, refs)
    office = Office(app, "accountant")
    r = office.upload(str(uuid.uuid4()), [("statement.csv", st.read_bytes())], complete="true")
    assert r.status_code == 201, r.text
    run_id = r.json()["run_id"]

    everything = office.client.get(f"/api/reconcile/runs/{run_id}/exceptions").json()
    assert {i["class"] for i in everything} >= {"fee_mismatch", "missing_in_statement", "missing_in_register"}
    [fee] = office.client.get(f"/api/reconcile/runs/{run_id}/exceptions", params={"class": "fee_mismatch"}).json()
    assert fee["ref"] == refs["wrong_fee"] and fee["sale_id"] and fee["site"] == "honcho"
    assert fee["rows"][0]["source"] == "statement.csv" and fee["rows"][0]["line"] == 4
    assert fee["fee"] == fee["expected_fee"] + 5 and "料率表" in fee["note"]
    assert office.client.get(f"/api/sales/{fee['sale_id']}", headers=office.headers).status_code == 200
    [jcb] = office.client.get(f"/api/reconcile/runs/{run_id}/exceptions", params={"brand": "jcb"}).json()
    assert jcb["class"] == "missing_in_statement" and jcb["rows"] == []
    assert office.client.get(f"/api/reconcile/runs/{run_id}/exceptions", params={"site": "kita"}).json() == []
    bad = office.client.get(f"/api/reconcile/runs/{run_id}/exceptions", params={"class": "nonsense"})
    assert bad.status_code == 422 and "nonsense" in bad.text
