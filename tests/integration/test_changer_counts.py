"""The changer's own counts against the journal, by denomination, at opening and at close; and
the close's expected cash with the float, replenishments and collections in it."""
from __future__ import annotations

import datetime as dt

import pytest

from madoguchi.domain.changer_book import changer_book
from madoguchi.services.close import close_day
from madoguchi.services.counter.cashbox import move_cash
from tests.helpers import changer, handed_off, journal, pay_cash

DAY = dt.date(2026, 11, 2)


def _counted(rt, station: str = "honcho-p1") -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {str(d): n for d, n in changer(rt, station).counts().items()}


def _codes(findings, code: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [f for f in findings if f["code"] == code]


def test_after_cash_sales_and_movements_the_changer_agrees_with_the_journal_note_by_note(rt, cashier, supervisor):  # type: ignore[no-untyped-def]
    pay_cash(rt, cashier, handed_off(rt, cashier), [1000])   # 300 yen due: 700 change
    move_cash(rt, payment_station="honcho-p1", counts={"100": 30}, direction="in", reason="補充", actor=supervisor)
    move_cash(rt, payment_station="honcho-p1", counts={"1000": 3}, direction="out", reason="回収", actor=supervisor)

    entries = [(e.kind, e.data) for e in journal(rt) if e.station == "honcho-p1"]
    assert dict(changer_book(entries).counts) == changer(rt).counts()
    check = close_day.interim_check(rt, site="honcho", actor=supervisor, day=DAY)
    assert not _codes(check["findings"], "changer_count_differs")


def test_a_changer_whose_counts_changed_behind_the_journal_gives_a_finding_naming_the_denomination_at_close(
        rt, cashier, supervisor):  # type: ignore[no-untyped-def]
    pay_cash(rt, cashier, handed_off(rt, cashier), [1000])
    held = changer(rt).counts()
    # Someone swapped a 1,000-yen note for two 500-yen coins without recording it: same total.
    changer(rt).collect({1000: 1})
    changer(rt).load({500: 2})

    closed = close_day.close_station(rt, station="honcho-p1", day=DAY, counted=_counted(rt), actor=supervisor,
                                     confirm_warnings=True)

    found = {f["message"]: f for f in _codes(closed["findings"], "changer_count_differs")}
    assert set(found) == {
        f"honcho-p1, 1,000 yen: the changer holds {held[1000] - 1}, the journal {held[1000]}",
        f"honcho-p1, 500 yen: the changer holds {held[500] + 2}, the journal {held[500]}"}
    assert all(f["severity"] == "warning" and f["station"] == "honcho-p1" for f in found.values())
    assert any("1,000円: 釣銭機" in f["message_ja"] and "精算機" in f["message_ja"] for f in found.values())
    assert not _codes(closed["findings"], "machine_differs")  # the totals agree: only the counts tell
    # The close page reads the day back with the same findings (from the stored machine counts).
    day = close_day.interim_check(rt, site="honcho", actor=supervisor, day=DAY)
    assert len(_codes(day["findings"], "changer_count_differs")) == 2


def test_without_confirmation_the_count_difference_holds_the_close_back_as_a_warning(rt, supervisor):  # type: ignore[no-untyped-def]
    changer(rt).load({100: 7})  # coins put in by hand, never recorded
    with pytest.raises(close_day.CloseRefused) as refused:
        close_day.close_station(rt, station="honcho-p1", day=DAY, counted=_counted(rt), actor=supervisor,
                                reason="未記録の硬貨", confirm_warnings=False)
    codes = {f["code"] for f in refused.value.details["findings"]}
    assert "changer_count_differs" in codes and "100 yen" in refused.value.message


def test_an_opening_float_into_a_changer_that_is_not_as_the_journal_says_is_reported_and_found_at_close(rt, supervisor):  # type: ignore[no-untyped-def]
    # honcho-p2's float is journalled already (the fixture); take it out behind the journal's back.
    p2 = changer(rt, "honcho-p2")
    left = {d: n for d, n in p2.counts().items() if n}
    p2.collect(left)
    p2.load({10: 3})

    done = move_cash(rt, payment_station="honcho-p2", counts={"10": 50}, direction="float", reason="",
                     actor=supervisor)

    by_d = {x["denomination"]: x for x in done["differences"]}
    assert by_d[10] == {"denomination": 10, "machine": 3, "journal": left[10]}
    assert journal(rt)[-1].details()["machine_before"] == {"10": 3}
    check = close_day.interim_check(rt, site="honcho", actor=supervisor, day=DAY)
    opening = [f for f in _codes(check["findings"], "opening_count_differs") if f["station"] == "honcho-p2"]
    assert f"honcho-p2, 10 yen: at the opening float the changer held 3, the journal {left[10]}" in \
        [f["message"] for f in opening]


def test_a_float_into_an_empty_changer_at_the_start_of_the_day_finds_nothing(rt, supervisor):  # type: ignore[no-untyped-def]
    # The fixture's floats went into empty changers: nothing to report at opening or now.
    check = close_day.interim_check(rt, site="honcho", actor=supervisor, day=DAY)
    assert not _codes(check["findings"], "opening_count_differs")
    assert not _codes(check["findings"], "changer_count_differs")


def test_the_close_expects_the_float_plus_sales_plus_replenishment_minus_collection(rt, cashier, supervisor):  # type: ignore[no-untyped-def]
    float_total = sum(e.amount for e in journal(rt) if e.kind == "float_loaded" and e.station == "honcho-p1")
    pay_cash(rt, cashier, handed_off(rt, cashier), [1000])  # 300 yen in, net
    move_cash(rt, payment_station="honcho-p1", counts={"100": 20}, direction="in", reason="補充", actor=supervisor)
    move_cash(rt, payment_station="honcho-p1", counts={"1000": 4}, direction="out", reason="回収", actor=supervisor)

    closed = close_day.close_station(rt, station="honcho-p1", day=DAY, counted=_counted(rt), actor=supervisor)

    assert closed["float"] == float_total and closed["cash_in"] == 2000 and closed["cash_out"] == 4000
    assert closed["expected"] == float_total + 300 + 2000 - 4000
    assert closed["over_short"] == 0 and closed["machine"] == closed["expected"]
    assert not [f for f in closed["findings"] if f["severity"] != "info"]
