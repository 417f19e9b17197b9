"""`python -m benchmarks.against REV`: the service benchmark of this checkout, run on the code
of another revision and on this one in turns, on this machine.

The goals of `make bench` are ratios against a baseline of the same run, but a ratio still
moves with the machine: where a durable SQLite commit is fast, the same Python work is a
larger share of a sale. Whether a change of the code moved a ratio is answered by timing
both codes here, with the same harness (``service_bench``), alternating, so that a fast or
slow spell of the machine falls on both. REV's code is checked out in a temporary git
worktree and imported ahead of this checkout's (its ``src`` first on ``PYTHONPATH``); the
harness and the installed dependencies are this checkout's.

    python -m benchmarks.against 23870e9 --db sqlite --rounds 3

prints each round's ratio (median of ``--runs`` runs) for REV and for this checkout, and
the median over the rounds. PostgreSQL is measured at ``MADOGUCHI_TEST_PG_URL`` (or
``MADOGUCHI_BENCH_PG_URL``).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

_MEASURE = """
import json, sys
import madoguchi
from benchmarks import service_bench
assert madoguchi.__file__.startswith(sys.argv[1]), madoguchi.__file__
print(json.dumps(service_bench.measure(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] or None)))
"""


def measure_code(src: Path, db: str, sales: int, runs: int, pg_url: str | None) -> dict[str, Any]:
    """``service_bench.measure`` in a process of its own, importing ``madoguchi`` from ``src``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(ROOT)])}
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(src), db, str(sales), str(runs), pg_url or ""],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the benchmark failed on {src}:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.against", description=__doc__.split("\n\n")[0])
    parser.add_argument("rev", help="the revision to compare this checkout's code with (a commit, tag or branch)")
    parser.add_argument("--db", action="append", choices=("sqlite", "postgresql"),
                        help="sqlite (default), postgresql, or both given twice")
    parser.add_argument("--rounds", type=int, default=3, help="turns of REV then this checkout (default 3)")
    parser.add_argument("--runs", type=int, default=5, help="paired runs in each measurement (default 5)")
    parser.add_argument("--sales", type=int, default=300, help="sales in each run (default 300)")
    args = parser.parse_args(argv)
    pg_url = os.environ.get("MADOGUCHI_BENCH_PG_URL") or os.environ.get("MADOGUCHI_TEST_PG_URL")
    databases = args.db or ["sqlite"]
    if "postgresql" in databases and not pg_url:
        parser.error("postgresql needs MADOGUCHI_TEST_PG_URL (or MADOGUCHI_BENCH_PG_URL)")
    with tempfile.TemporaryDirectory(prefix="madoguchi-against-") as tmp:
        tree = Path(tmp) / "tree"
        made = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree),
                               args.rev], capture_output=True, text=True, check=False)
        if made.returncode != 0:
            print(f"cannot check out {args.rev!r} here: {made.stderr.strip()}", file=sys.stderr)
            return 2
        try:
            codes = {args.rev: tree / "src", "this checkout": ROOT / "src"}
            for db in databases:
                ratios: dict[str, list[float]] = {name: [] for name in codes}
                rates: dict[str, list[float]] = {name: [] for name in codes}
                print(f"{db}: service / baseline, each the median of {args.runs} runs of {args.sales} sales",
                      flush=True)
                for n in range(1, args.rounds + 1):
                    for name, src in codes.items():
                        r = measure_code(src, db, args.sales, args.runs, pg_url)
                        ratios[name].append(r["ratio"])
                        rates[name].append(r["service_sales_per_s"])
                        print(f"  round {n}  {name:>14}: {r['ratio']:.1%} ({r['ratio_low']:.0%}–{r['ratio_high']:.0%}),"
                              f" service {r['service_sales_per_s']:.1f} sales/s,"
                              f" baseline {r['baseline_sales_per_s']:.1f}", flush=True)
                for name in codes:
                    print(f"  median {name:>14}: {statistics.median(ratios[name]):.1%},"
                          f" service {statistics.median(rates[name]):.1f} sales/s", flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
