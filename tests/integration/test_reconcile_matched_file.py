"""The matched-rows CSV, written while the month is classified, appears whole or not at all."""
from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.reconcile_bench import generate

from madoguchi.adapters.files.reconcile_engine import connect, join
from madoguchi.adapters.files.reconcile_matched import MatchedWriter
from madoguchi.adapters.files.statement import load_statement
from madoguchi.domain.reconcile import Month
from madoguchi.services.reconcile.bulk import DEFAULT_RULES, Outcome, reconcile_files


def _run(folder: Path, **kwargs: object) -> Outcome:
    return reconcile_files(month=Month(2026, 11), statements=[folder / "statement.csv"],
                           payments_csv=folder / "payments.csv", workdir=folder, **kwargs)  # type: ignore[arg-type]


def test_the_matched_rows_file_holds_the_plain_pairs_then_the_domains(tmp_path: Path) -> None:
    generate(3_000, tmp_path)
    outcome = _run(tmp_path, matched_csv=tmp_path / "m.csv")
    lines = (tmp_path / "m.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("source,line,transaction_at,merchant_reference")
    assert len(lines) - 1 >= outcome.fast_matched > 0
    assert not list(tmp_path.glob(".m.csv.*"))  # no part file left beside it


def test_a_report_that_fails_leaves_the_matched_rows_whole_and_no_part_file(tmp_path: Path) -> None:
    generate(3_000, tmp_path)
    whole = _run(tmp_path, matched_csv=tmp_path / "whole.csv")
    assert whole.fast_matched

    def fail(outcome: Outcome) -> None:
        raise RuntimeError("the report could not be written")

    with pytest.raises(RuntimeError):
        _run(tmp_path, matched_csv=tmp_path / "m.csv", meanwhile=fail)
    assert (tmp_path / "m.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert not list(tmp_path.glob(".m.csv.*"))


def test_a_run_stopped_before_the_domains_pairs_are_known_leaves_no_matched_rows(tmp_path: Path) -> None:
    generate(3_000, tmp_path)
    con = connect(tmp_path)
    try:
        load_statement(con, tmp_path / "statement.csv", workdir=tmp_path)
        join(con, Month(2026, 11), DEFAULT_RULES.rates, True, tmp_path / "payments.csv")
        MatchedWriter(con, tmp_path / "m.csv").finish(quiet=True)  # never given the domain's pairs
    finally:
        con.close()
    assert not (tmp_path / "m.csv").exists()
    assert not list(tmp_path.glob(".m.csv.*"))
