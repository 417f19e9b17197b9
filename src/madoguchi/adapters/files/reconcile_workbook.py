"""The monthly reconciliation workbook (月次照合報告) for the accounting section.

Sheets: 概要 (summary), one sheet per exception class with both sides of each item,
手数料 (fees by brand), 入金 (deposits), 公金振替伝票 (the transfer voucher, with
signature boxes), 未解決 (open incidents with age), 三者照合 (register / daily sheet /
statement by day). Only exceptions go to Excel, written in openpyxl's write-only mode
so a month of a million rows costs no more than its exceptions; the matched rows go
to a CSV beside the workbook. Yen as numbers with a yen format; A4 print setup.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from madoguchi.adapters.files.reconcile_sheet import (
    BRAND_NAMES,
    CATEGORY_JA,
    COUNT,
    DATE,
    DATETIME,
    INCIDENT_JA,
    ROW_KIND_JA,
    STATUS_JA,
    YEN,
    cell,
    head,
    jst,
    jst_text,
    new_sheet,
    title,
)
from madoguchi.adapters.files.reconcile_voucher import voucher_sheet
from madoguchi.adapters.files.writing import new_workbook, save_workbook
from madoguchi.domain.brands import BRANDS
from madoguchi.domain.receipt import JST, wareki
from madoguchi.domain.reconcile import CLASS_LABELS_JA, MatchClass


def write_workbook(path: Path, *, outcome: Any, summary: dict[str, Any], municipality: str,
                   site_names: dict[str, str], produced_at: dt.datetime, produced_by: str = "") -> None:
    """``produced_by``: the name of who ran the month (a person's name, not a login id)."""
    wb = new_workbook(write_only=True)
    month = outcome.summary.month
    by = f"  作成者 {produced_by}" if produced_by else ""
    sub = (f"{municipality}  {month.label_ja}（{month}）  作成 {wareki(produced_at.astimezone(JST).date())} "
           f"{jst_text(produced_at)[-5:]}{by}")
    _summary_sheet(wb, outcome, summary, sub)
    by_class: dict[MatchClass, list[Any]] = {}
    for f in outcome.findings:
        if f.cls is not MatchClass.MATCHED:
            by_class.setdefault(f.cls, []).append(f)
    for cls in MatchClass:
        if cls in by_class:
            _exceptions_sheet(wb, cls, by_class[cls], sub, site_names)
    _fees_sheet(wb, outcome, sub)
    _deposits_sheet(wb, outcome, sub)
    voucher_sheet(wb, summary=summary, month=month, municipality=municipality,
                  site_names=site_names, produced_at=produced_at)
    _incidents_sheet(wb, summary["open_incidents"], sub, site_names)
    _three_way_sheet(wb, outcome, sub, site_names)
    save_workbook(wb, path)


def _summary_sheet(wb: Workbook, outcome: Any, summary: dict[str, Any], sub: str) -> None:
    ws = new_sheet(wb, "概要", [30, 18, 16, 40])
    title(ws, "収納代行 月次照合報告（月次処理）", sub)
    s = outcome.summary
    state = "すべての明細を受領（確定）" if outcome.complete else "明細未着あり（暫定）"
    ws.append([cell(ws, "明細の状態"), cell(ws, state)])
    for st in summary["statements"]:
        ws.append([cell(ws, "収納明細ファイル"), cell(ws, st["filename"]), cell(ws, st["rows"], fmt=COUNT),
                   cell(ws, f"sha256 {st['sha256'][:16]}…  {'新規取込' if st['new'] else '取込済'}")])
    ws.append([])
    head(ws, ["照合結果の区分", "件数", "", "区分コード"])
    for cls in MatchClass:
        ws.append([cell(ws, CLASS_LABELS_JA[cls], box=True), cell(ws, s.counts.get(cls.value, 0), fmt=COUNT, box=True),
                   None, cell(ws, cls.value)])
    ws.append([])
    head(ws, ["金額", "円", "", "備考"])
    figures = [("レジ計上額（キャッシュレス）", s.register_gross, "register_gross"),
               ("明細の売上総額", s.statement_gross, "statement_gross"),
               ("明細の手数料", s.fees, "fees"), ("料率表による手数料", s.expected_fees, "expected_fees"),
               ("入金額（手数料控除後）", s.net, "net"), ("公金振替額", summary["transfer_amount"], "transfer_amount")]
    for label, value, key in figures:
        ws.append([cell(ws, label, box=True), cell(ws, value, fmt=YEN, box=True), None, cell(ws, key)])
    ws.append([])
    days = [d for d in s.days if d.differs]
    ws.append([cell(ws, "三者照合で差のある日"), cell(ws, len(days), fmt=COUNT)])
    ws.append([cell(ws, "未解決の事故"), cell(ws, len(summary["open_incidents"]), fmt=COUNT)])


_EXC_HEAD = ["区分", "レジ 取引番号", "レジ 承認番号", "端末", "窓口", "ブランド", "レジ 金額", "レジ 状態",
             "レジ 日時", "明細 ファイル:行", "明細 日時", "明細 取引番号", "明細 種別", "明細 売上",
             "明細 手数料", "料率表 手数料", "明細 入金額", "入金日", "備考"]


def _exceptions_sheet(wb: Workbook, cls: MatchClass, findings: list[Any], sub: str,
                      site_names: dict[str, str]) -> None:
    # B and L hold a merchant reference: a UUID, 36 characters, shown whole.
    widths = [12, 37, 12, 14, 12, 11, 10, 9, 17, 22, 17, 37, 8, 10, 9, 9, 10, 11, 40]
    ws = new_sheet(wb, CLASS_LABELS_JA[cls][:31], widths, landscape=True, header_rows="4:4")
    # The column names and the first two columns stay in view. A write-only sheet writes its
    # view with the first row, so the pane is set before anything is appended.
    ws.freeze_panes = "C5"
    title(ws, f"例外: {CLASS_LABELS_JA[cls]}（{cls.value}） {len(findings)}件", sub)
    head(ws, _EXC_HEAD)
    for f in findings:
        p = f.payment
        left = ([cell(ws, CLASS_LABELS_JA[cls]), cell(ws, p.ref), cell(ws, p.processor_ref), cell(ws, p.terminal_id),
                 cell(ws, site_names.get(p.site, p.site)), cell(ws, BRAND_NAMES.get(p.brand or "", p.brand)),
                 cell(ws, p.amount, fmt=YEN), cell(ws, STATUS_JA.get(p.status, p.status)),
                 cell(ws, jst(p.paid_at), fmt=DATETIME)]
                if p else [cell(ws, CLASS_LABELS_JA[cls])] + [None] * 8)
        note = f.note + (f"（候補: {', '.join(f.candidates)}）" if f.candidates else "")
        if not f.rows:
            ws.append(left + [None] * 9 + [cell(ws, note)])
        for n, r in enumerate(f.rows):
            right = [cell(ws, f"{r.source}:{r.line}"), cell(ws, jst(r.transaction_at), fmt=DATETIME),
                     cell(ws, r.merchant_reference), cell(ws, ROW_KIND_JA.get(r.kind.value, r.kind.value)),
                     cell(ws, r.gross, fmt=YEN), cell(ws, r.fee, fmt=YEN),
                     cell(ws, f.expected_fee if n == 0 else None, fmt=YEN),
                     cell(ws, r.net, fmt=YEN), cell(ws, r.deposit_date, fmt=DATE), cell(ws, note if n == 0 else None)]
            ws.append((left if n == 0 else [None] * 9) + right)


def _fees_sheet(wb: Workbook, outcome: Any, sub: str) -> None:
    ws = new_sheet(wb, "手数料(ブランド別)", [16, 12, 10, 10, 14, 14, 14, 14, 12], header_rows="4:4")
    title(ws, "ブランド別 手数料（料率は税込、百万分率を%表示）", sub)
    head(ws, ["ブランド", "区分", "料率(%)", "明細件数", "売上総額", "明細の手数料", "料率表の手数料", "差額",
               "入金額"])
    rates = outcome.rates
    day = outcome.summary.month.last
    totals = [0, 0, 0, 0, 0]
    for b in BRANDS:
        row = outcome.summary.by_brand.get(b.code)
        if not row:
            continue
        ppm = rates.ppm(b.code, day)
        values = [row.get("rows", 0), row.get("statement_gross", 0), row.get("fee", 0),
                  row.get("expected_fee", 0), row.get("net", 0)]
        totals = [a + v for a, v in zip(totals, values, strict=True)]
        ws.append([cell(ws, b.name, box=True), cell(ws, CATEGORY_JA[b.category.value], box=True),
                   cell(ws, Decimal(ppm) / Decimal(10_000), fmt="0.000", box=True),
                   cell(ws, values[0], fmt=COUNT, box=True), cell(ws, values[1], fmt=YEN, box=True),
                   cell(ws, values[2], fmt=YEN, box=True), cell(ws, values[3], fmt=YEN, box=True),
                   cell(ws, values[2] - values[3], fmt=YEN, box=True), cell(ws, values[4], fmt=YEN, box=True)])
    ws.append([cell(ws, "合計", head=True), cell(ws, None, head=True), cell(ws, None, head=True),
               cell(ws, totals[0], fmt=COUNT, head=True), cell(ws, totals[1], fmt=YEN, head=True),
               cell(ws, totals[2], fmt=YEN, head=True), cell(ws, totals[3], fmt=YEN, head=True),
               cell(ws, totals[2] - totals[3], fmt=YEN, head=True), cell(ws, totals[4], fmt=YEN, head=True)])


def _deposits_sheet(wb: Workbook, outcome: Any, sub: str) -> None:
    ws = new_sheet(wb, "入金", [16, 18, 18, 16], header_rows="4:4")
    title(ws, "入金予定と明細の入金額（入金日別）", sub)
    head(ws, ["入金日", "予定入金額（レジ）", "明細の入金額", "差額"])
    for d in outcome.summary.deposits:
        ws.append([cell(ws, d.date, fmt=DATE, box=True), cell(ws, d.expected_net, fmt=YEN, box=True),
                   cell(ws, d.statement_net, fmt=YEN, box=True),
                   cell(ws, d.statement_net - d.expected_net, fmt=YEN, box=True)])


def _incidents_sheet(wb: Workbook, incidents: list[dict[str, Any]], sub: str, site_names: dict[str, str]) -> None:
    ws = new_sheet(wb, "未解決事故", [18, 14, 12, 10, 10, 8, 40, 34], landscape=True, header_rows="4:4")
    title(ws, f"未解決の事故・照会（{len(incidents)}件、経過日数つき）", sub)
    head(ws, ["発生日時", "種類", "窓口", "ブランド", "金額", "経過日数", "内容", "最後の照会（相手・日時・回答）"])
    for i in incidents:
        q = i.get("last_inquiry")
        asked = f"{q['asked_whom']} {jst_text(q['asked_at'])}：{q['answer'] or '回答待ち'}" if q else "未照会"
        ws.append([cell(ws, jst(i["opened_at"]), fmt="yyyy/mm/dd hh:mm", box=True),
                   cell(ws, INCIDENT_JA.get(i["kind"], i["kind"]), box=True),
                   cell(ws, site_names.get(i["site"], i["site"]), box=True),
                   cell(ws, BRAND_NAMES.get(i["brand"] or "", i["brand"]), box=True),
                   cell(ws, i["amount"], fmt=YEN, box=True), cell(ws, i["age_days"], fmt=COUNT, box=True),
                   cell(ws, i["summary"], box=True, wrap=True), cell(ws, asked, box=True, wrap=True)])


def _three_way_sheet(wb: Workbook, outcome: Any, sub: str, site_names: dict[str, str]) -> None:
    ws = new_sheet(wb, "三者照合", [11, 13, 13, 13, 12, 12, 13, 13, 12, 7, 70], landscape=True, header_rows="4:4")
    title(ws, "三者照合：レジ記録・日次処理表（締め済の窓口）・収納明細（日別、キャッシュレス）", sub)
    head(ws, ["日付", "レジ 全窓口", "レジ 締め済", "日次処理表", "訂正＋", "訂正－", "処理表 訂正後", "収納明細",
               "未締め", "判定", "関係する取引・訂正（一件一行）"])
    for d in outcome.summary.days:
        unclosed = "、".join(site_names.get(s, s) for s in d.unclosed)
        sheet = d.daily_sheet is not None
        notes = [*d.refs, *(c.text_ja(d.day) for c in d.corrections)] or [""]
        ws.append([cell(ws, d.day, fmt=DATE, box=True), cell(ws, d.register, fmt=YEN, box=True),
                   cell(ws, d.register_closed if sheet else "未締め", fmt=YEN, box=True),
                   cell(ws, d.daily_sheet if sheet else "未締め", fmt=YEN, box=True),
                   cell(ws, d.corrections_in, fmt=YEN, box=True), cell(ws, d.corrections_out, fmt=YEN, box=True),
                   cell(ws, d.explained_sheet if sheet else "未締め", fmt=YEN, box=True),
                   cell(ws, d.statement, fmt=YEN, box=True), cell(ws, unclosed or "-", box=True),
                   cell(ws, "差あり" if d.differs else "一致", box=True), cell(ws, notes[0], box=True)])
        for note in notes[1:]:  # one per line: a long reference list never hides behind a row's height
            ws.append([None] * 10 + [cell(ws, note, box=True)])
    ws.append([])
    ws.append([cell(ws, "訂正＋：他日の日次処理表に計上された当日分（締め後の処理未了の計上、後日の端末取消）。"
                      "訂正－：当日の日次処理表に計上された他日分。"
                      "処理表 訂正後 ＝ 日次処理表 ＋ 訂正＋ － 訂正－ ＝ レジ 締め済。")])
