"""Issue 13: a disputed statement row (照会中) is carried into the 公金振替 of the month it is resolved in.

November's statement carries a row whose merchant reference is none of ours (the agent mistyped
it): it is kept out of November's transfer. In December the agent answers that it was our payment;
an accountant records that, with the evidence. December's close carries the row's fee into its
transfer, naming the row (file, line, the month that disputed it); November's transfer stays as it
was, its disputed row now saying it was resolved.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.domain.reconcile import RateTable
from madoguchi.errors import BadInput, Conflict
from madoguchi.services.close.export import payment_rows
from madoguchi.services.counter import payments
from madoguchi.services.reconcile.disputes import resolve_disputed
from madoguchi.services.reconcile.month import reconcile_month
from tests.helpers import handed_off, new_id

JST = dt.timezone(dt.timedelta(hours=9))
ACCOUNTANT = Actor("kaikei", Role.ACCOUNTANT, frozenset({ALL_SITES}))
RATES = RateTable.default()
HEADER = ["transaction_at", "terminal_id", "merchant_reference", "processor_reference", "brand", "kind",
          "gross", "fee", "net", "deposit_date"]


def _pay(rt: Any, cashier: Actor) -> str:
    ref = new_id()
    payments.pay_cashless(rt, payment_id=ref, sale_id=handed_off(rt, cashier), brand="visa", actor=cashier)
    return ref


def _statement(rt: Any, path: Path, rows: list[tuple[str, str]], day: dt.date, deposit: str) -> Path:
    """``rows``: (payment, the reference the agent wrote for it)."""
    found = {r["merchant_reference"]: r for r in payment_rows(rt.uow, date_from=day, date_to=day)}
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for n, (ref, written) in enumerate(rows):
            p = found[ref]
            fee = RATES.fee("visa", p["amount"], day)
            w.writerow([p["paid_at"], p["terminal_id"], written, f"PX-{day.month}-{n}", "visa", "sale", p["amount"],
                        fee, p["amount"] - fee, deposit])
    return path


@pytest.fixture
def november(rt, cashier, clock, tmp_path):  # type: ignore[no-untyped-def]
    ours, mistyped = _pay(rt, cashier), _pay(rt, cashier)
    st = _statement(rt, tmp_path / "nov.csv", [(ours, ours), (mistyped, "agent-typo-1")], dt.date(2026, 11, 2),
                    "2026-11-30")
    summary = reconcile_month(rt, month="2026-11", statements=[st], actor=ACCOUNTANT, out=tmp_path / "nov.xlsx",
                              complete=True)
    return mistyped, st, summary


def test_a_row_resolved_in_december_is_carried_into_december_s_transfer_naming_the_row(
        rt, cashier, clock, tmp_path, november):  # type: ignore[no-untyped-def]
    mistyped, nov_statement, nov = november
    fee = RATES.fee("visa", 300, dt.date(2026, 11, 2))
    [disputed] = nov["transfer"]["disputed"]
    assert (disputed["source"], disputed["line"], disputed["fee"]) == ("nov.csv", 3, fee)
    assert nov["transfer_amount"] == fee  # only the row that named our payment

    clock.now = dt.datetime(2026, 12, 3, 10, 0, tzinfo=JST).astimezone(dt.UTC)
    december_payment = _pay(rt, cashier)
    done = resolve_disputed(rt, resolution_id=new_id(), run_id=nov["run_id"], source="nov.csv", line=3,
                            payment_reference=mistyped, evidence="収納代行会社の回答 2026-12-02 問合せ番号 Q-881",
                            actor=ACCOUNTANT)
    assert done["resolved_on"] == "2026-12-03" and done["ours"]

    dec_statement = _statement(rt, tmp_path / "dec.csv", [(december_payment, december_payment)],
                               dt.date(2026, 12, 3), "2026-12-31")
    dec = reconcile_month(rt, month="2026-12", statements=[dec_statement], actor=ACCOUNTANT,
                          out=tmp_path / "dec.xlsx", complete=True)
    transfer = dec["transfer"]
    assert transfer["amount"] == RATES.fee("visa", 300, dt.date(2026, 12, 3)) + fee
    [carried] = transfer["carried_in"]
    assert (carried["source"], carried["line"], carried["disputed_month"], carried["fee"]) == ("nov.csv", 3,
                                                                                            "2026-11", fee)
    assert carried["payment_reference"] == mistyped and transfer["carried_in_fee"] == fee
    for key, part in (("to", "fee_share"), ("by_deposit", "fee"), ("by_site", "fee")):
        assert sum(x[part] for x in transfer[key]) == transfer["amount"], key

    # November again: its transfer is what it was; the disputed row says it was resolved.
    again = reconcile_month(rt, month="2026-11", statements=[nov_statement], actor=ACCOUNTANT,
                            out=tmp_path / "nov2.xlsx", complete=True)
    assert again["transfer_amount"] == fee and not again["transfer"]["carried_in"]
    assert again["transfer"]["disputed"][0]["resolution"]["resolved_on"] == "2026-12-03"


def test_only_a_row_the_run_listed_as_disputed_can_be_resolved_and_only_once(
        rt, november):  # type: ignore[no-untyped-def]
    mistyped, _st, nov = november
    with pytest.raises(BadInput, match="line 2"):
        resolve_disputed(rt, resolution_id=new_id(), run_id=nov["run_id"], source="nov.csv", line=2,
                         payment_reference=mistyped, evidence="回答", actor=ACCOUNTANT)
    with pytest.raises(BadInput, match="payment_reference"):
        resolve_disputed(rt, resolution_id=new_id(), run_id=nov["run_id"], source="nov.csv", line=3,
                         payment_reference="no-such-payment", evidence="回答", actor=ACCOUNTANT)
    first = new_id()
    view = resolve_disputed(rt, resolution_id=first, run_id=nov["run_id"], source="nov.csv", line=3,
                            payment_reference=None, evidence="当市分でないと回答（取消予定）", actor=ACCOUNTANT)
    assert not view["ours"]
    assert resolve_disputed(rt, resolution_id=first, run_id=nov["run_id"], source="nov.csv", line=3,
                            payment_reference=None, evidence="同じ記録", actor=ACCOUNTANT) == view
    with pytest.raises(Conflict):
        resolve_disputed(rt, resolution_id=new_id(), run_id=nov["run_id"], source="nov.csv", line=3,
                         payment_reference=mistyped, evidence="別の回答", actor=ACCOUNTANT)
