"""Books that add up: every adjustment is a revenue line's or a 現金過不足 line of its own.

The daily sheet shows 差引収納額 = the revenue lines (歳入科目) + 現金過不足, on the day of a
difference and on the day it is explained. A shortage explained later is reversed by a new
journal entry naming the close entry whose over/short it reverses; nothing is edited.
"""
from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from madoguchi.bootstrap import ensure_float
from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.domain.receipt import JST
from madoguchi.errors import BadInput
from madoguchi.services.close import adjustments, close_day
from tests.helpers import changer, handed_off, journal, new_id, pay_cash

DAY, NEXT = dt.date(2026, 11, 2), dt.date(2026, 11, 3)
ACCOUNTANT = Actor("accountant", Role.ACCOUNTANT, frozenset({ALL_SITES}))


def counted(rt, station: str, **delta: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    counts = {str(d): n for d, n in changer(rt, station).counts().items()}
    for key, n in delta.items():
        counts[key[1:]] += n
    return counts


def close_with_p1_short(rt, supervisor) -> None:  # type: ignore[no-untyped-def]
    """A 300-yen sale, then the day closed with one 1,000-yen note missing at honcho-p1."""
    rt.clock.now = dt.datetime(2026, 11, 2, 17, 30, tzinfo=JST).astimezone(dt.UTC)
    close_day.close_day(rt, site="honcho", day=DAY, actor=supervisor, confirm_warnings=True,
                        counted={"honcho-p1": counted(rt, "honcho-p1", y1000=-1),
                                 "honcho-p2": counted(rt, "honcho-p2")},
                        reasons={"honcho-p1": "原因不明の不足"})
    rt.clock.advance(days=1)
    ensure_float(rt)


def section(ws, title: str) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    rows = list(ws.iter_rows(values_only=True))
    start = next(n for n, r in enumerate(rows) if r[0] == title)
    titles = {n: v for n, v in enumerate(rows[start + 1]) if v is not None}
    table = {}
    for r in rows[start + 2:]:
        if all(v is None for v in r):
            break
        table[r[1] if r[0] is None else r[0]] = {name: r[n] for n, name in titles.items()}
    return table


def sheet(rt, supervisor, day):  # type: ignore[no-untyped-def]
    wb = load_workbook(BytesIO(close_day.daily_sheet(rt, day=day, actor=supervisor, sites=["honcho"])))
    return wb["本庁 市民課"], wb["集計"]


def assert_adds_up(ws, summary_ws) -> int:  # type: ignore[no-untyped-def]
    net = section(ws, "1 概要")["差引収納額"]["金額"]
    lines = section(ws, "5 歳入科目別")
    revenue = sum(v["差引"] for k, v in lines.items() if k not in ("合計", "現金過不足"))
    assert revenue + lines["現金過不足"]["差引"] == lines["合計"]["差引"] == net
    everywhere = section(summary_ws, "歳入科目別（全窓口）")
    assert everywhere["合計"]["差引"] == net
    return lines["現金過不足"]["差引"]


def test_a_cash_correction_without_a_revenue_line_must_reverse_an_over_short(rt, cashier, supervisor):
    pay_cash(rt, cashier, handed_off(rt, cashier), [500])
    rt.clock.now = dt.datetime(2026, 11, 2, 17, 30, tzinfo=JST).astimezone(dt.UTC)
    close_day.close_day(rt, site="honcho", day=DAY, actor=supervisor,
                        counted={"honcho-p1": counted(rt, "honcho-p1"), "honcho-p2": counted(rt, "honcho-p2")})
    rt.clock.advance(days=1)
    with pytest.raises(BadInput, match="over/short"):
        adjustments.request_adjustment(rt, adjustment_id=new_id(), site="honcho", corrects=DAY, category="cash",
                                       station="honcho-p1", amount=1000, reason="不明", actor=ACCOUNTANT)
    with pytest.raises(BadInput, match="revenue line"):
        adjustments.request_adjustment(rt, adjustment_id=new_id(), site="honcho", corrects=DAY, category="qr",
                                       amount=300, reason="分類誤り", actor=ACCOUNTANT)


def test_the_day_of_a_shortage_shows_net_as_revenue_lines_plus_over_short(rt, cashier, supervisor):
    pay_cash(rt, cashier, handed_off(rt, cashier), [500])
    close_with_p1_short(rt, supervisor)
    ws, summary_ws = sheet(rt, supervisor, DAY)
    assert assert_adds_up(ws, summary_ws) == -1000
    assert close_day.day_summary(rt, site="honcho", day=DAY, actor=supervisor)["net"] == 300 - 1000


def test_a_shortage_explained_later_is_reversed_by_a_new_entry_naming_the_earlier_one(rt, cashier, supervisor):
    pay_cash(rt, cashier, handed_off(rt, cashier), [500])
    close_with_p1_short(rt, supervisor)
    closed = [e for e in journal(rt) if e.kind == "day_closed" and e.station == "honcho-p1"][-1]
    with pytest.raises(BadInput, match="reverses"):   # the same sign would not reverse a shortage
        adjustments.request_adjustment(rt, adjustment_id=new_id(), site="honcho", corrects=DAY, category="cash",
                                       station="honcho-p1", amount=-1000, reason="x", actor=ACCOUNTANT)
    with pytest.raises(BadInput, match="1,000"):      # nor more than the shortage was
        adjustments.request_adjustment(rt, adjustment_id=new_id(), site="honcho", corrects=DAY, category="cash",
                                       station="honcho-p1", amount=2000, reason="x", actor=ACCOUNTANT)
    asked = adjustments.request_adjustment(
        rt, adjustment_id=new_id(), site="honcho", corrects=DAY, category="cash", station="honcho-p1",
        amount=1000, reason="前日の不足分: 釣銭機の収納庫で千円札を発見", actor=ACCOUNTANT)
    assert asked["reverses_seq"] == closed.seq
    adjustments.approve_adjustment(rt, adjustment_id=asked["id"], actor=supervisor)
    entry = [e for e in journal(rt) if e.kind == "adjustment"][-1]
    assert entry.details()["reverses_seq"] == closed.seq and entry.business_date == NEXT.isoformat()
    assert closed.amount == -1000  # the earlier entry is untouched
    ws, summary_ws = sheet(rt, supervisor, NEXT)
    assert assert_adds_up(ws, summary_ws) == 1000
    with pytest.raises(BadInput, match="already reversed"):
        adjustments.request_adjustment(rt, adjustment_id=new_id(), site="honcho", corrects=DAY, category="cash",
                                       station="honcho-p1", amount=1, reason="x", actor=ACCOUNTANT)


def test_a_revenue_correction_moves_its_line_and_the_sheet_still_adds_up(rt, cashier, supervisor):
    pay_cash(rt, cashier, handed_off(rt, cashier), [500])
    close_with_p1_short(rt, supervisor)
    asked = adjustments.request_adjustment(
        rt, adjustment_id=new_id(), site="honcho", corrects=DAY, category="cash", station="honcho-p1",
        revenue_line="1401-01", amount=-300, reason="二重登録の取消", actor=ACCOUNTANT)
    adjustments.approve_adjustment(rt, adjustment_id=asked["id"], actor=supervisor)
    ws, summary_ws = sheet(rt, supervisor, NEXT)
    assert assert_adds_up(ws, summary_ws) == 0
