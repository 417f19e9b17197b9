"""The exceptions sheets' rows written as text are the bytes openpyxl's own writer gives."""
from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

from madoguchi.adapters.files.reconcile_rows import write_rows_as_text
from madoguchi.adapters.files.reconcile_sheet import DATE, DATETIME, YEN, cell
from madoguchi.adapters.files.writing import new_workbook, save_workbook

VALUES = ["plain", " leading space", "trailing space ", "   ", "", "a & b < c > d", 'quote " here', "改行\nあり",
          "=1+1", "-300", 0, -42, 12345678901234567, 1.5, Decimal("0.325"), True, False,
          dt.date(2026, 11, 30), dt.datetime(2026, 11, 2, 10, 15, 30), None]


def _sheet_xml(path: Path, fast: bool) -> bytes:
    wb = new_workbook(write_only=True)
    ws = wb.create_sheet("例外")
    ws.append([cell(ws, "title", bold=True, size=14)])
    if fast:
        write_rows_as_text(ws)
        assert type(ws._writer).__name__ == "_TextRowWriter"  # the fast way is the one tested
    for n, value in enumerate(VALUES):
        fmt = DATE if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else \
            DATETIME if isinstance(value, dt.datetime) else YEN if isinstance(value, int) else None
        ws.append([value, cell(ws, value, fmt=fmt, box=n % 2 == 0), None, cell(ws, None, box=True), value])
    ws.append([])
    ws.append([None, None])
    save_workbook(wb, path)
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_rows_written_as_text_are_the_bytes_openpyxl_writes(tmp_path: Path) -> None:
    slow = _sheet_xml(tmp_path / "slow.xlsx", fast=False)
    fast = _sheet_xml(tmp_path / "fast.xlsx", fast=True)
    assert b"xml:space" in slow and b"&amp;" in slow  # the cases that need escaping are there
    assert fast == slow
