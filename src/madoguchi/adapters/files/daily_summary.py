"""The summary sheet (集計) of the daily workbook: one line per site, and the revenue lines
(歳入科目) of all sites together, which is what the accounting section books.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from madoguchi.adapters.files.daily_layout import OVER_SHORT_KEY, Column, Section, Value, over_short_row
from madoguchi.adapters.files.sheet_style import ROW, SheetWriter, page_setup, title_block, western
from madoguchi.domain.day_report import CATEGORIES, DayReport, Tally
from madoguchi.domain.receipt import JST, wareki

SUMMARY_WIDTHS = (12, 12, 9, 10, 12, 12, 12, 12, 12, 11, 11, 12, 15, 12, 9, 12)


def _whole(v: Value) -> int:
    """A count or yen cell as a number to add up (an empty one counts 0)."""
    return int(v) if isinstance(v, int | float) else 0


def _site_row(r: DayReport) -> tuple[Value, ...]:
    t = r.totals
    cats = [t.by_category.get(c, Tally()).amount for c in CATEGORIES]
    return (r.site_name, "締め済" if r.closed else "未締め", t.sales_count, t.gross, *cats, t.refunds.amount,
            t.adjustment_total, t.net, float(t.cashless_share), r.over_short, r.open_incidents,
            r.person(r.approved_by) if r.approved_by else "")


def site_section(reports: Sequence[DayReport]) -> Section:
    cols = (Column("窓口", span=2), Column("状態"), Column("取扱件数", "count"), Column("収納額", "yen"),
            Column("現金", "yen"), Column("電子マネー", "yen"), Column("クレジット", "yen"), Column("QRコード", "yen"),
            Column("返金額", "yen"), Column("修正額", "yen"), Column("差引収納額", "yen"),
            Column("キャッシュレス比率", "percent"), Column("現金過不足", "yen"), Column("未解決", "count"),
            Column("承認者"))
    rows = tuple((r.site, _site_row(r)) for r in reports)
    total: tuple[Value, ...] | None = None
    if rows:
        sums = [sum(_whole(row[k]) for _key, row in rows) for k in range(2, 11)]
        paid = sum(r.totals.payments.count for r in reports)
        share = sum(r.totals.cashless.count for r in reports) / paid if paid else 0.0
        shorts = [r.over_short for r in reports]
        total = ("合計", None, *sums, share, None if None in shorts else sum(s or 0 for s in shorts),
                 sum(r.open_incidents for r in reports), None)
    return Section("sites", "窓口別", cols, rows, total)


def revenue_section(reports: Sequence[DayReport]) -> Section:
    lines: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for r in reports:
        t = r.totals
        adj = t.adjustments_by("revenue_line")
        for code in set(t.by_revenue_line) | set(t.refunds_by_revenue_line) | set(adj):
            got, back = t.by_revenue_line.get(code, Tally()), t.refunds_by_revenue_line.get(code, Tally())
            row = lines.setdefault(code, [0, 0, 0, 0])
            row[0] += got.count
            row[1] += got.amount
            row[2] += back.amount
            row[3] += adj.get(code, Tally()).amount
            names[code] = r.name(code)
    rows: tuple[tuple[str, tuple[Value, ...]], ...] = tuple((code, (code, names[code], c, a, b, j, a - b + j))
                 for code, (c, a, b, j) in sorted(lines.items()))
    over_short = [over_short_row(r.totals) for r in reports]
    rows += ((OVER_SHORT_KEY, ("現金過不足", "精算機の過不足・その戻入", None, None, None,
                               sum(_whole(x[5]) for x in over_short), sum(_whole(x[6]) for x in over_short))),)
    cols = (Column("科目コード"), Column("歳入科目", span=2), Column("通数", "copies"), Column("収納額", "yen"),
            Column("返金額", "yen"), Column("修正額", "yen"), Column("差引", "yen"))
    total = ("合計", None, *(sum(_whole(row[k]) for _key, row in rows) for k in range(2, 7)))
    return Section("revenue_lines", "歳入科目別（全窓口）", cols, rows, total)


def write_summary(ws: Worksheet, reports: list[DayReport], styles: dict[Any, Any] | None = None) -> None:
    ws.title = "集計"
    for n, width in enumerate(SUMMARY_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(n)].width = width
    w = SheetWriter(ws, SUMMARY_WIDTHS, styles)
    day = reports[0].day if reports else None
    municipality = reports[0].municipality if reports else ""
    title_block(w, title="日次処理表（集計）", subtitle=municipality,
                day_line=f"営業日　{wareki(day)}（{western(day)}）" if day else "")
    if reports:
        at = reports[0].generated_at.astimezone(JST)
        closed = sum(1 for r in reports if r.closed)
        w.cell(1, f"出力日時 {at:%Y-%m-%d %H:%M}　締め済 {closed} / {len(reports)} 窓口", span=8,
               border="none", size=9, color="404040")
        w.height(ROW)
    w.row += 2
    w.section(site_section(reports))
    w.section(revenue_section(reports))
    w.paginate(landscape=True)
    page_setup(ws, landscape=True, header=f"{municipality} 日次処理表（集計） {day.isoformat() if day else ''}")
    ws.print_area = f"A1:{get_column_letter(len(SUMMARY_WIDTHS))}{w.row}"
