"""The month-close benchmark still runs the month's code path (it drifted once, unnoticed).

No timing here: a small generated month goes through the bench's own end-to-end function,
and what it finds is checked."""
from __future__ import annotations

from pathlib import Path

from benchmarks.reconcile_bench import _end_to_end, generate


def test_the_month_close_benchmark_matches_a_small_generated_month(tmp_path: Path) -> None:
    generate(6_000, tmp_path)
    result = _end_to_end(str(tmp_path))
    # Rows the generator plants: unknown outcomes, statement rows of none of ours, rows
    # missing from the statement and fee differences; everything else matches.
    assert result["matched"] > 5_000
    assert result["exceptions"] > 0
    assert (tmp_path / "report.xlsx").stat().st_size > 0
    assert (tmp_path / "matched.csv").stat().st_size > 0
