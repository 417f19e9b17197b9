"""Close of month at scale: payments × statement rows, end to end, against a DuckDB baseline.

For each size (100k, 1M, 3M) the data files are generated (a payments export and a
v1 statement, about one row in a thousand planted as an exception), then, each in
its own process so that peak memory (max RSS) is its own:

* end to end: parse and check the statement, read the payments, match, summarize,
  write the exceptions workbook and the matched-rows CSV
  (:func:`madoguchi.services.reconcile.bulk.reconcile_files`);
* the baseline: a plain DuckDB full outer join on ``merchant_reference`` of the
  same two CSV files, materialized.

The machine is small and shared: each size runs ``runs`` times, the two alternating
(which goes first alternates too), and the table gives medians; the ratio is the
median of the runs' own ratios (each against the baseline measured next to it).
Both time from after their imports (``duckdb`` included). The JSON also gives the
median seconds of each step of ours (``steps``: statements, join, residue, summary,
meanwhile = summary.json and the workbook, matched_wait, close) to see where it goes.

``python -m benchmarks.reconcile_bench [--runs N] [sizes...]`` prints the table;
``measure()`` returns it; ``run(report)`` hands each line to ``report``.
"""
from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SIZES = (100_000, 1_000_000, 3_000_000)
RUNS = 3


def generate(n: int, folder: Path) -> tuple[Path, Path]:
    """Payments and statement CSVs of ``n`` rows each, written by DuckDB (fast, low memory)."""
    import duckdb

    from madoguchi.domain.brands import BRANDS
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    # Only brands with a fee rate: the month-close rules refuse the others (a retired brand, or one
    # the example rates do not name), and a bench of refused rows would measure nothing useful.
    rated = [b for b in BRANDS if b.fee_ppm is not None]
    brands = ", ".join(f"({i}, '{b.code}', '{b.category.value}', {b.fee_ppm})" for i, b in enumerate(rated))
    con.execute(f"""CREATE TABLE g AS SELECT i, b.code AS brand, b.cat, b.ppm,
        (200 + (i % 7) * 150) AS amount,
        TIMESTAMP '2026-11-01 00:00:00' + INTERVAL (i % 2505600) SECOND AS ts
        FROM range({n}) t(i) JOIN (VALUES {brands}) b(k, code, cat, ppm) ON b.k = i % {len(rated)}""")
    pay, st = folder / "payments.csv", folder / "statement.csv"
    con.execute(f"""COPY (SELECT printf('%08x-0000-4000-8000-%012x', i, i) AS merchant_reference,
        'R' || i AS processor_reference, 'T-' || (i % 6) AS terminal_id, 'honcho' AS site,
        'honcho-p' || (i % 3) AS station, brand, cat AS category, amount,
        CASE WHEN i % 5000 = 7 THEN 'unknown' ELSE 'approved' END AS status,
        strftime(ts, '%Y-%m-%dT%H:%M:%S+09:00') AS paid_at, strftime(ts, '%Y-%m-%d') AS business_date,
        -- Each payment's revenue lines, as the month close exports them: one line mostly, two at
        -- one sale in ten (a 住民票 with a 戸籍 copy), so the breakdown has splitting to do.
        CASE WHEN i % 10 = 0 THEN printf('{{"1401-01": %d, "1401-02": 450}}', amount)
             ELSE printf('{{"%s": %d}}', CASE WHEN i % 3 = 0 THEN '1401-03' ELSE '1401-01' END, amount)
             END AS revenue_lines
        FROM g) TO '{pay}' (HEADER true)""")
    con.execute(f"""COPY (SELECT strftime(ts, '%Y-%m-%dT%H:%M:%S+09:00') AS transaction_at,
        'T-' || (i % 6) AS terminal_id,
        CASE WHEN i % 4000 = 3 THEN 'zz-' || i ELSE printf('%08x-0000-4000-8000-%012x', i, i) END
            AS merchant_reference,
        'R' || i AS processor_reference, brand, 'sale' AS kind, amount AS gross,
        (amount * ppm) // 1000000 + CASE WHEN i % 1000 = 1 THEN 1 ELSE 0 END AS fee,
        amount - (amount * ppm) // 1000000 - CASE WHEN i % 1000 = 1 THEN 1 ELSE 0 END AS net,
        CASE WHEN day(ts) <= 15 THEN DATE '2026-11-30' ELSE DATE '2026-12-15' END AS deposit_date
        FROM g WHERE i % 3000 <> 2) TO '{st}' (HEADER true)""")
    con.close()
    return pay, st


def _end_to_end(folder: str) -> dict[str, Any]:
    import datetime as dt

    import duckdb  # noqa: F401  (imported before the clock starts, as in the baseline)

    from madoguchi.adapters.files.reconcile_workbook import write_workbook
    from madoguchi.domain.reconcile import Month
    from madoguchi.domain.reconcile_transfer import build_transfer, fee_items
    from madoguchi.services.reconcile.bulk import reconcile_files
    from madoguchi.services.reconcile.month import summary_json
    d = Path(folder)
    started = time.perf_counter()
    marks: dict[str, float] = {}

    def report(outcome: Any) -> None:  # what reconcile_month does while the matched rows are written
        marks["matched_at"] = time.perf_counter()
        items, disputed = fee_items(outcome.findings)
        # The transfer as in month_transfer: the plainly matched rows come counted with the export's revenue
        # lines; the other rows' lines would be a read of the database (none here: they go to 科目不明).
        transfer = build_transfer(items, disputed, complete=outcome.complete, revenue_lines={},
                                  groups=outcome.plain_fees)
        summary = summary_json(outcome, open_incidents=[], transfer=transfer, revenue_names={}, imports=[],
                               resolutions=[], expenditure={"code": "13-01", "name": "役務費 手数料"})
        write_workbook(d / "report.xlsx", outcome=outcome, summary=summary, municipality="三鷹市", site_names={},
                       produced_at=dt.datetime.now(dt.UTC))

    steps: dict[str, float] = {}
    outcome = reconcile_files(month=Month(2026, 11), statements=[d / "statement.csv"],
                              payments_csv=d / "payments.csv", matched_csv=d / "matched.csv", workdir=d,
                              meanwhile=report, timings=steps)
    matched_at = marks["matched_at"]
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "reconcile_seconds": matched_at - started, "exceptions": len(outcome.findings),
            "matched": outcome.summary.counts["matched"], "steps": steps}


def _baseline(folder: str) -> dict[str, Any]:
    import duckdb
    d = Path(folder)
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"""CREATE TABLE j AS SELECT * FROM read_csv('{d / "statement.csv"}') s
                    FULL OUTER JOIN read_csv('{d / "payments.csv"}') p
                    ON s.merchant_reference = p.merchant_reference""")
    (rows,) = con.execute("SELECT count(*) FROM j").fetchone()
    con.close()
    return {"seconds": time.perf_counter() - started, "rows": rows}


def _child(kind: str, folder: str) -> None:
    result = (_end_to_end if kind == "end_to_end" else _baseline)(folder)
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def _in_child(kind: str, folder: Path) -> dict[str, Any]:
    code = f"from benchmarks.reconcile_bench import _child; _child({kind!r}, {str(folder)!r})"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(sizes: tuple[int, ...] = SIZES, runs: int = RUNS) -> dict[str, Any]:
    results = []
    for n in sizes:
        ours: list[dict[str, Any]] = []
        base: list[dict[str, Any]] = []
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            generate(n, folder)
            for i in range(runs):
                if i % 2:
                    base.append(_in_child("baseline", folder))
                    ours.append(_in_child("end_to_end", folder))
                else:
                    ours.append(_in_child("end_to_end", folder))
                    base.append(_in_child("baseline", folder))
        med = statistics.median
        results.append({"rows": n, "runs": runs, "seconds": round(med(r["seconds"] for r in ours), 2),
                        "peak_rss_mib": round(max(r["peak_rss_mib"] for r in ours)),
                        "exceptions": ours[0]["exceptions"],
                        "duckdb_seconds": round(med(r["seconds"] for r in base), 2),
                        "duckdb_peak_rss_mib": round(max(r["peak_rss_mib"] for r in base)),
                        "ratio": round(med(o["seconds"] / b["seconds"] for o, b in zip(ours, base, strict=True)), 2),
                        "reconcile_seconds": round(med(r["reconcile_seconds"] for r in ours), 2),
                        "steps": {k: round(med(r["steps"][k] for r in ours), 3) for k in ours[0]["steps"]},
                        "all_seconds": [round(r["seconds"], 2) for r in ours],
                        "all_duckdb_seconds": [round(r["seconds"], 2) for r in base]})
    return {"reconcile": results,
            "children_max_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}


def run(report: Callable[[str], None] = print, runs: int = RUNS) -> None:
    data = measure(runs=runs)
    report("close of month: payments x statement rows, end to end (parse, match, summary, workbook, matched CSV)")
    report(f"medians of {runs} runs; ratio = median of each run's ratio to the DuckDB baseline run next to it")
    report(f"{'rows':>10} {'seconds':>8} {'peak MiB':>9} {'exceptions':>10} {'duckdb s':>9} {'ratio':>6}")
    for r in data["reconcile"]:
        report(f"{r['rows']:>10,} {r['seconds']:>8.2f} {r['peak_rss_mib']:>9} {r['exceptions']:>10,} "
               f"{r['duckdb_seconds']:>9.2f} {r['ratio']:>6.2f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    runs = RUNS
    if "--runs" in args:
        at = args.index("--runs")
        runs = int(args[at + 1])
        del args[at:at + 2]
    chosen = tuple(int(a) for a in args) or SIZES
    data = measure(chosen, runs)
    print(json.dumps(data, indent=2))
