"""The close's repositories answer with plain frozen values, on SQLite and PostgreSQL."""
from __future__ import annotations

import dataclasses

import pytest

from madoguchi.domain.close_records import WHOLE_SITE, AdjustmentRecord, StoredClose
from madoguchi.services.close import adjustments, close_day
from tests.helpers import handed_off, new_id, pay_cash
from tests.integration.test_close_day import ACCOUNTANT, DAY, STATIONS, counted, evening


def test_a_closed_day_reads_back_as_stored_closes(rt, cashier, supervisor):  # type: ignore[no-untyped-def]
    pay_cash(rt, cashier, handed_off(rt, cashier, [("juminhyo", 2)]), [1000])
    evening(rt.clock)
    close_day.close_day(rt, site="honcho", day=DAY, counted={s: counted(rt, s) for s in STATIONS},
                        actor=supervisor, confirm_warnings=True)
    with rt.uow(read_only=True) as uow:
        closes = uow.closes.of_day("honcho", DAY)
        assert uow.closes.closed_stations("honcho", DAY) == frozenset({WHOLE_SITE, *STATIONS})
        assert uow.closes.site_closed("honcho", DAY)
        entries = uow.day_figures.entries("honcho", DAY)
    assert set(closes) == {WHOLE_SITE, *STATIONS}
    p1 = closes["honcho-p1"]
    assert isinstance(p1, StoredClose) and p1.closed and p1.closed_by == "supervisor"
    assert p1.counted is not None and sum(d * n for d, n in p1.counted.items()) > 0
    assert closes[WHOLE_SITE].approved_by == "supervisor" and closes[WHOLE_SITE].journal_seq is not None
    assert [e.kind for e in entries][-1] == "day_closed" and isinstance(entries, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p1.state = "open"  # type: ignore[misc]


def test_an_adjustment_reads_back_as_a_frozen_record(rt, cashier, supervisor):  # type: ignore[no-untyped-def]
    evening(rt.clock)
    close_day.close_day(rt, site="honcho", day=DAY, counted={s: counted(rt, s) for s in STATIONS},
                        actor=supervisor, confirm_warnings=True)
    line = next(i.revenue_line.code for i in rt.catalog.items)
    asked = adjustments.request_adjustment(rt, adjustment_id=new_id(), site="honcho", corrects=DAY,
                                           category="cash", station="honcho-p1", amount=300,
                                           reason="a fee keyed twice", actor=ACCOUNTANT, revenue_line=line)
    with rt.uow(read_only=True) as uow:
        record = uow.adjustments.get(asked["id"])
        listed = uow.adjustments.of_site("honcho", "requested")
    assert isinstance(record, AdjustmentRecord) and record.state == "requested" and record.corrects == DAY
    assert listed == (record,)
    assert adjustments.adjustment_view(record) == asked
