"""The outcomes' pure computations: shares, medians and percentiles without floats."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from madoguchi.domain import outcomes as o


def test_a_share_is_rounded_half_up_to_four_decimals_and_none_of_nothing():
    assert o.share(1, 3) == Decimal("0.3333")
    assert o.share(2, 3) == Decimal("0.6667")
    assert o.share(1, 8) == Decimal("0.1250")
    assert o.share(0, 0) is None


def test_the_median_of_an_even_number_is_the_mean_of_the_middle_two():
    assert o.median([4, 1, 3, 2]) == Fraction(5, 2)
    assert o.median([5, 1, 3]) == 3
    assert o.median([]) is None


def test_the_90th_percentile_is_the_nearest_rank():
    assert o.p90(list(range(1, 11))) == 9
    assert o.p90(list(range(1, 12))) == 10
    assert o.p90([7]) == 7


def test_seconds_are_tenths_rounded_half_up():
    assert o.seconds(Fraction(12_345)) == Decimal("12.3")
    assert o.seconds(Fraction(12_350)) == Decimal("12.4")


def test_months_are_counted_by_their_days():
    assert o.month_fraction(dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == 1
    assert o.month_fraction(dt.date(2026, 11, 16), dt.date(2026, 12, 31)) == Fraction(3, 2)
    assert o.months_between(dt.date(2026, 12, 5), dt.date(2027, 1, 2)) == ("2026-12", "2027-01")


def test_without_a_running_cost_there_is_no_cost_per_payment():
    assert o.cost_per_payment(monthly_running_yen=None, initial_yen=7_600_000, first=dt.date(2026, 11, 1),
                              last=dt.date(2026, 11, 30), payments=10) is None
    cost = o.cost_per_payment(monthly_running_yen=150_000, initial_yen=None, first=dt.date(2026, 11, 1),
                              last=dt.date(2026, 11, 30), payments=7)
    assert cost is not None and cost["yen_per_payment"] == 21_429 and cost["running_cost_yen"] == 150_000
