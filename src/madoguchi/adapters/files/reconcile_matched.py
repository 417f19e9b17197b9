"""The matched rows of a close of month, to CSV beside the workbook (not in Excel).

The plainly matched pairs go straight from DuckDB's ``matching`` table (a ``COPY``), on a
cursor and thread of their own so the caller can write its report meanwhile; the pairs the
domain matched (by terminal, brand, amount and time) are appended after them. Both go
through :mod:`madoguchi.adapters.files.writing`: text that a spreadsheet would run as a
formula is neutralised, and the file is renamed into place only when whole.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from madoguchi.adapters.files.statement import lit, statement_sources
from madoguchi.adapters.files.writing import PartFile, csv_writer, neutral_sql
from madoguchi.domain.receipt import JST
from madoguchi.domain.reconcile_match import Finding

MATCHED_COLUMNS = ("source", "line", "transaction_at", "merchant_reference", "processor_reference",
                   "terminal_id", "brand", "kind", "gross", "fee", "net", "deposit_date", "site", "station",
                   "amount", "business_date")


def source_expr(con: Any) -> str:
    """The file name of a row, from its ``part``."""
    names = statement_sources(con)
    return lit(names[0]) if len(names) == 1 else f"[{', '.join(lit(n) for n in names)}][part + 1]"


class MatchedWriter:
    """Writes the matched rows: DuckDB's ``COPY`` on a thread of its own (a cursor: DuckDB connections
    are per thread), started as soon as the plainly matched rows are known, so that it runs while the
    domain classifies the rest and the caller writes its report; the pairs the domain matched are
    handed over with :meth:`add` and appended after the copy."""

    def __init__(self, con: Any, path: Path) -> None:
        self._error: BaseException | None = None
        self._more: list[Finding] | None = None
        self._done = False
        rows = _matched_rows(con)  # built here: the connection is this thread's
        cursor = con.cursor()
        self._file = PartFile(path)
        tmp = self._file.path

        def run() -> None:
            try:
                cursor.execute(f"COPY ({rows}) TO {lit(str(tmp))} (FORMAT csv, HEADER true, DELIMITER ',')")
            except BaseException as exc:  # handed to the caller by finish()
                self._error = exc
            finally:
                cursor.close()

        self._thread = threading.Thread(target=run, name="matched-csv", daemon=True)
        self._thread.start()

    def add(self, more: list[Finding]) -> None:
        """The pairs the domain matched, to follow the plainly matched ones."""
        self._more = more

    def finish(self, *, quiet: bool = False) -> None:
        """Wait for the copy, append what :meth:`add` gave and put the file in place; without it
        (the run failed before the domain was done), or after an error, no file is left."""
        self._thread.join()
        if self._done:
            return
        self._done = True
        error = self._error
        if error is None and self._more is not None:
            try:
                _append_matched(self._file.path, self._more)
                self._file.keep()  # renamed into place (removed if that fails)
                return
            except BaseException as exc:
                error = exc
        self._file.discard()  # failed, or abandoned before the domain's pairs came
        if error is not None and not quiet:
            raise error


def _matched_rows(con: Any) -> str:
    exprs = {c: c for c in MATCHED_COLUMNS}
    exprs["source"] = source_expr(con)
    exprs["transaction_at"] = "strftime(transaction_at + INTERVAL 9 HOUR, '%Y-%m-%dT%H:%M:%S+09:00')"
    exprs["merchant_reference"] = "ref"  # on a plainly matched row, the statement's and the payment's
    for c in ("source", "merchant_reference", "processor_reference", "terminal_id", "site", "station"):
        exprs[c] = neutral_sql(exprs[c])  # text from outside (brand and kind are our own codes)
    cols = ", ".join(f"{e} AS {c}" for c, e in exprs.items())
    return f"SELECT {cols} FROM matching WHERE plain"


def _append_matched(path: Path, more: list[Finding]) -> None:
    with open(path, "a", encoding="utf-8", newline="") as fh:
        w = csv_writer(fh, lineterminator="\n")
        for f in more:
            p = f.payment
            for r in f.rows or (None,):
                side = ([r.source, r.line, r.transaction_at.astimezone(JST).isoformat(), r.merchant_reference,
                         r.processor_reference, r.terminal_id, r.brand, r.kind.value, r.gross, r.fee, r.net,
                         r.deposit_date.isoformat()] if r else [""] * 12)
                w.writerow(side + ([p.site, p.station, p.amount, p.business_date.isoformat()] if p else [""] * 4))
