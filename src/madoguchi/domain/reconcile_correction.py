"""One correction (訂正) of the three-way check: a booking whose sheet day is not its payment's day. Pure.

A value of its own so that the day check (:mod:`madoguchi.domain.reconcile_summary`), which
carries corrections, and the check that attaches them
(:mod:`madoguchi.domain.reconcile_three_way`) both import it and neither imports the other.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


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
