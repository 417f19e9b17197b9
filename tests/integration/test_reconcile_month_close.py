"""Issue 13, the close of month through the services: the voucher, its breakdowns, the report.

Real payments made through the services (simulated terminal), a first-half statement
written from them with a row of none of our payments and a duplicated row, then the run:
the 公金振替 carries only our payments' fees, the disputed rows are listed apart, every
breakdown adds up, the voucher says 暫定, and the report shows dates as dates, names
rather than login ids and codes, times in JST.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.domain.reconcile import Month, RateTable
from madoguchi.services.counter import payments
from madoguchi.services.reconcile.month import payment_rows, reconcile_month
from madoguchi.services.staff.accounts import create_staff
from tests.helpers import handed_off, new_id

RATES = RateTable.default()
HEADER = ["transaction_at", "terminal_id", "merchant_reference", "processor_reference", "brand", "kind",
          "gross", "fee", "net", "deposit_date"]


def _pay(rt, cashier, clock, brand, items) -> str:  # type: ignore[no-untyped-def]
    sale_id = handed_off(rt, cashier, items)
    payment_id = new_id()
    payments.pay_cashless(rt, payment_id=payment_id, sale_id=sale_id, brand=brand, actor=cashier)
    clock.advance(hours=26)
    return payment_id


def _accountant(rt):  # type: ignore[no-untyped-def]
    create_staff(rt, login="acct01", display_name="会計 花子", role="accountant", sites=[ALL_SITES],
                 password="a-long-password-1")
    return Actor("acct01", Role.ACCOUNTANT, frozenset({ALL_SITES}))


def _first_half(rt, path: Path, refs: list[str]) -> None:  # type: ignore[no-untyped-def]
    rows = {r["merchant_reference"]: r for r in payment_rows(rt, Month(2026, 11))}
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for n, ref in enumerate(refs):
            p = rows[ref]
            fee = RATES.fee(p["brand"], p["amount"], dt.date.fromisoformat(p["business_date"]))
            line = [p["paid_at"], p["terminal_id"], ref, f"PX-{n}", p["brand"], "sale", p["amount"], fee,
                    p["amount"] - fee, "2026-11-30"]
            w.writerow(line)
            if n == 0:
                w.writerow(line)  # the agent's duplicate
        w.writerow(["2026-11-04T10:00:00+09:00", "T-other", "not-ours-1", "PX-9", "suica", "sale", 300, 9, 291,
                    "2026-11-30"])


def test_the_voucher_moves_only_our_fees_lists_the_disputed_rows_and_says_provisional(
        rt, cashier, clock, tmp_path):  # type: ignore[no-untyped-def]
    accountant = _accountant(rt)
    two_lines = _pay(rt, cashier, clock, "visa", [("juminhyo", 1), ("koseki-zenbu", 1)])   # 750 yen
    one_line = _pay(rt, cashier, clock, "suica", [("juminhyo", 1)])                       # 300 yen
    clock.advance(days=20)
    late = _pay(rt, cashier, clock, "suica", [("juminhyo", 1)])                           # after the 15th
    st = tmp_path / "first-half.csv"
    _first_half(rt, st, [two_lines, one_line])
    out = tmp_path / "report.xlsx"
    summary = reconcile_month(rt, month="2026-11", statements=[st], actor=accountant, out=out)

    visa_fee = RATES.fee("visa", 750, dt.date(2026, 11, 2))
    ours = visa_fee + RATES.fee("suica", 300, dt.date(2026, 11, 3))
    transfer = summary["transfer"]
    assert summary["fees"] == ours + visa_fee + 9      # the statement's total: with the duplicate and not-ours
    assert summary["transfer_amount"] == transfer["amount"] == ours
    assert transfer["disputed_fee"] == visa_fee + 9
    assert {d["class"] for d in transfer["disputed"]} == {"duplicate_in_statement", "missing_in_register"}
    for key, part in (("to", "fee_share"), ("by_deposit", "fee"), ("by_site", "fee")):
        assert sum(x[part] for x in transfer[key]) == ours, key
    assert transfer["provisional"] and summary["complete"] is False
    assert summary["counts"]["not_yet_due"] == 1 and summary["counts"]["missing_in_statement"] == 0
    assert summary["statements_through"] == "2026-11-04" and late

    wb = load_workbook(out)
    voucher = [c for row in wb["公金振替伝票"].iter_rows(values_only=True) for c in row if c is not None]
    assert "公 金 振 替 伝 票（暫定）" in voucher and "not-ours-1" in voucher
    overview = [c for row in wb["概要"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("作成者 会計 花子" in c for c in overview) and not any("acct01" in c for c in overview)
    dup = wb["明細重複"]
    head = [c.value for c in dup[4]]
    first = [c for c in dup[5]]
    deposit = first[head.index("入金日")]
    assert isinstance(deposit.value, dt.datetime) and deposit.number_format == "yyyy/mm/dd"
    at = first[head.index("明細 日時")]
    assert at.value == dt.datetime(2026, 11, 2, 9, 30) and "yyyy" in at.number_format   # JST, as written
    assert first[head.index("明細 種別")].value == "売上"
