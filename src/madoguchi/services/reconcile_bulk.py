"""The reconciliation engine at scale: DuckDB does the bulk, the domain decides the rest.

A month can hold a million rows on each side; the ORM, row by row, cannot carry
that. So the statement files and the payments export are read into DuckDB, and
the rows that are *plainly matched* — one approved payment of the month, one sale
row naming it, same brand and day, gross equal to the amount, fee equal to the rate
table's (``(gross × ppm + bias) // 1,000,000``, the domain's own formula and
rounding bias) — are counted and summed there. Everything else (the residue: a few
rows in a thousand) is handed to :func:`madoguchi.domain.reconcile_match.classify`,
which decides every class. With ``fast=False`` the domain classifies everything;
a property test holds both ways to the same result.
"""
from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from madoguchi.adapters.files.statement import V1, Layout, LoadedStatement, lit, load_statement
from madoguchi.domain.reconcile import (DepositSchedule, Kind, MatchClass, Month, RateTable,
                                        RegisterPayment, StatementRow)
from madoguchi.domain.reconcile_match import Finding, classify
from madoguchi.domain.receipt import JST
from madoguchi.domain.reconcile_summary import Summary, Tally, summarize, tallies_of
from madoguchi.errors import BadInput

UTC = dt.timezone.utc
PAYMENT_COLUMNS = ("merchant_reference", "processor_reference", "terminal_id", "site", "station", "brand",
                   "category", "amount", "status", "paid_at", "business_date")
MATCHED_COLUMNS = ("source", "line", "transaction_at", "merchant_reference", "processor_reference",
                   "terminal_id", "brand", "kind", "gross", "fee", "net", "deposit_date", "site", "station",
                   "amount", "business_date")


@dataclass(frozen=True)
class Rules:
    rates: RateTable = field(default_factory=RateTable.default)
    schedule: DepositSchedule = field(default_factory=DepositSchedule)
    tolerance: dt.timedelta = dt.timedelta(minutes=5)


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


def connect(workdir: Path) -> Any:
    import duckdb
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET temp_directory = {lit(str(workdir))}")
    con.execute("SET preserve_insertion_order = true")
    return con


def write_payments_csv(rows: Iterable[Mapping[str, Any]], path: Path) -> int:
    """The payments export (``export payments`` columns plus ``business_date``) for the engine."""
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(PAYMENT_COLUMNS)
        for row in rows:
            w.writerow(["" if row.get(c) is None else row[c] for c in PAYMENT_COLUMNS])
            n += 1
    return n


def load_payments(con: Any, path: Path) -> int:
    import duckdb
    with open(path, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), [])
    missing = [c for c in PAYMENT_COLUMNS[:-1] if c not in header]
    if missing:
        raise BadInput(f"{path.name}: not a payments export; missing columns {missing}")
    types = {c: "VARCHAR" for c in header}
    types.update({"amount": "BIGINT"} | ({"business_date": "DATE"} if "business_date" in header else {}))
    columns = "{" + ", ".join(f"{lit(c)}: {lit(t)}" for c, t in types.items()) + "}"
    day = "business_date" if "business_date" in header else "NULL"
    try:
        con.execute(
            "CREATE OR REPLACE TABLE payments AS SELECT merchant_reference AS ref, "
            "processor_reference AS processor_ref, terminal_id, site, station, brand, category, amount, status, "
            "CAST(CAST(paid_at AS TIMESTAMPTZ) AS TIMESTAMP) AS paid_at, "
            f"coalesce({day}, CAST(CAST(CAST(paid_at AS TIMESTAMPTZ) AS TIMESTAMP) + INTERVAL 9 HOUR AS DATE)) "
            "AS business_date "
            f"FROM read_csv({lit(str(path))}, header=true, columns={columns}, auto_detect=false, "
            "quote='\"', escape='\"')")
    except duckdb.Error as exc:
        raise BadInput(f"{path.name}: the payments export does not read: {str(exc).splitlines()[0]}") from None
    n, distinct = con.execute("SELECT count(*), count(DISTINCT ref) FROM payments").fetchone()
    if n != distinct:
        raise BadInput(f"{path.name}: a merchant_reference appears twice in the payments export")
    return n


def _fast_path(con: Any, month: Month, rules: Rules) -> None:
    con.execute("CREATE OR REPLACE TABLE rates (brand VARCHAR, ppm BIGINT, valid_from DATE, valid_to DATE)")
    con.executemany("INSERT INTO rates VALUES (?, ?, ?, ?)", rules.rates.periods())
    bias = rules.rates.rounding.bias
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE fast AS
        WITH once AS (SELECT merchant_reference FROM statement WHERE merchant_reference IS NOT NULL
                      GROUP BY 1 HAVING count(*) = 1),
             orphan_proc AS (SELECT DISTINCT s.processor_reference FROM statement s
                             ANTI JOIN payments p ON p.ref = s.merchant_reference
                             WHERE s.processor_reference IS NOT NULL)
        SELECT s.*, p.site, p.station, p.amount, p.business_date
        FROM statement s
        JOIN once USING (merchant_reference)
        JOIN payments p ON p.ref = s.merchant_reference
        JOIN rates r ON r.brand = s.brand AND s.tx_date >= r.valid_from AND s.tx_date < r.valid_to
        WHERE s.kind = 'sale' AND s.gross > 0 AND s.gross = p.amount AND s.brand = p.brand
          AND p.status = 'approved' AND p.category <> 'cash'
          AND p.business_date BETWEEN DATE {lit(month.first.isoformat())} AND DATE {lit(month.last.isoformat())}
          AND s.tx_date = p.business_date
          AND s.fee = (s.gross * r.ppm + {bias}) // 1000000
          AND (p.processor_ref IS NULL OR p.processor_ref NOT IN (SELECT processor_reference FROM orphan_proc))
    """)


def _empty_fast(con: Any) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE fast AS SELECT s.*, p.site, p.station, p.amount, p.business_date "
                "FROM statement s, payments p WHERE false")


def _residue(con: Any) -> tuple[list[RegisterPayment], list[StatementRow]]:
    pays = [RegisterPayment(ref, proc, term, site, station, brand, cat, amount, status,
                            paid.replace(tzinfo=UTC), day)
            for ref, proc, term, site, station, brand, cat, amount, status, paid, day in con.execute("""
        SELECT p.* FROM payments p ANTI JOIN fast f ON f.merchant_reference = p.ref
        WHERE (p.category <> 'cash' AND p.status IN ('approved', 'refunded', 'cancelled', 'unknown'))
           OR p.ref IN (SELECT merchant_reference FROM statement)
           OR p.processor_ref IN (SELECT processor_reference FROM statement)""").fetchall()]
    rows = [StatementRow(src, line, at.replace(tzinfo=UTC), term, mref, pref, brand, Kind(kind), gross, fee,
                         net, dep)
            for src, line, at, _day, term, mref, pref, brand, kind, gross, fee, net, dep in con.execute("""
        SELECT s.* FROM statement s ANTI JOIN fast f ON f.source = s.source AND f.line = s.line
        ORDER BY s.source, s.line""").fetchall()]
    return pays, rows


def _fast_tallies(con: Any) -> tuple[int, list[Tally]]:
    groups = con.execute("""SELECT brand, site, business_date, deposit_date, count(*), sum(gross), sum(fee),
                            sum(net) FROM fast GROUP BY ALL""").fetchall()
    tallies = [Tally(b, s, d, dd, n, g, f, g, f, f, net) for b, s, d, dd, n, g, f, net in groups]
    return sum(t.items for t in tallies), tallies


def statements_complete(con: Any, month: Month, schedule: DepositSchedule) -> bool:
    """Complete when every deposit period of the month has rows dated in it on the statements."""
    periods: dict[dt.date, list[dt.date]] = {}
    day = month.first
    while day <= month.last:
        periods.setdefault(schedule.deposit_date(day), []).append(day)
        day += dt.timedelta(days=1)
    for days in periods.values():
        (n,) = con.execute("SELECT count(*) FROM statement WHERE tx_date BETWEEN ? AND ?",
                           [days[0], days[-1]]).fetchone()
        if not n:
            return False
    return True


def reconcile_files(*, month: Month, statements: list[Path], payments_csv: Path, layout: Layout = V1,
                    rules: Rules = Rules(), complete: bool | None = None, matched_csv: Path | None = None,
                    daily_sheets: Mapping[dt.date, int] | None = None, fast: bool = True,
                    workdir: Path | None = None) -> Outcome:
    """Read, match and sum one month. ``complete=None`` judges from the statements' dates."""
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        con = connect(Path(tmp))
        try:
            loaded = [load_statement(con, Path(p), layout=layout, workdir=Path(tmp)) for p in statements]
            if not loaded:
                raise BadInput("give at least one statement file")
            load_payments(con, payments_csv)
            if fast:
                _fast_path(con, month, rules)
            else:
                _empty_fast(con)
            if complete is None:
                complete = statements_complete(con, month, rules.schedule)
            pays, rows = _residue(con)
            findings = classify(pays, rows, month=month, rates=rules.rates, tolerance=rules.tolerance,
                                complete=complete)
            matched, tallies = _fast_tallies(con)
            if matched_csv is not None:
                write_matched(con, matched_csv, [f for f in findings if f.cls is MatchClass.MATCHED])
        finally:
            con.close()
    for f in findings:
        tallies.extend(tallies_of(f, rules.rates))
    summary = summarize(month, tallies, findings, schedule=rules.schedule, matched_elsewhere=matched,
                        daily_sheets=daily_sheets)
    return Outcome(month, loaded, findings, matched, tallies, complete, summary, rules.rates)


def write_matched(con: Any, path: Path, more: list[Finding]) -> None:
    """Matched rows to CSV (not Excel): the bulk ones straight from DuckDB, then the domain's."""
    exprs = dict(zip(MATCHED_COLUMNS, MATCHED_COLUMNS))
    exprs["transaction_at"] = "strftime(transaction_at + INTERVAL 9 HOUR, '%Y-%m-%dT%H:%M:%S+09:00')"
    cols = ", ".join(f"{e} AS {c}" for c, e in exprs.items())
    con.execute(f"COPY (SELECT {cols} FROM fast) TO {lit(str(path))} (HEADER true, DELIMITER ',')")
    with open(path, "a", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        for f in more:
            p = f.payment
            for r in f.rows or (None,):
                side = ([r.source, r.line, r.transaction_at.astimezone(JST).isoformat(), r.merchant_reference,
                         r.processor_reference, r.terminal_id, r.brand, r.kind.value, r.gross, r.fee, r.net,
                         r.deposit_date.isoformat()] if r else [""] * 12)
                w.writerow(side + ([p.site, p.station, p.amount, p.business_date.isoformat()] if p else [""] * 4))
