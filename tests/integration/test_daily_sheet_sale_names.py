"""The daily sheet names an incident's sale as staff know it: by its receipt once paid, else by
the 受付 and the time it was taken — never by the sale's id."""
from __future__ import annotations

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from madoguchi.domain.receipt import business_date
from madoguchi.errors import ChangerJammed
from madoguchi.services.close import close_day
from madoguchi.services.counter import cash, sales
from tests.helpers import changer, handed_off, new_id, pay_cash
from tests.integration.test_over_short_lines import section

HEX = re.compile(r"\b[0-9a-f]{8}\b")


def _incident_texts(rt, supervisor) -> list[str]:  # type: ignore[no-untyped-def]
    sheet = close_day.daily_sheet(rt, day=business_date(rt.clock()), actor=supervisor, sites=["honcho"])
    ws = load_workbook(BytesIO(sheet))["本庁 市民課"]
    rows = section(ws, "11 事故・未了（当日発生分と未解決の繰越分）")
    return [v["内容"] for k, v in rows.items() if k != "該当なし"]


def _jam(rt, cashier) -> str:  # type: ignore[no-untyped-def]
    sale_id = handed_off(rt, cashier, [("juminhyo", 1)])
    payment_id = new_id()
    cash.start_cash(rt, payment_id=payment_id, sale_id=sale_id, actor=cashier)
    changer(rt).insert(1000)
    changer(rt).fail_next("end_deposit")
    with pytest.raises(ChangerJammed):
        cash.complete_cash(rt, payment_id=payment_id, actor=cashier)
    return sale_id


def test_a_jammed_sale_not_yet_paid_is_named_by_its_desk_and_time(rt, cashier, supervisor):
    _jam(rt, cashier)
    (text,) = _incident_texts(rt, supervisor)
    assert re.search(r"受付1 \d\d:\d\d 受付", text), text
    assert not HEX.search(text), text


def test_a_jammed_sale_paid_at_the_other_station_is_named_by_its_receipt(rt, cashier, supervisor):
    sale_id = _jam(rt, cashier)
    sales.move_sale(rt, sale_id=sale_id, move_id=new_id(), actor=cashier)
    pay_cash(rt, cashier, sale_id, [500])
    (text,) = _incident_texts(rt, supervisor)
    assert "精算機2 領収書 No.1" in text, text
    assert not HEX.search(text), text
