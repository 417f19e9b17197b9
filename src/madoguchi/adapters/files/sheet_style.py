"""Look of the daily sheet: fonts, number formats, colours, A4 page setup, and a writer
that lays tables (:class:`~madoguchi.adapters.files.daily_layout.Section`) down a worksheet.

Every row gets an explicit height, so the writer knows how much of an A4 page each
table takes and can start a table on a new page rather than leave its heading alone
at the foot of one.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from copy import copy
from typing import Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from madoguchi.adapters.files.daily_layout import Section, Value

FONT = "游ゴシック"
FORMATS = {"yen": '"¥"#,##0;[Red]"△¥"#,##0', "count": '#,##0"件"', "copies": '#,##0"通"',
           "pieces": '#,##0"枚"', "percent": "0.0%", "datetime": "yyyy-mm-dd hh:mm", "date": "yyyy-mm-dd",
           "text": "@"}
NAVY, PALE, GREY, LINE = "1F3864", "DDE5F0", "F2F2F2", "8EA0B8"
THIN = Side(style="thin", color=LINE)
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WIDTHS = (16, 25, 12.5, 12.5, 12.5, 12.5, 12.5, 12.5)
ROW, HEADING, LINE_HEIGHT = 15.0, 19.0, 12.5
#: A4 in points, and the margins set by :func:`page_setup` (inches).
A4 = (595.0, 842.0)
MARGINS = {"left": 0.5, "right": 0.5, "top": 0.7, "bottom": 0.6}


def font(size: float = 9.5, bold: bool = False, color: str = "000000") -> Font:
    return Font(name=FONT, size=size, bold=bold, color=color)


def western(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def page_setup(ws: Worksheet, *, landscape: bool, header: str) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    fit, top, bottom = ws.sheet_properties.pageSetUpPr, ws.oddHeader, ws.oddFooter
    assert fit is not None and top is not None and bottom is not None  # openpyxl makes them with the sheet
    fit.fitToPage = True
    for side, inches in MARGINS.items():
        setattr(ws.page_margins, side, inches)
    ws.print_options.horizontalCentered = True
    top.right.text = header
    top.right.size = 8
    bottom.center.text = "&P / &N"
    bottom.center.size = 8
    ws.sheet_view.showGridLines = False


def text_width(text: str) -> float:
    """Column widths a text takes at the sheet's font size: a full-width character about 1.7."""
    return sum(1.7 if ord(ch) > 0x2E7F else 1.0 for ch in text)


def _border(kind: str, part: str) -> Border:
    """The border of one cell of a ``kind`` of row; ``part`` says where it sits in a span."""
    if kind == "none":
        return Border()
    if kind == "heading":
        return Border(bottom=Side(style="medium", color=NAVY))
    left = THIN if part in ("single", "first") else None
    right = THIN if part in ("single", "last") else None
    top = Side(style="double", color="404040") if kind == "total" else THIN
    return Border(left=left, right=right, top=top, bottom=THIN)


class SheetWriter:
    """Writes sections down a worksheet, one table after another.

    Styles are built once per combination and copied to each cell (openpyxl hashes a
    style object on every assignment, which dominates a large sheet otherwise). A
    label spanning several columns is one cell whose text runs over its empty
    neighbours, drawn as one box; only centred or wrapped spans are merged.
    """

    def __init__(self, ws: Worksheet, widths: Sequence[float], styles: dict[tuple[Any, ...], Any] | None = None):
        self.ws, self.widths, self.width, self.row = ws, tuple(widths), len(widths), 1
        self.blocks: list[tuple[int, int]] = []  # first and last row of each table
        self.styles = {} if styles is None else styles

    def height(self, points: float, row: int | None = None) -> None:
        self.ws.row_dimensions[row or self.row].height = points

    def cell(self, col: int, value: Value, *, fmt: str = "text", span: int = 1, bold: bool = False,
             fill: str | None = None, border: str = "box", align: str | None = None, wrap: bool = False,
             shrink: bool = False, size: float = 9.5, color: str = "000000") -> None:
        number = FORMATS[fmt] if value is not None and not isinstance(value, str) else "@"
        horizontal = align or ("left" if isinstance(value, str) or value is None else "right")
        merge = span > 1 and (wrap or horizontal == "center")
        for k in range(span):
            part = "single" if span == 1 or merge else ("first" if k == 0 else "last" if k == span - 1 else "middle")
            key = (number, bold, fill, border, part, horizontal, wrap, shrink and span == 1, size, color)
            c = self.ws.cell(row=self.row, column=col + k, value=value if k == 0 else None)
            cached = self.styles.get(key)
            if cached is not None:
                c._style = copy(cached)  # type: ignore[attr-defined]  # openpyxl's own, not in its stubs
                continue
            c.font = font(size, bold, color)
            c.number_format = number
            c.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=wrap,
                                    shrink_to_fit=shrink and span == 1)
            c.border = _border(border, part)
            if fill:
                c.fill = PatternFill("solid", fgColor=fill)
            self.styles[key] = copy(c._style)  # type: ignore[attr-defined]
        if merge:
            self.ws.merge_cells(start_row=self.row, start_column=col, end_row=self.row, end_column=col + span - 1)

    def heading(self, text: str) -> None:
        self.cell(1, text, span=self.width, bold=True, fill=NAVY, color="FFFFFF", size=10.5, border="heading")
        self.height(HEADING)
        self.row += 1

    def section(self, s: Section) -> None:
        first = self.row
        self.heading(s.title)
        col = 1
        for c in s.columns:
            self.cell(col, c.title, span=c.span, bold=True, fill=PALE, align="center")
            col += c.span
        self.height(ROW)
        self.row += 1
        if not s.rows:
            self.cell(1, "該当なし", span=sum(c.span for c in s.columns), color="666666")
            self.height(ROW)
            self.row += 1
        for _key, values in s.rows:
            self._values(s, values, wrap=True)
        if s.total is not None:
            self._values(s, s.total, bold=True, fill=GREY, border="total")
        self.blocks.append((first, self.row - 1))
        self.height(8)
        self.row += 1

    def _values(self, s: Section, values: Sequence[Value], *, bold: bool = False, fill: str | None = None,
                border: str = "box", wrap: bool = False) -> None:
        col, lines = 1, 1
        for c, v in zip(s.columns, values, strict=False):
            room = sum(self.widths[col - 1 + k] for k in range(c.span) if col - 1 + k < self.width) - 1
            text = isinstance(v, str) and c.fmt == "text"
            # Wide text columns wrap; a code in a narrow column shrinks to fit instead.
            wraps = wrap and text and room >= 20
            self.cell(col, v, fmt=c.fmt, span=c.span, bold=bold, fill=fill, border=border, wrap=wraps,
                      shrink=text and not wraps)
            if wraps:
                lines = max(lines, math.ceil(text_width(str(v)) / max(room, 1.0)))
            col += c.span
        self.height(ROW if lines == 1 else LINE_HEIGHT * lines + 3)
        self.row += 1

    def paginate(self, *, landscape: bool) -> None:
        """Page breaks so that no table starts in the last few lines of a page, and a table
        shorter than a page is never split."""
        page_w, page_h = (A4[1], A4[0]) if landscape else A4
        printable_w = page_w - 72 * (MARGINS["left"] + MARGINS["right"])
        printable_h = page_h - 72 * (MARGINS["top"] + MARGINS["bottom"])
        # Excel: a column of width w is w digits of Calibri 11 (7 px at 96 dpi), padding included.
        # LibreOffice draws columns wider and so scales the page down more: its pages come
        # out less full, but a table never runs over a page in either.
        sheet_w = sum(w * 7 * 0.75 for w in self.widths)
        capacity = 0.97 * printable_h / min(1.0, printable_w / sheet_w)
        heights = {r: (self.ws.row_dimensions[r].height or ROW) for r in range(1, self.row + 1)}
        used = sum(heights[r] for r in range(1, self.blocks[0][0])) if self.blocks else 0.0
        for first, last in self.blocks:
            size = sum(heights[r] for r in range(first, last + 2))
            lead = sum(heights[r] for r in range(first, min(last, first + 4) + 1))
            if used + size > capacity and (size <= capacity or used + lead > capacity):
                self.ws.row_breaks.append(Break(id=first - 1))
                used = 0.0
            for r in range(first, last + 2):
                if used + heights[r] > capacity:
                    self.ws.row_breaks.append(Break(id=r - 1))
                    used = 0.0
                used += heights[r]


def title_block(w: SheetWriter, *, title: str, subtitle: str, day_line: str) -> None:
    """Rows 1-3: the title, who and when, and the stamp boxes (課長・係長・担当) at the right."""
    ws, span = w.ws, max(1, w.width - 3)
    w.row = 1
    w.cell(1, title, span=span, bold=True, size=18, border="none")
    for n, label in enumerate(("課長", "係長", "担当")):
        w.cell(w.width - 2 + n, label, bold=True, fill=PALE, align="center", size=8.5)
    w.height(28)
    for row, text in ((2, subtitle), (3, day_line)):
        w.row = row
        w.cell(1, text, span=span, bold=True, size=12, border="none")
        w.height(22)
    for n in range(3):
        col = w.width - 2 + n
        for row in (2, 3):
            ws.cell(row=row, column=col).border = BOX
        ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    w.row = 4
    w.height(8)
    w.row = 5
