"""The plainly matched rows' fees are counted in DuckDB by site, deposit date, fee and revenue
lines; the transfer built from those groups is, yen for yen, the one built row by row with each
payment's own lines (largest remainder on multi-line payments, fee returns included)."""
from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.adapters.files.reconcile_engine import plain_fees, plain_tallies
from madoguchi.domain.brands import BRANDS
from madoguchi.domain.reconcile import Month, Rate, RateTable
from madoguchi.domain.reconcile_transfer import FeeItem, build_transfer
from madoguchi.services.reconcile.bulk import Rules, reconcile_files, revenue_lines_json, write_payments_csv

CODES = ("1401-01", "1401-02", "1402-01")
SITES = ("honcho", "kita", "minami")
DAYS = (dt.date(2026, 11, 30), dt.date(2026, 12, 15), dt.date(2026, 12, 31))
lines_of = st.dictionaries(st.sampled_from(CODES), st.integers(-300, 3000), max_size=3)
row = st.tuples(st.sampled_from(SITES), st.sampled_from(DAYS), st.integers(-500, 500), lines_of, st.booleans())


@settings(max_examples=60, deadline=None)
@given(st.lists(row, max_size=40))
def test_the_fees_counted_in_duckdb_break_down_as_each_payment_s_own(rows) -> None:  # type: ignore[no-untyped-def]
    con = duckdb.connect()
    con.execute("""CREATE TABLE matching (ref VARCHAR, site VARCHAR, deposit_date DATE, fee BIGINT,
                   revenue_lines VARCHAR, plain BOOLEAN)""")
    data = [(f"ref-{n}", site, day, fee, revenue_lines_json(lines), plain)
            for n, (site, day, fee, lines, plain) in enumerate(rows)]
    if data:
        con.executemany("INSERT INTO matching VALUES (?, ?, ?, ?, ?, ?)", data)

    grouped = build_transfer([], [], complete=True, revenue_lines={}, groups=plain_fees(con))

    items = [FeeItem(ref, site, day, fee) for ref, site, day, fee, _lines, plain in data if plain]
    lines = {f"ref-{n}": w for n, (_s, _d, _f, w, plain) in enumerate(rows) if plain and w}
    by_row = build_transfer(items, [], complete=True, revenue_lines=lines)
    assert (grouped.amount, grouped.by_deposit, grouped.by_site, grouped.by_revenue) == \
        (by_row.amount, by_row.by_deposit, by_row.by_site, by_row.by_revenue)


def test_a_month_s_plainly_matched_payments_split_over_the_lines_the_export_carries(tmp_path: Path) -> None:
    rates = RateTable(tuple(Rate(b.code, b.fee_ppm or 32_450, dt.date.min) for b in BRANDS))
    brands = [b.code for b in BRANDS]
    line_sets = [{"1401-01": 300}, {"1401-01": 300, "1401-02": 450}, {"1401-02": 200, "1402-01": 200,
                 "1401-01": 100}, {}, {"1402-01": 0}]
    pays, srows, lines = [], [], {}
    for i in range(90):
        ref, brand, day = f"p{i:03d}", brands[i % len(brands)], dt.date(2026, 11, 1 + i % 30)
        gross = 1000 + 37 * i
        at = dt.datetime.combine(day, dt.time(10, i % 60), tzinfo=dt.timezone(dt.timedelta(hours=9)))
        fee = rates.fee(brand, gross, day)
        lines[ref] = line_sets[i % len(line_sets)]
        pays.append({"merchant_reference": ref, "processor_reference": f"R{i}", "terminal_id": "T-1",
                     "site": SITES[i % 3], "station": "s1", "brand": brand, "category": "credit", "amount": gross,
                     "status": "approved", "paid_at": at.isoformat(), "business_date": day.isoformat(),
                     "revenue_lines": revenue_lines_json(lines[ref])})
        srows.append([ref, f"R{i}", at.isoformat(), "T-1", brand, "sale", gross, fee, gross - fee,
                      DAYS[0 if day.day <= 15 else 1].isoformat()])
    write_payments_csv(pays, tmp_path / "payments.csv")
    with open(tmp_path / "statement.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["merchant_reference", "processor_reference", "transaction_at", "terminal_id",
                                   "brand", "kind", "gross", "fee", "net", "deposit_date"], *srows])
    with tempfile.TemporaryDirectory() as work:
        outcome = reconcile_files(month=Month(2026, 11), statements=[tmp_path / "statement.csv"],
                                  payments_csv=tmp_path / "payments.csv", complete=True, rules=Rules(rates),
                                  workdir=Path(work))
    assert outcome.fast_matched == 90 and not outcome.findings
    assert sum(g.rows for g in outcome.plain_fees) == 90

    grouped = build_transfer([], [], complete=True, revenue_lines={}, groups=outcome.plain_fees)

    items = [FeeItem(r[0], p["site"], dt.date.fromisoformat(r[9]), r[7]) for r, p in zip(srows, pays, strict=True)]
    by_row = build_transfer(items, [], complete=True, revenue_lines=lines)
    assert grouped == by_row
    assert set(grouped.by_revenue) == {"", "1401-01", "1401-02", "1402-01"}



def test_the_plain_tallies_come_in_one_order_whatever_order_duckdb_groups_them_in() -> None:
    con = duckdb.connect()
    con.execute("""CREATE TABLE matching (brand VARCHAR, site VARCHAR, business_date DATE, deposit_date DATE,
                   gross BIGINT, fee BIGINT, net BIGINT, plain BOOLEAN)""")
    keys = [(b, s, d, d + dt.timedelta(days=5)) for b in ("waon", "paypay", "edy") for s in SITES for d in DAYS]
    rows = [(*k, 1000, 32, 968, True) for k in reversed(keys) for _ in range(3)]
    con.executemany("INSERT INTO matching VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows + [(*keys[0], 5, 1, 4, False)])
    matched, tallies = plain_tallies(con)
    assert matched == 3 * len(keys)
    assert [(t.brand, t.site, t.day, t.deposit_date) for t in tallies] == sorted(keys)
    assert all(t.items == 3 for t in tallies)
