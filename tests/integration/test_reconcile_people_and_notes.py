"""Issue 13: the close of month speaks to people. Who ran a run is shown by name, not login id, and
the matching's notes (the evidence staff read with each exception) are in Japanese, the classes
staying codes."""
from __future__ import annotations

import csv
import datetime as dt

from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.services.counter import payments
from madoguchi.services.reconcile.month import reconcile_month
from madoguchi.services.reconcile.runs import get_run, list_runs
from madoguchi.services.staff.accounts import create_staff
from tests.helpers import handed_off, new_id

HEADER = ["transaction_at", "terminal_id", "merchant_reference", "processor_reference", "brand", "kind",
          "gross", "fee", "net", "deposit_date"]


def _has_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


def test_runs_name_who_ran_them_and_every_exception_note_is_japanese(rt, cashier, tmp_path):  # type: ignore[no-untyped-def]
    create_staff(rt, login="acct07", display_name="会計 次郎", role="accountant", sites=[ALL_SITES],
                 password="a-long-password-7")
    accountant = Actor("acct07", Role.ACCOUNTANT, frozenset({ALL_SITES}))
    sale_id = handed_off(rt, cashier)
    ref = new_id()
    payments.pay_cashless(rt, payment_id=ref, sale_id=sale_id, brand="visa", actor=cashier)
    at = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))).isoformat()
    st = tmp_path / "nov.csv"
    with open(st, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerow([at, "T1", ref, "PX-1", "visa", "sale", 300, 12, 288, "2026-11-30"])       # fee off
        w.writerow([at, "T1", ref, "PX-1", "visa", "sale", 300, 7, 293, "2026-11-30"])        # duplicate
        w.writerow([at, "T9", "not-ours", "PX-2", "suica", "sale", 300, 9, 291, "2026-11-30"])  # none of ours
    summary = reconcile_month(rt, month="2026-11", statements=[st], actor=accountant, out=tmp_path / "r.xlsx",
                              complete=True)

    notes = {e["class"]: e["note"] for e in summary["exceptions"]}
    assert set(notes) >= {"fee_mismatch", "duplicate_in_statement", "missing_in_register"}
    assert all(_has_japanese(n) for n in notes.values()), notes
    assert all(_has_japanese(d["note"]) for d in summary["transfer"]["disputed"])
    [run] = list_runs(rt, actor=accountant, month="2026-11")
    assert (run["ran_by"], run["ran_by_name"]) == ("acct07", "会計 次郎")
    assert get_run(rt, run_id=run["id"], actor=accountant)["ran_by_name"] == "会計 次郎"
