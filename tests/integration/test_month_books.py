"""Books that balance across days and months: an in-doubt payment resolved after its day
(and its month) was closed is in exactly one month's register and one day's sheet.

Simulated days at the end of October with many faults, every day closed, then a day in
November. October is reconciled with a statement that shows the in-doubt payments as
sales (which resolves them, in November), then November with a complete statement of
November's payments: nothing of October's may show up there, and nothing is missing.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.scratch import scratch_database
from madoguchi.bootstrap import sim_runtime
from madoguchi.config import Settings
from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.domain.reconcile import DepositSchedule, Month, RateTable
from madoguchi.services.close import close_day
from madoguchi.services.close.export import payment_rows as export_rows
from madoguchi.services.reconcile.month import payment_rows, reconcile_month
from madoguchi.services.sim.simulate import simulate_day
from tests.conftest import DATABASES, PG_URL
from tests.helpers import journal

OCTOBER = (dt.date(2026, 10, 29), dt.date(2026, 10, 30))
NOVEMBER = dt.date(2026, 11, 2)
SUPERVISOR = Actor("kakaricho", Role.SUPERVISOR, frozenset({ALL_SITES}))
ACCOUNTANT = Actor("kaikei", Role.ACCOUNTANT, frozenset({ALL_SITES}))
RATES = RateTable.default()
HEADER = ["transaction_at", "terminal_id", "merchant_reference", "processor_reference", "brand", "kind",
          "gross", "fee", "net", "deposit_date"]


def _close(rt: Any, clock: Any, day: dt.date) -> dict[str, Any]:
    clock.set(dt.datetime.combine(day, dt.time(17, 40), dt.timezone(dt.timedelta(hours=9))))
    counted = {s: {str(d): n for d, n in rt.devices.of(s).changer.counts().items()}
               for s in ("honcho-p1", "honcho-p2")}
    return close_day.close_day(rt, site="honcho", day=day, counted=counted, actor=SUPERVISOR,
                               confirm_warnings=True)


def _statement(path: Path, rows: list[dict[str, Any]]) -> Path:
    """The agent's statement of ``rows``: one sale row each, at the terminal's time, fees by the table."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for n, p in enumerate(rows):
            day = dt.date.fromisoformat(p["paid_at"][:10])
            fee = RATES.fee(p["brand"], p["amount"], day)
            w.writerow([p["paid_at"], p["terminal_id"], p["merchant_reference"], f"PX-{n}", p["brand"], "sale",
                        p["amount"], fee, p["amount"] - fee, DepositSchedule().deposit_date(day).isoformat()])
    return path


def _cashless(rows: list[dict[str, Any]], *states: str) -> list[dict[str, Any]]:
    return [r for r in rows if r["category"] != "cash" and r["status"] in states]


@pytest.fixture(scope="module", params=DATABASES)
def two_months(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    """October's last days with faults, each closed; a November day; both months reconciled."""
    tmp = tmp_path_factory.mktemp("months")
    url, drop = scratch_database(request.param, tmp, PG_URL)
    settings = Settings(database_url=url, device_state_dir=tmp / "devices", status_backoff=(0.0, 0.0))
    engine = make_engine(settings.database_url)
    rt, clock = sim_runtime(settings, day=OCTOBER[0], engine=engine)
    for n, day in enumerate(OCTOBER):
        simulate_day(rt, clock, day=day, sales=40, seed=30 + n, site="honcho", cashless_share=0.6,
                     fault_rate=0.6)
        _close(rt, clock, day)
    october_rows = payment_rows(rt, Month(2026, 10))
    in_doubt = _cashless(october_rows, "unknown")
    assert in_doubt, "the simulated October must leave some payments in doubt"
    october_paid = _cashless(october_rows, "approved", "refunded")

    simulate_day(rt, clock, day=NOVEMBER, sales=20, seed=40, site="honcho", cashless_share=0.6, fault_rate=0.0)
    oct_statement = _statement(tmp / "october.csv", october_paid + in_doubt)
    oct_summary = reconcile_month(rt, month="2026-10", statements=[oct_statement], actor=ACCOUNTANT,
                                  out=tmp / "october.xlsx", complete=True)
    november_rows = [r for r in payment_rows(rt, Month(2026, 11))
                     if r["business_date"].startswith("2026-11")]
    nov_paid = [r for r in _cashless(november_rows, "approved", "refunded")
                if r["merchant_reference"] not in {p["merchant_reference"] for p in in_doubt}]
    nov_statement = _statement(tmp / "november.csv", nov_paid)
    nov_summary = reconcile_month(rt, month="2026-11", statements=[nov_statement], actor=ACCOUNTANT,
                                  out=tmp / "november.xlsx", complete=True)
    yield rt, in_doubt, october_paid, oct_summary, nov_summary
    engine.dispose()
    drop()


def test_in_doubt_payments_resolved_paid_by_october_s_statement_are_not_missing_in_november(
        two_months):  # type: ignore[no-untyped-def]
    _rt, in_doubt, _paid, oct_summary, nov_summary = two_months
    assert oct_summary["counts"]["in_doubt_resolved_paid"] == len(in_doubt)
    assert nov_summary["counts"]["missing_in_statement"] == 0
    assert nov_summary["counts"]["other_period"] == 0
    assert nov_summary["counts"]["missing_in_register"] == 0


def test_each_payment_that_moved_money_is_in_exactly_one_month_s_register(two_months):  # type: ignore[no-untyped-def]
    rt, in_doubt, october_paid, _oct, _nov = two_months
    october = {r["merchant_reference"] for r in payment_rows(rt, Month(2026, 10))
               if r["business_date"].startswith("2026-10") and r["status"] in ("approved", "refunded")}
    november = {r["merchant_reference"] for r in payment_rows(rt, Month(2026, 11))
                if r["business_date"].startswith("2026-11") and r["status"] in ("approved", "refunded")}
    assert not october & november
    assert {p["merchant_reference"] for p in in_doubt} <= october


def test_the_transfer_s_revenue_lines_of_october_carry_the_in_doubt_payments_paid(two_months):  # type: ignore[no-untyped-def]
    _rt, in_doubt, october_paid, oct_summary, nov_summary = two_months
    october_gross = sum(p["amount"] for p in october_paid + in_doubt)
    assert oct_summary["register_gross"] == october_gross
    # The transfer's revenue lines are built from the fees of October's own payments, the
    # in-doubt ones included, and add up to it; November's register does not hold them again.
    for summary in (oct_summary, nov_summary):
        transfer = summary["transfer"]
        assert sum(line["fee_share"] for line in transfer["to"]) == transfer["amount"]
        assert "科目不明" not in {line["name"] for line in transfer["to"]}
    assert oct_summary["transfer"]["amount"] > 0


def test_a_resolved_payment_keeps_the_terminal_s_moment_and_names_the_day_that_booked_it(
        two_months):  # type: ignore[no-untyped-def]
    rt, in_doubt, _paid, _oct, _nov = two_months
    by_ref = {r["merchant_reference"]: r for r in payment_rows(rt, Month(2026, 10))}
    for p in in_doubt:
        now = by_ref[p["merchant_reference"]]
        assert now["status"] == "approved"
        assert now["paid_at"] == p["paid_at"] and now["business_date"] == p["business_date"]
        assert now["booked_on"] == NOVEMBER.isoformat()


def test_a_resolved_payment_is_in_one_day_s_sheet_as_a_correction_of_its_own_closed_day(
        two_months):  # type: ignore[no-untyped-def]
    rt, in_doubt, _paid, _oct, _nov = two_months
    for p in in_doubt:
        [entry] = [e for e in journal(rt) if e.kind == "sale_paid"
                   and e.details().get("payment_id") == p["merchant_reference"]]
        assert entry.business_date == NOVEMBER.isoformat()
        assert entry.details()["moved_from"] == p["business_date"]


def test_the_payments_export_names_the_business_day_and_the_day_that_booked_it(
        two_months):  # type: ignore[no-untyped-def]
    rt, in_doubt, _paid, _oct, _nov = two_months
    rows = {r["merchant_reference"]: r for r in export_rows(rt.uow, date_from=OCTOBER[0], date_to=NOVEMBER)}
    for p in in_doubt:
        row = rows[p["merchant_reference"]]
        assert (row["business_date"], row["booked_on"]) == (p["business_date"], NOVEMBER.isoformat())
    assert all(r["booked_on"] is None for ref, r in rows.items()
               if ref not in {p["merchant_reference"] for p in in_doubt})
