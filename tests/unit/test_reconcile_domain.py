"""The rules of the close of month, without files or a database."""
from __future__ import annotations

import datetime as dt

import pytest

from madoguchi.domain.reconcile import (
    DepositSchedule,
    Kind,
    MatchClass,
    Month,
    RateTable,
    RegisterPayment,
    Rounding,
    StatementRow,
    expected_fee,
)
from madoguchi.domain.reconcile_match import classify
from madoguchi.domain.reconcile_summary import allocate
from madoguchi.errors import BadInput

JST = dt.timezone(dt.timedelta(hours=9))
NOV = Month(2026, 11)
RATES = RateTable.default()


def at(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=JST)


def pay(ref: str, *, brand: str = "suica", amount: int = 300, status: str = "approved", day: int = 2,
        minute: int = 0, terminal: str = "T1", proc: str | None = None) -> RegisterPayment:
    moment = at(day, minute=minute)
    return RegisterPayment(ref, proc, terminal, "honcho", "honcho-p1", brand, "emoney", amount, status, moment,
                           moment.date())


def row(ref: str | None, *, brand: str = "suica", gross: int = 300, kind: Kind = Kind.SALE, day: int = 2,
        minute: int = 0, line: int = 2, fee: int | None = None, proc: str | None = None,
        terminal: str = "T1") -> StatementRow:
    fee = RATES.fee(brand, gross, at(day).date()) if fee is None else fee
    return StatementRow("s.csv", line, at(day, minute=minute), terminal, ref, proc, brand, kind, gross, fee,
                        gross - fee, dt.date(2026, 11, 30))


def run(payments, rows, complete=True):  # type: ignore[no-untyped-def]
    return classify(payments, rows, month=NOV, rates=RATES, tolerance=dt.timedelta(minutes=5), complete=complete)


def test_the_expected_fee_is_gross_times_rate_rounded_down_to_the_yen_in_integers():
    assert expected_fee(300, 32_450) == 9            # 9.735
    assert expected_fee(1450, 24_800) == 35          # 35.96
    assert expected_fee(-450, 32_450) == -14         # a refund gives its fee back
    assert expected_fee(300, 32_450, Rounding.HALF_UP) == 10
    assert expected_fee(1000, 24_800, Rounding.CEIL) == 25
    assert expected_fee(10_000, 25_000, Rounding.CEIL) == 250


def test_a_rate_applies_from_its_effective_date_and_a_settings_file_gives_only_the_brands_it_names():
    table = RateTable.parse({"rounding": "half_up", "rates": [
        {"brand": "visa", "ppm": 24_800, "from": dt.date(2020, 1, 1)},
        {"brand": "visa", "ppm": 19_800, "from": dt.date(2026, 12, 1)}]})
    assert table.ppm("visa", dt.date(2026, 11, 30)) == 24_800
    assert table.ppm("visa", dt.date(2026, 12, 1)) == 19_800
    assert not table.has_rate("paypay", dt.date(2026, 12, 1))  # no silent default: a finding (rules_check)
    assert table.rounding is Rounding.HALF_UP
    with pytest.raises(BadInput, match="parts per million"):
        RateTable.parse({"rates": [{"brand": "visa", "ppm": 2.48}]})
    with pytest.raises(BadInput, match="no fee rate"):
        table.ppm("visa", dt.date(2019, 1, 1))


def test_the_default_deposit_schedule_pays_the_first_half_at_month_end_and_the_rest_on_the_15th():
    s = DepositSchedule()
    assert s.deposit_date(dt.date(2026, 11, 15)) == dt.date(2026, 11, 30)
    assert s.deposit_date(dt.date(2026, 11, 16)) == dt.date(2026, 12, 15)
    assert s.deposit_date(dt.date(2026, 12, 31)) == dt.date(2027, 1, 15)
    assert s.deposit_date(dt.date(2027, 2, 3)) == dt.date(2027, 2, 28)
    weekly = DepositSchedule.parse([{"until_day": 31, "months_later": 1, "pay_day": 0}])
    assert weekly.deposit_date(dt.date(2026, 11, 3)) == dt.date(2026, 12, 31)


def test_a_month_is_written_yyyy_mm():
    assert str(Month.parse("2026-11")) == "2026-11" and Month.parse("2026-11").label_ja == "令和8年11月分"
    with pytest.raises(BadInput, match="YYYY-MM"):
        Month.parse("2026-13")


def test_a_row_without_reference_matches_the_one_payment_of_the_same_terminal_brand_amount_and_time():
    [f] = run([pay("a", minute=0)], [row(None, minute=3)])
    assert f.cls is MatchClass.MATCHED and "端末" in f.note


def test_ambiguous_candidates_are_reported_not_guessed():
    findings = run([pay("a", minute=0), pay("b", minute=2)], [row(None, minute=1)])
    classes = {f.ref: f.cls for f in findings}
    assert classes["a"] is classes["b"] is MatchClass.MISSING_IN_STATEMENT
    [orphan] = [f for f in findings if f.payment is None]
    assert orphan.cls is MatchClass.MISSING_IN_REGISTER and set(orphan.candidates) == {"a", "b"}


def test_a_row_outside_the_time_tolerance_is_not_matched():
    findings = run([pay("a", minute=0)], [row(None, minute=30)])
    assert sorted(f.cls.value for f in findings) == ["missing_in_register", "missing_in_statement"]


def test_a_refund_carrying_only_the_processor_reference_is_matched_to_its_original():
    findings = run([pay("a", proc="R1", status="cancelled")],
                   [row("a", proc="R1"), row(None, proc="R1", gross=-300, kind=Kind.REFUND, line=3, day=5)])
    [f] = findings
    assert f.cls is MatchClass.MATCHED and len(f.rows) == 2


def test_a_sale_without_its_cancel_is_an_amount_mismatch_for_a_cancelled_payment():
    [f] = run([pay("a", status="cancelled")], [row("a")])
    assert f.cls is MatchClass.AMOUNT_MISMATCH and f.expected_gross == 0 and f.statement_gross == 300


def test_a_declined_payment_the_statement_shows_as_a_sale_is_flagged():
    [f] = run([pay("a", status="declined")], [row("a")])
    assert f.cls is MatchClass.AMOUNT_MISMATCH and "拒否" in f.note


def test_a_fee_that_differs_from_the_rate_table_is_a_fee_mismatch_with_both_figures():
    [f] = run([pay("a")], [row("a", fee=12)])
    assert f.cls is MatchClass.FEE_MISMATCH and (f.fee, f.expected_fee) == (12, 9)


def test_an_in_doubt_payment_waits_until_the_months_statements_are_complete():
    assert run([pay("a", status="unknown")], [], complete=False)[0].cls is MatchClass.IN_DOUBT_OPEN
    assert run([pay("a", status="unknown")], [], complete=True)[0].cls is MatchClass.IN_DOUBT_RESOLVED_NOT_PAID
    assert run([pay("a", status="unknown")], [row("a")])[0].cls is MatchClass.IN_DOUBT_RESOLVED_PAID


def test_a_row_of_another_month_with_no_payment_is_other_period():
    [f] = run([], [StatementRow(
        "s.csv", 2, at(31, month=10), "T1", "x", None, "suica", Kind.SALE, 300, 9, 291, dt.date(2026, 11, 15))])
    assert f.cls is MatchClass.OTHER_PERIOD


def test_the_fees_are_allocated_to_revenue_lines_in_proportion_and_add_up():
    shares = allocate(133, {"1401-01": 3000, "1401-02": 1450, "1401-03": 200})
    assert sum(shares.values()) == 133 and shares["1401-01"] > shares["1401-02"] > shares["1401-03"]
    assert allocate(10, {}) == {} and allocate(0, {"a": 5}) == {"a": 0}
