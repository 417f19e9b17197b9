"""The 公金振替 transfer voucher sheet: the month's fees moved from expenditure to revenue.

The agent deposits net of its fees, but revenue is booked gross (総計予算主義), so the
fee-equivalent amount is paid from the expenditure line (役務費・手数料, a setting)
into revenue. The voucher names the amount, both sides with their lines, the gross
revenue per revenue line (歳入科目) with its share of the fees, per site and per
brand, and leaves boxes for the seals of those who prepare, check and approve it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from openpyxl import Workbook

from madoguchi.adapters.files.reconcile_workbook import BRAND_NAMES, YEN, _c, _head, _sheet
from madoguchi.domain.receipt import JST, wareki
from madoguchi.domain.reconcile import Month

SIGNERS = ("起票者", "審査", "係長", "課長", "会計管理者")


def fiscal_year_ja(day: dt.date) -> str:
    """令和8年度 for April 2026 to March 2027 (the Japanese fiscal year starts in April)."""
    start = dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    return wareki(start).split("年")[0] + "年度"


def voucher_sheet(wb: Workbook, *, summary: dict[str, Any], month: Month, municipality: str,
                  site_names: dict[str, str], produced_at: dt.datetime) -> None:
    ws = _sheet(wb, "公金振替伝票", [16, 18, 22, 16, 36])
    today = produced_at.astimezone(JST).date()
    transfer = summary["transfer"]
    ws.append([_c(ws, "公 金 振 替 伝 票", bold=True, size=16)])
    ws.append([_c(ws, municipality), None, None, _c(ws, f"起票日 {wareki(today)}")])
    ws.append([_c(ws, f"会計年度 {fiscal_year_ja(month.last)}"), None, None,
               _c(ws, f"伝票番号 振替-{month}")])
    ws.append([])
    ws.append([_c(ws, "振替金額", head=True), _c(ws, transfer["amount"], fmt=YEN, bold=True, box=True, size=14)])
    ws.append([_c(ws, "摘要", head=True),
               _c(ws, f"{month.label_ja} キャッシュレス収納に係る指定納付受託者の決済手数料相当額の振替"
                      "（入金は手数料控除後のため、歳入を総額で計上する）")])
    ws.append([])
    _head(ws, ["区分", "科目コード", "科目", "金額", "内訳・備考"])
    ws.append([_c(ws, "支出（歳出）", box=True), _c(ws, transfer["from"]["code"], box=True),
               _c(ws, transfer["from"]["name"], box=True), _c(ws, transfer["amount"], fmt=YEN, box=True),
               _c(ws, "収納代行手数料（明細の手数料合計）", box=True)])
    lines = transfer["to"] or [{"code": "-", "name": "歳入（科目別の内訳なし）", "gross": summary["statement_gross"],
                                "fee_share": transfer["amount"]}]
    for line in lines:
        ws.append([_c(ws, "収入（歳入）", box=True), _c(ws, line["code"], box=True), _c(ws, line["name"], box=True),
                   _c(ws, line["fee_share"], fmt=YEN, box=True),
                   _c(ws, f"キャッシュレス収納総額 {line['gross']:,}円 の按分", box=True)])
    ws.append([_c(ws, "合計", head=True), _c(ws, None, head=True), _c(ws, None, head=True),
               _c(ws, sum(x["fee_share"] for x in lines), fmt=YEN, head=True), _c(ws, None, head=True)])
    ws.append([])
    _head(ws, ["窓口", "", "", "収納総額", "手数料"])
    for site, row in summary["by_site"].items():
        if site:
            ws.append([_c(ws, site_names.get(site, site), box=True), None, None,
                       _c(ws, row.get("statement_gross", 0), fmt=YEN, box=True),
                       _c(ws, row.get("fee", 0), fmt=YEN, box=True)])
    ws.append([])
    _head(ws, ["ブランド", "", "", "収納総額", "手数料"])
    for brand, row in summary["by_brand"].items():
        if row.get("statement_gross") or row.get("fee"):
            ws.append([_c(ws, BRAND_NAMES.get(brand, brand), box=True), None, None,
                       _c(ws, row.get("statement_gross", 0), fmt=YEN, box=True),
                       _c(ws, row.get("fee", 0), fmt=YEN, box=True)])
    ws.append([])
    ws.append([_c(ws, s, head=True, align="center") for s in SIGNERS])
    for _ in range(3):
        ws.append([_c(ws, None, box=True) for _ in SIGNERS])
    ws.append([_c(ws, f"照合件数 {sum(summary['counts'].values()):,} 件（区分の内訳は「概要」シート）", size=8)])
