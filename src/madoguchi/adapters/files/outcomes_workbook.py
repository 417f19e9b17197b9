"""The outcomes of a period (a month, from ``/office/outcomes``) as an Excel workbook.

Three sheets: 概要 (the figures), 拠点別 (per site) and ブランド別 (per brand). Shares are
written as the exact decimals computed (formatted as percentages), yen as integers; saved
through :func:`~madoguchi.adapters.files.writing.save_workbook` (formulas neutralised).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from madoguchi.adapters.files.writing import new_workbook, save_workbook

PERCENT = "0.00%"
YEN = "#,##0"
_GROUP_HEAD = ("件数", "うちキャッシュレス", "金額（円）", "うちキャッシュレス（円）", "キャッシュレス比率（件数）",
               "キャッシュレス比率（金額）")
_GROUP_KEYS = ("payments", "cashless_payments", "amount", "cashless_amount", "cashless_share",
               "cashless_amount_share")
_METHODS = {"cash": "現金", "cashless": "キャッシュレス"}


def write_outcomes(figures: Mapping[str, Any], out: IO[bytes], *, municipality: str) -> None:
    """Write ``figures`` (as :func:`~madoguchi.services.outcomes.figures.outcome_figures` made them) to ``out``."""
    wb = new_workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "概要"
    period = f"{figures['from']} 〜 {figures['to']}" + (f"（{figures['site']}）" if figures["site"] else "")
    rows: list[tuple[str, Any, str | None]] = [
        ("自治体", municipality, None), ("期間", period, None),
        ("支払い件数", figures["payments"], YEN),
        ("非接触の支払い（決済機で完結）", figures["contact_free_payments"], YEN),
        ("キャッシュレス件数", figures["cashless_payments"], YEN),
        ("キャッシュレス比率（件数）", figures["cashless_share"], PERCENT),
        ("キャッシュレス比率（金額）", figures["cashless_amount_share"], PERCENT),
        ("目標のキャッシュレス比率", figures["target_share"], PERCENT),
        ("金額（円）", figures["amount"], YEN),
    ]
    for method, label in _METHODS.items():
        rows.append((f"支払いまでの時間・中央値（秒）{label}", figures["median_seconds_to_pay"].get(method), "0.0"))
        rows.append((f"支払いまでの時間・90%値（秒）{label}", figures["p90_seconds_to_pay"].get(method), "0.0"))
    rows.append(("窓口での滞在時間・中央値（秒）", figures["median_seconds_at_counter"], "0.0"))
    rows.append(("決済手数料（円）", figures["settlement_fees"], YEN))
    cost = figures["cost_per_payment"]
    rows.append(("1件あたりの運用費（円）", None if cost is None else cost["yen_per_payment"], YEN))
    for label, value, number_format in rows:
        ws.append([label, "—" if value is None else value])
        if number_format and value is not None:
            ws.cell(row=ws.max_row, column=2).number_format = number_format
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 24
    _group_sheet(wb.create_sheet("拠点別"), "拠点", figures["by_site"])
    _group_sheet(wb.create_sheet("ブランド別"), "ブランド", figures["by_brand"])
    save_workbook(wb, out)


def _group_sheet(ws: Any, what: str, groups: Mapping[str, Mapping[str, Any]]) -> None:
    ws.append([what, *_GROUP_HEAD])
    for name, g in groups.items():
        ws.append([name, *("—" if g[k] is None else g[k] for k in _GROUP_KEYS)])
        for col, key in enumerate(_GROUP_KEYS, start=2):
            ws.cell(row=ws.max_row, column=col).number_format = PERCENT if "share" in key else YEN
    ws.column_dimensions["A"].width = 16
