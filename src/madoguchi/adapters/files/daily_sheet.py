"""The daily sheet (日次処理表) as an ``.xlsx`` an accounting section accepts, and as CSV.

One sheet per site and a summary sheet (集計) first. Japanese headings, the day in
和暦 and Western form, numbers stored as numbers with yen / 件 / 通 / 枚 formats
(negative amounts in red with △, as public accounts write them), a stamp box
(担当・係長・課長), A4 print setup fitted to the page width with page numbers. The
figures come from :func:`madoguchi.adapters.files.daily_layout.sections`, which the
CSV renders too, so both carry exactly the same numbers.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from madoguchi.adapters.files.anchor_qr import place_qr
from madoguchi.adapters.files.daily_layout import Value, header_lines, sections
from madoguchi.adapters.files.daily_summary import write_summary
from madoguchi.adapters.files.sheet_style import PALE, ROW, WIDTHS, SheetWriter, page_setup, title_block, western
from madoguchi.adapters.files.writing import csv_writer, save_workbook
from madoguchi.domain.day_report import DayReport
from madoguchi.domain.receipt import wareki


def _title_block(w: SheetWriter, r: DayReport) -> None:
    title_block(w, title="日次処理表", subtitle=f"{r.municipality}　{r.site_name}",
                day_line=f"営業日　{wareki(r.day)}（{western(r.day)}）")
    if r.checkpoint is not None:  # the QR code beside the header lines, right of their values
        place_qr(w.ws, r.checkpoint, f"{get_column_letter(7)}{w.row}")
    for label, value in header_lines(r):
        w.cell(1, label, bold=True, fill=PALE)
        w.cell(2, value, span=4)
        w.height(ROW)
        w.row += 1
    w.height(8)
    w.row += 1


def _sheet_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "", name)[:28] or "site"
    out, n = base, 2
    while out in taken:
        out, n = f"{base[:26]}_{n}", n + 1
    taken.add(out)
    return out


def site_sheet(wb: Workbook, r: DayReport, taken: set[str], styles: dict[Any, Any] | None = None) -> Worksheet:
    parts = sections(r)
    width = max(len(WIDTHS), *(sum(c.span for c in s.columns) for s in parts))
    widths = [WIDTHS[n] if n < len(WIDTHS) else WIDTHS[-1] for n in range(width)]
    ws: Worksheet = wb.create_sheet(_sheet_name(r.site_name, taken))
    for n, w_ in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = w_
    w = SheetWriter(ws, widths, styles)
    _title_block(w, r)
    for s in parts:
        w.section(s)
    w.paginate(landscape=False)
    page_setup(ws, landscape=False, header=f"{r.municipality} 日次処理表 {r.site_name} {r.day.isoformat()}")
    ws.print_area = f"A1:{get_column_letter(width)}{w.row}"
    return ws


def daily_workbook(reports: Sequence[DayReport]) -> bytes:
    """The workbook: the summary sheet, then one sheet per site."""
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    styles: dict[Any, Any] = {}  # cell styles shared by every sheet of the workbook
    write_summary(summary, list(reports), styles)
    taken = {summary.title}
    for r in reports:
        site_sheet(wb, r, taken, styles)
    out = io.BytesIO()
    save_workbook(wb, out)
    return out.getvalue()


CSV_COLUMNS = ("date", "site", "section", "row_key", "label", "column", "value")


def daily_csv(reports: Sequence[DayReport]) -> str:
    """The same figures in long form: one line per figure (UTF-8 with BOM, for Excel)."""
    out = io.StringIO()
    out.write("\ufeff")
    w = csv_writer(out, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for r in reports:
        day = r.day.isoformat()
        for label, value in header_lines(r):
            w.writerow((day, r.site, "header", label, label, "", value))
        for s in sections(r):
            rows = list(s.rows) + ([("total", s.total)] if s.total is not None else [])
            for key, values in rows:
                for c, v in list(zip(s.columns, values, strict=False))[1:]:
                    w.writerow((day, r.site, s.key, key, values[0], c.title, _csv_value(v)))
    return out.getvalue()


def _csv_value(v: Value) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.isoformat(timespec="minutes")
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)
