"""No report runs a formula (issue 14): text that starts with = + - @ a tab or a carriage return,
whether from staff (a close note, an over/short reason, an adjustment reason) or from outside
the city (the agent's merchant_reference, processor_reference, terminal id, a rules file), is
text in every workbook and every CSV; numbers stay numbers.

Each export is built through its service with every prefix planted, and read back: no cell is
a formula, no planted text starts with a prefix, and the amounts are still numbers.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from madoguchi.adapters.files.writing import FORMULA_PREFIXES
from madoguchi.domain.reconcile import Month
from madoguchi.services.close import adjustments, close_day
from madoguchi.services.close.export import to_csv
from madoguchi.services.reconcile.month import payment_rows, reconcile_month
from tests.helpers import new_id
from tests.integration.test_close_day import ACCOUNTANT, DAY, NEXT, counted, evening
from tests.integration.test_reconcile import HEADER, RATES, _accountant, _november

MARK = "CALC"
PREFIXES = pytest.mark.parametrize("prefix", FORMULA_PREFIXES, ids=["eq", "plus", "minus", "at", "tab", "cr"])


def _planted(prefix: str, what: str) -> str:
    return f'{prefix}{MARK}-{what}|" /C calc"!A0'


def _xlsx_cells(data: bytes | Path) -> list[Any]:
    wb = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def _assert_no_formula_in_xlsx(data: bytes | Path, planted: int) -> list[Any]:
    cells = _xlsx_cells(data)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    marked = [c.value for c in cells if isinstance(c.value, str) and MARK in c.value]
    assert len(marked) >= planted, marked
    assert not [v for v in marked if v.startswith(FORMULA_PREFIXES)], marked
    return cells


def _assert_no_formula_in_csv(text: str, planted: int) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    marked = [f for row in rows for f in row if MARK in f]
    assert len(marked) >= planted, marked
    assert not [f for f in marked if f.startswith(FORMULA_PREFIXES)], marked
    return rows


@PREFIXES
def test_the_daily_sheet_and_its_summary_write_notes_and_reasons_as_text(
        rt, supervisor, prefix):  # type: ignore[no-untyped-def]
    evening(rt.clock)
    close_day.close_day(rt, site="honcho", day=DAY, actor=supervisor, confirm_warnings=True,
                        counted={"honcho-p1": counted(rt, "honcho-p1", y1000=-1),
                                 "honcho-p2": counted(rt, "honcho-p2")},
                        reasons={"honcho-p1": _planted(prefix, "reason")}, note=_planted(prefix, "note"))
    rt.clock.advance(days=1)
    from madoguchi.bootstrap import ensure_float
    ensure_float(rt)
    asked = adjustments.request_adjustment(rt, adjustment_id=new_id(), site="honcho", corrects=DAY,
                                           category="cash", station="honcho-p1", amount=1000,
                                           reason=_planted(prefix, "adjustment"), actor=ACCOUNTANT)
    adjustments.approve_adjustment(rt, adjustment_id=asked["id"], actor=supervisor)
    for day, planted in ((DAY, 2), (NEXT, 1)):
        xlsx = close_day.daily_sheet(rt, day=day, actor=supervisor, sites=["honcho"])
        cells = _assert_no_formula_in_xlsx(xlsx, planted)
        assert -1000 in [c.value for c in cells] or day == NEXT  # the shortage is still a number
        text = close_day.daily_sheet(rt, day=day, actor=supervisor, sites=["honcho"], fmt="csv").decode()
        rows = _assert_no_formula_in_csv(text, planted)
        assert any("-1000" in r for r in rows) or day == NEXT  # numbers stay numbers, even negative ones


@PREFIXES
def test_the_month_report_its_voucher_and_the_matched_rows_write_the_agents_text_as_text(
        rt, cashier, clock, tmp_path, prefix):  # type: ignore[no-untyped-def]
    # A statement's references hold no control character (the reader refuses a tab or a CR
    # there, see test_statement_refusals.py): from the statement, the printable prefixes.
    theirs = "=" if prefix in ("\t", "\r") else prefix
    refs = _november(rt, cashier, clock)
    rows = {r["merchant_reference"]: r for r in payment_rows(rt, Month(2026, 11))}
    statement = tmp_path / f"{prefix.strip() or 'ws'}statement.csv"
    with open(statement, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        p = rows[refs["ok_suica"]]
        fee = RATES.fee(p["brand"], p["amount"], dt.date.fromisoformat(p["business_date"]))
        w.writerow([p["paid_at"], _planted(theirs, "terminal"), p["merchant_reference"], "PX-1", p["brand"],
                    "sale", p["amount"], fee, p["amount"] - fee, "2026-11-30"])
        w.writerow(["2026-11-20T10:00:00+09:00", "T-other", _planted(theirs, "ref"), _planted(theirs, "proc"),
                    "suica", "sale", 300, 9, 291, "2026-12-15"])
    rules = tmp_path / "rules.toml"
    rules.write_text(f'[expenditure]\ncode = "13-01"\nname = {json.dumps(_planted(prefix, "expenditure"))}\n'
                     + "".join(f'[[rates]]\nbrand = "{brand}"\nppm = {ppm}\n'
                               for brand, ppm, _from, _until in RATES.periods()),
                     encoding="utf-8")
    out = tmp_path / "report.xlsx"
    summary = reconcile_month(rt, month="2026-11", statements=[statement], actor=_accountant(), out=out,
                              rules_path=rules, json_out=tmp_path / "summary.json")
    cells = _assert_no_formula_in_xlsx(out, 3)  # the reference, its processor reference, the expenditure line
    assert summary["register_gross"] in [c.value for c in cells]
    matched = Path(summary["matched_csv"]).read_text(encoding="utf-8")
    rows_back = _assert_no_formula_in_csv(matched, 1)  # the matched row's terminal id
    assert [r for r in rows_back if refs["ok_suica"] in r]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left


@PREFIXES
def test_the_payments_export_writes_outside_references_as_text_and_amounts_as_numbers(
        prefix):  # type: ignore[no-untyped-def]
    row = {"merchant_reference": "m-1", "processor_reference": _planted(prefix, "proc"),
           "terminal_id": _planted(prefix, "terminal"), "site": "honcho", "station": "honcho-p1",
           "brand": "suica", "category": "emoney", "amount": -300, "status": "refunded",
           "paid_at": "2026-11-02T10:00:00+09:00", "business_date": "2026-11-02", "booked_on": None}
    rows = _assert_no_formula_in_csv(to_csv([row]), 2)
    assert rows[1][7] == "-300"
