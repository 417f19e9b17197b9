"""Issue 13 over HTTP: a disputed row's resolution is recorded once, with evidence; bad input is a 4xx
naming what, never a 500; a cashier may not record it."""
from __future__ import annotations

import uuid

from tests.integration.test_reconcile import _november, _statement
from tests.integration.test_reconcile_api import Office, app  # noqa: F401  (the app fixture)


def test_an_accountant_records_whose_a_disputed_row_was_and_bad_input_is_named(
        app, rt, cashier, clock, tmp_path):  # type: ignore[no-untyped-def]  # noqa: F811
    refs = _november(rt, cashier, clock)
    st = tmp_path / "statement.csv"
    _statement(rt, st, refs)
    office = Office(app, "accountant")
    run = office.upload(str(uuid.uuid4()), [("statement.csv", st.read_bytes())], complete="true").json()
    [row] = [d for d in run["transfer"]["disputed"] if d["merchant_reference"] == "not-ours-1"]
    url = f"/api/reconcile/runs/{run['run_id']}/disputed-resolutions"
    body = {"id": str(uuid.uuid4()), "source": "statement.csv", "line": row["line"], "payment_reference": None,
            "evidence": "収納代行会社より他加盟店分と回答（2026-12-01）"}

    r = office.client.post(url, json=body, headers=office.headers)
    assert r.status_code == 201, r.text
    assert r.json()["ours"] is False and r.json()["fee"] == row["fee"]
    assert office.client.post(url, json=body, headers=office.headers).json() == r.json()  # once per id
    again = office.client.post(url, json=body | {"id": str(uuid.uuid4())}, headers=office.headers)
    assert again.status_code == 409
    for bad in ({"line": 0}, {"line": 2**40}, {"evidence": ""}, {"line": 1}, {"id": "x"}):
        answer = office.client.post(url, json=body | {"id": str(uuid.uuid4())} | bad, headers=office.headers)
        assert 400 <= answer.status_code < 500 and answer.status_code != 409, (bad, answer.text)
    missing = office.client.post("/api/reconcile/runs/999999/disputed-resolutions",
                                 json=body | {"id": str(uuid.uuid4())}, headers=office.headers)
    assert missing.status_code == 404
