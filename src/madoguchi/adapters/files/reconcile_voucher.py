"""The 公金振替 transfer voucher sheet: the month's fees moved from expenditure to revenue.

The agent deposits net of its fees, but revenue is booked gross (総計予算主義), so the
fee-equivalent amount is paid from the expenditure line (役務費・手数料, a setting)
into revenue. The voucher names the amount (the fees of our own payments only, see
:mod:`madoguchi.domain.reconcile_transfer`), both sides with their lines, the
breakdowns by revenue line (歳入科目), by deposit date and by site (each adding up to
the amount), the disputed rows (照会中) kept out of it, and boxes for the seals of
those who prepare, check and approve it. While the month's statements are incomplete
it says 暫定 in its title.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from openpyxl import Workbook

from madoguchi.adapters.files.reconcile_sheet import BRAND_NAMES, DATE, YEN, cell, head, new_sheet
from madoguchi.domain.receipt import JST, wareki
from madoguchi.domain.reconcile import Month

SIGNERS = ("起票者", "審査", "係長", "課長", "会計管理者")


def fiscal_year_ja(day: dt.date) -> str:
    """令和8年度 for April 2026 to March 2027 (the Japanese fiscal year starts in April)."""
    start = dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    return wareki(start).split("年")[0] + "年度"


def voucher_sheet(wb: Workbook, *, summary: dict[str, Any], month: Month, municipality: str,
                  site_names: dict[str, str], produced_at: dt.datetime) -> None:
    ws = new_sheet(wb, "公金振替伝票", [16, 24, 22, 16, 40])
    today = produced_at.astimezone(JST).date()
    transfer = summary["transfer"]
    provisional = transfer.get("provisional", not summary.get("complete", True))
    title = "公 金 振 替 伝 票" + ("（暫定）" if provisional else "")
    ws.append([cell(ws, title, bold=True, size=16)])
    if provisional:
        through = summary.get("statements_through") or "-"
        ws.append([cell(ws, f"暫定：当月の収納明細が揃っていません（明細は {through} 分まで）。"
                          "全明細の受領後に再度照合して確定してください。", bold=True)])
    ws.append([cell(ws, municipality), None, None, cell(ws, f"起票日 {wareki(today)}")])
    ws.append([cell(ws, f"会計年度 {fiscal_year_ja(month.last)}"), None, None,
               cell(ws, f"伝票番号 振替-{month}" + ("（暫定）" if provisional else ""))])
    ws.append([])
    ws.append([cell(ws, "振替金額", head=True), cell(ws, transfer["amount"], fmt=YEN, bold=True, box=True, size=14)])
    ws.append([cell(ws, "摘要", head=True),
               cell(ws, f"{month.label_ja} キャッシュレス収納に係る指定納付受託者の決済手数料相当額の振替"
                      "（入金は手数料控除後のため、歳入を総額で計上する）")])
    ws.append([])
    head(ws, ["区分", "科目コード", "科目", "金額", "内訳・備考"])
    ws.append([cell(ws, "支出（歳出）", box=True), cell(ws, transfer["from"]["code"], box=True),
               cell(ws, transfer["from"]["name"], box=True), cell(ws, transfer["amount"], fmt=YEN, box=True),
               cell(ws, "当市の収納分について明細で控除された手数料（取消・返金の戻りを含む）", box=True)])
    for line in transfer["to"]:
        ws.append([cell(ws, "収入（歳入）", box=True), cell(ws, line["code"] or "-", box=True),
                   cell(ws, line["name"], box=True), cell(ws, line["fee_share"], fmt=YEN, box=True),
                   cell(ws, "各収納の手数料を科目の金額で按分（最大剰余法）", box=True)])
    _total(ws, sum(x["fee_share"] for x in transfer["to"]))
    ws.append([])
    head(ws, ["入金日", "", "", "手数料", ""])
    for d in transfer.get("by_deposit", []):
        ws.append([cell(ws, dt.date.fromisoformat(d["date"]), fmt=DATE, box=True), None, None,
                   cell(ws, d["fee"], fmt=YEN, box=True), None])
    _total(ws, sum(d["fee"] for d in transfer.get("by_deposit", [])))
    ws.append([])
    head(ws, ["窓口", "", "", "手数料", ""])
    for row in transfer.get("by_site", []):
        ws.append([cell(ws, site_names.get(row["site"], row["site"]), box=True), None, None,
                   cell(ws, row["fee"], fmt=YEN, box=True), None])
    _total(ws, sum(r["fee"] for r in transfer.get("by_site", [])))
    disputed = transfer.get("disputed", [])
    ws.append([])
    ws.append([cell(ws, f"照会中（振替に含めない）{len(disputed)}件 手数料計", bold=True), None, None,
               cell(ws, transfer.get("disputed_fee", 0), fmt=YEN, bold=True)])
    if disputed:
        head(ws, ["明細 ファイル:行", "取引番号", "理由", "手数料", "取引日時・ブランド・売上"])
        for d in disputed:
            why = "明細重複（2行目）" if d["class"] == "duplicate_in_statement" else "当市の収納に無し"
            at = dt.datetime.fromisoformat(d["transaction_at"]).astimezone(JST).strftime("%Y-%m-%d %H:%M")
            done = d.get("resolution")
            if done:  # resolved since: its fee goes to the transfer of the month of the resolution
                why += f"→{done['resolved_on'][:7]}に解決済（{'当市分' if done['ours'] else '当市分でない'}）"
            ws.append([cell(ws, f"{d['source']}:{d['line']}", box=True),
                       cell(ws, d["merchant_reference"] or d["processor_reference"] or "-", box=True),
                       cell(ws, why, box=True), cell(ws, d["fee"], fmt=YEN, box=True),
                       cell(ws, f"{at} {BRAND_NAMES.get(d['brand'], d['brand'])} {d['gross']:,}円", box=True)])
    carried = transfer.get("carried_in", [])
    if carried:
        ws.append([])
        ws.append([cell(ws, f"うち照会解決分（前月までの照会中の行）{len(carried)}件 手数料計", bold=True), None, None,
                   cell(ws, transfer.get("carried_in_fee", 0), fmt=YEN, bold=True)])
        head(ws, ["明細 ファイル:行", "照会した月", "当市の取引番号", "手数料", "解決日・根拠"])
        for c in carried:
            ws.append([cell(ws, f"{c['source']}:{c['line']}", box=True), cell(ws, c["disputed_month"], box=True),
                       cell(ws, c["payment_reference"], box=True), cell(ws, c["fee"], fmt=YEN, box=True),
                       cell(ws, f"{c['resolved_on']} {c['evidence']}", box=True, wrap=True)])
    ws.append([])
    ws.append([cell(ws, s, head=True, align="center") for s in SIGNERS])
    for _ in range(3):
        ws.append([cell(ws, None, box=True) for _ in SIGNERS])
    ws.append([cell(ws, f"照合件数 {sum(summary['counts'].values()):,} 件（区分の内訳は「概要」シート）", size=8)])


def _total(ws: Any, amount: int) -> None:
    ws.append([cell(ws, "合計", head=True), cell(ws, None, head=True), cell(ws, None, head=True),
               cell(ws, amount, fmt=YEN, head=True), cell(ws, None, head=True)])
