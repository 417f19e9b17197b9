"""The look shared by the close-of-month workbook's sheets and its transfer voucher.

Number formats, fonts, borders, the Japanese labels, and small helpers for a
write-only openpyxl sheet (a styled cell, an A4 sheet, a title, a header row).
Both :mod:`reconcile_workbook` and :mod:`reconcile_voucher` import it; neither
imports the other's private helpers.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from copy import copy
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from madoguchi.domain.brands import BRANDS
from madoguchi.domain.receipt import JST

YEN = '#,##0"円";[Red]"△"#,##0"円"'
COUNT = "#,##0"
DATE = "yyyy/mm/dd"
DATETIME = "yyyy/mm/dd hh:mm:ss"
FONT = "游ゴシック"
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
BRAND_NAMES = {b.code: b.name for b in BRANDS}
CATEGORY_JA = {"emoney": "電子マネー", "credit": "クレジット", "qr": "QRコード", "cash": "現金"}
ROW_KIND_JA = {"sale": "売上", "refund": "返金", "cancel": "取消", "chargeback": "チャージバック",
               "adjustment": "調整"}
STATUS_JA = {"approved": "承認", "declined": "拒否", "unknown": "処理未了", "refunded": "返金済",
             "cancelled": "取消済"}
INCIDENT_JA = {"cash_jam": "釣銭機の詰まり", "cashless_unknown": "処理未了（キャッシュレス）",
               "fee_due": "手数料の未収（お客様対応）", "refund_owed": "返金の必要（お客様対応）",
               "bank_transfer_refund": "口座振込による返金"}


def jst(moment: dt.datetime | str | None) -> dt.datetime | None:
    """A moment as a naive JST date-time, which Excel shows as people write it (2026/11/02 10:00)."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.astimezone(JST).replace(tzinfo=None) if moment.tzinfo else moment


def jst_text(moment: dt.datetime | str | None) -> str:
    at = jst(moment)
    return at.strftime("%Y/%m/%d %H:%M") if at else "-"


def cell(ws: Any, value: Any, *, bold: bool = False, fmt: str | None = None, box: bool = False,
       head: bool = False, size: float = 10, wrap: bool = False, align: str | None = None) -> Cell:
    cell = WriteOnlyCell(ws, value=value)
    # Each distinct look is built once per workbook and copied after that: openpyxl looks a
    # new Font or Border up in the workbook's style tables by hashing it, which for a
    # month's exceptions (tens of thousands of cells) took most of the workbook's time.
    styles: dict[tuple[Any, ...], Any] = ws.parent.__dict__.setdefault("_madoguchi_styles", {})
    key = (bold or head, fmt, box or head, head, size, wrap, align)
    known = styles.get(key)
    if known is not None:
        cell._style = copy(known)  # type: ignore[attr-defined]  # openpyxl's own, not in its stubs
        return cell
    cell.font = Font(name=FONT, bold=bold or head, size=size)
    if fmt:
        cell.number_format = fmt
    if box or head:
        cell.border = BOX
    if head:
        cell.fill = HEAD_FILL
    if wrap or align:
        cell.alignment = Alignment(wrap_text=wrap, horizontal=align, vertical="center")
    styles[key] = copy(cell._style)  # type: ignore[attr-defined]
    return cell


def new_sheet(wb: Workbook, title: str, widths: Sequence[float], *, landscape: bool = False,
           header_rows: str | None = None) -> Any:
    ws = wb.create_sheet(title)
    for n, w in enumerate(widths):
        ws.column_dimensions[column_letter(n)].width = w
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.print_options.horizontalCentered = True
    if header_rows:
        ws.print_title_rows = header_rows
    return ws


def column_letter(n: int) -> str:
    return chr(ord("A") + n) if n < 26 else "A" + chr(ord("A") + n - 26)


def title(ws: Any, text: str, sub: str) -> None:
    ws.append([cell(ws, text, bold=True, size=14)])
    ws.append([cell(ws, sub)])
    ws.append([])


def head(ws: Any, names: list[str]) -> None:
    ws.append([cell(ws, n, head=True, wrap=True, align="center") for n in names])
