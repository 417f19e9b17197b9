"""Property: any month with any planted differences — each is found in its class, nothing else.

Hypothesis builds a month of payments and the statement that settles them, then
plants differences, each on its own payment: a row dropped, a row that is none of
ours, an amount changed, a fee changed, a row doubled, a payment of last month,
in-doubt payments the statement shows or does not. Payments of the weeks either side
of the month (the export spans them) come too: some no row names, in doubt or not,
some a row names only by processor reference or only by terminal, brand, amount and
time; the fast path hands the domain only those a row could attach to, and must
still agree with the full path on everything. Reconciled through the files
and DuckDB as in production, with the bulk fast path and without: both must find
every planted difference in its class, call everything else matched, and agree on
every figure.
"""
from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.domain.brands import BRANDS
from madoguchi.domain.reconcile import Month, Rate, RateTable
from madoguchi.services.reconcile.bulk import PAYMENT_COLUMNS, Rules, reconcile_files

# A city's rules give every brand a rate; the example rates leave out those with none published.
RATES = RateTable(tuple(Rate(b.code, b.fee_ppm or 32_450, dt.date.min) for b in BRANDS))
MONTH = Month(2026, 11)
# Payments of October or December: one no row names is none of this month's business (no
# finding, in doubt or not); one a row names or can be attached to is found as other_period.
NEIGHBOURS = ("neighbour_unlisted", "neighbour_in_doubt", "neighbour_by_processor", "neighbour_by_terminal")
PLANTS = ("missing_in_statement", "missing_in_register", "amount_mismatch", "fee_mismatch",
          "duplicate_in_statement", "other_period", "in_doubt_resolved_paid", "in_doubt_resolved_not_paid",
          *NEIGHBOURS)
HEADER = ["merchant_reference", "processor_reference", "transaction_at", "terminal_id", "brand", "kind", "gross",
          "fee", "net", "deposit_date"]

payment = st.tuples(st.sampled_from([b.code for b in BRANDS]), st.integers(1, 30), st.integers(0, 86_399),
                    st.sampled_from([200, 300, 350, 450, 750, 1400, 2900]), st.integers(1, 3))


@st.composite
def months(draw):  # type: ignore[no-untyped-def]
    pays = draw(st.lists(payment, min_size=len(PLANTS), max_size=40))
    plants = draw(st.lists(st.sampled_from(PLANTS), max_size=len(PLANTS)))
    return pays, plants


def _write(tmp: Path, pays, plants):  # type: ignore[no-untyped-def]
    expected: dict[str, set[str]] = {}
    prows, srows = [], []
    for i, (brand, day, second, amount, qty) in enumerate(pays):
        ref = f"p{i:03d}"
        plant = plants[i] if i < len(plants) else None
        gross = amount * qty
        in_month = 10 if plant == "other_period" else 11
        if plant in NEIGHBOURS:
            in_month = 10 if day % 2 else 12
            day = min(day, 28) if in_month == 10 else min(day, 10)
        moment = dt.datetime(2026, in_month, day, tzinfo=dt.timezone(
            dt.timedelta(hours=9))) + dt.timedelta(seconds=second)
        status = "unknown" if plant and (plant.startswith("in_doubt") or plant == "neighbour_in_doubt") else "approved"
        cat = next(b.category.value for b in BRANDS if b.code == brand)
        prows.append([ref, f"R{i}", f"T{i % 4}", "honcho", "honcho-p1", brand, cat, gross, status,
                      moment.isoformat(), moment.date().isoformat()])
        fee = RATES.fee(brand, gross, moment.date())
        row = [ref, f"R{i}", moment.isoformat(), f"T{i % 4}", brand, "sale", gross, fee, gross - fee, "2026-11-30"]
        expected[ref] = {plant or "matched"}
        if plant in NEIGHBOURS:
            if plant in ("neighbour_unlisted", "neighbour_in_doubt"):
                del expected[ref]
            else:
                expected[ref] = {"other_period"}
            if plant == "neighbour_by_processor":
                srows.append(["", f"R{i}", *row[2:]])
            elif plant == "neighbour_by_terminal":
                srows.append(["", "", *row[2:]])
            continue
        if plant in ("missing_in_statement", "in_doubt_resolved_not_paid"):
            continue
        if plant == "amount_mismatch":
            g = gross + 10
            row[6:9] = [g, RATES.fee(brand, g, moment.date()), g - RATES.fee(brand, g, moment.date())]
        if plant == "fee_mismatch":
            row[7:9] = [fee + 1, gross - fee - 1]
        if plant == "missing_in_register":
            expected[ref] = {"matched"}
            srows.append([f"orphan-{i}", "", moment.isoformat(), "TX", brand, "sale", gross, fee, gross - fee,
                          "2026-11-30"])
            expected[f"orphan-{i}"] = {"missing_in_register"}
        if plant == "duplicate_in_statement":
            srows.append(list(row))
            expected[ref] = {"matched", "duplicate_in_statement"}
        srows.append(row)
    with open(tmp / "payments.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([PAYMENT_COLUMNS, *prows])
    with open(tmp / "statement.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([HEADER, *srows])
    return expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(months())
def test_every_planted_difference_is_found_in_its_class_and_nothing_else_is_flagged(month):  # type: ignore[no-untyped-def]
    pays, plants = month
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        expected = _write(tmp, pays, plants)
        outcomes = [reconcile_files(month=MONTH, statements=[tmp / "statement.csv"],
                                    payments_csv=tmp / "payments.csv", complete=True, fast=fast, rules=Rules(RATES))
                    for fast in (True, False)]
    fast, full = outcomes
    found: dict[str, set[str]] = {}
    for f in full.findings:
        found.setdefault(f.ref, set()).add(f.cls.value)
    assert found == expected
    def flagged(o):  # type: ignore[no-untyped-def]
        return sorted((f.ref, f.cls.value) for f in o.findings if f.cls.value != "matched")
    assert flagged(fast) == flagged(full)
    assert fast.summary.counts == full.summary.counts
    for attr in ("register_gross", "statement_gross", "fees", "expected_fees", "net", "deposits", "by_brand",
                 "by_site", "days"):
        assert getattr(fast.summary, attr) == getattr(full.summary, attr), attr
