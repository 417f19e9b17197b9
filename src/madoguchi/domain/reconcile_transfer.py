"""The 公金振替 of a month: which statement fees it moves, and how they break down. Pure.

The agent deposits net of its fees; revenue is booked gross, so the fees are moved
from the expenditure line to revenue. The rules:

* The transfer covers the fees on the month's statements **for our own payments**:
  every row attached to a payment of ours, whatever the class (a payment of another
  month that first appears here, a cut-off case, included; a cancel's or refund's
  negative fee, the fee given back, included).
* A row that is none of our payments (``missing_in_register``, or a row of another
  month that names no payment of ours) and the second sale row of a duplicate are
  **disputed** (照会中): listed apart with their fees and left out of the transfer until
  resolved; a later month that finds the payment carries the fee then, naming the row.
* Every breakdown (by deposit date, by site, by revenue line) is built from the same
  per-row fees, so each adds up exactly to the transfer amount.
* A row's fee is split over its payment's revenue lines (歳入科目) in proportion to each
  line's amount, by largest remainder (ties to the lower code); the split is done on the
  fee's absolute value and the sign put back, so a refund gives back exactly the shares
  its sale took. A payment whose lines are unknown gives its fee to :data:`UNKNOWN_LINE`.
* The voucher is provisional (暫定) while the month's statements are incomplete.

The plainly matched rows (a million a month) come as :class:`FeeGroup`: the rows of one site,
deposit date, fee and set of revenue lines, counted. A row's share of each line depends on
nothing else, so a group's shares are one row's times their number: the same yen as row by row.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import NamedTuple

from madoguchi.domain.reconcile import MatchClass, StatementRow
from madoguchi.domain.reconcile_match import Finding
from madoguchi.domain.reconcile_summary import allocate

#: Revenue-line code for a fee whose payment's revenue lines are not known.
UNKNOWN_LINE = ""
DISPUTED_CLASSES = frozenset({MatchClass.MISSING_IN_REGISTER, MatchClass.DUPLICATE_IN_STATEMENT})


class FeeItem(NamedTuple):
    """The fee of one statement row (or a group of plainly matched rows of one payment).

    A typed tuple: :data:`FeeRow` is the same four fields as a plain tuple, which is how the
    bulk engine hands over the plainly matched payments' fees (a million a month)."""

    ref: str                 # our payment's merchant reference
    site: str
    deposit_date: dt.date
    fee: int


#: ``(ref, site, deposit_date, fee)``: a :class:`FeeItem` as a plain tuple.
FeeRow = tuple[str, str, dt.date, int]


class FeeGroup(NamedTuple):
    """``rows`` plainly matched rows alike in site, deposit date, fee and their payments' revenue lines."""

    site: str
    deposit_date: dt.date
    fee: int
    lines: Mapping[str, int]  # each line's amount; empty when the payments' lines are not known
    rows: int


@dataclass(frozen=True, slots=True)
class Disputed:
    """A statement row kept out of the transfer until someone finds whose it is (照会中)."""

    cls: MatchClass
    row: StatementRow
    note: str

    def as_dict(self) -> dict[str, object]:
        r = self.row
        return {"class": self.cls.value, "source": r.source, "line": r.line,
                "merchant_reference": r.merchant_reference, "processor_reference": r.processor_reference,
                "transaction_at": r.transaction_at.isoformat(), "brand": r.brand, "kind": r.kind.value,
                "gross": r.gross, "fee": r.fee, "deposit_date": r.deposit_date.isoformat(), "note": self.note}


@dataclass
class Transfer:
    amount: int
    provisional: bool
    by_deposit: dict[dt.date, int]
    by_site: dict[str, int]
    by_revenue: dict[str, int]
    disputed: list[Disputed] = field(default_factory=list)

    @property
    def disputed_fee(self) -> int:
        return sum(d.row.fee for d in self.disputed)


def fee_items(findings: Iterable[Finding]) -> tuple[list[FeeItem], list[Disputed]]:
    """Split the findings' rows into the transfer's fees and the disputed rows."""
    items: list[FeeItem] = []
    disputed: list[Disputed] = []
    for f in findings:
        if f.payment is None or f.cls is MatchClass.DUPLICATE_IN_STATEMENT:
            cls = f.cls if f.cls in DISPUTED_CLASSES else MatchClass.MISSING_IN_REGISTER
            disputed.extend(Disputed(cls, r, f.note) for r in f.rows)
            continue
        items.extend(FeeItem(f.payment.ref, f.payment.site, r.deposit_date, r.fee) for r in f.rows)
    return items, disputed


def split_fee(fee: int, lines: Mapping[str, int]) -> dict[str, int]:
    """One fee over a payment's revenue lines (largest remainder on ``|fee|``, sign put back)."""
    weights = {code: amount for code, amount in lines.items() if amount > 0}
    if not weights:
        return {UNKNOWN_LINE: fee}
    shares = allocate(abs(fee), weights)
    return {code: share if fee >= 0 else -share for code, share in shares.items()}


def build_transfer(items: Iterable[FeeRow], disputed: Iterable[Disputed], *, complete: bool,
                   revenue_lines: Mapping[str, Mapping[str, int]], groups: Iterable[FeeGroup] = ()) -> Transfer:
    """The transfer from per-row fees and grouped ones; ``revenue_lines`` maps a payment of
    ``items`` to its lines' amounts (a group carries its own)."""
    amount = 0
    by_deposit: Counter[dt.date] = Counter()
    by_site: Counter[str] = Counter()
    by_revenue: Counter[str] = Counter()
    no_lines: Mapping[str, int] = {}
    each = ((site, deposit_date, fee, revenue_lines.get(ref, no_lines), 1) for ref, site, deposit_date, fee in items)
    for site, deposit_date, fee, lines, count in chain(each, groups):  # a million rows come as a few hundred
        total = fee * count
        amount += total
        by_deposit[deposit_date] += total
        by_site[site] += total
        if len(lines) == 1:  # the common case, one revenue line: the whole fee is its share
            [(code, weight)] = lines.items()
            by_revenue[code if weight > 0 else UNKNOWN_LINE] += total
        elif not lines:
            by_revenue[UNKNOWN_LINE] += total
        else:
            for code, share in split_fee(fee, lines).items():
                by_revenue[code] += share * count
    return Transfer(amount=amount, provisional=not complete,
                    by_deposit=dict(sorted(by_deposit.items())), by_site=dict(sorted(by_site.items())),
                    by_revenue=dict(sorted(by_revenue.items())),
                    disputed=sorted(disputed, key=lambda d: (d.row.source, d.row.line)))
