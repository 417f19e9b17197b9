"""The transfer's breakdown by revenue line is each payment's fee split over its own lines,
whatever shortcut the loop takes for the common cases (one line, no lines known)."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from madoguchi.domain.reconcile_transfer import FeeItem, build_transfer, split_fee

CODES = ("1401-01", "1401-02", "1402-01")
lines_of = st.dictionaries(st.sampled_from(CODES), st.integers(-300, 3000), max_size=3)


@given(st.lists(st.tuples(st.integers(-500, 500), lines_of), max_size=30))
def test_each_fee_goes_to_its_payments_own_lines(payments: list[tuple[int, dict[str, int]]]) -> None:
    items = [FeeItem(f"ref-{n}", "honcho", dt.date(2026, 11, 30), fee) for n, (fee, _lines) in enumerate(payments)]
    lines = {f"ref-{n}": weights for n, (_fee, weights) in enumerate(payments) if weights}

    transfer = build_transfer(items, [], complete=True, revenue_lines=lines)

    expected: Counter[str] = Counter()
    for item in items:
        expected.update(split_fee(item.fee, lines.get(item.ref, {})))
    assert transfer.by_revenue == dict(sorted(expected.items()))
    assert sum(transfer.by_revenue.values()) == transfer.amount == sum(fee for fee, _ in payments)
