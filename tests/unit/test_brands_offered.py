"""Brands come and go: each has an effective period, and every brand offered needs a fee rate
in the month-close rules (a missing one is a finding, never a silent default)."""
from __future__ import annotations

import datetime as dt

import pytest

from madoguchi.domain.brands import brand, offered, offered_brand
from madoguchi.domain.reconcile import RateTable, missing_rates
from madoguchi.errors import BadInput

NOV_2026 = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def test_line_pay_is_offered_until_april_2025_and_stays_readable_afterwards():
    assert "linepay" in {b.code for b in offered(dt.date(2025, 4, 30))}
    assert "linepay" not in {b.code for b in offered(dt.date(2025, 5, 1))}
    assert brand("linepay").name == "LINE Pay"          # old sheets and exports still name it
    with pytest.raises(BadInput, match="LINE Pay is not offered on 2026-11-02.*2025-04-30"):
        offered_brand("linepay", dt.date(2026, 11, 2))
    assert offered_brand("paypay", dt.date(2026, 11, 2)).name == "PayPay"


def test_a_rules_file_gives_the_rates_it_names_and_no_others():
    table = RateTable.parse({"rates": [{"brand": "visa", "ppm": 24_800}]})
    missing = {b.code for b, _ in missing_rates(table, *NOV_2026)}
    assert "paypay" in missing and "visa" not in missing
    assert "linepay" not in missing  # not offered in 2026: no rate needed


def test_the_example_rates_leave_out_the_brands_with_no_published_rate():
    missing = {b.code: day for b, day in missing_rates(RateTable.default(), *NOV_2026)}
    assert set(missing) == {"yuchopay", "bankpay"}
    assert {b.code for b, _ in missing_rates(RateTable.default(), dt.date(2025, 4, 1), dt.date(2025, 4, 30))} \
        == {"yuchopay", "bankpay", "linepay"}


def test_a_rate_that_starts_mid_month_is_missing_from_the_first_day_the_brand_is_offered():
    table = RateTable.parse({"rates": [{"brand": b.code, "ppm": 30_000, "from": dt.date(2026, 11, 15)}
                                       for b in offered(dt.date(2026, 11, 1))]})
    found = missing_rates(table, *NOV_2026)
    assert found and all(day == dt.date(2026, 11, 1) for _, day in found)
