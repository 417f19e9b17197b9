"""The close of month's bulk engine in DuckDB: statements ⟗ payments, the plainly matched, the residue.

A month can hold a million rows on each side; the ORM, row by row, cannot carry that. So the
statement files and the payments export are read into DuckDB, once each, and joined once (a
full outer join on ``merchant_reference``, as a plain DuckDB baseline would). The rows that
are *plainly matched* — one approved payment of the month, one sale row naming it, same brand
and day, gross equal to the amount, fee equal to the rate table's (``(gross × ppm + bias) //
1,000,000``, the domain's own formula and rounding bias) — stay in DuckDB: :func:`join` marks
them, :func:`plain_tallies` counts and sums them. :func:`residue` hands everything else to the
domain as typed values. The service (:mod:`madoguchi.services.reconcile.bulk`) decides the order
and what is done with them.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from madoguchi.adapters.files.reconcile_matched import source_expr
from madoguchi.adapters.files.statement import drop_statements, lit
from madoguchi.domain.reconcile import DepositSchedule, Kind, Month, RateTable, RegisterPayment, StatementRow
from madoguchi.domain.reconcile_match import SETTLEABLE
from madoguchi.domain.reconcile_summary import Tally
from madoguchi.domain.reconcile_transfer import FeeGroup
from madoguchi.errors import BadInput

UTC = dt.UTC
PAYMENT_COLUMNS = ("merchant_reference", "processor_reference", "terminal_id", "site", "station", "brand",
                   "category", "amount", "status", "paid_at", "business_date")
#: Optional last column of the payments export: each payment's revenue lines, ``{code: amount}``
#: as JSON (keys sorted), read by the transfer's breakdown; none known when absent or empty.
REVENUE_LINES = "revenue_lines"
_PAY = ("ref", "processor_ref", "p_terminal_id", "site", "station", "p_brand", "category", "amount", "status",
        "paid_at", "business_date")
_SETTLEABLE = ", ".join(lit(s) for s in sorted(SETTLEABLE))
#: DuckDB's memory limit (``MADOGUCHI_RECONCILE_MEMORY_LIMIT`` overrides it).
MEMORY_LIMIT = "1GiB"


def connect(workdir: Path) -> Any:
    import duckdb
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET temp_directory = {lit(str(workdir))}")
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET TimeZone = 'UTC'")  # TIMESTAMPTZ -> TIMESTAMP gives UTC, whatever the machine's zone
    # Past this, DuckDB spills to the work folder rather than grow: 3 million rows a side stay
    # well under 2 GiB of process memory, and a million fit without spilling.
    con.execute(f"SET memory_limit = {lit(os.environ.get('MADOGUCHI_RECONCILE_MEMORY_LIMIT') or MEMORY_LIMIT)}")
    return con


def write_payments_csv(rows: Iterable[Mapping[str, Any]], path: Path) -> int:
    """The payments export (``export payments`` columns plus ``business_date`` and ``revenue_lines``)
    for the engine."""
    n = 0
    columns = (*PAYMENT_COLUMNS, REVENUE_LINES)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for row in rows:
            w.writerow(["" if row.get(c) is None else row[c] for c in columns])
            n += 1
    return n


def revenue_lines_json(lines: Mapping[str, int] | None) -> str | None:
    """A payment's revenue lines for the export's last column (``None``: none known)."""
    return json.dumps(dict(lines), ensure_ascii=False, sort_keys=True) if lines else None


def payments_relation(path: Path) -> str:
    """The payments export as a SELECT over DuckDB's CSV reader (checked header, typed columns)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), [])
    missing = [c for c in PAYMENT_COLUMNS[:-1] if c not in header]
    if missing:
        raise BadInput(f"{path.name}: not a payments export; missing columns {missing}")
    types = {c: "VARCHAR" for c in header}
    types.update({"amount": "BIGINT"} | ({"business_date": "DATE"} if "business_date" in header else {}))
    columns = "{" + ", ".join(f"{lit(c)}: {lit(t)}" for c, t in types.items()) + "}"
    day = "business_date" if "business_date" in header else "NULL"
    lines = f"nullif({REVENUE_LINES}, '')" if REVENUE_LINES in header else "CAST(NULL AS VARCHAR)"
    # paid_at is read as text and cast here: the reader's own timestamp type drops the offset. A time
    # that starts with a digit is a finite instant: taken in UTC by arithmetic (no time zone lookup).
    return ("SELECT ref, processor_ref, terminal_id, site, station, brand, category, amount, status, paid_at, "
            "coalesce(business_date, CAST(paid_at + INTERVAL 9 HOUR AS DATE)) AS business_date, revenue_lines FROM ("
            "SELECT merchant_reference AS ref, processor_reference AS processor_ref, terminal_id, site, station, "
            "brand, category, amount, status, CASE WHEN ascii(paid_at) BETWEEN 48 AND 57 "
            "THEN make_timestamp(epoch_us(CAST(paid_at AS TIMESTAMPTZ))) "
            "ELSE CAST(CAST(paid_at AS TIMESTAMPTZ) AS TIMESTAMP) END AS paid_at, "
            f"{day} AS business_date, {lines} AS revenue_lines "
            f"FROM read_csv({lit(str(path))}, header=true, columns={columns}, auto_detect=false, "
            "quote='\"', escape='\"'))")


def _unreadable(path: Path, exc: Exception) -> BadInput:
    # The engine's own text means nothing to the accounting section; the file is named instead.
    return BadInput(f"{path.name}: the payments export does not read as CSV with its columns")


def load_payments(con: Any, path: Path) -> int:
    """The payments export into the table ``payments``, each merchant_reference once."""
    import duckdb
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE payments AS {payments_relation(path)}")
    except duckdb.Error as exc:
        raise _unreadable(path, exc) from None
    n, distinct = con.execute("SELECT count(*), count(DISTINCT ref) FROM payments").fetchone()
    if n != distinct:
        _repeated(path)
    return int(n)


def _repeated(path: Path) -> None:
    raise BadInput(f"{path.name}: a merchant_reference appears twice in the payments export")


def _rate_of(rates: RateTable, brand: str, day: str) -> str:
    """The rate table as a CASE on brand and day (no join): the ppm in force, NULL if none."""
    by_brand: dict[str, list[tuple[int, dt.date, dt.date]]] = {}
    for b, ppm, start, end in rates.periods():
        by_brand.setdefault(b, []).append((ppm, start, end))
    whens = []
    for b, periods in by_brand.items():
        if len(periods) == 1 and periods[0][1] == dt.date.min and periods[0][2] == dt.date.max:
            whens.append(f"WHEN {lit(b)} THEN {periods[0][0]}")  # in force since always: no dates to test
            continue
        inner = " ".join(f"WHEN {day} >= DATE {lit(a.isoformat())} AND {day} < DATE {lit(z.isoformat())} "
                         f"THEN {ppm}" for ppm, a, z in periods)
        whens.append(f"WHEN {lit(b)} THEN (CASE {inner} END)")
    return f"(CASE {brand} {' '.join(whens)} END)" if whens else "NULL"


def join(con: Any, month: Month, rates: RateTable, fast: bool, payments_csv: Path) -> None:
    """``matching``: statement ⟗ payments on the reference, one row per pair or lone side; ``plain``
    marks the pairs plainly matched. The payments are read here, straight into the join (as a plain
    DuckDB join of the two files would), and their references checked to be there and unique."""
    import duckdb
    bias = rates.rounding.bias
    plain = "false"
    if fast:
        plain = f"""coalesce(s.kind = 'sale' AND s.gross > 0 AND s.gross = p.amount AND s.brand = p.brand
          AND p.status = 'approved' AND p.category <> 'cash'
          AND p.business_date BETWEEN DATE {lit(month.first.isoformat())} AND DATE {lit(month.last.isoformat())}
          AND s.tx_date = p.business_date
          AND s.fee = (CAST(s.gross AS HUGEINT) * {_rate_of(rates, 's.brand', 's.tx_date')} + {bias})
                      // 1000000, false)"""
    # One reference column: the statement's and the payment's are equal where both are present.
    try:
        con.execute(f"""
            CREATE OR REPLACE TABLE matching AS
            SELECT s.part, s.line, s.transaction_at, s.terminal_id, coalesce(s.merchant_reference, p.ref) AS ref,
                   s.merchant_reference IS NOT NULL AS s_ref, s.processor_reference, s.brand, s.kind, s.gross, s.fee,
                   s.net, s.deposit_date, p.has_p, p.processor_ref, p.terminal_id AS p_terminal_id, p.site,
                   p.station, p.brand AS p_brand, p.category, p.amount, p.status, p.paid_at, p.business_date,
                   p.revenue_lines, {plain} AS plain
            FROM statement s FULL OUTER JOIN (SELECT *, true AS has_p FROM ({payments_relation(payments_csv)})) p
            ON p.ref = s.merchant_reference""")
    except duckdb.Error as exc:  # the statements are in and checked: it is the payments
        raise _unreadable(payments_csv, exc) from None
    drop_statements(con)  # all of it is in ``matching`` now: free the memory for what follows
    # A reference on more than one row of the join is on two statement rows, or on two payments
    # (refused): then one statement row, or the lone payment, comes twice. Found by the reference's
    # 64-bit hash first (numbers group faster than strings); only the references under a hash seen
    # twice, usually none, are then grouped by themselves.
    con.execute("""CREATE OR REPLACE TEMP TABLE multi_hash AS SELECT hash(ref) AS h FROM matching
                   WHERE ref IS NOT NULL GROUP BY 1 HAVING count(*) > 1""")
    (twice,) = con.execute("SELECT count(*) FROM multi_hash").fetchone()
    con.execute(f"""CREATE OR REPLACE TEMP TABLE multi AS SELECT ref FROM matching
                    WHERE {"ref IS NOT NULL AND hash(ref) IN (SELECT h FROM multi_hash)" if twice else "false"}
                    GROUP BY ref HAVING count(*) > 1""")
    (n_multi,) = con.execute("SELECT count(*) FROM multi").fetchone() if twice else (0,)
    unnamed, repeated = con.execute(f"""SELECT count(*) FILTER (WHERE has_p AND ref IS NULL),
        {"(SELECT count(*) FROM (SELECT ref, part, line FROM matching WHERE has_p AND ref IN (SELECT ref FROM multi)"
         " GROUP BY ALL HAVING count(*) > 1))" if n_multi else "0"} FROM matching""").fetchone()
    if unnamed or repeated:
        _repeated(payments_csv)
    # Not plain after all: a reference twice on the statements, or a payment whose processor
    # reference a row that names none of our payments carries (the domain attaches it there).
    con.execute("""CREATE OR REPLACE TEMP TABLE orphan_proc AS SELECT DISTINCT processor_reference
                   FROM matching WHERE line IS NOT NULL AND has_p IS NULL AND processor_reference IS NOT NULL""")
    if fast and (n_multi or con.execute("SELECT count(*) FROM orphan_proc").fetchone()[0]):
        con.execute("""UPDATE matching SET plain = false WHERE plain AND (ref IN (SELECT ref FROM multi)
                       OR processor_ref IN (SELECT processor_reference FROM orphan_proc))""")


def residue(con: Any, month: Month, tolerance: dt.timedelta, fast: bool
             ) -> tuple[list[RegisterPayment], list[StatementRow]]:
    """The payments and statement rows the domain must judge: all but the plainly matched.

    The payments export spans weeks either side of the month. A payment of another month
    that no row names comes to nothing (the domain gives it no finding) unless a row could
    still be attached to it: by the processor reference of a row that names none of our
    payments, or, for a sale row with no merchant reference, by terminal, brand, amount
    and time. Only those are handed over with the month's own (``fast=False`` hands all).
    """
    settle = f"coalesce(category <> 'cash' AND status IN ({_SETTLEABLE}), false)"
    pay = ", ".join(_PAY)
    wanted = "true"
    if fast:
        within = tolerance // dt.timedelta(microseconds=1)
        con.execute(f"""CREATE OR REPLACE TEMP TABLE fallback AS SELECT DISTINCT m.ref FROM matching m
            JOIN (SELECT terminal_id, brand, gross, transaction_at FROM matching WHERE line IS NOT NULL
                  AND NOT s_ref AND kind = 'sale' AND terminal_id IS NOT NULL) r
            ON m.p_terminal_id = r.terminal_id AND m.p_brand = r.brand AND m.amount = r.gross
            WHERE m.has_p AND abs(epoch_us(m.paid_at) - epoch_us(r.transaction_at)) <= {within}""")
        wanted = (f"(line IS NOT NULL OR business_date IS NULL OR business_date BETWEEN "
                  f"DATE {lit(month.first.isoformat())} AND DATE {lit(month.last.isoformat())} "
                  "OR processor_ref IN (SELECT processor_reference FROM orphan_proc) "
                  "OR ref IN (SELECT ref FROM fallback))")
    found = con.execute(f"""SELECT DISTINCT {pay} FROM matching
                            WHERE has_p AND NOT plain AND ({settle} OR line IS NOT NULL) AND {wanted}""").fetchall()
    # Neither settleable nor named by a row: wanted only if a row carries its processor reference.
    con.execute(f"""CREATE OR REPLACE TEMP TABLE maybe AS SELECT DISTINCT {pay} FROM matching
                    WHERE has_p AND NOT {settle} AND line IS NULL AND processor_ref IS NOT NULL""")
    if con.execute("SELECT count(*) FROM maybe").fetchone()[0]:
        found += con.execute("""SELECT * FROM maybe WHERE processor_ref IN (SELECT processor_reference
            FROM matching WHERE line IS NOT NULL AND processor_reference IN (SELECT processor_ref FROM maybe))
            """).fetchall()
    pays = [RegisterPayment(ref, proc, term, site, station, brand, cat, amount, status,
                            paid.replace(tzinfo=UTC), day)
            for ref, proc, term, site, station, brand, cat, amount, status, paid, day in found]
    rows = [StatementRow(src, line, at.replace(tzinfo=UTC), term, mref, pref, brand, Kind(kind), gross, fee,
                         net, dep)
            for src, line, at, term, mref, pref, brand, kind, gross, fee, net, dep in con.execute(f"""
        SELECT {source_expr(con)}, line, transaction_at, terminal_id, CASE WHEN s_ref THEN ref END,
               processor_reference, brand, kind, gross, fee, net, deposit_date
        FROM matching WHERE line IS NOT NULL AND NOT plain ORDER BY 1, line""").fetchall()]
    return pays, rows


def plain_tallies(con: Any) -> tuple[int, list[Tally]]:
    groups = con.execute("""SELECT brand, site, business_date, deposit_date, count(*), sum(gross), sum(fee),
                            sum(net) FROM matching WHERE plain GROUP BY ALL ORDER BY ALL""").fetchall()
    tallies = [Tally(b, s, d, dd, n, g, f, g, f, f, net) for b, s, d, dd, n, g, f, net in groups]
    return sum(t.items for t in tallies), tallies


def statements_complete(con: Any, month: Month, schedule: DepositSchedule) -> bool:
    """Complete when every deposit period of the month has rows dated in it on the statements."""
    periods: dict[dt.date, list[dt.date]] = {}
    day = month.first
    while day <= month.last:
        periods.setdefault(schedule.deposit_date(day), []).append(day)
        day += dt.timedelta(days=1)
    counts = ", ".join(f"count(*) FILTER (WHERE tx_date BETWEEN DATE {lit(days[0].isoformat())} "
                       f"AND DATE {lit(days[-1].isoformat())})" for days in periods.values())
    return all(con.execute(f"SELECT {counts} FROM statement").fetchone())


def statements_through(con: Any) -> dt.date | None:
    """The last day the loaded statements carry."""
    (through,) = con.execute("SELECT max(tx_date) FROM statement").fetchone()
    return through  # type: ignore[no-any-return]


def plain_fees(con: Any) -> list[FeeGroup]:
    """The plainly matched rows' fees, counted by site, deposit date, fee and revenue lines: a
    million rows a month come to a few hundred groups, which the transfer splits as it would
    each row (see :mod:`madoguchi.domain.reconcile_transfer`)."""
    groups = con.execute(f"""SELECT site, deposit_date, fee, {REVENUE_LINES}, count(*) FROM matching
                             WHERE plain GROUP BY ALL ORDER BY ALL""").fetchall()
    parsed: dict[str | None, dict[str, int]] = {None: {}}
    for *_, text, _n in groups:
        if text not in parsed:
            parsed[text] = _revenue_lines(text)
    return [FeeGroup(site, day, fee, parsed[text], n) for site, day, fee, text, n in groups]


def _revenue_lines(text: str) -> dict[str, int]:
    """A payment's revenue lines as the export writes them (``{code: amount}``, JSON)."""
    try:
        lines = json.loads(text)
    except ValueError:
        lines = None
    if not isinstance(lines, dict) or not all(
            isinstance(k, str) and type(v) is int for k, v in lines.items()):
        raise BadInput(f"the payments export's revenue_lines {text[:80]!r} is not {{code: yen}} in JSON")
    return lines
