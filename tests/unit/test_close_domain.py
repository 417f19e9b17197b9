"""The pure part of the close of day: counted cash, expected cash, over/short, totals, findings."""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from madoguchi.domain.close import (
    CashPosition,
    Severity,
    SiteState,
    StationState,
    cash_position,
    check_site,
    check_station,
    errors,
    parse_counts,
    value_of,
    warnings,
)
from madoguchi.domain.day_report import Tally, positions_from_entries, totals_from_entries
from madoguchi.domain.journal import JournalEntry, canonical_json
from madoguchi.errors import BadInput

DAY = "2026-11-02"


def entry(seq: int, kind: str, amount: int = 0, *, station: str | None = "p1", sale: str | None = None,
          **details: Any) -> JournalEntry:
    return JournalEntry(seq=seq, kind=kind, occurred_at="2026-11-02T01:00:00+00:00", business_date=DAY,
                        site="honcho", station=station, actor="t", sale_id=sale, amount=amount,
                        data=canonical_json(details), prev_hash="0" * 64, hash=f"{seq:064d}")


def paid(seq: int, sale: str, amount: int, *, category: str = "cash", brand: str | None = None,
         tendered: int | None = None, lines: list[list[Any]] | None = None, fully_paid: bool = True,
         **extra: Any) -> JournalEntry:
    method = "cash" if category == "cash" else "cashless"
    return entry(seq, "sale_paid", amount, sale=sale, method=method, category=category, brand=brand,
                 tendered=tendered if method == "cash" else None,
                 change=(tendered - amount) if tendered is not None else None, fully_paid=fully_paid,
                 lines=lines or [["juminhyo", 1, amount, "1401-01", None]], **extra)


# --- counted cash ------------------------------------------------------------------------
def test_counted_cash_is_read_by_denomination_and_lists_every_denomination():
    counts = parse_counts({"10000": 2, "1000": 3, "1": 4}, station="p1")
    assert counts[10000] == 2 and counts[1000] == 3 and counts[1] == 4 and counts[5000] == 0
    assert value_of(counts) == 23_004 and len(counts) == 10


@pytest.mark.parametrize("raw, words", [
    ({"3000": 1}, ["p1", "3000", "not a yen denomination"]),
    ({"500": -1}, ["p1", "denomination 500", "0 to"]),
    ({"100": 1.5}, ["p1", "denomination 100", "whole number"]),
    ({"100": True}, ["p1", "denomination 100", "whole number"]),
    ({"100": "3"}, ["p1", "denomination 100", "whole number"]),
    ([1, 2], ["p1", "object"]),
])
def test_a_wrong_count_names_the_station_and_the_denomination(raw, words):
    with pytest.raises(BadInput) as err:
        parse_counts(raw, station="p1")
    for word in words:
        assert word in err.value.message


# --- expected cash and over/short -----------------------------------------------------------
def test_expected_cash_is_float_plus_received_minus_change_minus_refunds_plus_in_minus_out():
    position = cash_position([
        ("float_loaded", 50_000, {}),
        ("sale_paid", 300, {"method": "cash", "tendered": 1000, "change": 700}),
        ("sale_paid", 450, {"method": "cashless", "category": "emoney"}),  # not cash: no effect
        ("refund", -300, {"method": "cash"}),
        ("refund", -450, {"method": "terminal_cancel"}),
        ("cash_in", 5_000, {}),
        ("cash_out", -20_000, {}),
        ("adjustment", 1_000, {"category": "cash"}),
    ])
    assert position == CashPosition(float_loaded=50_000, received=1000, change=700, refunds=300,
                                    cash_in=5_000, cash_out=20_000, adjustments=1_000)
    assert position.expected == 50_000 + 1000 - 700 - 300 + 5_000 - 20_000 + 1_000
    assert isinstance(position.expected, int)


def _station(counted: dict[int, int] | None, expected: int = 1000, **kw: Any) -> StationState:
    return StationState(station="p1", position=CashPosition(float_loaded=expected), counted=counted, **kw)


def test_over_short_is_counted_minus_expected():
    assert _station({1000: 1}).over_short == 0
    assert _station({1000: 1, 100: 1}).over_short == 100
    assert _station({500: 1}).over_short == -500
    assert _station(None).over_short is None


def test_a_station_that_balances_has_nothing_to_say():
    assert check_station(_station({1000: 1}, machine={1000: 1}), closing=True) == []


def test_a_difference_without_a_reason_refuses_the_close_and_only_warns_at_an_interim_check():
    short = _station({500: 1})
    assert [(f.code, f.severity) for f in check_station(short, closing=True)] == [("unbalanced", Severity.ERROR)]
    assert [(f.code, f.severity) for f in check_station(short, closing=False)] == [("unbalanced", Severity.WARNING)]


def test_a_difference_with_a_reason_is_a_warning_that_names_the_amount_and_the_reason():
    finding, = check_station(_station({500: 1}, reason="釣銭の渡し過ぎ"), closing=True)
    assert finding.code == "over_short" and finding.severity is Severity.WARNING
    assert "-500" in finding.message and "釣銭の渡し過ぎ" in finding.message_ja


def test_every_finding_about_a_station_comes_back_at_once():
    state = _station({500: 1}, machine={1000: 2}, sale_waiting="s" * 36, payments_in_flight=("p" * 36,),
                     receipts_pending=2, jams_open=("j" * 36,), unknown_open=("u1" * 18, "u2" * 18))
    findings = check_station(state, closing=True)
    assert {f.code for f in errors(findings)} == {"sale_at_station", "payment_in_flight", "cash_jam_open",
                                                  "unbalanced"}
    assert [f.code for f in warnings(findings)] == ["machine_differs", "receipts_pending",
                                                    "unknown_outcome_open", "unknown_outcome_open"]
    assert all(f.station == "p1" and f.message and f.message_ja for f in findings)


def test_a_close_without_a_count_is_refused():
    assert [f.code for f in check_station(_station(None), closing=True)] == ["not_counted"]


def test_the_site_wants_every_station_closed_and_no_sale_left_unfinished():
    site = SiteState(site="honcho", stations=(_station({1000: 1}), _station({1000: 1}, closed=True)),
                     open_sales=(("a" * 36, "awaiting_payment"),), refunds_pending=(("r" * 36, 300),))
    findings = check_site(site, closing=True, stations_must_be_closed=True)
    assert [(f.code, f.severity) for f in findings] == [
        ("station_not_closed", Severity.ERROR), ("sale_open", Severity.ERROR), ("refund_pending", Severity.INFO)]


# --- totals from the journal ------------------------------------------------------------------
def test_the_days_totals_come_from_its_journal_entries():
    entries = [
        entry(1, "float_loaded", 10_000),
        paid(2, "s1", 600, tendered=1000, lines=[["juminhyo", 2, 300, "1401-01", None]]),
        paid(3, "s2", 450, category="emoney", brand="suica",
             lines=[["koseki-zenbu", 1, 450, "1401-02", None], ["juminhyo", 1, 0, "1401-01", "official_request"]]),
        paid(4, "s3", 300, category="qr", brand="paypay"),
        entry(5, "sale_voided", sale="s4", total=750, reason="left"),
        entry(6, "refund", -300, sale="s3", method="bank_transfer", category="qr", state="pending"),
        entry(7, "incident_opened", 300, sale="s5"),
        paid(8, "s5", 300, category="credit", brand="visa", double_payment=True),
        entry(9, "adjustment", -1000, adjustment_id="a1", corrects="2026-10-30", category="cash",
              revenue_line=None, reason="r", requested_by="acc", approved_by="sup"),
        entry(10, "day_closed", 0, scope="station"),
    ]
    t = totals_from_entries(entries)
    assert (t.sales_count, t.gross, t.payments.count) == (3, 1350, 3)
    assert t.by_category == {"cash": Tally(1, 600), "emoney": Tally(1, 450), "qr": Tally(1, 300)}
    assert t.by_brand == {"suica": Tally(1, 450), "paypay": Tally(1, 300)}
    assert t.by_fee_item == {"juminhyo": Tally(4, 900), "koseki-zenbu": Tally(1, 450)}
    assert t.by_revenue_line == {"1401-01": Tally(4, 900), "1401-02": Tally(1, 450)}
    assert t.exemptions == {"official_request": (1, 1)}
    assert t.voids == Tally(1, 750)
    assert t.refunds == Tally(1, 300) and t.refunds_pending == Tally(1, 300)
    assert t.refunds_by_revenue_line == {"1401-01": Tally(1, 300)}
    assert t.double_payments == Tally(1, 300)
    assert t.adjustment_total == -1000 and t.adjustments[0].corrects == "2026-10-30"
    assert t.net == 1350 - 300 - 1000
    assert t.cashless_share == Fraction(2, 3)
    assert positions_from_entries(entries)["p1"].expected == 10_000 + 1000 - 400 - 1000


def test_a_sale_paid_in_two_parts_counts_once_and_its_lines_once():
    lines = [["joseki", 1, 750, "1401-02", None]]
    t = totals_from_entries([paid(1, "s1", 500, tendered=500, lines=lines, fully_paid=False),
                             paid(2, "s1", 250, category="credit", brand="jcb", lines=lines)])
    assert (t.sales_count, t.gross, t.by_fee_item) == (1, 750, {"joseki": Tally(1, 750)})


def test_a_refund_of_a_sale_paid_on_another_day_takes_its_revenue_lines_from_that_payment():
    refund = entry(1, "refund", -450, sale="old", method="cash", category="cash", state="done")
    t = totals_from_entries([refund], {"old": [["koseki-zenbu", 1, 450, "1401-02", None]]})
    assert t.refunds_by_revenue_line == {"1401-02": Tally(1, 450)} and t.gross == 0


def test_a_booking_moved_off_a_closed_day_is_named():
    t = totals_from_entries([paid(1, "late", 300, tendered=300, moved_from="2026-11-01")])
    assert t.moved_in == (("late", "2026-11-01"),)


def test_no_sales_means_no_cashless_share_rather_than_a_division_by_zero():
    assert totals_from_entries([]).cashless_share == 0
