"""The reconciliation at scale: the engine (DuckDB, in an adapter) does the bulk, the domain decides the rest.

A month can hold a million rows on each side; the ORM, row by row, cannot carry
that. So the statement files and the payments export are read into DuckDB, once
each, and joined once (a full outer join on ``merchant_reference``, as a plain
DuckDB baseline would). The rows that are *plainly matched* — one approved payment
of the month, one sale row naming it, same brand and day, gross equal to the
amount, fee equal to the rate table's (``(gross × ppm + bias) // 1,000,000``, the
domain's own formula and rounding bias) — stay in DuckDB: they are counted and
summed there and written to the matched-rows CSV by DuckDB's ``COPY``, never as
Python objects. Everything else (the residue: a few rows in a thousand) is handed
to :func:`madoguchi.domain.reconcile_match.classify`, which decides every class;
payments of the weeks around the month go with it only if a row names them or could
be attached to them (see :func:`madoguchi.adapters.files.reconcile_engine.residue`). With
``fast=False`` the domain classifies everything; a property test holds both ways to the
same result. The SQL is the engine's (an adapter); here is the order of the steps and what
is done with their results.
"""
from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from madoguchi.adapters.files.reconcile_engine import (
    PAYMENT_COLUMNS,
    connect,
    join,
    plain_fees,
    plain_tallies,
    residue,
    revenue_lines_json,
    statements_complete,
    statements_through,
    write_payments_csv,
)
from madoguchi.adapters.files.reconcile_matched import MatchedWriter
from madoguchi.adapters.files.statement import V1, Layout, LoadedStatement, load_statement
from madoguchi.domain.reconcile import MatchClass, Month, RateTable
from madoguchi.domain.reconcile_match import Finding, classify
from madoguchi.domain.reconcile_summary import Summary, Tally, summarize, tallies_of
from madoguchi.domain.reconcile_transfer import FeeGroup
from madoguchi.errors import BadInput
from madoguchi.services.reconcile.rules import Rules

#: The rules without a rules file (the example rates of ``domain.md``).
DEFAULT_RULES = Rules()
#: Re-exported: the engine's connection, the payments export's columns and writers, and the rules.
__all__ = ["PAYMENT_COLUMNS", "Outcome", "Rules", "connect", "reconcile_files", "revenue_lines_json",
           "write_payments_csv"]


@dataclass
class Outcome:
    month: Month
    statements: list[LoadedStatement]
    findings: list[Finding]          # everything the domain classified (the residue)
    fast_matched: int                # plainly matched items counted in bulk
    tallies: list[Tally]             # of both
    complete: bool
    summary: Summary
    rates: RateTable
    plain_fees: list[FeeGroup] = field(default_factory=list)  # the plainly matched rows' fees, counted
    statements_through: dt.date | None = None   # the last day the statements carry


class _Clock:
    def __init__(self, into: dict[str, float] | None) -> None:
        self._into = into
        self._at = time.perf_counter()

    def lap(self, step: str) -> None:
        if self._into is not None:
            now = time.perf_counter()
            self._into[step] = self._into.get(step, 0.0) + now - self._at
            self._at = now


def reconcile_files(*, month: Month, statements: list[Path], payments_csv: Path, layout: Layout = V1,
                    rules: Rules = DEFAULT_RULES, complete: bool | None = None, matched_csv: Path | None = None,
                    daily_sheets: Mapping[tuple[dt.date, str], int] | None = None, fast: bool = True,
                    workdir: Path | None = None,
                    meanwhile: Callable[[Outcome], None] | None = None,
                    timings: dict[str, float] | None = None) -> Outcome:
    """Read, match and sum one month. ``complete=None`` judges from the statements' dates.

    The matched rows go to ``matched_csv`` in the background (DuckDB writes them without
    holding the interpreter): ``meanwhile(outcome)`` runs in the foreground as they are
    written (the caller's report), and both are finished when this returns. ``timings``,
    if given, gets the seconds each step took (the benchmark reports them).
    """
    clock = _Clock(timings)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        con = connect(Path(tmp))
        writer: MatchedWriter | None = None
        try:
            loaded = [load_statement(con, Path(p), layout=layout, workdir=Path(tmp)) for p in statements]
            if not loaded:
                raise BadInput("give at least one statement file")
            if complete is None:
                complete = statements_complete(con, month, rules.schedule)
            through = statements_through(con)
            clock.lap("statements")
            join(con, month, rules.rates, fast, payments_csv)
            if matched_csv is not None:  # the plainly matched rows are known: DuckDB writes them meanwhile
                writer = MatchedWriter(con, matched_csv)
            clock.lap("join")
            pays, rows = residue(con, month, rules.tolerance, fast)
            findings = classify(pays, rows, month=month, rates=rules.rates, tolerance=rules.tolerance,
                                complete=complete, statements_through=through)
            matched, tallies = plain_tallies(con)
            fees = plain_fees(con)
            clock.lap("residue")
            if writer is not None:
                writer.add([f for f in findings if f.cls is MatchClass.MATCHED])
            for f in findings:
                tallies.extend(tallies_of(f, rules.rates))
            summary = summarize(month, tallies, findings, schedule=rules.schedule, matched_elsewhere=matched,
                                daily_sheets=daily_sheets)
            outcome = Outcome(month, loaded, findings, matched, tallies, complete, summary, rules.rates,
                              fees, through)
            clock.lap("summary")
            if meanwhile is not None:
                meanwhile(outcome)
            clock.lap("meanwhile")
            if writer is not None:
                writer.finish()
            clock.lap("matched_wait")
        finally:
            if writer is not None:
                writer.finish(quiet=True)
            con.close()
    clock.lap("close")
    return outcome
