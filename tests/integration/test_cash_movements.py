"""Cash without a sale (釣銭準備金・釣銭補充・回収) through HTTP and the back-office page: text
denomination keys, a clear 422 for a bad one, the client's id, and the journal that names
the counts and who moved them. The CLI is in test_cash_cli.py, the changer's counts against
the journal at opening and at close in test_changer_counts.py.
"""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from madoguchi.app import create_app
from madoguchi.bootstrap import ensure_demo_staff
from madoguchi.web import install
from tests.e2e.test_http_api import Desk
from tests.helpers import changer, journal, new_id

PATH = "/api/stations/honcho-p1/cash"


@pytest.fixture
def app(rt):  # type: ignore[no-untyped-def]
    ensure_demo_staff(rt)
    app = create_app(runtime=rt)
    install(app)
    return app


def test_a_replenishment_with_text_denomination_keys_is_loaded_and_journalled_with_who_did_it(app, rt):  # type: ignore[no-untyped-def]
    supervisor = Desk(TestClient(app)).login("supervisor")
    before = changer(rt).counts()
    move_id = new_id()

    done = supervisor.post(PATH, {"id": move_id, "direction": "in", "counts": {"1000": 5, "100": 20},
                                  "reason": "100円硬貨不足"}, expect=200)

    assert done["amount"] == 7000 and done["direction"] == "in" and done["id"] == move_id
    after = changer(rt).counts()
    assert after[1000] == before[1000] + 5 and after[100] == before[100] + 20
    assert done["inventory"]["1000"] == after[1000]
    entry = journal(rt)[-1]
    assert entry.kind == "cash_in" and entry.seq == done["journal_seq"]
    assert entry.amount == 7000 and entry.actor == "supervisor" and entry.station == "honcho-p1"
    assert entry.details()["counts"] == {"100": 20, "1000": 5}
    assert entry.details()["reason"] == "100円硬貨不足" and entry.details()["move_id"] == move_id


def test_a_collection_takes_the_notes_out_and_journals_a_negative_amount(app, rt):  # type: ignore[no-untyped-def]
    supervisor = Desk(TestClient(app)).login("supervisor")
    held = changer(rt).counts()[1000]

    supervisor.post(PATH, {"id": new_id(), "direction": "out", "counts": {"1000": 2}, "reason": "紙幣回収"},
                    expect=200)

    assert changer(rt).counts()[1000] == held - 2
    entry = journal(rt)[-1]
    assert (entry.kind, entry.amount, entry.details()["counts"]) == ("cash_out", -2000, {"1000": 2})


@pytest.mark.parametrize("key", ["3000", "abc", "-1", "1000.0", ""])
def test_a_key_that_is_not_a_yen_denomination_is_refused_with_422_naming_it(app, rt, key):  # type: ignore[no-untyped-def]
    supervisor = Desk(TestClient(app)).login("supervisor")
    before, entries = changer(rt).counts(), len(journal(rt))

    refused = supervisor.post(PATH, {"id": new_id(), "direction": "in", "counts": {"1000": 1, key: 1},
                                     "reason": "補充"}, expect=422)

    assert refused["error"] == "bad_input"
    assert f"counts.{key}" in refused["message"] and "not a yen denomination" in refused["message"]
    assert changer(rt).counts() == before and len(journal(rt)) == entries  # nothing half-done


@pytest.mark.parametrize("body, where", [
    ({"counts": {"1000": 1.5}}, "counts.1000"),
    ({"counts": {"1000": "2"}}, "counts.1000"),
    ({"counts": {"1000": -1}}, "counts.1000"),
    ({"counts": {}}, "counts"),
    ({"id": "not-a-uuid"}, "id"),
    ({"direction": "sideways"}, "direction"),
])
def test_other_bad_input_is_a_422_naming_the_field(app, rt, body, where):  # type: ignore[no-untyped-def]
    supervisor = Desk(TestClient(app)).login("supervisor")
    refused = supervisor.post(PATH, {"id": new_id(), "direction": "in", "counts": {"1000": 1}, "reason": "補充"}
                              | body, expect=422)
    assert refused["message"].startswith(where) or f"; {where}" in refused["message"]


def test_a_replenishment_without_a_reason_is_refused_and_moves_nothing(app, rt):  # type: ignore[no-untyped-def]
    supervisor = Desk(TestClient(app)).login("supervisor")
    before = changer(rt).counts()
    refused = supervisor.post(PATH, {"id": new_id(), "direction": "in", "counts": {"100": 10}}, expect=422)
    assert "reason" in refused["message"]
    assert changer(rt).counts() == before


def test_a_retry_with_the_same_id_answers_again_without_moving_cash_twice(app, rt):  # type: ignore[no-untyped-def]
    supervisor = Desk(TestClient(app)).login("supervisor")
    body = {"id": new_id(), "direction": "in", "counts": {"500": 4}, "reason": "補充"}
    held = changer(rt).counts()[500]

    first = supervisor.post(PATH, body, expect=200)
    again = supervisor.post(PATH, body, expect=200)

    assert again == first
    assert changer(rt).counts()[500] == held + 4
    assert sum(1 for e in journal(rt) if e.details().get("move_id") == body["id"]) == 1
    other = supervisor.post(PATH, body | {"counts": {"500": 5}}, expect=409)
    assert other["error"] == "idempotency_key_reused"


def test_a_cashier_may_not_move_cash(app, rt):  # type: ignore[no-untyped-def]
    cashier = Desk(TestClient(app)).login("cashier")
    cashier.post(PATH, {"id": new_id(), "direction": "in", "counts": {"100": 1}, "reason": "補充"}, expect=403)


def test_the_office_page_offers_a_supervisor_the_cash_form_and_its_post_records_the_movement(app, rt):  # type: ignore[no-untyped-def]
    client = TestClient(app)
    supervisor = Desk(client).login("supervisor")
    page = client.get("/office")
    assert page.status_code == 200
    html = page.text
    for label in ("釣銭の出し入れ", "釣銭準備金(開始)", "釣銭補充", "回収", 'id="cash-form"', "/static/office-cash.js"):
        assert label in html
    for d in (10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1):
        assert f'data-denomination="{d}"' in html
    assert client.get("/static/office-cash.js").status_code == 200

    # What the form sends (office-cash.js): the typed counts under text keys, the reason, an id.
    supervisor.post(PATH, {"id": new_id(), "direction": "out", "counts": {"1000": 1}, "reason": "紙幣の回収"},
                    expect=200)
    assert journal(rt)[-1].details()["reason"] == "紙幣の回収"


def test_the_office_page_has_no_cash_form_for_an_accountant(app):  # type: ignore[no-untyped-def]
    client = TestClient(app)
    Desk(client).login("accountant")
    html = client.get("/office").text
    assert 'id="cash-form"' not in html and "office-cash.js" not in html
