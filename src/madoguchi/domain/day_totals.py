"""The figures of one site-day, added up from its journal entries.

Pure: :func:`totals_from_entries` takes the journal entries of one site and one
business day and returns every total the daily sheet shows (sales, gross, by fee
item, revenue line, payment category and brand, exemptions, voids, refunds, double
payments, adjustments, the cashless share). The sheet and the CSV print these
numbers and nothing else, so each figure on them is what the journal says.

A sale counts on the day its payment was booked. Lines are taken from the entry that
completed the sale (``fully_paid``), so a sale paid in two parts counts once.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from madoguchi.domain.close import CashPosition, cash_position
from madoguchi.domain.journal import JournalEntry

CATEGORIES: tuple[str, ...] = ("cash", "emoney", "credit", "qr")
CATEGORY_JA: dict[str, str] = {"cash": "現金", "emoney": "電子マネー", "credit": "クレジット", "qr": "QRコード"}
REFUND_METHODS: tuple[str, ...] = ("cash", "terminal_cancel", "bank_transfer")
REFUND_METHOD_JA: dict[str, str] = {"cash": "現金返金", "terminal_cancel": "端末取消",
                                    "bank_transfer": "口座振込返金"}


@dataclass(frozen=True, slots=True)
class Tally:
    count: int = 0
    amount: int = 0

    def plus(self, count: int, amount: int) -> Tally:
        return Tally(self.count + count, self.amount + amount)


def _add(table: dict[str, Tally], key: str, count: int, amount: int) -> None:
    table[key] = table.get(key, Tally()).plus(count, amount)


def _total(table: Mapping[str, Tally]) -> Tally:
    return Tally(sum(t.count for t in table.values()), sum(t.amount for t in table.values()))


@dataclass(frozen=True, slots=True)
class AdjustmentLine:
    """An approved correction booked in this day, with the day it corrects."""

    id: str
    corrects: str           # YYYY-MM-DD
    category: str
    revenue_line: str | None
    station: str | None
    amount: int
    reason: str
    requested_by: str
    approved_by: str
    reverses_seq: int | None = None  # a 現金過不足 line: the station close whose over/short it reverses


@dataclass(frozen=True)
class DayTotals:
    sales_count: int = 0
    by_category: dict[str, Tally] = field(default_factory=dict)      # payments booked
    by_brand: dict[str, Tally] = field(default_factory=dict)         # brand code -> payments
    by_fee_item: dict[str, Tally] = field(default_factory=dict)      # count = copies (通数)
    by_revenue_line: dict[str, Tally] = field(default_factory=dict)  # count = copies (通数)
    exemptions: dict[str, tuple[int, int]] = field(default_factory=dict)  # reason -> (lines, copies)
    voids: Tally = Tally()                                           # amount: the voided sales' totals
    refunds_by_method: dict[str, Tally] = field(default_factory=dict)
    refunds_by_category: dict[str, Tally] = field(default_factory=dict)
    refunds_by_revenue_line: dict[str, Tally] = field(default_factory=dict)
    refunds_pending: Tally = Tally()                                 # booked, owed by bank transfer
    double_payments: Tally = Tally()                                 # to be paid back
    adjustments: tuple[AdjustmentLine, ...] = ()
    moved_in: tuple[tuple[str, str], ...] = ()                       # (sale id, closed day it came from)
    fee_revenue_line: dict[str, str] = field(default_factory=dict)   # fee code -> its revenue line code
    closes_over_short: int = 0                                       # the stations' closes of this day

    @property
    def payments(self) -> Tally:
        return _total(self.by_category)

    @property
    def gross(self) -> int:
        return self.payments.amount

    @property
    def refunds(self) -> Tally:
        return _total(self.refunds_by_method)

    def adjustments_by(self, attr: str) -> dict[str, Tally]:
        table: dict[str, Tally] = {}
        for a in self.adjustments:
            key = getattr(a, attr)
            if key:
                _add(table, key, 1, a.amount)
        return table

    @property
    def adjustment_total(self) -> int:
        return sum(a.amount for a in self.adjustments)

    @property
    def over_short(self) -> int:
        """The 現金過不足 line: the over/short of this day's station closes, and the reversals of
        earlier ones booked today (adjustments without a revenue line)."""
        return self.closes_over_short + sum(a.amount for a in self.adjustments if not a.revenue_line)

    @property
    def net(self) -> int:
        """差引収納額: gross less refunds, plus approved adjustments and the 現金過不足 line; so it is
        the revenue lines' net plus the over/short."""
        return self.gross - self.refunds.amount + self.adjustment_total + self.closes_over_short

    def net_by(self, category: str) -> int:
        return (self.by_category.get(category, Tally()).amount
                - self.refunds_by_category.get(category, Tally()).amount
                + self.adjustments_by("category").get(category, Tally()).amount
                + (self.closes_over_short if category == "cash" else 0))

    @property
    def cashless(self) -> Tally:
        return _total({k: v for k, v in self.by_category.items() if k != "cash"})

    @property
    def cashless_share(self) -> Fraction:
        """Share of payments (by number) made cashless; 0 when there were none."""
        paid = self.payments.count
        return Fraction(self.cashless.count, paid) if paid else Fraction(0)

    @property
    def cashless_amount_share(self) -> Fraction:
        return Fraction(self.cashless.amount, self.gross) if self.gross else Fraction(0)


def totals_from_entries(entries: Iterable[JournalEntry],
                        original_lines: Mapping[str, list[list[Any]]] | None = None) -> DayTotals:
    """Every total of one site-day. ``original_lines`` gives, for a refunded sale paid on
    another day, the lines of its payment entry (to split the refund by revenue line)."""
    by_cat: dict[str, Tally] = {}
    by_brand: dict[str, Tally] = {}
    by_fee: dict[str, Tally] = {}
    by_line: dict[str, Tally] = {}
    exempt: dict[str, tuple[int, int]] = {}
    ref_method: dict[str, Tally] = {}
    ref_cat: dict[str, Tally] = {}
    ref_line: dict[str, Tally] = {}
    voids, pending, double = Tally(), Tally(), Tally()
    sales: set[str] = set()
    lines_of: dict[str, list[list[Any]]] = dict(original_lines or {})
    refunded: list[str] = []
    adjustments: list[AdjustmentLine] = []
    moved: list[tuple[str, str]] = []
    fee_line: dict[str, str] = {}
    closes_over_short = 0
    for e in entries:
        d = e.details()
        if e.kind == "sale_paid":
            if d.get("double_payment"):
                double = double.plus(1, e.amount)
                continue
            _add(by_cat, d["category"], 1, e.amount)
            if d.get("brand"):
                _add(by_brand, d["brand"], 1, e.amount)
            if d.get("moved_from") and e.sale_id:
                moved.append((e.sale_id, d["moved_from"]))
            if d.get("fully_paid", True) and e.sale_id:
                sales.add(e.sale_id)
                lines_of[e.sale_id] = d.get("lines") or []
                for code, qty, unit, line_code, exemption in d.get("lines") or []:
                    fee_line[code] = line_code
                    _add(by_fee, code, qty, qty * unit)
                    _add(by_line, line_code, qty, qty * unit)
                    if exemption:
                        lines, copies = exempt.get(exemption, (0, 0))
                        exempt[exemption] = (lines + 1, copies + qty)
        elif e.kind == "sale_voided":
            voids = voids.plus(1, int(d.get("total") or 0))
        elif e.kind == "refund":
            _add(ref_method, d["method"], 1, -e.amount)
            _add(ref_cat, d["category"], 1, -e.amount)
            if d.get("state") == "pending":
                pending = pending.plus(1, -e.amount)
            if "lines" in d:  # a refund of some copies names them: those revenue lines, no others
                for _code, qty, unit, line_code, _exemption in d["lines"]:
                    if qty * unit:
                        _add(ref_line, line_code, qty, qty * unit)
            elif e.sale_id and e.sale_id not in refunded:
                refunded.append(e.sale_id)
        elif e.kind == "adjustment":
            adjustments.append(AdjustmentLine(
                id=d["adjustment_id"], corrects=d["corrects"], category=d["category"],
                revenue_line=d.get("revenue_line"), station=e.station, amount=e.amount, reason=d["reason"],
                requested_by=d["requested_by"], approved_by=d["approved_by"],
                reverses_seq=d.get("reverses_seq")))
        elif e.kind == "day_closed" and d.get("scope") == "station":
            closes_over_short += e.amount
    for sale_id in refunded:  # a whole refund takes back every line of its sale, once
        for _code, qty, unit, line_code, _exemption in lines_of.get(sale_id, []):
            if qty * unit:
                _add(ref_line, line_code, qty, qty * unit)
    return DayTotals(
        sales_count=len(sales), by_category=by_cat, by_brand=by_brand, by_fee_item=by_fee,
        by_revenue_line=by_line, exemptions=exempt, voids=voids, refunds_by_method=ref_method,
        refunds_by_category=ref_cat, refunds_by_revenue_line=ref_line, refunds_pending=pending,
        double_payments=double, adjustments=tuple(adjustments), moved_in=tuple(moved), fee_revenue_line=fee_line,
        closes_over_short=closes_over_short)


def positions_from_entries(entries: Iterable[JournalEntry]) -> dict[str, CashPosition]:
    """Expected cash per payment station from the same entries."""
    per: dict[str, list[tuple[str, int, Mapping[str, object]]]] = {}
    for e in entries:
        if e.station and e.kind in ("float_loaded", "cash_in", "cash_out", "sale_paid", "refund", "adjustment"):
            per.setdefault(e.station, []).append((e.kind, e.amount, e.details()))
    return {station: cash_position(items) for station, items in per.items()}
