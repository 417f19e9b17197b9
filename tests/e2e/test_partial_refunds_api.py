"""Partial refunds through HTTP: a supervisor gives back some copies of a line, the clerk's
register asks a supervisor on the spot, and what does not make sense is refused with a code."""
from __future__ import annotations

from typing import Any

from madoguchi.services.runtime import Runtime
from tests.e2e.test_http_api import PASSWORDS, Desk, app, client, desk  # noqa: F401 (fixtures)
from tests.helpers import journal, new_id


def _three_copies(d: Desk) -> tuple[str, str]:
    """A paid sale of three 住民票 (900 yen, paid with 1,000 yen) and its line's id."""
    sale_id = d.paid_sale([("juminhyo", 3)])
    sale = d.get(f"/api/sales/{sale_id}")
    return sale_id, sale["lines"][0]["id"]


def _refund(d: Desk, sale_id: str, lines: Any, expect: int, **extra: Any) -> Any:
    return d.post(f"/api/sales/{sale_id}/partial-refunds",
                  {"id": new_id(), "reason": "1通多く発行", "lines": lines, **extra}, expect=expect)


def test_a_supervisor_refunds_one_copy_in_cash_and_the_sale_stays_paid(client, desk: Desk, rt: Runtime) -> None:  # noqa: F811
    sale_id, line_id = _three_copies(desk)
    boss = Desk(client).login("supervisor")
    answer = _refund(boss, sale_id, [{"line_id": line_id, "copies": 1}], 201)
    assert answer["refunded_copies"] == {line_id: 1}
    assert answer["sale"]["state"] == "paid"
    assert [(r["method"], r["amount"], r["state"]) for r in answer["refunds"]] == [("cash", 300, "done")]
    entry = [e for e in journal(rt) if "refund" in str(e.kind)][-1]
    assert entry.amount == -300 and '"partial":true' in entry.data
    assert '"refunded_lines":[{"amount":300,"copies":1,"fee_code":"juminhyo"' in entry.data

    # The rest later: the sale is then refunded, and the reading says so.
    answer = _refund(boss, sale_id, [{"line_id": line_id, "copies": 2}], 201)
    assert answer["sale"]["state"] == "refunded" and answer["refunded_copies"] == {line_id: 3}
    assert desk.get(f"/api/sales/{sale_id}/partial-refunds")["refunded_copies"] == {line_id: 3}


def test_more_copies_than_are_left_are_refused_with_a_code(client, desk: Desk) -> None:  # noqa: F811
    sale_id, line_id = _three_copies(desk)
    boss = Desk(client).login("supervisor")
    _refund(boss, sale_id, [{"line_id": line_id, "copies": 2}], 201)
    r = client.post(f"/api/sales/{sale_id}/partial-refunds", headers=boss.headers,
                    json={"id": new_id(), "reason": "x", "lines": [{"line_id": line_id, "copies": 2}]})
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "refund_too_many_copies"
    assert {k: r.json()["params"][k] for k in ("line", "asked", "left")} == {"line": 1, "asked": 2, "left": 1}


def test_bad_input_is_a_4xx_with_a_code(client, desk: Desk) -> None:  # noqa: F811
    sale_id, line_id = _three_copies(desk)
    open_id = desk.open_sale([("juminhyo", 1)])
    open_line = desk.get(f"/api/sales/{open_id}")["lines"][0]["id"]
    boss = Desk(client).login("supervisor")
    for lines in ([], [{"line_id": line_id, "copies": 0}], [{"line_id": line_id, "copies": "1"}],
                  [{"line_id": "not-a-uuid", "copies": 1}], [{"line_id": new_id(), "copies": 1}],
                  [{"line_id": line_id, "copies": 1}, {"line_id": line_id, "copies": 1}],
                  [{"line_id": line_id, "copies": 1, "extra": True}]):
        r = client.post(f"/api/sales/{sale_id}/partial-refunds", headers=boss.headers,
                        json={"id": new_id(), "reason": "x", "lines": lines})
        assert 400 <= r.status_code < 500, (lines, r.text)
        assert r.json()["error"] == "bad_input", (lines, r.text)
    r = client.post(f"/api/sales/{sale_id}/partial-refunds", headers=boss.headers,
                    json={"id": new_id(), "reason": "", "lines": [{"line_id": line_id, "copies": 1}]})
    assert r.status_code == 422 and r.json()["error"] == "bad_input"
    # Not a paid sale: an open one has nothing to refund.
    r = client.post(f"/api/sales/{open_id}/partial-refunds", headers=boss.headers,
                    json={"id": new_id(), "reason": "x", "lines": [{"line_id": open_line, "copies": 1}]})
    assert r.status_code == 409 and r.json()["error"] == "refund_not_possible"
    assert desk.get(f"/api/sales/{sale_id}/partial-refunds")["refunded_copies"] == {}


def test_a_clerk_may_not_refund_and_the_register_asks_a_supervisor(desk: Desk) -> None:  # noqa: F811
    sale_id, line_id = _three_copies(desk)
    r = desk.client.post(f"/api/sales/{sale_id}/partial-refunds", headers=desk.headers,
                         json={"id": new_id(), "reason": "x", "lines": [{"line_id": line_id, "copies": 1}]})
    assert r.status_code == 403 and r.json()["error"] in {"permission_denied", "not_allowed"}

    body = {"id": new_id(), "sale_id": sale_id, "reason": "1通多く発行", "lines": [{"line_id": line_id, "copies": 1}]}
    # The clerk's own password does not approve.
    r = desk.client.post("/api/screens/approvals/partial-refund", headers=desk.headers,
                         json=body | {"login": "cashier", "password": PASSWORDS["cashier"]})
    assert r.status_code == 403 and r.json()["error"] in {"permission_denied", "not_allowed"}
    r = desk.client.post("/api/screens/approvals/partial-refund", headers=desk.headers,
                         json=body | {"login": "supervisor", "password": "wrong"})
    assert r.status_code == 401, r.text
    assert desk.get(f"/api/sales/{sale_id}/partial-refunds")["refunded_copies"] == {}

    answer = desk.post("/api/screens/approvals/partial-refund",
                       body | {"login": "supervisor", "password": PASSWORDS["supervisor"]}, expect=200)
    assert answer["refunded_copies"] == {line_id: 1}
    assert answer["refunds"][0]["amount"] == 300
    # The same request again (same id): what it did, once.
    again = desk.post("/api/screens/approvals/partial-refund",
                      body | {"login": "supervisor", "password": PASSWORDS["supervisor"]}, expect=200)
    assert again["refunded_copies"] == {line_id: 1} and len(again["refunds"]) == 1
