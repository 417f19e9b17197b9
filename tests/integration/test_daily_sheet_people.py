"""The daily sheet as people read it: names rather than login IDs, dates as dates, times in JST as
written at the counter, revenue lines by name, and each payment station's receipt numbers (起番・止番)."""
from __future__ import annotations

import datetime as dt
from io import BytesIO

from openpyxl import load_workbook

from madoguchi.bootstrap import ensure_demo_staff
from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.services.close import adjustments, close_day
from tests.helpers import handed_off, new_id, pay_cash
from tests.integration.test_over_short_lines import DAY, NEXT, close_with_p1_short, section

ACCOUNTANT = Actor("accountant", Role.ACCOUNTANT, frozenset({ALL_SITES}))


def test_the_sheet_names_people_shows_dates_and_jst_times_and_the_receipt_numbers(rt, cashier, supervisor):
    ensure_demo_staff(rt)
    pay_cash(rt, cashier, handed_off(rt, cashier), [500])
    pay_cash(rt, cashier, handed_off(rt, cashier), [1000])
    close_with_p1_short(rt, supervisor)
    asked = adjustments.request_adjustment(
        rt, adjustment_id=new_id(), site="honcho", corrects=DAY, category="cash", station="honcho-p1",
        amount=1000, reason="千円札を釣銭機内で発見", actor=ACCOUNTANT)
    adjustments.approve_adjustment(rt, adjustment_id=asked["id"], actor=Actor("kakaricho", Role.SUPERVISOR,
                                                                              frozenset({ALL_SITES})))
    wb = load_workbook(BytesIO(close_day.daily_sheet(rt, day=DAY, actor=supervisor, sites=["honcho"])))
    ws = wb["本庁 市民課"]
    cash = section(ws, "8 現金（精算機別）")
    assert cash["締め担当"]["精算機1"] == "主任 一郎"            # the display name, not "supervisor"
    assert cash["締め時刻"]["精算機1"] == "17:30"                  # JST, as people write it
    assert (cash["領収書 起番"]["精算機1"], cash["領収書 止番"]["精算機1"]) == ("000001", "000002")
    assert cash["領収書 発行枚数"]["精算機1"] == "2枚" and cash["領収書 起番"]["精算機2"] == "（発行なし）"
    header = {r[0]: r[1] for r in ws.iter_rows(min_row=5, max_row=9, values_only=True)}
    assert header["承認者"] == "主任 一郎（2026年11月2日 17:30）"

    nxt = load_workbook(BytesIO(close_day.daily_sheet(rt, day=NEXT, actor=supervisor, sites=["honcho"])))
    rows = section(nxt["本庁 市民課"], "10 修正仕訳（過去日の訂正）")
    line = next(v for k, v in rows.items() if k != "合計")
    assert line["対象日"] == dt.datetime(2026, 11, 2)             # a date cell, not text
    assert line["起票"] == "会計 次郎" and line["精算機"] == "精算機1"
    cell = next(c for row in nxt["本庁 市民課"].iter_rows() for c in row if c.value == dt.datetime(2026, 11, 2))
    assert cell.number_format == "yyyy-mm-dd"
