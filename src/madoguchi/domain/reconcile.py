"""Close of month (月次処理): the rules of reconciliation, pure and without I/O.

What is here: the classes every payment and statement row ends in, the fee rate
table (integer parts per million, effective-dated, never a float) and its rounding
rule, the deposit schedule, the month, the records both sides bring, and the
additive tallies a summary is built from. The matching itself is in
:mod:`madoguchi.domain.reconcile_match`; the summary in
:mod:`madoguchi.domain.reconcile_summary`.
"""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

from madoguchi.domain.brands import BRANDS, Brand
from madoguchi.domain.receipt import JST, wareki
from madoguchi.errors import BadInput

PPM = 1_000_000


class MatchClass(StrEnum):
    MATCHED = "matched"
    MISSING_IN_STATEMENT = "missing_in_statement"
    MISSING_IN_REGISTER = "missing_in_register"
    AMOUNT_MISMATCH = "amount_mismatch"
    FEE_MISMATCH = "fee_mismatch"
    DUPLICATE_IN_STATEMENT = "duplicate_in_statement"
    OTHER_PERIOD = "other_period"
    IN_DOUBT_RESOLVED_PAID = "in_doubt_resolved_paid"
    IN_DOUBT_RESOLVED_NOT_PAID = "in_doubt_resolved_not_paid"
    #: Only while the month's statements are incomplete: the in-doubt payment waits.
    IN_DOUBT_OPEN = "in_doubt_open"
    #: Only while the month's statements are incomplete: approved after the last day they
    #: carry, so not on them yet (未到来), not missing.
    NOT_YET_DUE = "not_yet_due"


CLASS_LABELS_JA: dict[MatchClass, str] = {
    MatchClass.MATCHED: "一致",
    MatchClass.MISSING_IN_STATEMENT: "明細に無し",
    MatchClass.MISSING_IN_REGISTER: "レジに無し",
    MatchClass.AMOUNT_MISMATCH: "金額相違",
    MatchClass.FEE_MISMATCH: "手数料相違",
    MatchClass.DUPLICATE_IN_STATEMENT: "明細重複",
    MatchClass.OTHER_PERIOD: "他月分",
    MatchClass.IN_DOUBT_RESOLVED_PAID: "処理未了→決済済",
    MatchClass.IN_DOUBT_RESOLVED_NOT_PAID: "処理未了→未決済",
    MatchClass.IN_DOUBT_OPEN: "処理未了(明細待ち)",
    MatchClass.NOT_YET_DUE: "未到来",
}


class Kind(StrEnum):
    SALE = "sale"
    REFUND = "refund"
    CANCEL = "cancel"
    CHARGEBACK = "chargeback"
    ADJUSTMENT = "adjustment"


class Rounding(StrEnum):
    """How gross × rate becomes whole yen. ``bias`` makes one formula serve all three."""

    FLOOR = "floor"
    HALF_UP = "half_up"
    CEIL = "ceil"

    @property
    def bias(self) -> int:
        return {"floor": 0, "half_up": PPM // 2, "ceil": PPM - 1}[self.value]


def expected_fee(gross: int, ppm: int, rounding: Rounding = Rounding.FLOOR) -> int:
    """``gross × ppm / 1,000,000`` rounded to the yen; a negative gross gives its fee back.

    Integer arithmetic only: ``(|gross| × ppm + bias) // 1,000,000``.
    """
    fee = (abs(gross) * ppm + rounding.bias) // PPM
    return fee if gross >= 0 else -fee


@dataclass(frozen=True, slots=True)
class Rate:
    brand: str
    ppm: int
    effective_from: dt.date


@dataclass(frozen=True)
class RateTable:
    """Settlement fee rates per brand, each in force from a date until the next one."""

    rates: tuple[Rate, ...]
    rounding: Rounding = Rounding.FLOOR

    def __post_init__(self) -> None:
        index: dict[str, tuple[list[dt.date], list[int]]] = {}
        for r in sorted(self.rates, key=lambda r: (r.brand, r.effective_from)):
            days, ppms = index.setdefault(r.brand, ([], []))
            days.append(r.effective_from)
            ppms.append(r.ppm)
        object.__setattr__(self, "_index", index)

    def ppm(self, brand: str, on: dt.date) -> int:
        days, ppms = self._index.get(brand, ((), ()))  # type: ignore[attr-defined]
        at = bisect.bisect_right(days, on) - 1
        if at < 0:
            raise BadInput(f"no fee rate for brand {brand!r} in force on {on.isoformat()}")
        return int(ppms[at])

    def fee(self, brand: str, gross: int, on: dt.date) -> int:
        return expected_fee(gross, self.ppm(brand, on), self.rounding)

    def periods(self) -> list[tuple[str, int, dt.date, dt.date]]:
        """(brand, ppm, from, until-exclusive) for bulk engines that join on a date range."""
        out: list[tuple[str, int, dt.date, dt.date]] = []
        for brand, (days, ppms) in self._index.items():  # type: ignore[attr-defined]
            ends = [*days[1:], dt.date.max]
            out.extend((brand, p, d, e) for d, p, e in zip(days, ppms, ends, strict=True))
        return out

    @classmethod
    def default(cls, rounding: Rounding = Rounding.FLOOR) -> RateTable:
        """The example rates of ``domain.md`` (brands.py), in force since always."""
        return cls(tuple(Rate(b.code, b.fee_ppm, dt.date.min) for b in BRANDS if b.fee_ppm is not None), rounding)

    @classmethod
    def parse(cls, data: dict[str, Any], *, source: str = "rates") -> RateTable:
        """``rounding = "floor"`` and ``[[rates]] brand, ppm, from``: the city's contract, and only it.

        A brand the file does not name has no rate (see :func:`missing_rates`), never a default."""
        rounding = _choice(Rounding, data.get("rounding", "floor"), f"{source}: rounding")
        known = {b.code for b in BRANDS}
        given: list[Rate] = []
        for n, entry in enumerate(data.get("rates", []), start=1):
            where = f"{source}: rates #{n}"
            brand, ppm = entry.get("brand"), entry.get("ppm")
            if brand not in known:
                raise BadInput(f"{where}: unknown brand {brand!r}")
            if isinstance(ppm, bool) or not isinstance(ppm, int) or not 0 <= ppm < PPM:
                raise BadInput(f"{where}: ppm must be a whole number of parts per million "
                               f"(2.48 % = 24800), got {ppm!r}")
            start = entry.get("from", dt.date.min)
            if not isinstance(start, dt.date):
                raise BadInput(f"{where}: from must be a date (YYYY-MM-DD), got {start!r}")
            given.append(Rate(brand, ppm, start))
        return cls(tuple(given), rounding)

    def has_rate(self, brand: str, on: dt.date) -> bool:
        days, _ppms = self._index.get(brand, ((), ()))  # type: ignore[attr-defined]
        return bisect.bisect_right(days, on) > 0


def missing_rates(rates: RateTable, first: dt.date, last: dt.date) -> list[tuple[Brand, dt.date]]:
    """Each brand offered between ``first`` and ``last`` (inclusive) with no rate in force on a
    day it is offered: (brand, the first such day). Effective dates make "a day" enough to test
    at the brand's first offered day and at each later rate change only, but a day-by-day walk
    is plain and a month is short."""
    out = []
    for b in BRANDS:
        day = max(first, b.offered_from or first)
        end = min(last, b.offered_until or last)
        while day <= end:
            if not rates.has_rate(b.code, day):
                out.append((b, day))
                break
            day += dt.timedelta(days=1)
    return out


@dataclass(frozen=True)
class DepositSchedule:
    """When the agent pays out a day's sales: ``(last sale day, months later, pay day)``.

    Day 31 stands for the month's end and pay day 0 for the pay month's end. The
    default is twice a month: sales to the 15th at month end, the rest on the 15th
    of the next month.
    """

    cutoffs: tuple[tuple[int, int, int], ...] = ((15, 0, 0), (31, 1, 15))

    def deposit_date(self, sale_day: dt.date) -> dt.date:
        for last_day, months_later, pay_day in self.cutoffs:
            if sale_day.day <= last_day:
                year, month = divmod(sale_day.month - 1 + months_later, 12)
                year, month = sale_day.year + year, month + 1
                end = calendar.monthrange(year, month)[1]
                return dt.date(year, month, end if pay_day == 0 else min(pay_day, end))
        raise BadInput(f"the deposit schedule does not cover day {sale_day.day}")

    @classmethod
    def parse(cls, data: list[dict[str, Any]], *, source: str = "deposit_schedule") -> DepositSchedule:
        cutoffs: list[tuple[int, int, int]] = []
        for n, e in enumerate(data, start=1):
            values = (e.get("until_day"), e.get("months_later", 0), e.get("pay_day"))
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                raise BadInput(f"{source} #{n}: until_day, months_later and pay_day are whole numbers")
            cutoffs.append(cast("tuple[int, int, int]", values))
        if not cutoffs or max(c[0] for c in cutoffs) < 31:
            raise BadInput(f"{source}: the last entry must run to the month's end (until_day = 31)")
        return cls(tuple(sorted(cutoffs)))


@dataclass(frozen=True, slots=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        m = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip())
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise BadInput(f"--month: {text!r} is not a month; write it as YYYY-MM, e.g. 2026-11")
        return cls(int(m.group(1)), int(m.group(2)))

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def contains(self, day: dt.date) -> bool:
        return day.year == self.year and day.month == self.month

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label_ja(self) -> str:
        return wareki(self.first).removesuffix("1日") + "分"   # 令和8年11月分


@dataclass(frozen=True, slots=True)
class RegisterPayment:
    """A payment as the register knows it (one row of ``madoguchi export payments``)."""

    ref: str                    # merchant_reference: our request id
    processor_ref: str | None
    terminal_id: str | None
    site: str
    station: str
    brand: str | None
    category: str               # cash | emoney | credit | qr
    amount: int
    status: str                 # approved | declined | unknown | refunded | cancelled
    paid_at: dt.datetime        # aware
    business_date: dt.date


@dataclass(frozen=True, slots=True)
class StatementRow:
    """One row of the agent's collection statement (収納明細), typed."""

    source: str                 # file name
    line: int                   # line in that file
    transaction_at: dt.datetime  # aware
    terminal_id: str | None
    merchant_reference: str | None
    processor_reference: str | None
    brand: str
    kind: Kind
    gross: int
    fee: int
    net: int
    deposit_date: dt.date

    @property
    def day(self) -> dt.date:
        """The JST calendar day of the transaction."""
        return self.transaction_at.astimezone(JST).date()


def _choice(enum: type[StrEnum], value: object, what: str) -> Any:
    if isinstance(value, str):
        try:
            return enum(value)
        except ValueError:
            pass
    raise BadInput(f"{what}: {value!r} is not one of {', '.join(e.value for e in enum)}")
