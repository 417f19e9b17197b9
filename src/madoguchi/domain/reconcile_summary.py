"""The month's figures from the findings: totals, fees by brand, deposits, the transfer, three-way.

Everything is built from :class:`Tally` records, which only add up: one per side of
a finding, or one per group of plainly matched rows when a bulk engine has already
summed them. So a summary is the same whichever way the matched rows were counted.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from madoguchi.domain.reconcile import DepositSchedule, MatchClass, Month, RateTable
from madoguchi.domain.reconcile_match import Finding

if TYPE_CHECKING:
    from madoguchi.domain.reconcile_correction import Correction


@dataclass(frozen=True, slots=True)
class Tally:
    brand: str
    site: str
    day: dt.date                 # the payment's business date, else the row's JST day
    deposit_date: dt.date | None  # the statement's, for statement-side figures
    items: int = 0
    register_gross: int = 0      # what the register expects on the statement
    register_fee: int = 0        # the rate table on that
    statement_gross: int = 0
    fee: int = 0
    expected_fee: int = 0        # the rate table on the statement's gross
    net: int = 0


def tallies_of(f: Finding, rates: RateTable) -> list[Tally]:
    """A finding's contribution to the month's figures (none for another month's item)."""
    if f.cls is MatchClass.OTHER_PERIOD:
        return []
    p = f.payment
    out = []
    if p is not None:
        brand = p.brand or "cash"
        reg_fee = rates.fee(brand, f.expected_gross, p.business_date) if f.expected_gross else 0
        out.append(Tally(brand, p.site, p.business_date, None, register_gross=f.expected_gross,
                         register_fee=reg_fee))
    for r in f.rows:
        out.append(Tally(r.brand, p.site if p else "", p.business_date if p else r.day, r.deposit_date,
                         statement_gross=r.gross, fee=r.fee,
                         expected_fee=rates.fee(r.brand, r.gross, r.day), net=r.net))
    return out


@dataclass(frozen=True, slots=True)
class Deposit:
    date: dt.date
    expected_net: int
    statement_net: int


@dataclass(frozen=True, slots=True)
class DayCheck:
    """Three-way check of one day: register, closed daily sheets (if known), statement.

    Like is compared with like: the daily sheets of the sites that closed the day are held
    against the register of *those sites*; a site with payments that day and no closed
    sheet is listed in ``unclosed`` (未締め), not counted as zero. The register and the
    statement are compared for the whole day (statement rows of no payment of ours have
    no site). A booking in one day's sheet that belongs to another day's register (a late
    booking, a later terminal cancel) is a correction: the sheet plus the corrections naming
    this day, less those booked on it naming another, is held against the register
    (:mod:`madoguchi.domain.reconcile_three_way`).
    """

    day: dt.date
    register: int
    daily_sheet: int | None      # the closed sites' sheets, summed; None when no site closed
    statement: int
    refs: tuple[str, ...]        # the items of that day that explain a difference
    register_closed: int = 0     # the register of the closed sites only
    unclosed: tuple[str, ...] = ()  # sites with payments that day whose sheet is not closed
    closed: tuple[str, ...] = ()    # sites whose sheet of the day is closed
    corrections: tuple[Correction, ...] = ()
    corrections_in: int = 0         # booked on other days' sheets, belonging to this day
    corrections_out: int = 0        # booked on this day's sheet, belonging to other days

    @property
    def explained_sheet(self) -> int | None:
        """The closed sheets with the corrections: what the register of the closed sites should be."""
        if self.daily_sheet is None:
            return None
        return self.daily_sheet + self.corrections_in - self.corrections_out

    @property
    def differs(self) -> bool:
        sheet_off = self.daily_sheet is not None and self.explained_sheet != self.register_closed
        return sheet_off or self.register != self.statement


@dataclass
class Summary:
    month: Month
    counts: dict[str, int]
    register_gross: int
    statement_gross: int
    fees: int
    expected_fees: int
    net: int
    deposits: list[Deposit]
    by_brand: dict[str, dict[str, int]]
    by_site: dict[str, dict[str, int]]
    days: list[DayCheck] = field(default_factory=list)


def summarize(month: Month, tallies: Iterable[Tally], findings: Iterable[Finding], *,
              schedule: DepositSchedule, matched_elsewhere: int = 0,
              daily_sheets: Mapping[tuple[dt.date, str], int] | None = None) -> Summary:
    """The month's summary. ``findings`` may leave out plainly matched items whose tallies
    (and count, ``matched_elsewhere``) a bulk engine supplied. ``daily_sheets``: the closed
    sheets' cashless total per (day, site); a site-day not in it is not closed."""
    findings = list(findings)
    counts = Counter({c.value: 0 for c in MatchClass})
    counts.update(f.cls.value for f in findings)
    counts[MatchClass.MATCHED.value] += matched_elsewhere
    totals: Counter[str] = Counter()
    expected_net: Counter[dt.date] = Counter()
    statement_net: Counter[dt.date] = Counter()
    by_brand: dict[str, Counter[str]] = defaultdict(Counter)
    by_site: dict[str, Counter[str]] = defaultdict(Counter)
    reg_day: Counter[dt.date] = Counter()
    reg_site_day: Counter[tuple[dt.date, str]] = Counter()
    active: set[tuple[dt.date, str]] = set()
    st_day: Counter[dt.date] = Counter()
    for t in tallies:
        totals.update(register_gross=t.register_gross, statement_gross=t.statement_gross, fees=t.fee,
                      expected_fees=t.expected_fee, net=t.net)
        if t.register_gross:
            expected_net[schedule.deposit_date(t.day)] += t.register_gross - t.register_fee
        if t.deposit_date is not None:
            statement_net[t.deposit_date] += t.net
        by_brand[t.brand].update(register_gross=t.register_gross, statement_gross=t.statement_gross,
                                 fee=t.fee, expected_fee=t.expected_fee, net=t.net,
                                 rows=t.items if t.deposit_date else 0)
        by_site[t.site].update(register_gross=t.register_gross, statement_gross=t.statement_gross,
                               fee=t.fee)
        reg_day[t.day] += t.register_gross
        if t.site and (t.register_gross or t.deposit_date is None):  # the register side of a payment
            reg_site_day[(t.day, t.site)] += t.register_gross
            active.add((t.day, t.site))
        st_day[t.day] += t.statement_gross
    for f in findings:  # rows a finding brings count once each in the brand table
        for r in f.rows:
            if f.cls is not MatchClass.OTHER_PERIOD:
                by_brand[r.brand]["rows"] += 1
    deposits = [Deposit(d, expected_net[d], statement_net[d])
                for d in sorted(set(expected_net) | set(statement_net))]
    refs_by_day: dict[dt.date, list[str]] = defaultdict(list)
    for f in findings:
        if f.cls is not MatchClass.MATCHED and f.cls is not MatchClass.OTHER_PERIOD:
            refs_by_day[f.day].append(f.ref)
        elif f.cls is MatchClass.MATCHED and f.payment is not None and f.payment.status == "cancelled":
            refs_by_day[f.day].append(f"{f.ref} (端末取消)")  # sale and cancel net out: explained
    sheets = daily_sheets or {}
    days = sorted(set(reg_day) | set(st_day) | {d for d, _ in sheets})
    checks = []
    for d in days:
        if not month.contains(d):
            continue
        closed = sorted(site for day, site in sheets if day == d)
        unclosed = tuple(sorted(site for day, site in active if day == d and site not in closed))
        sheet = sum(sheets[(d, site)] for site in closed) if closed else None
        checks.append(DayCheck(d, reg_day[d], sheet if daily_sheets is not None else None, st_day[d],
                               tuple(refs_by_day.get(d, ())),
                               register_closed=sum(reg_site_day[(d, site)] for site in closed),
                               unclosed=unclosed if daily_sheets is not None else (), closed=tuple(closed)))
    return Summary(month=month, counts=dict(counts), register_gross=totals["register_gross"],
                   statement_gross=totals["statement_gross"], fees=totals["fees"],
                   expected_fees=totals["expected_fees"], net=totals["net"], deposits=deposits,
                   by_brand={b: dict(c) for b, c in sorted(by_brand.items())},
                   by_site={s: dict(c) for s, c in sorted(by_site.items())}, days=checks)


def allocate(total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Split ``total`` yen in proportion to ``weights`` (largest remainder; ties by key)."""
    whole = sum(weights.values())
    if whole <= 0:
        return {k: 0 for k in weights}
    shares = {k: total * w // whole for k, w in weights.items()}
    rest = total - sum(shares.values())
    order = sorted(weights, key=lambda k: (-(total * weights[k] % whole), k))
    for k in order[:rest]:
        shares[k] += 1
    return shares
