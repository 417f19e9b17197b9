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

from collections.abc import Iterable
from dataclasses import replace

from madoguchi.domain.reconcile_correction import CORRECTION_LABELS_JA, Correction, CorrectionKind
from madoguchi.domain.reconcile_summary import DayCheck

#: Re-exported: a correction is read from here as the check that attaches it.
__all__ = ["CORRECTION_LABELS_JA", "Correction", "CorrectionKind", "with_corrections"]


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
