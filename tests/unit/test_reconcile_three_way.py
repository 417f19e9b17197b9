"""The three-way check's corrections, pure: the sheet plus the corrections naming the day, less those
booked on it naming another, is held against the register of the closed sites."""
from __future__ import annotations

import datetime as dt

from madoguchi.domain.reconcile_summary import DayCheck
from madoguchi.domain.reconcile_three_way import Correction, CorrectionKind, with_corrections

D2, D3 = dt.date(2026, 11, 2), dt.date(2026, 11, 3)
LATE = Correction(CorrectionKind.LATE_BOOKING, "p1", "honcho", D2, D3, 300)


def test_a_late_booking_explains_both_the_day_it_belongs_to_and_the_day_that_booked_it():
    days = [DayCheck(D2, 300, 0, 300, (), register_closed=300, closed=("honcho",)),
            DayCheck(D3, 0, 300, 0, (), register_closed=0, closed=("honcho",))]
    assert all(d.differs for d in days)
    own, booked = with_corrections(days, [LATE])
    assert (own.corrections_in, own.explained_sheet, own.differs) == (300, 300, False)
    assert (booked.corrections_out, booked.explained_sheet, booked.differs) == (300, 0, False)
    assert own.corrections == booked.corrections == (LATE,)


def test_a_correction_of_a_site_whose_sheet_is_not_closed_is_not_counted():
    [day] = with_corrections([DayCheck(D2, 300, 0, 300, (), register_closed=0, closed=("kita",),
                                       unclosed=("honcho",))], [LATE])
    assert day.corrections == () and not day.differs


def test_the_text_names_the_other_day_and_the_signed_amount():
    cancel = Correction(CorrectionKind.TERMINAL_CANCEL, "p2", "honcho", D2, D3, -450)
    assert cancel.text_ja(D2) == "p2（後日の端末取消、2026-11-03の日次処理表に-450円）"
    assert cancel.text_ja(D3) == "p2（後日の端末取消、2026-11-02分を当日に-450円）"
