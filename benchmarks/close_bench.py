"""Close of a site-day of 2,000 sales, including the daily sheet (.xlsx): the goal is under 2 s.

The day is populated fast but as the services would have left it: per sale its
``sales`` / ``sale_lines`` / ``payments`` rows and the ``sale_paid`` journal entry with
its lines, appended through the real :class:`~madoguchi.adapters.db.journal.JournalWriter`
(hash chain and all) in transactions of 500 sales; plus the opening floats, about 20 %
cashless over the simulator's brand mix, a void per hundred sales and a few cash
refunds. Driving the services instead would take minutes of durable commits and
measure the sales, not the close.

What is timed is what the supervisor waits for: :func:`close_day` (checks, both
payment stations and the site closed in one transaction, the figures frozen) and then
:func:`daily_sheet` (the report rebuilt from the journal and the workbook written).
Each run uses a fresh database; the figure is the median of the runs.

``python -m benchmarks.close_bench`` prints the table; :func:`measure` returns it.
PostgreSQL is measured too when ``MADOGUCHI_TEST_PG_URL`` is set.
"""
from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.service_bench import fresh_database
from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.tables import Payment, Sale, SaleLine
from madoguchi.adapters.devices.changer_slots import DEFAULT_FLOAT
from madoguchi.bootstrap import build_runtime
from madoguchi.config import Settings
from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.domain.brands import brand
from madoguchi.domain.journal import EntryKind
from madoguchi.domain.money import DENOMINATIONS
from madoguchi.domain.receipt import JST
from madoguchi.services.close.close_day import close_day, daily_sheet
from madoguchi.services.runtime import DeviceRegistry, Runtime
from madoguchi.services.sim.plans import BRAND_WEIGHTS

DAY = dt.date(2026, 11, 2)
SITE, STATIONS = "honcho", ("honcho-p1", "honcho-p2")
SUPERVISOR = Actor("bench-supervisor", Role.SUPERVISOR, frozenset({ALL_SITES}))
GOAL_S = 2.0


def _counts(amount: int) -> dict[str, int]:
    counts = {}
    for d in DENOMINATIONS:
        counts[str(d)], amount = divmod(amount, d)
    return counts


def populate(rt: Runtime, n_sales: int, *, seed: int = 1, batch: int = 500) -> dict[str, dict[str, int]]:
    """Write one site-day of ``n_sales`` paid sales; returns the cash to count per station."""
    rng = random.Random(seed)
    fees = rt.catalog.in_force(DAY)
    brands, weights = list(BRAND_WEIGHTS), list(BRAND_WEIGHTS.values())
    start = dt.datetime.combine(DAY, dt.time(8, 30), JST)
    cash = {s: sum(d * n for d, n in DEFAULT_FLOAT.items()) for s in STATIONS}
    with rt.uow() as uow:
        for s in STATIONS:
            uow.journal.append(EntryKind.FLOAT_LOADED, at=start, actor="bench", amount=cash[s], site=SITE, station=s,
                               counts={str(d): n for d, n in DEFAULT_FLOAT.items()}, reason="opening float")
        uow.commit()
    paid: list[tuple[str, str, int]] = []
    for first in range(0, n_sales, batch):
        with rt.uow() as uow:
            for k in range(first, min(n_sales, first + batch)):
                at = start + dt.timedelta(seconds=15 * k)
                station = STATIONS[k % 2]
                sale_id = str(uuid.uuid4())
                items = rng.sample(fees[:12], rng.choice((1, 1, 1, 2, 3)))
                lines = [[f.code, 2 if rng.random() < 0.15 else 1, f.amount, f.revenue_line.code, None]
                         for f in items]
                total = sum(q * u for _c, q, u, _l, _e in lines)
                sale = Sale(id=sale_id, site=SITE, staff_station="honcho-s1", payment_station=None, state="paid",
                            total=total, paid_amount=total, cash_only=False, attempts=1, created_by="bench",
                            created_at=at, business_date=DAY, paid_at=at)
                sale.lines = [SaleLine(id=str(uuid.uuid4()), position=n, fee_code=f.code, name_ja=f.name_ja,
                                       name_en=f.name_en, quantity=q, list_price=u, unit_price=u, amount=q * u,
                                       revenue_line_code=f.revenue_line.code, revenue_line_name=f.revenue_line.name)
                              for n, (f, (_c, q, u, _l, _e)) in enumerate(zip(items, lines, strict=True), start=1)]
                cashless = rng.random() < 0.2
                code = rng.choices(brands, weights)[0] if cashless else None
                tendered = None if cashless else max(total, rng.choice((total, 1000, 5000)))
                payment = Payment(id=sale_id, request_id=sale_id, sale_id=sale_id, site=SITE, payment_station=station,
                                  terminal_id="bench", method="cashless" if cashless else "cash", brand=code,
                                  category=brand(code).category.value if code else "cash", amount=total,
                                  state="approved", tendered=tendered,
                                  change=None if tendered is None else tendered - total,
                                  started_at=at, completed_at=at, business_date=DAY)
                uow.session.add(sale)  # flushed by the append, before its payment (no ORM link orders them)
                uow.journal.append(
                    EntryKind.SALE_PAID, at=at, actor="bench", amount=total, site=SITE, station=station,
                    sale_id=sale_id, payment_id=sale_id, request_id=sale_id, method=payment.method,
                    category=payment.category, brand=code, tendered=tendered, change=payment.change,
                    processor_reference=None, sale_total=total, fully_paid=True, receipt_number=k + 1,
                    evidence=None, lines=lines)
                uow.session.add(payment)
                if not cashless:
                    cash[station] += total
                    paid.append((sale_id, station, total))
                if k % 100 == 99:
                    uow.journal.append(EntryKind.SALE_VOIDED, at=at, actor="bench", site=SITE, station="honcho-s1",
                                       sale_id=str(uuid.uuid4()), total=300, reason="left")
            uow.commit()
    with rt.uow() as uow:
        for sale_id, station, total in rng.sample(paid, min(5, len(paid))):
            uow.journal.append(EntryKind.REFUND, at=start + dt.timedelta(hours=8), actor="bench", amount=-total,
                               site=SITE, station=station, sale_id=sale_id, refund_id=str(uuid.uuid4()),
                               payment_id=sale_id, method="cash", category="cash", brand=None, state="done",
                               approved_by="bench", reason="withdrawn", paid_on=DAY.isoformat())
            cash[station] -= total
        uow.commit()
    return {s: _counts(amount) for s, amount in cash.items()}


def run_once(kind: str, tmp: Path, pg_url: str | None, n_sales: int) -> dict[str, float]:
    url, drop = fresh_database(kind, tmp, pg_url)
    engine = make_engine(url)
    try:
        settings = Settings(database_url=url, device_state_dir=tmp / "dev")
        closing = dt.datetime.combine(DAY, dt.time(17, 30), JST).astimezone(dt.UTC)
        # No devices: the changers' own counts are not part of what is timed.
        rt = build_runtime(settings, engine=engine, devices=DeviceRegistry({}), clock=lambda: closing)
        t0 = time.perf_counter()
        counted = populate(rt, n_sales)
        t1 = time.perf_counter()
        summary = close_day(rt, site=SITE, day=DAY, counted=counted, actor=SUPERVISOR, confirm_warnings=True)
        t2 = time.perf_counter()
        xlsx = daily_sheet(rt, day=DAY, actor=SUPERVISOR, sites=[SITE])
        t3 = time.perf_counter()
        assert summary["sales_count"] == n_sales and summary["over_short"] == 0, summary["findings"]
        (tmp / f"bench-{kind}.xlsx").write_bytes(xlsx)
        return {"populate_s": t1 - t0, "close_s": t2 - t1, "sheet_s": t3 - t2, "total_s": t3 - t1}
    finally:
        engine.dispose()
        drop()


def measure(n_sales: int = 2000, runs: int = 5) -> dict[str, Any]:
    """Median over ``runs`` fresh databases of closing a site-day of ``n_sales`` with its sheet."""
    pg_url = os.environ.get("MADOGUCHI_TEST_PG_URL")
    rows = []
    with tempfile.TemporaryDirectory() as name:
        for kind in ("sqlite", "postgresql") if pg_url else ("sqlite",):
            results = [run_once(kind, Path(name), pg_url, n_sales) for _ in range(runs)]
            med = {k: statistics.median(r[k] for r in results) for k in results[0]}
            rows.append({"db": kind, "sales": n_sales, "runs": runs, **{k: round(v, 3) for k, v in med.items()},
                         "max_total_s": round(max(r["total_s"] for r in results), 3),
                         "goal_s": GOAL_S, "ok": med["total_s"] < GOAL_S})
    return {"benchmark": "close of a site-day with its .xlsx", "sales": n_sales, "runs": runs, "results": rows}


def main() -> None:
    result = measure()
    print(f"{result['benchmark']}: {result['sales']} sales, median of {result['runs']} runs")
    print(f"{'db':<11} {'close s':>8} {'sheet s':>8} {'total s':>8} {'worst s':>8} {'goal':>6}")
    for r in result["results"]:
        print(f"{r['db']:<11} {r['close_s']:>8.3f} {r['sheet_s']:>8.3f} {r['total_s']:>8.3f} "
              f"{r['max_total_s']:>8.3f} {'ok' if r['ok'] else 'MISS':>6}")


if __name__ == "__main__":
    main()
