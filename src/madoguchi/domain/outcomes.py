"""The city's outcomes, computed from its own payments: counts, shares, times to pay.

Pure: the payments come in as :class:`PaidPayment` values, the figures go out as plain
ints, :class:`~decimal.Decimal` shares and seconds. No float touches an amount or a share:
shares are exact fractions rounded half up to 4 decimals, times are whole milliseconds
whose medians and 90th percentiles are rounded half up to a tenth of a second.

*Paid* is a payment whose money moved at a payment station (approved, or approved and
later refunded). Time to pay runs from the sale's first hand-off to the moment the money
moved; time at the counter from the sale's first line to that moment. A payment whose
sale has no such moment (recorded before migration 0018) counts everywhere but in the
times.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

CASH = "cash"
CASHLESS = "cashless"
SHARE_PLACES = Decimal("0.0001")
SECOND_PLACES = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class PaidPayment:
    """A paid payment with the moments of its sale."""

    id: str
    site: str
    payment_station: str
    method: str  # cash | cashless
    category: str  # cash | emoney | credit | qr
    brand: str | None
    amount: int
    business_date: dt.date
    paid_at: dt.datetime
    registration_started_at: dt.datetime | None
    handed_off_at: dt.datetime | None

    @property
    def brand_key(self) -> str:
        return self.brand or self.method


def share(part: int, whole: int) -> Decimal | None:
    """``part / whole`` rounded half up to 4 decimals; None when ``whole`` is 0."""
    if whole == 0:
        return None
    return _rounded(Fraction(part, whole), SHARE_PLACES)


def _rounded(value: Fraction, places: Decimal) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(places, rounding=ROUND_HALF_UP)


def median(values: Sequence[int]) -> Fraction | None:
    """The median of ``values`` (the mean of the middle two when their number is even)."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return None
    middle = n // 2
    return Fraction(ordered[middle]) if n % 2 else Fraction(ordered[middle - 1] + ordered[middle], 2)


def p90(values: Sequence[int]) -> Fraction | None:
    """The 90th percentile by nearest rank: the smallest value at least 90 % of them do not exceed."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = -(-9 * len(ordered) // 10)  # ceil(0.9 n), in integers
    return Fraction(ordered[rank - 1])


def seconds(milliseconds: Fraction | None) -> Decimal | None:
    """Milliseconds as seconds, rounded half up to a tenth."""
    return None if milliseconds is None else _rounded(milliseconds / 1000, SECOND_PLACES)


def _ms(start: dt.datetime | None, end: dt.datetime) -> int | None:
    if start is None:
        return None
    delta = end - start
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def to_pay_ms(p: PaidPayment) -> int | None:
    """Milliseconds from the first hand-off to the money moving."""
    return _ms(p.handed_off_at, p.paid_at)


def at_counter_ms(p: PaidPayment) -> int | None:
    """Milliseconds from the first line to the money moving."""
    return _ms(p.registration_started_at, p.paid_at)


def counts(payments: Iterable[PaidPayment]) -> dict[str, Any]:
    """Payments, cashless payments, amounts and the cashless shares of a group of payments."""
    n = cashless = amount = cashless_amount = 0
    for p in payments:
        n += 1
        amount += p.amount
        if p.method == CASHLESS:
            cashless += 1
            cashless_amount += p.amount
    return {"payments": n, "cashless_payments": cashless, "amount": amount, "cashless_amount": cashless_amount,
            "cashless_share": share(cashless, n), "cashless_amount_share": share(cashless_amount, amount)}


def times(payments: Sequence[PaidPayment], key: Callable[[PaidPayment], str]) -> dict[str, dict[str, Any]]:
    """Per ``key`` (a method, a category): the timed payments, median and 90th percentile to pay."""
    groups: dict[str, list[int]] = defaultdict(list)
    for p in payments:
        ms = to_pay_ms(p)
        if ms is not None:
            groups[key(p)].append(ms)
    return {k: {"timed": len(v), "median": seconds(median(v)), "p90": seconds(p90(v))}
            for k, v in sorted(groups.items())}


def grouped(payments: Iterable[PaidPayment], key: Callable[[PaidPayment], str]) -> dict[str, dict[str, Any]]:
    """:func:`counts` of each group of ``payments`` by ``key``, in key order."""
    groups: dict[str, list[PaidPayment]] = defaultdict(list)
    for p in payments:
        groups[key(p)].append(p)
    return {k: counts(v) for k, v in sorted(groups.items())}


def month_of(p: PaidPayment) -> str:
    return p.business_date.strftime("%Y-%m")


def months_between(first: dt.date, last: dt.date) -> tuple[str, ...]:
    """The calendar months ``[first, last]`` touches, as ``YYYY-MM``."""
    out, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(out)


def month_fraction(first: dt.date, last: dt.date) -> Fraction:
    """How many months ``[first, last]`` covers, each month counted by its days (exact)."""
    total = Fraction(0)
    day = first
    while day <= last:
        following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        days_in_month = (following - dt.date(day.year, day.month, 1)).days
        end = min(last, following - dt.timedelta(days=1))
        total += Fraction((end - day).days + 1, days_in_month)
        day = following
    return total


def cost_per_payment(*, monthly_running_yen: int | None, initial_yen: int | None, first: dt.date,
                     last: dt.date, payments: int) -> dict[str, Any] | None:
    """The running cost of the period (the monthly cost times the months covered, by days) per
    paid payment, in whole yen rounded half up; None when no running cost is configured."""
    if monthly_running_yen is None:
        return None
    running = Fraction(monthly_running_yen) * month_fraction(first, last)
    per = None if payments == 0 else int(_rounded(running / payments, Decimal(1)))
    return {"initial_cost_yen": initial_yen, "monthly_running_cost_yen": monthly_running_yen,
            "months": _rounded(month_fraction(first, last), SHARE_PLACES),
            "running_cost_yen": int(_rounded(running, Decimal(1))), "yen_per_payment": per}


@dataclass(frozen=True, slots=True)
class MonthFees:
    """The settlement fees the last stored close-of-month run of ``month`` found, in all and per site."""

    month: str
    fees: int
    by_site: tuple[tuple[str, int], ...]

    def of(self, site: str | None) -> int:
        return self.fees if site is None else dict(self.by_site).get(site, 0)
