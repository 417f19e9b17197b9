"""Issue 13, the close of month: the 公金振替, its breakdowns, 未到来 and the three-way check. Pure."""
from __future__ import annotations

import datetime as dt

from madoguchi.domain.reconcile import (
    DepositSchedule,
    Kind,
    MatchClass,
    Month,
    RateTable,
    RegisterPayment,
    StatementRow,
)
from madoguchi.domain.reconcile_match import classify
from madoguchi.domain.reconcile_summary import summarize, tallies_of
from madoguchi.domain.reconcile_transfer import build_transfer, fee_items, split_fee

JST = dt.timezone(dt.timedelta(hours=9))
NOV = Month(2026, 11)
RATES = RateTable.default()


def pay(ref: str, *, day: int = 2, amount: int = 300, status: str = "approved", site: str = "honcho",
        month: int = 11, brand: str = "suica") -> RegisterPayment:
    moment = dt.datetime(2026, month, day, 10, 0, tzinfo=JST)
    return RegisterPayment(ref, None, "T1", site, f"{site}-p1", brand, "emoney", amount, status, moment, moment.date())


def row(ref: str | None, *, day: int = 2, gross: int = 300, kind: Kind = Kind.SALE, line: int = 2,
        deposit: dt.date = dt.date(2026, 11, 30), month: int = 11, brand: str = "suica") -> StatementRow:
    fee = RATES.fee(brand, gross, dt.date(2026, month, day))
    return StatementRow("s.csv", line, dt.datetime(2026, month, day, 10, 0, tzinfo=JST), "T1", ref, None, brand,
                        kind, gross, fee, gross - fee, deposit)


def classify_nov(payments, rows, *, complete=True, through=None):  # type: ignore[no-untyped-def]
    return classify(payments, rows, month=NOV, rates=RATES, tolerance=dt.timedelta(minutes=5),
                    complete=complete, statements_through=through)


def test_the_transfer_leaves_out_rows_that_are_none_of_ours_and_the_second_row_of_a_duplicate():
    findings = classify_nov([pay("a"), pay("b", day=3)],
                            [row("a", line=2), row("b", day=3, line=3), row("b", day=3, line=4),
                             row("not-ours", day=5, line=5)])
    items, disputed = fee_items(findings)
    transfer = build_transfer(items, disputed, complete=True, revenue_lines={})
    assert transfer.amount == 9 + 9                   # a and the first row of b
    assert [(d.row.line, d.cls) for d in transfer.disputed] == [
        (4, MatchClass.DUPLICATE_IN_STATEMENT), (5, MatchClass.MISSING_IN_REGISTER)]
    assert transfer.disputed_fee == 18


def test_a_cut_off_payment_first_on_this_statement_and_a_cancels_fee_return_are_in_the_transfer():
    october = pay("oct", day=31, month=10)
    findings = classify_nov([october, pay("c", day=16, amount=450, status="cancelled")],
                            [row("oct", day=1, line=2),
                             row("c", day=16, gross=450, line=3, deposit=dt.date(2026, 12, 15)),
                             row("c", day=16, gross=-450, kind=Kind.CANCEL, line=4, deposit=dt.date(2026, 12, 15))])
    items, disputed = fee_items(findings)
    transfer = build_transfer(items, disputed, complete=True, revenue_lines={})
    assert transfer.amount == 9 + 14 - 14 and not transfer.disputed
    assert transfer.by_deposit == {dt.date(2026, 11, 30): 9, dt.date(2026, 12, 15): 0}


def test_every_breakdown_is_built_from_each_payments_fee_and_adds_up_to_the_transfer():
    findings = classify_nov([pay("a", site="honcho", amount=1000, brand="visa"),
                             pay("b", day=20, site="kita", amount=750)],
                            [row("a", gross=1000, brand="visa"),
                             row("b", day=20, gross=750, line=3, deposit=dt.date(2026, 12, 15))])
    items, disputed = fee_items(findings)
    lines = {"a": {"koseki": 450, "juminhyo": 550}, "b": {"koseki": 750}}
    transfer = build_transfer(items, disputed, complete=True, revenue_lines=lines)
    assert transfer.amount == 24 + 24                 # visa 1000 × 2.48 %, suica 750 × 3.245 %
    assert transfer.by_site == {"honcho": 24, "kita": 24}
    assert transfer.by_deposit == {dt.date(2026, 11, 30): 24, dt.date(2026, 12, 15): 24}
    # a's 24 yen over 450 / 550: 10.8 and 13.2 -> 10 and 13, the spare yen to the larger remainder (10.8).
    assert transfer.by_revenue == {"juminhyo": 13, "koseki": 11 + 24}
    for breakdown in (transfer.by_site, transfer.by_deposit, transfer.by_revenue):
        assert sum(breakdown.values()) == transfer.amount


def test_a_refund_gives_back_exactly_the_shares_its_sale_took():
    lines = {"koseki": 450, "juminhyo": 300}
    sale, refund = split_fee(14, lines), split_fee(-14, lines)
    assert sale == {"koseki": 8, "juminhyo": 6} and refund == {k: -v for k, v in sale.items()}
    assert split_fee(9, {}) == {"": 9}               # lines unknown: one bucket, never lost


def test_the_transfer_is_provisional_while_the_months_statements_are_incomplete():
    findings = classify_nov([pay("a")], [row("a")], complete=False, through=dt.date(2026, 11, 15))
    assert build_transfer(*fee_items(findings), complete=False, revenue_lines={}).provisional
    assert not build_transfer(*fee_items(findings), complete=True, revenue_lines={}).provisional


def test_with_partial_statements_a_payment_after_the_last_statement_day_is_not_yet_due_not_missing():
    findings = classify_nov([pay("early", day=3), pay("late", day=20)], [], complete=False,
                            through=dt.date(2026, 11, 15))
    assert {f.ref: f.cls for f in findings} == {"early": MatchClass.MISSING_IN_STATEMENT,
                                                "late": MatchClass.NOT_YET_DUE}
    complete = classify_nov([pay("late", day=20)], [], complete=True, through=dt.date(2026, 11, 15))
    assert complete[0].cls is MatchClass.MISSING_IN_STATEMENT


def _summary(findings, sheets):  # type: ignore[no-untyped-def]
    tallies = [t for f in findings for t in tallies_of(f, RATES)]
    return summarize(NOV, tallies, findings, schedule=DepositSchedule(), daily_sheets=sheets)


def test_the_three_way_check_holds_the_closed_sites_sheets_against_those_sites_register_only():
    findings = classify_nov([pay("h", site="honcho"), pay("k", site="kita", amount=450)],
                            [row("h"), row("k", gross=450, line=3)])
    # Only honcho closed the day: its sheet (300) is compared with honcho's register, not with 750.
    [day] = _summary(findings, {(dt.date(2026, 11, 2), "honcho"): 300}).days
    assert day.daily_sheet == 300 and day.register_closed == 300 and day.register == 750
    assert day.unclosed == ("kita",) and not day.differs


def test_a_terminal_cancel_leaves_no_unexplained_difference():
    cancelled = pay("c", day=16, amount=450, status="cancelled")
    findings = classify_nov([cancelled], [row("c", day=16, gross=450),
                                          row("c", day=16, gross=-450, kind=Kind.CANCEL, line=3)])
    [day] = _summary(findings, {(dt.date(2026, 11, 16), "honcho"): 0}).days
    assert not day.differs and day.register == day.statement == 0
    assert day.refs == ("c (端末取消)",)
