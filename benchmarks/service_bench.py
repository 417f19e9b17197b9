"""Complete sales through the service layer, and the plain-driver baseline for the same writes."""
from __future__ import annotations

import gc
import sqlite3
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

from benchmarks.recorder import TransactionRecorder
from madoguchi.adapters.db.driver import Driver
from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.migrate import upgrade
from madoguchi.adapters.db.scratch import scratch_database
from madoguchi.adapters.files.toml_files import load_places
from madoguchi.adapters.signing import write_key_pair
from madoguchi.bootstrap import build_runtime, ensure_float, simulated_devices
from madoguchi.config import Settings
from madoguchi.domain.auth import Actor, Role

# The services' layout since issue 16, and before it: `benchmarks.against` runs this harness
# on an older revision's code too, to tell a ratio that moved from a machine that changed.
try:
    from madoguchi.services.counter import cash, payments, sales
    from madoguchi.services.counter.cashbox import move_cash
except ImportError:  # a revision before 2026-12-06 05:01 (the services in one flat package)
    from madoguchi.services import cash, payments, sales
    from madoguchi.services.cashbox import move_cash
try:
    from madoguchi.bootstrap import settle_heap
except ImportError:  # a revision whose server did not settle its heap at start-up
    def settle_heap() -> None:
        pass

CASHIER = Actor("bench", Role.CASHIER, frozenset({"honcho"}))
SUPERVISOR = Actor("bench-supervisor", Role.SUPERVISOR, frozenset({"honcho"}))


def pick_up(rt, station: str) -> None:  # type: ignore[no-untyped-def]
    """Take surplus coins out before a slot fills up, as staff do during the day."""
    counts = rt.devices.of(station).changer.counts()
    surplus = {d: n - 100 for d, n in counts.items() if d in (100, 1000) and n > 150}
    if surplus:
        move_cash(rt, payment_station=station, counts=surplus, direction="out", reason="pick-up",
                  actor=SUPERVISOR)


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def fresh_database(kind: str, tmp: Path, pg_url: str | None) -> tuple[str, Any]:
    """A new empty database URL, and a cleanup callable."""
    return scratch_database(kind, tmp, pg_url, prefix="bench")


def run_service(url: str, n_sales: int, tmp: Path, *, record: bool = False) -> dict[str, Any]:
    """``n_sales`` complete sales, each call timed; ``record``: keep every committed write
    instead (the recorder listens to every statement, so a recorded run is not a timed one)."""
    # The journal signs every entry, as at a real counter: with a key of this run's own, so
    # that the figure never depends on whether a key happens to lie in ./var.
    key = tmp / "keys" / "journal.key"
    if not key.exists():
        write_key_pair(key)
    cfg = Settings(database_url=url, device_state_dir=tmp / "dev", status_backoff=(0.0,), signing_key_path=key)
    engine = make_engine(url)
    upgrade(engine)
    # What start-up writes (the payment stations, the journal head, the float) is recorded
    # apart: the baseline writes it untimed, so that its timed writes meet the same rows.
    recorder = TransactionRecorder(engine) if record else None
    rt = build_runtime(cfg, engine=engine, sleep=lambda s: None, migrate=False,
                       devices=simulated_devices(cfg, load_places(cfg.places_path), persist=False))
    ensure_float(rt)
    setup = recorder.take() if recorder is not None else []
    settle_heap()  # as the server does once started (app.py)
    commits = CommitTimer() if recorder is None else None
    latencies: list[float] = []
    by_call: dict[str, list[float]] = {}

    def timed(fn, **kw):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        result = fn(rt, **kw)
        took = time.perf_counter() - t0
        latencies.append(took)
        by_call.setdefault(fn.__name__, []).append(took)
        return result

    # The client ids are made before the clock starts: a staff station makes them, not
    # the service (and the baseline replays them as recorded).
    ids = [[str(uuid.uuid4()) for _ in range(4)] for _ in range(n_sales)]
    start = time.perf_counter()
    try:
        _sales(rt, ids, timed)
    finally:
        if commits is not None:
            commits.stop()
    elapsed = time.perf_counter() - start
    engine.dispose()
    gc.unfreeze()  # this run's runtime may go now (the next run builds its own)
    if recorder is not None:
        return {"setup": setup, "transactions": recorder.transactions,
                "tx_per_sale": len(recorder.transactions) / n_sales, "rows_per_sale": recorder.rows / n_sales}
    return {"sales_per_s": n_sales / elapsed, "p50_ms": _pct(latencies, 50) * 1000,
            "p99_ms": _pct(latencies, 99) * 1000,
            "commit_us": statistics.median(commits.took) * 1e6 if commits and commits.took else 0.0,
            "by_call_ms": {name: _pct(v, 50) * 1000 for name, v in by_call.items()}}


def in_process_rate(n_sales: int) -> float:
    """Sales a second of one timed service run on a fresh SQLite database: what the HTTP
    share divides by, measured beside each HTTP run (``benchmarks/run.py``)."""
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url, drop = fresh_database("sqlite", tmp, None)
        try:
            return float(run_service(url, n_sales, tmp)["sales_per_s"])
        finally:
            drop()


def _sales(rt, ids: list[list[str]], timed) -> None:  # type: ignore[no-untyped-def]
    """One complete sale per set of client ids, each service call through ``timed``."""
    for n, (sale_id, line_id, handoff_id, pid) in enumerate(ids):
        if n % 40 == 39:
            pick_up(rt, "honcho-p1")
        timed(sales.create_sale, sale_id=sale_id, staff_station="honcho-s1", actor=CASHIER)
        timed(sales.add_line, sale_id=sale_id, line_id=line_id, fee_code="juminhyo", quantity=1,
              actor=CASHIER)
        timed(sales.hand_off, sale_id=sale_id, handoff_id=handoff_id, payment_station="honcho-p1",
              actor=CASHIER)
        if n % 5 == 0:  # about 20 % cashless, as in the case
            timed(payments.pay_cashless, payment_id=pid, sale_id=sale_id, brand="paypay", actor=CASHIER)
        else:
            timed(cash.start_cash, payment_id=pid, sale_id=sale_id, actor=CASHIER)
            # Mostly exact coins, sometimes a note: the changer's coins are refilled by
            # the exact payers, as at a real counter.
            if n % 5 == 1:
                rt.devices.of("honcho-p1").changer.insert(1000)
            else:
                rt.devices.of("honcho-p1").changer.insert(100, 3)
            timed(cash.complete_cash, payment_id=pid, actor=CASHIER)


def run_baseline(url: str, recorded: dict[str, Any], n_sales: int) -> dict[str, Any]:
    """Replay the recorded writes with the bare driver: one durable commit per transaction,
    after the start-up's writes (untimed)."""
    conn, begin = _bare_connection(url)
    for tx in recorded["setup"]:
        conn.execute(begin)
        for statement, params in tx:
            conn.execute(statement, params)
        conn.execute("COMMIT")
    transactions = recorded["transactions"]
    commits = []
    clock = time.perf_counter
    start = clock()
    for tx in transactions:
        conn.execute(begin)
        for statement, params in tx:
            conn.execute(statement, params)
        t0 = clock()
        conn.execute("COMMIT")
        commits.append(clock() - t0)
    elapsed = clock() - start
    conn.close()
    return {"seconds": elapsed, "sales_per_s": n_sales / elapsed, "tx_per_s": len(transactions) / elapsed,
            "commit_us": statistics.median(commits) * 1e6}


def _bare_connection(url: str) -> tuple[Any, str]:
    """The schema made the same way as the service's, and a bare driver connection to it."""
    upgrade(make_engine(url))
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url[len("sqlite:///"):], isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn, "BEGIN IMMEDIATE"
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True), "BEGIN"


def writes_that_change_nothing(url: str, recorded: dict[str, Any]) -> list[str]:
    """Replay what ``run_service(record=True)`` recorded, as the baseline does, and name
    every write that changed no row there (the baseline must do the service's writes)."""
    conn, begin = _bare_connection(url)
    idle = []
    try:
        for tx in recorded["setup"] + recorded["transactions"]:
            conn.execute(begin)
            for statement, params in tx:
                cursor = conn.execute(statement, params)
                if cursor.description is not None:
                    cursor.fetchall()  # RETURNING: SQLite counts the rows as they are read
                if cursor.rowcount == 0:
                    idle.append(" ".join(statement.split())[:80])
            conn.execute("COMMIT")
    finally:
        conn.close()
    return idle


def measure(kind: str, n_sales: int, runs: int, pg_url: str | None) -> dict[str, Any]:
    """``runs`` paired measurements; each run's ratio is against its own baseline.

    A run records the sales' writes first (untimed), then times the baseline, the
    service and the baseline again, back to back, each on a fresh database: the
    service's figure sits between two of its baseline's, so a slow or fast spell of
    the machine (or of the PostgreSQL server) moves both sides of the ratio alike.
    """
    service, baseline = [], []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)

        def replay(recorded: dict[str, Any]) -> dict[str, Any]:
            url, drop = fresh_database(kind, tmp, pg_url)
            try:
                return run_baseline(url, recorded, n_sales)
            finally:
                drop()

        for _ in range(runs):
            url, drop = fresh_database(kind, tmp, pg_url)
            recorded = run_service(url, n_sales, tmp, record=True)
            drop()
            writes = {"setup": recorded.pop("setup"), "transactions": recorded.pop("transactions")}
            before = replay(writes)
            url, drop = fresh_database(kind, tmp, pg_url)
            result = run_service(url, n_sales, tmp)
            drop()
            after = replay(writes)
            seconds = (before["seconds"] + after["seconds"]) / 2  # the mean time, not the mean rate
            baseline.append({"sales_per_s": n_sales / seconds, "tx_per_s": len(writes["transactions"]) / seconds,
                             "commit_us": (before["commit_us"] + after["commit_us"]) / 2})
            service.append(result | recorded)
    med = statistics.median
    return {
        "db": kind, "sales": n_sales, "runs": runs,
        "service_sales_per_s": med(r["sales_per_s"] for r in service),
        "service_p50_ms": med(r["p50_ms"] for r in service),
        "service_p99_ms": med(r["p99_ms"] for r in service),
        "tx_per_sale": service[0]["tx_per_sale"], "rows_per_sale": service[0]["rows_per_sale"],
        "baseline_sales_per_s": med(r["sales_per_s"] for r in baseline),
        "baseline_tx_per_s": med(r["tx_per_s"] for r in baseline),
        "ratio": med(ratios := [s["sales_per_s"] / b["sales_per_s"] for s, b in zip(service, baseline, strict=True)]),
        "ratio_low": min(ratios), "ratio_high": max(ratios),
        # The median time of one COMMIT statement, on each side (see CommitTimer).
        "service_commit_us": med(r["commit_us"] for r in service),
        "baseline_commit_us": med(b["commit_us"] for b in baseline),
        "by_call_ms": {name: med(r["by_call_ms"][name] for r in service) for name in service[0]["by_call_ms"]},
    }


class CommitTimer:
    """Times every commit the service's driver makes until :meth:`stop` (the benchmark's own
    wrapper around ``Driver.commit``; the product's code is not changed). A commit is timed
    the same way in the baseline, so the two medians say what one durable commit costs on
    each side."""

    def __init__(self) -> None:
        self.took: list[float] = []
        self._original = Driver.commit
        original, took, clock = self._original, self.took, time.perf_counter

        def commit(driver: Driver) -> None:
            t0 = clock()
            original(driver)
            took.append(clock() - t0)

        Driver.commit = commit

    def stop(self) -> None:
        Driver.commit = self._original
