"""What the daily sheet (日次処理表) shows, section by section, in the order an accounting
section reads it. The ``.xlsx`` and the CSV both render these sections, so they carry the
same figures; every figure is taken from a :class:`~madoguchi.domain.day_report.DayReport`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from madoguchi.domain.anchor import grouped
from madoguchi.domain.brands import BRANDS, brand
from madoguchi.domain.close import Severity
from madoguchi.domain.day_report import (
    CATEGORIES,
    CATEGORY_JA,
    REFUND_METHOD_JA,
    REFUND_METHODS,
    DayReport,
    DayTotals,
    IncidentLine,
    Tally,
)
from madoguchi.domain.money import DENOMINATIONS
from madoguchi.domain.receipt import JST
from madoguchi.domain.sale import EXEMPTION_LABELS_JA, Exemption

Value = int | float | str | dt.datetime | dt.date | None

INCIDENT_JA = {"cash_jam": "釣銭機詰まり", "cashless_unknown": "処理未了", "refund_owed": "二重決済",
               "bank_transfer_refund": "振込返金"}
RESOLUTION_JA = {"cash_returned": "現金返却済", "paid": "決済成立を確認", "not_paid": "未決済を確認",
                 "done": "振込済", "pending": "振込待ち"}
STATE_JA = {"open": "未解決", "resolved": "解決済"}
SEVERITY_JA = {Severity.ERROR: "要対応", Severity.WARNING: "確認", Severity.INFO: "参考"}


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    fmt: str = "text"  # text | yen | count | copies | pieces | percent | datetime
    span: int = 1      # columns of the sheet it covers


@dataclass(frozen=True, slots=True)
class Section:
    key: str                                   # the CSV's section name
    title: str                                 # the sheet's heading
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, tuple[Value, ...]], ...]  # (row key, values)
    total: tuple[Value, ...] | None = None


def _t(table: dict[str, Tally], key: str) -> Tally:
    return table.get(key, Tally())


def sections(r: DayReport) -> list[Section]:
    t = r.totals
    adj_cat, adj_line = t.adjustments_by("category"), t.adjustments_by("revenue_line")
    out = [Section("summary", "1 概要", (Column("項目", span=2), Column("件数", "count"), Column("金額", "yen")), (
        ("sales", ("取扱件数（完了した取引）", t.sales_count, None)),
        ("payments", ("収納額（総額）", t.payments.count, t.gross)),
        ("refunds", ("返金額", t.refunds.count, t.refunds.amount)),
        ("adjustments", ("修正額（承認済）", len(t.adjustments), t.adjustment_total)),
        ("net", ("差引収納額", None, t.net)),
        ("voids", ("取消（支払前）", t.voids.count, None)),
        ("double_payments", ("二重決済（要返金）", t.double_payments.count, t.double_payments.amount)),
        ("cashless", ("キャッシュレス", t.cashless.count, t.cashless.amount)),
    ))]
    out.append(Section("cashless_share", "キャッシュレス比率", (Column("項目", span=2), Column("比率", "percent")), (
        ("by_count", ("件数ベース", float(t.cashless_share))),
        ("by_amount", ("金額ベース", float(t.cashless_amount_share))),
    )))
    out.append(Section(
        "by_category", "2 支払区分別",
        (Column("区分", span=2), Column("件数", "count"), Column("金額", "yen"), Column("返金件数", "count"),
         Column("返金額", "yen"), Column("修正額", "yen"), Column("差引", "yen")),
        tuple((c, (CATEGORY_JA[c], _t(t.by_category, c).count, _t(t.by_category, c).amount,
                   _t(t.refunds_by_category, c).count, _t(t.refunds_by_category, c).amount,
                   _t(adj_cat, c).amount, t.net_by(c))) for c in CATEGORIES),
        ("合計", t.payments.count, t.gross, t.refunds.count, t.refunds.amount, t.adjustment_total, t.net)))
    order = {b.code: n for n, b in enumerate(BRANDS)}
    brands = sorted(t.by_brand, key=lambda k: order.get(k, 99))
    cashless = t.cashless
    out.append(Section(
        "by_brand", "3 ブランド別（キャッシュレス）",
        (Column("ブランド", span=2), Column("区分"), Column("件数", "count"), Column("金額", "yen")),
        tuple((k, (r.name(k), CATEGORY_JA[brand(k).category.value], t.by_brand[k].count, t.by_brand[k].amount))
              for k in brands),
        ("合計", None, cashless.count, cashless.amount)))
    fees = sorted(t.by_fee_item, key=lambda k: (-t.by_fee_item[k].amount, k))
    fee_total = Tally(sum(x.count for x in t.by_fee_item.values()), sum(x.amount for x in t.by_fee_item.values()))
    out.append(Section(
        "by_fee_item", "4 手数料別",
        (Column("手数料コード"), Column("手数料"), Column("科目コード"), Column("通数", "copies"),
         Column("金額", "yen")),
        tuple((k, (k, r.name(k), _line_of(r, k), t.by_fee_item[k].count, t.by_fee_item[k].amount)) for k in fees),
        ("合計", None, None, fee_total.count, fee_total.amount)))
    codes = sorted(set(t.by_revenue_line) | set(t.refunds_by_revenue_line) | set(adj_line))
    net_line = {k: _t(t.by_revenue_line, k).amount - _t(t.refunds_by_revenue_line, k).amount
                + _t(adj_line, k).amount for k in codes}
    out.append(Section(
        "by_revenue_line", "5 歳入科目別",
        (Column("科目コード"), Column("歳入科目"), Column("通数", "copies"), Column("収納額", "yen"),
         Column("返金額", "yen"), Column("修正額", "yen"), Column("差引", "yen")),
        tuple((k, (k, r.name(k), _t(t.by_revenue_line, k).count, _t(t.by_revenue_line, k).amount,
                   _t(t.refunds_by_revenue_line, k).amount, _t(adj_line, k).amount, net_line[k])) for k in codes)
        + ((OVER_SHORT_KEY, over_short_row(t)),),
        ("合計", None, fee_total.count, fee_total.amount, sum(x.amount for x in t.refunds_by_revenue_line.values()),
         t.adjustment_total, sum(net_line.values()) + t.over_short)))
    out.append(Section(
        "exemptions", "6 免除（理由別）",
        (Column("免除理由", span=2), Column("件数", "count"), Column("通数", "copies")),
        tuple((k, (_exemption_ja(k), n, c))
              for k, (n, c) in sorted(t.exemptions.items())),
        ("合計", sum(n for n, _ in t.exemptions.values()), sum(c for _, c in t.exemptions.values()))))
    out.append(Section(
        "voids_refunds", "7 取消・返金", (Column("種別", span=2), Column("件数", "count"), Column("金額", "yen")),
        (("voided_before_payment", ("取消（支払前・参考額）", t.voids.count, t.voids.amount)),)
        + tuple((m, (REFUND_METHOD_JA[m], _t(t.refunds_by_method, m).count, _t(t.refunds_by_method, m).amount))
                for m in REFUND_METHODS)
        + (("bank_transfer_pending", ("うち口座振込未了", t.refunds_pending.count, t.refunds_pending.amount)),
           ("double_payments", ("二重決済（要返金）", t.double_payments.count, t.double_payments.amount))),
        ("返金合計", t.refunds.count, t.refunds.amount)))
    out += _cash_sections(r)
    out.append(Section(
        "adjustments", "10 修正仕訳（過去日の訂正）",
        (Column("対象日", "date"), Column("理由"), Column("区分"), Column("歳入科目"), Column("精算機"),
         Column("金額", "yen"), Column("起票"), Column("承認")),
        tuple((a.id, (dt.date.fromisoformat(a.corrects), a.reason, CATEGORY_JA.get(a.category, a.category),
                      r.name(a.revenue_line) if a.revenue_line else f"現金過不足の戻入（仕訳 {a.reverses_seq}）",
                      r.station_name(a.station), a.amount, r.person(a.requested_by), r.person(a.approved_by)))
              for a in t.adjustments),
        ("合計", None, None, None, None, t.adjustment_total, None, None) if t.adjustments else None))
    out.append(Section(
        "incidents", "11 事故・未了（当日発生分と未解決の繰越分）",
        (Column("発生日時", "datetime"), Column("内容"), Column("種別"), Column("精算機"), Column("ブランド"),
         Column("金額", "yen"), Column("状態"), Column("繰越")),
        tuple((str(n), (i.opened_at.astimezone(JST).replace(tzinfo=None), _incident_text(r, i),
                        INCIDENT_JA.get(i.kind, i.kind),
                        r.station_name(i.station), r.name(i.brand) if i.brand else "", i.amount,
                        STATE_JA.get(i.state, i.state), "繰越" if i.carried else ""))
              for n, i in enumerate(r.incidents, start=1))))
    out.append(Section(
        "findings", "12 確認事項", (Column("区分"), Column("内容", span=7)),
        tuple((f.code, (SEVERITY_JA[f.severity], f.message_ja)) for f in r.findings)))
    return out


OVER_SHORT_KEY = "over_short"


def over_short_row(t: DayTotals) -> tuple[Value, ...]:
    """The 現金過不足 line under the revenue lines: no revenue line's money, but part of 差引収納額
    (the day's closes' over/short and the reversals of earlier ones booked today)."""
    reversals = sum(a.amount for a in t.adjustments if not a.revenue_line)
    return ("現金過不足", "精算機の過不足・その戻入", None, None, None, reversals, t.over_short)


def _incident_text(r: DayReport, i: IncidentLine) -> str:
    """The incident in Japanese, from its fields (the stored summary is for staff screens)."""
    amount = f"{i.amount:,}円"
    if i.receipt:
        sale = f"{i.receipt[0]} 領収書 No.{i.receipt[1]}"
    elif i.taken:
        sale = f"{i.taken[0]} {i.taken[1].astimezone(JST):%H:%M} 受付"
    else:
        sale = ""
    if i.kind == "cash_jam":
        text = f"釣銭機詰まり（機内保留 {amount}）{sale}"
    elif i.kind == "cashless_unknown":
        text = f"{r.name(i.brand)} {amount} 決済結果不明（要求ID {(i.request_id or '')[:8]}）"
    elif i.kind == "refund_owed":
        text = f"{r.name(i.brand)} {amount} 二重決済: 返金が必要 {sale}"
    elif i.kind == "bank_transfer_refund":
        text = f"口座振込による返金 {amount} {sale}（{i.summary}）"
    else:
        text = i.summary
    if i.resolution and i.kind != "bank_transfer_refund":
        text += f" → {RESOLUTION_JA.get(i.resolution, i.resolution)}"
    return text


def _line_of(r: DayReport, fee_code: str) -> str:
    return r.totals.fee_revenue_line.get(fee_code, "")


def _exemption_ja(reason: str) -> str:
    try:
        return EXEMPTION_LABELS_JA[Exemption(reason)]
    except (ValueError, KeyError):
        return reason


def _cash_sections(r: DayReport) -> list[Section]:
    st = r.stations
    cols = (Column("項目", span=2),) + tuple(Column(s.name, "yen") for s in st) + (Column("合計", "yen"),)

    def row(key: str, label: str, values: list[int | None]) -> tuple[str, tuple[Value, ...]]:
        total = None if any(v is None for v in values) else sum(v for v in values if v is not None)
        return key, (label, *values, total)

    def text(key: str, label: str, values: list[str]) -> tuple[str, tuple[Value, ...]]:
        return key, (label, *values, "")

    pos = [s.state.position for s in st]
    cash = Section("cash", "8 現金（精算機別）", cols, (
        row("float", "釣銭準備金", [p.float_loaded for p in pos]),
        row("received", "現金収納（お預り）", [p.received for p in pos]),
        row("change", "釣銭払出", [p.change for p in pos]),
        row("refunds", "現金返金", [p.refunds for p in pos]),
        row("cash_in", "入金（補充）", [p.cash_in for p in pos]),
        row("cash_out", "出金（回収）", [p.cash_out for p in pos]),
        row("adjustments", "修正（承認済）", [p.adjustments for p in pos]),
        row("expected", "帳簿残高（理論値）", [p.expected for p in pos]),
        row("machine", "釣銭機在高", [s.state.machine_total for s in st]),
        row("counted", "実査額", [s.state.counted_total for s in st]),
        row("over_short", "過不足（実査−帳簿）", [s.state.over_short for s in st]),
        text("closed_by", "締め担当", [r.person(s.closed_by) if s.closed_by else "未締め" for s in st]),
        text("closed_at", "締め時刻", [_clock(s.closed_at, r.day) for s in st]),
        text("receipt_first", "領収書 起番", [f"{s.receipts[0]:06d}" if s.receipts else "（発行なし）" for s in st]),
        text("receipt_last", "領収書 止番", [f"{s.receipts[1]:06d}" if s.receipts else "" for s in st]),
        text("receipt_count", "領収書 発行枚数", [f"{s.receipts[2]:,}枚" if s.receipts else "0枚" for s in st]),
    ))
    reasons = Section("over_short_reasons", "過不足の理由", (Column("精算機", span=2), Column("過不足", "yen"),
                                                             Column("理由", span=5)),
                      tuple((s.id, (s.name, s.state.over_short, s.state.reason or "（未入力）")) for s in st
                            if s.state.over_short))
    dcols = (Column("金種", span=2),) + tuple(
        c for s in st for c in (Column(f"{s.name} 枚数", "pieces"), Column(f"{s.name} 金額", "yen"))) + (
        Column("合計枚数", "pieces"), Column("合計金額", "yen"))
    rows: list[tuple[str, tuple[Value, ...]]] = []
    for d in DENOMINATIONS:
        counts = [(s.state.counted or {}).get(d, 0) for s in st]
        cells = [x for n in counts for x in (n, d * n)]
        rows.append((str(d), (f"{d:,}円", *cells, sum(counts), d * sum(counts))))
    pieces = [sum((s.state.counted or {}).values()) for s in st]
    totals = [x for n, s in zip(pieces, st, strict=True) for x in (n, s.state.counted_total or 0)]
    counted = Section("denominations", "9 金種表（実査）", dcols, tuple(rows),
                      ("合計", *totals, sum(pieces), sum(s.state.counted_total or 0 for s in st)))
    return [cash, reasons, counted]


def _jst(at: dt.datetime | None) -> str:
    """A moment as people at the counter write it: the JST date and time, 2026年11月2日 17:40."""
    if at is None:
        return ""
    local = at.astimezone(JST)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _clock(at: dt.datetime | None, day: dt.date) -> str:
    """The JST time of day, with the date only when it is not the sheet's day (17:40, 11月3日 09:05)."""
    if at is None:
        return ""
    local = at.astimezone(JST)
    return f"{local:%H:%M}" if local.date() == day else f"{local.month}月{local.day}日 {local:%H:%M}"


def header_lines(r: DayReport) -> list[tuple[str, str]]:
    state = "締め済（確定）" if r.closed else "未締め（中間）"
    approved = (f"{r.person(r.approved_by)}（{_jst(r.approved_at)}）" if r.approved_by and r.approved_at else "")
    lines = [("窓口", f"{r.site_name}（{r.site}）"), ("状態", state), ("承認者", approved),
             ("備考", r.note or ""), ("出力日時", _jst(r.generated_at))]
    if r.checkpoint is not None:  # typed back by `madoguchi verify-journal --anchor-code` (docs/journal.md)
        lines.append(("検証コード", grouped(r.checkpoint.code)))
    for count, reason in r.journal_unsigned:  # the signing key was not usable (docs/journal.md)
        lines.append(("署名なし", f"署名装置停止: 仕訳 {count}件が署名なしで記録されました（{reason}）"))
    return lines
