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


def test_the_generated_month_carries_revenue_lines_to_the_transfer(tmp_path: Path) -> None:
    """The generated export has each payment's revenue lines, as the month close writes it, so the
    transfer's breakdown by revenue line is part of what the bench measures."""
    from madoguchi.domain.reconcile import Month
    from madoguchi.domain.reconcile_transfer import UNKNOWN_LINE, build_transfer
    from madoguchi.services.reconcile.bulk import reconcile_files

    generate(3_000, tmp_path)
    outcome = reconcile_files(month=Month(2026, 11), statements=[tmp_path / "statement.csv"],
                              payments_csv=tmp_path / "payments.csv", matched_csv=tmp_path / "m.csv",
                              workdir=tmp_path)
    transfer = build_transfer([], [], complete=outcome.complete, revenue_lines={}, groups=outcome.plain_fees)
    assert {"1401-01", "1401-02", "1401-03"} <= set(transfer.by_revenue)
    assert transfer.by_revenue.get(UNKNOWN_LINE, 0) == 0
    assert sum(transfer.by_revenue.values()) == transfer.amount
    assert any(len(g.lines) == 2 for g in outcome.plain_fees)  # some fees are split between two lines
