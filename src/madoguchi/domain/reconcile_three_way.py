"""The three-way check's corrections (訂正): bookings in one day's sheet that belong to another day. Pure.

A closed daily sheet never changes. So a payment resolved paid after its day was closed
is booked in the open day (``payments.booked_on``) and a terminal cancel made after the
payment's day lands in the day it is made: each is in the register (and the statement)
of the payment's own day, but in the sheet of the day that booked it. The relation the
check holds, per closed site and day ``d``::

    sheet(d) + corrections naming d booked on other days − corrections booked on d naming other days
        = register(d)

A :class:`Correction` carries its amount as it stands on the booking day's sheet: a late
booking adds the payment's amount, a terminal cancel takes it back (negative).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from madoguchi.domain.reconcile_summary import DayCheck


class CorrectionKind(StrEnum):
    LATE_BOOKING = "late_booking"        # an in-doubt payment resolved paid after its day was closed
    TERMINAL_CANCEL = "terminal_cancel"  # a terminal cancel booked on a later day than its payment


CORRECTION_LABELS_JA: dict[CorrectionKind, str] = {
    CorrectionKind.LATE_BOOKING: "処理未了の後日計上",
    CorrectionKind.TERMINAL_CANCEL: "後日の端末取消",
}


@dataclass(frozen=True, slots=True)
class Correction:
    """One booking whose sheet day is not its payment's register day."""

    kind: CorrectionKind
    ref: str                 # the payment's merchant reference
    site: str
    belongs_to: dt.date      # the payment's business day: its register's day
    booked_on: dt.date       # the day whose sheet carries it
    amount: int              # signed, as on the booking day's sheet (cashless)

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind.value, "label": CORRECTION_LABELS_JA[self.kind], "ref": self.ref,
                "site": self.site, "belongs_to": self.belongs_to.isoformat(),
                "booked_on": self.booked_on.isoformat(), "amount": self.amount}

    def text_ja(self, day: dt.date) -> str:
        """How the three-way sheet names it on ``day`` (its register day or its booking day)."""
        label = CORRECTION_LABELS_JA[self.kind]
        if day == self.belongs_to:
            return f"{self.ref}（{label}、{self.booked_on:%Y-%m-%d}の日次処理表に{self.amount:+,}円）"
        return f"{self.ref}（{label}、{self.belongs_to:%Y-%m-%d}分を当日に{self.amount:+,}円）"


def with_corrections(days: Iterable[DayCheck], corrections: Iterable[Correction]) -> list[DayCheck]:
    """The day checks with the corrections of their closed sites: ``corrections_in`` (booked on
    another day, naming this one) and ``corrections_out`` (booked this day, naming another)."""
    corrections = [c for c in corrections if c.belongs_to != c.booked_on]
    out = []
    for d in days:
        if d.daily_sheet is None:
            out.append(d)
            continue
        closed = set(d.closed)
        came = [c for c in corrections if c.belongs_to == d.day and c.site in closed]
        went = [c for c in corrections if c.booked_on == d.day and c.site in closed]
        out.append(replace(d, corrections=tuple(came + went), corrections_in=sum(c.amount for c in came),
                           corrections_out=sum(c.amount for c in went)))
    return out
