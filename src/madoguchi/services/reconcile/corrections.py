"""The corrections the three-way check needs, read from the books (see
:mod:`madoguchi.domain.reconcile_three_way`).

Two kinds, both cashless, both read in one small query each:

* a late booking: a payment whose ``booked_on`` is set (resolved paid after its day was
  closed, so its ``sale_paid`` entry is in the open day's sheet);
* a terminal cancel booked on another day than its payment's: the journal's ``refund``
  entry with method ``terminal_cancel`` is dated in the day it was made, and names the
  payment's own day (``paid_on``).

Those naming a day of the month (booked whenever, up to now) and those booked in a day of
the month (naming whichever day) are returned.
"""
from __future__ import annotations

import datetime as dt
import json

from madoguchi.domain.reconcile import Month
from madoguchi.domain.reconcile_correction import Correction, CorrectionKind
from madoguchi.services.runtime import Runtime

_BOOKED = ("approved", "refunded", "cancelled")


def month_corrections(rt: Runtime, month: Month) -> list[Correction]:
    first, last = month.first, month.last
    out: list[Correction] = []
    with rt.uow(read_only=True) as uow:
        late = uow.reconcile_books.late_bookings(first, last, states=_BOOKED)
        # A correction naming a day of the month is booked on or after the month's first day.
        cancels = uow.reconcile_books.refund_entries_since(first)
    for ref, site, day, booked, amount in late:
        out.append(Correction(CorrectionKind.LATE_BOOKING, ref, site, day, booked, amount))
    for entry_site, booked_text, amount, data in cancels:
        d = json.loads(data)
        if d.get("method") != "terminal_cancel" or not d.get("paid_on") or d.get("category") == "cash":
            continue
        day, booked = dt.date.fromisoformat(d["paid_on"]), dt.date.fromisoformat(booked_text)
        if day != booked and (month.contains(day) or month.contains(booked)):
            out.append(Correction(CorrectionKind.TERMINAL_CANCEL, d.get("request_id") or d.get("payment_id", ""),
                                  entry_site or "", day, booked, amount))
    return sorted(out, key=lambda c: (c.belongs_to, c.booked_on, c.ref))
