"""Property: books that balance across days, months and corrections, whatever happens and whenever it crashes.

A hypothesis state machine runs random sequences over four business days in two months
at two sites: sales in cash and cashless with faults (a jammed changer, a declined card, a
terminal timing out with any outcome, paper out), in-doubt payments resolved later (by the
terminal, by a supervisor, or by the agent's statement; cash taken meanwhile), refunds,
voids, adjustments of closed days, day closes with counted cash and over/short, and month
closes with statements that carry planted differences (rows missing, doubled, amounts and
fees changed, rows that are none of ours, a payment of the other month). Any step may be
cut short by a crash injected before a chosen journal append or commit, after which the
server restarts (recovery) and the books are read again. After every step
(``ledger_books.py``): each payment that moved money is in one day's sheet and one month's
register; the month's sheets and corrections add up to its register; each sheet is its
journal; and a closed day's sheet never changes. After each month close: the transfer is
the fees on our own payments' rows, each breakdown adds up to it, and the three-way check
leaves no difference that its corrections do not explain.
"""
from __future__ import annotations

import datetime as dt
import os
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule, run_state_machine_as_test

from madoguchi.bootstrap import ensure_float
from madoguchi.domain.receipt import JST
from madoguchi.services.close import adjustments, close_day
from madoguchi.services.counter import incidents, refunds, sales
from madoguchi.services.reconcile.month import payment_rows, reconcile_month
from tests.conftest import DATABASES
from tests.integration import ledger_books as books
from tests.integration.ledger_counter import CASHIER, SITES, SUPERVISOR, new_id, pay_cash, run_sale
from tests.integration.ledger_machine import (
    ACCOUNTANT,
    CRASH,
    DAYS,
    HOW,
    MONTHS,
    PLANTS,
    RESIDENT,
    LedgerMachine,
)
from tests.integration.ledger_statement import check_transfer, write_statement

#: Bounded, so a run takes well under a minute per database; MADOGUCHI_LEDGER_EXAMPLES=200 explores (randomly).
EXAMPLES = int(os.environ.get("MADOGUCHI_LEDGER_EXAMPLES") or 14)
#: MADOGUCHI_LEDGER_NO_SHRINK=1 reports the first failing sequence as found (quicker to read while debugging).
PHASES = tuple(p for p in Phase if not (os.environ.get("MADOGUCHI_LEDGER_NO_SHRINK") and p is Phase.shrink))


class Ledger(LedgerMachine):
    """The rules: residents pay, refunds, in-doubt payments resolved, day and month closes, corrections."""

    # --- the counter ------------------------------------------------------------------
    @initialize(residents=st.lists(RESIDENT, min_size=3, max_size=6))
    def the_first_residents_pay(self, residents: list[dict[str, Any]]) -> None:
        self.residents_pay(residents)

    @rule(residents=st.lists(RESIDENT, min_size=1, max_size=3))
    def residents_pay(self, residents: list[dict[str, Any]]) -> None:
        for r in residents:
            self.clock.advance(minutes=7)
            self.steps_today += 1
            staff, stations = SITES[r["site"]]
            sale_id = new_id()
            self.crash_in = r["crash"]
            self._do(partial(run_sale, self.rt, sale_id, staff, stations, r["items"], r["in_cash"], r["note"],
                             r["brand"], r["fault"]))

    @rule(pick=st.integers(0, 50), crash=CRASH)
    def a_paid_sale_is_refunded(self, pick: int, crash: int | None) -> None:
        paid = self._of_state("paid")
        if not paid:
            return
        sale_id, _site = paid[pick % len(paid)]
        self.crash_in = crash
        self._do(lambda: refunds.refund_sale(self.rt, refund_id=new_id(), sale_id=sale_id, reason="返金",
                                             actor=SUPERVISOR))

    @rule(pick=st.integers(0, 50), how=st.sampled_from(HOW),
          crash=CRASH)
    def an_in_doubt_payment_is_resolved(self, pick: int, how: str, crash: int | None) -> None:
        open_ = [i for i in incidents.list_incidents(self.rt, actor=SUPERVISOR) if i["kind"] == "cashless_unknown"]
        if not open_:
            return
        incident = open_[pick % len(open_)]
        self.clock.advance(minutes=3)
        self.crash_in = crash
        if how == "cash_meanwhile":
            def cash_meanwhile() -> None:
                incidents.allow_cash_in_doubt(self.rt, sale_id=incident["sale_id"], actor=SUPERVISOR, note="現金で")
                view = sales.move_sale(self.rt, sale_id=incident["sale_id"], move_id=new_id(), actor=CASHIER)
                if view["payment_station"]:
                    pay_cash(self.rt, incident["sale_id"], view["payment_station"], False)
            self._do(cash_meanwhile)
        elif how.startswith("terminal"):
            terminal = self.rt.devices.of(incident["payment_station"]).terminal

            def the_terminal_answers() -> None:
                terminal.settle(incident["request_id"], how == "terminal_paid")
                incidents.recheck_unknown(self.rt, incident_id=incident["id"], actor=SUPERVISOR)
            self._do(the_terminal_answers)
        else:
            self._do(lambda: incidents.resolve_unknown(self.rt, incident_id=incident["id"], paid=how == "staff_paid",
                                                       actor=SUPERVISOR, evidence="事業者回答"))

    # --- the close of day ----------------------------------------------------------------
    @rule(site=st.sampled_from(sorted(SITES)), over_short=st.sampled_from([0, 0, 10, -100, 1000]),
          crash=CRASH)
    def a_site_closes_its_oldest_open_day(self, site: str, over_short: int, crash: int | None) -> None:
        day = self._oldest_open_day(site)
        if day is None or day > DAYS[self.today]:
            return
        counted = {}
        for station in SITES[site][1]:
            counts = {d: n for d, n in self.rt.devices.of(station).changer.counts().items()}
            counts[10] = counts.get(10, 0) + over_short // 10 if over_short > 0 else counts.get(10, 0)
            if over_short < 0 and counts.get(100, 0) >= 1:
                counts[100] -= 1
            counted[station] = {str(d): n for d, n in counts.items()}
        self.crash_in = crash
        self.clock.advance(minutes=1)
        done = self._do(lambda: close_day.close_day(
            self.rt, site=site, day=day, counted=counted, reasons={s: "再計数済・原因不明" for s in counted},
            actor=SUPERVISOR, confirm_warnings=True))
        if done is not None:
            self.frozen[(site, day)] = books.read_books(self.rt, (site,)).sheets[(site, day)]
            self._do(lambda: ensure_float(self.rt))  # tomorrow's float, loaded the evening after the close

    @precondition(lambda self: self.steps_today >= 2 and self.today + 1 < len(DAYS))
    @rule(closing=st.sets(st.sampled_from(sorted(SITES))), over_short=st.sampled_from([0, 0, 10, -100]),
          answers=st.lists(st.sampled_from(HOW), max_size=2))
    def the_evening_closes_and_the_next_business_day_begins(self, closing: set[str], over_short: int,
                                                            answers: list[str]) -> None:
        """The sites close; next morning the providers have answered about some in-doubt payments."""
        for site in sorted(closing):
            self.a_site_closes_its_oldest_open_day(site, over_short, None)
        self.today += 1
        self.steps_today = 0
        self.clock.now = dt.datetime.combine(DAYS[self.today], dt.time(8, 30), JST).astimezone(dt.UTC)
        self._do(lambda: ensure_float(self.rt))
        for how in answers:
            self.an_in_doubt_payment_is_resolved(0, how, None)

    @precondition(lambda self: self.frozen)
    @rule(pick=st.integers(0, 50), amount=st.sampled_from([-300, 150, 450]), kind=st.sampled_from(["line", "cash"]),
          crash=CRASH)
    def a_closed_day_is_corrected(self, pick: int, amount: int, kind: str, crash: int | None) -> None:
        closed = sorted(self.frozen)
        if not closed:
            return
        site, day = closed[pick % len(closed)]
        station = SITES[site][1][0]
        close = next(s for s in self.frozen[(site, day)]["stations"] if s["id"] == station)
        if kind == "cash":
            if not close["over_short"]:
                return
            amount = -close["over_short"]
        args = dict(site=site, corrects=day, category="cash" if kind == "cash" else "qr", amount=amount,
                    reason="誤計上の訂正", station=station if kind == "cash" else None,
                    revenue_line=None if kind == "cash" else "1401-01")
        adjustment_id = new_id()
        self.crash_in = crash

        def correct() -> None:
            adjustments.request_adjustment(self.rt, adjustment_id=adjustment_id, actor=ACCOUNTANT, **args)
            adjustments.approve_adjustment(self.rt, adjustment_id=adjustment_id, actor=SUPERVISOR)
        self._do(correct)

    # --- the close of month ---------------------------------------------------------------
    @precondition(lambda self: self.today >= 2 and len(self.months_closed) < len(MONTHS))
    @rule(which=st.integers(0, 1), plants=st.lists(st.tuples(st.sampled_from(PLANTS), st.integers(0, 50)),
                                                   max_size=4), crash=CRASH)
    def a_month_is_closed_with_its_statement(self, which: int, plants: list[tuple[str, int]],
                                             crash: int | None) -> None:
        month = MONTHS[which]
        # A month is closed once its days are behind (October from November on, November on its last day).
        if month in self.months_closed or self.today < (2 if which == 0 else len(DAYS) - 1):
            return
        rows = payment_rows(self.rt, month)
        path, expected = write_statement(self.tmp / f"{month}-{len(self.months_closed)}.csv", rows, month, plants,
                                         self.deferred)
        self.crash_in = crash
        summary = self._do(lambda: reconcile_month(self.rt, month=str(month), statements=[path], actor=ACCOUNTANT,
                                                   out=self.tmp / f"{month}.xlsx", complete=True))
        if summary is not None:
            self.months_closed.add(month)
            check_transfer(summary, expected)
            # The three-way check: each closed site-day's sheet, with the corrections naming it and
            # less those booked on it for other days, is its register. No unexplained difference.
            off = [d for d in summary["three_way"] if d["daily_sheet"] is not None
                   and d["daily_sheet"] + d["corrections_in"] - d["corrections_out"] != d["register_closed"]]
            self.three_way_off += len(off)
            assert not off, off


@pytest.mark.slow
@pytest.mark.parametrize("database", DATABASES)
def test_books_balance_across_days_months_corrections_and_crashes(database: str) -> None:
    Ledger.database = database
    run_state_machine_as_test(Ledger, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=40, deadline=None,
        derandomize=not os.environ.get("MADOGUCHI_LEDGER_EXAMPLES"),
        phases=PHASES,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
