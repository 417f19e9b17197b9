"""The interim check slip (中間締め) for a payment station's receipt printer.

The same figures as the screen and the daily sheet, laid out on 80 mm paper (42
columns, a full-width character counting 2). Japanese lines go in Kanji mode like the
receipts (:func:`madoguchi.adapters.devices.escpos_render.encode_line`).
"""
from __future__ import annotations

from escpos.printer import Dummy

from madoguchi.adapters.devices.escpos_render import encode_line
from madoguchi.adapters.devices.receipt_layout import display_width, printable, yen_text
from madoguchi.domain.close import Severity, over_short_ja
from madoguchi.domain.day_report import CATEGORIES, CATEGORY_JA, DayReport, Tally
from madoguchi.domain.receipt import JST, wareki

WIDTH = 42


def _pair(left: str, right: str, width: int = WIDTH) -> str:
    gap = max(1, width - display_width(left) - display_width(right))
    return left + " " * gap + right


def _wrap(text: str, width: int = WIDTH, indent: str = "  ") -> list[str]:
    lines, line = [], ""
    for ch in text:
        if display_width(line + ch) > width:
            lines.append(line)
            line = indent
        line += ch
    return lines + [line] if line.strip() else lines


def _percent(share: object) -> str:
    value = float(share)  # type: ignore[arg-type]
    return f"{value * 100:.1f}%"


def slip_lines(report: DayReport) -> list[str]:
    t = report.totals
    rule = "-" * WIDTH
    at = report.generated_at.astimezone(JST)
    title = "日次締め（確定）" if report.closed else "中間締め（点検）"
    lines = [" " * ((WIDTH - display_width(title)) // 2) + title,
             printable(f"{report.municipality} {report.site_name}"),
             _pair(wareki(report.day), report.day.isoformat()),
             _pair("出力", f"{at:%H:%M}"), rule,
             _pair("取扱件数", f"{t.sales_count:,}件"),
             _pair("収納額", yen_text(t.gross))]
    for c in CATEGORIES:
        tally = t.by_category.get(c, Tally())
        lines.append(_pair(f"  {CATEGORY_JA[c]}", f"{tally.count:,}件 {yen_text(tally.amount):>10}"))
    lines += [_pair("返金", f"{t.refunds.count:,}件 {yen_text(t.refunds.amount):>10}"),
              _pair("差引収納額", yen_text(t.net)),
              _pair("取消（支払前）", f"{t.voids.count:,}件"),
              _pair("キャッシュレス比率", _percent(t.cashless_share)), rule]
    for s in report.stations:
        st = s.state
        lines.append(printable(f"現金 {s.name}（{s.id}）" + ("締め済" if st.closed else "")))
        lines.append(_pair("  帳簿残高", yen_text(st.position.expected)))
        if st.machine_total is not None:
            lines.append(_pair("  機械在高", yen_text(st.machine_total)))
        counted = st.counted_total
        lines.append(_pair("  実査額", yen_text(counted) if counted is not None else "未計数"))
        if st.over_short is not None:
            lines.append(_pair("  過不足", over_short_ja(st.over_short, yen="￥{:,}")))
    lines.append(rule)
    shown = [f for f in report.findings if f.severity is not Severity.INFO]
    lines.append(_pair("確認事項", f"{len(shown)}件"))
    for f in shown:
        mark = "×" if f.severity is Severity.ERROR else "！"
        lines += _wrap(printable(f"{mark}{f.message_ja}"))
    lines.append(_pair("未解決の事故・未了", f"{report.open_incidents}件"))
    return lines


def slip_text(report: DayReport) -> str:
    return "\n".join(slip_lines(report)) + "\n"


def render_slip(report: DayReport) -> bytes:
    """ESC/POS bytes of the slip, cut at the end."""
    out = Dummy()
    out.hw("INIT")
    out._raw(b"\x1cC\x01")  # FS C 1: Shift_JIS, as for receipts
    for line in slip_lines(report):
        out._raw(encode_line(printable(line)) + b"\n")
    out.cut()
    output: bytes = out.output  # python-escpos is untyped
    return output
