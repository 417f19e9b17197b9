"""Read the payment agent's collection statement (収納明細) into a DuckDB table, all or nothing.

Format v1 (``docs/statement-format.md``): a CSV with a header row naming
``transaction_at, terminal_id, merchant_reference, processor_reference, brand, kind,
gross, fee, net, deposit_date`` in any order. Another agent's layout is read through
a TOML mapping (:class:`Layout`) that renames columns and sets date formats,
encoding, kind and brand names. The encoding is detected: UTF-8 with or without
BOM, else CP932 (Shift_JIS).

DuckDB reads and types the rows in bulk (a million rows in about a second); a row
that does not parse is reported with its line, column and value, and the table is
not filled. Lines are physical lines as long as no field holds a line break.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from madoguchi.adapters.files.toml_files import read_toml
from madoguchi.domain.brands import BRANDS
from madoguchi.domain.reconcile import Kind
from madoguchi.errors import BadInput

FIELDS = ("transaction_at", "terminal_id", "merchant_reference", "processor_reference", "brand", "kind",
          "gross", "fee", "net", "deposit_date")
OPTIONAL = frozenset({"terminal_id", "merchant_reference", "processor_reference"})
ENCODINGS = ("auto", "utf-8", "utf-8-sig", "cp932")
MAX_ERRORS = 20
#: A UTC offset as it can be: hours up to 14, minutes up to 59 (RE2, in DuckDB's SQL).
_OFFSET = "[+-](0[0-9]|1[0-4]):?[0-5][0-9]"
#: Dates a statement row may carry: anything else is a typo (year 0001 broke the run).
YEARS = (2000, 2999)
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Layout:
    """How to read one agent's statement; the default is format v1."""

    name: str = "v1"
    encoding: str = "auto"
    delimiter: str = ","
    skip_lines: int = 0                         # lines before the header row
    columns: dict[str, str] = field(default_factory=lambda: {f: f for f in FIELDS})  # ours -> theirs
    transaction_format: str | None = None       # strptime; None = ISO 8601 (offset optional, JST)
    date_format: str | None = None              # strptime; None = YYYY-MM-DD
    thousands_separator: str | None = None
    kinds: dict[str, str] = field(default_factory=lambda: {k.value: k.value for k in Kind})
    brands: dict[str, str] = field(default_factory=dict)  # theirs -> our code
    negate_kinds: tuple[str, ...] = ()          # layouts that print refunds as positive amounts


V1 = Layout()


def load_layout(path: Path) -> Layout:
    """A mapping file (TOML): see ``docs/statement-format.md`` and ``tests/fixtures/statements``."""
    data = read_toml(path)
    where = f"{path}"
    columns = dict(data.get("columns", {}))
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise BadInput(f"{where}: [columns] names unknown fields {unknown}; ours are {', '.join(FIELDS)}")
    missing = [f for f in FIELDS if f not in columns and f not in OPTIONAL]
    if missing:
        raise BadInput(f"{where}: [columns] must name the column for {', '.join(missing)}")
    kinds = {str(k): str(v) for k, v in data.get("kinds", {}).items()}
    bad = sorted(v for v in kinds.values() if v not in {k.value for k in Kind})
    if bad:
        raise BadInput(f"{where}: [kinds] maps to {bad}; kinds are {', '.join(k.value for k in Kind)}")
    codes = {b.code for b in BRANDS}
    brands = {str(k): str(v) for k, v in data.get("brands", {}).items()}
    bad = sorted(v for v in brands.values() if v not in codes)
    if bad:
        raise BadInput(f"{where}: [brands] maps to unknown brand codes {bad}")
    fmt = data.get("formats", {})
    encoding = str(data.get("encoding", "auto")).lower()
    if encoding not in ENCODINGS:
        raise BadInput(f"{where}: encoding must be one of {', '.join(ENCODINGS)}, got {encoding!r}")
    negate = tuple(data.get("negate_kinds", ()))
    return Layout(name=str(data.get("name", path.stem)), encoding=encoding,
                  delimiter=str(data.get("delimiter", ",")), skip_lines=int(data.get("skip_lines", 0)),
                  columns=columns, transaction_format=fmt.get("transaction_at"),
                  date_format=fmt.get("deposit_date"), thousands_separator=fmt.get("thousands_separator"),
                  kinds=kinds or V1.kinds, brands=brands, negate_kinds=negate)


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    value: str | None
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.value!r} {self.reason}"


class StatementError(BadInput):
    """The statement does not parse; nothing of it was imported. A screen lists ``rows`` (line,
    column and value of each, in its own words) under ``params`` (file name, count)."""

    code = "statement_invalid"
    public_details = ("rows",)

    def __init__(self, source: str, errors: list[RowError], total: int | None = None) -> None:
        more = f" (and {total - len(errors)} more)" if total and total > len(errors) else ""
        lines = "\n  ".join(str(e) for e in errors)
        super().__init__(f"{source}: {total or len(errors)} row error(s){more}, nothing imported:\n  {lines}",
                         params={"file": source, "count": total or len(errors)},
                         rows=[{"line": e.line, "column": e.column, "value": e.value} for e in errors])
        self.errors = errors


@dataclass(frozen=True)
class LoadedStatement:
    path: Path
    sha256: str
    encoding: str
    layout: str
    rows: int


def file_digest_and_encoding(path: Path, declared: str = "auto") -> tuple[str, str]:
    """SHA-256 of the bytes, and the encoding: BOM -> utf-8-sig, valid UTF-8, else CP932."""
    digest = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8, head = True, b""
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
                head = head or chunk[:3]
                if is_utf8 and declared == "auto" and not (chunk.isascii() and not utf8.getstate()[0]):
                    try:  # an ASCII chunk with no sequence pending is valid UTF-8: no need to decode it
                        utf8.decode(chunk)
                    except UnicodeDecodeError:
                        is_utf8 = False
    except FileNotFoundError:
        raise BadInput(f"{path}: file not found") from None
    except IsADirectoryError:
        raise BadInput(f"{path}: is a directory, not a statement file") from None
    if declared != "auto":
        return digest.hexdigest(), declared
    if head.startswith(codecs.BOM_UTF8):
        return digest.hexdigest(), "utf-8-sig"
    return digest.hexdigest(), "utf-8" if is_utf8 else "cp932"


def _as_utf8(path: Path, encoding: str, workdir: Path) -> Path:
    """DuckDB reads UTF-8: transcode a CP932 file (once, streaming) into the work folder."""
    if encoding in ("utf-8", "utf-8-sig"):
        return path
    target = Path(tempfile.mkstemp(suffix=".csv", dir=workdir)[1])
    try:
        with open(path, encoding=encoding, newline="") as src, open(target, "w", encoding="utf-8",
                                                                     newline="") as dst:
            while text := src.read(_CHUNK):
                dst.write(text)
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: neither UTF-8 nor CP932 (undecodable byte at offset {exc.start} "
                       "of a chunk); save it as UTF-8") from None
    return target


def _header(path: Path, layout: Layout, source: str) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for _ in range(layout.skip_lines):
            fh.readline()
        first = fh.readline()
    names = next(csv.reader(io.StringIO(first), delimiter=layout.delimiter), [])
    names = [n.strip() for n in names]
    while names and not names[-1]:  # trailing empty columns, as Excel writes them
        names.pop()
    if len(set(names)) != len(names):
        raise BadInput(f"{source}: line {layout.skip_lines + 1}: the header names a column twice: {names}")
    missing = [f"{theirs!r} ({ours})" for ours, theirs in layout.columns.items() if theirs not in names]
    if missing:
        raise BadInput(f"{source}: line {layout.skip_lines + 1}: the header lacks {', '.join(missing)}; "
                       f"found {names}")
    return names


def lit(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def ident(text: str) -> str:
    return '"' + str(text).replace('"', '""') + '"'


def _case(expr: str, mapping: dict[str, str]) -> str:
    whens = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in mapping.items())
    return f"(CASE {expr} {whens} END)" if whens else "NULL"


def _lookup(column: str, mapping: dict[str, str]) -> str:
    """``_case`` on the trimmed value; a value that is already one of the keys is looked up as is.

    The first CASE only saves the trim: a key with no spaces around it is its own trim,
    so both find the same entry, and anything else falls through to the trimmed lookup.
    """
    exact = {k: v for k, v in mapping.items() if k == k.strip()}
    trimmed = _case(f"trim({column})", mapping)
    if not exact:
        return trimmed
    whens = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in exact.items())
    return f"(CASE {column} {whens} ELSE {trimmed} END)"


def _trim(column: str) -> str:
    """``trim(column)``, without its copy when there is nothing to trim.

    trim removes spaces (Unicode category Zs) at either end; of ASCII, only ' ' is one.
    An ASCII value (as many bytes as characters) with no ' ' at either end is its own trim.
    """
    return (f"(CASE WHEN strlen({column}) = length({column}) AND NOT prefix({column}, ' ') "
            f"AND NOT suffix({column}, ' ') THEN {column} ELSE trim({column}) END)")


def _typed_select(layout: Layout) -> tuple[str, dict[str, str]]:
    """The SELECT that types the raw columns, and the raw expression of each field (for errors).

    Each rule is a strict expression (a pattern, then a cast). The usual value takes a
    shortcut that gives the same result for less work: a canonical whole number or date
    (one that reads back as itself) is taken as cast, an ISO time with ``+09:00`` is cast
    without the pattern; anything else goes the strict way.
    """
    col = {f: ident(layout.columns[f]) for f in FIELDS if f in layout.columns}
    raw = {f: (f"trim({col[f]})" if f in col else "NULL") for f in FIELDS}
    money = {}
    for f in ("gross", "fee", "net"):
        text = raw[f] if not layout.thousands_separator else \
            f"replace({raw[f]}, {lit(layout.thousands_separator)}, '')"
        strict = f"(CASE WHEN regexp_full_match({text}, '[+-]?[0-9]{{1,15}}') THEN CAST({text} AS BIGINT) END)"
        if layout.thousands_separator or f not in col:
            money[f] = strict
        else:  # a number that reads back as its own text (no '+', leading zero or space), of 15 digits at most
            v = f"try_cast({col[f]} AS BIGINT)"
            money[f] = (f"(CASE WHEN CAST({v} AS VARCHAR) = {col[f]} AND {v} BETWEEN -999999999999999 "
                        f"AND 999999999999999 THEN {v} ELSE {strict} END)")
    ts = raw["transaction_at"]
    if layout.transaction_format:
        parsed = f"try_strptime({ts}, {lit(layout.transaction_format)})"
        tx = f"CAST({parsed} AS TIMESTAMP)" if "%z" in layout.transaction_format \
            else f"({parsed} - INTERVAL 9 HOUR)"
        if "%z" in layout.transaction_format:  # strptime takes +25:00 and +0960 too
            tx = (f"(CASE WHEN regexp_matches({ts}, '[+-][0-9]{{2}}:?[0-9]{{2}}$') AND NOT "
                  f"regexp_matches({ts}, '{_OFFSET}$') THEN NULL ELSE {tx} END)")
    else:
        tx = (f"(CASE WHEN regexp_matches({ts}, '(Z|{_OFFSET})$') "
              f"THEN CAST(try_cast({ts} AS TIMESTAMPTZ) AS TIMESTAMP) "
              f"WHEN regexp_full_match({ts}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[T ][0-9:.]+') "
              f"THEN try_cast({ts} AS TIMESTAMP) - INTERVAL 9 HOUR END)")
        if "transaction_at" in col:  # starts with a digit, ends in +09:00: its own trim, and the offset matches;
            c = col["transaction_at"]  # a finite instant then, taken in UTC by arithmetic (no time zone lookup)
            tx = (f"(CASE WHEN suffix({c}, '+09:00') AND ascii({c}) BETWEEN 48 AND 57 "
                  f"THEN make_timestamp(epoch_us(try_cast({c} AS TIMESTAMPTZ))) ELSE {tx} END)")
    dd = raw["deposit_date"]
    if layout.date_format:
        deposit = f"CAST(try_strptime({dd}, {lit(layout.date_format)}) AS DATE)"
    else:
        deposit = (f"(CASE WHEN regexp_full_match({dd}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
                   f"THEN try_cast({dd} AS DATE) END)")
        if "deposit_date" in col:  # a date that reads back as its ten characters is YYYY-MM-DD
            c, d = col["deposit_date"], f"try_cast({col['deposit_date']} AS DATE)"
            deposit = f"(CASE WHEN length({c}) = 10 AND CAST({d} AS VARCHAR) = {c} THEN {d} ELSE {deposit} END)"
    codes = {b.code: b.code for b in BRANDS} | layout.brands
    kind = _lookup(col["kind"], layout.kinds) if "kind" in col else _case(raw["kind"], layout.kinds)
    brand = _lookup(col["brand"], codes) if "brand" in col else _case(raw["brand"], codes)
    sign = (f"(CASE WHEN {kind} IN ({', '.join(lit(k) for k in layout.negate_kinds)}) THEN -1 ELSE 1 END)"
            if layout.negate_kinds else "1")
    text = {f: (_trim(col[f]) if f in col else "NULL") for f in ("terminal_id", "merchant_reference",
                                                                  "processor_reference")}
    select = (f"{tx} AS transaction_at, nullif({text['terminal_id']}, '') AS terminal_id, "
              f"nullif({text['merchant_reference']}, '') AS merchant_reference, "
              f"nullif({text['processor_reference']}, '') AS processor_reference, "
              f"{brand} AS brand, {kind} AS kind, "
              f"{sign} * {money['gross']} AS gross, {sign} * {money['fee']} AS fee, "
              f"{sign} * {money['net']} AS net, {deposit} AS deposit_date")
    return select, raw


_REASONS = {
    "transaction_at": ("is not a date and time (ISO 8601, e.g. 2026-11-02T10:15:00+09:00; "
                       "an offset from -14:00 to +14:00)"),
    "brand": "is not a brand code of ours (see docs/statement-format.md)",
    "kind": "is not a kind (sale, refund, cancel, chargeback, adjustment)",
    "gross": "is not a whole number of yen", "fee": "is not a whole number of yen",
    "net": "is not a whole number of yen",
    "deposit_date": "is not a date (YYYY-MM-DD)",
}

#: The columns of ``statement`` (a view over one typed table per file, see :func:`load_statement`).
STATEMENT_COLUMNS = ("source", "line", "transaction_at", "tx_date", "terminal_id", "merchant_reference",
                     "processor_reference", "brand", "kind", "gross", "fee", "net", "deposit_date")
_TYPED_COLUMNS = STATEMENT_COLUMNS[2:]
_PARTS = "_statement_parts"


def _statement_view(con: Any) -> None:
    """``statement``: every loaded file's rows, each with its file name (and number, ``part``) and line."""
    parts = con.execute(f"SELECT n, tbl, source, first_line FROM {_PARTS} ORDER BY n").fetchall()
    cols = ", ".join(_TYPED_COLUMNS)
    union = " UNION ALL ".join(f"SELECT {n} AS part, {lit(source)} AS source, rowid + {first} AS line, {cols} "
                               f"FROM {tbl}" for n, tbl, source, first in parts)
    con.execute(f"CREATE OR REPLACE TEMP VIEW statement AS {union}")


def drop_statements(con: Any) -> None:
    """Drop the ``statement`` view and its tables (their file names stay for :func:`statement_sources`)."""
    con.execute("DROP VIEW IF EXISTS statement")
    for (tbl,) in con.execute(f"SELECT tbl FROM {_PARTS}").fetchall():
        con.execute(f"DROP TABLE IF EXISTS {tbl}")


def statement_sources(con: Any) -> list[str]:
    """The file name of each ``part`` of the ``statement`` view, in order."""
    return [s for (s,) in con.execute(f"SELECT source FROM {_PARTS} ORDER BY n").fetchall()]


def _first_guess(path: Path, declared: str) -> str:
    """The encoding as the file's first bytes tell it.

    Final when declared, when there is a BOM, or when the head is not UTF-8 (then it is
    CP932 whatever follows); a head that is UTF-8 is only a guess until the whole file
    has been looked at (:func:`file_digest_and_encoding`). A missing file or a folder is
    refused here, as it would be there.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(_CHUNK)
    except FileNotFoundError:
        raise BadInput(f"{path}: file not found") from None
    except IsADirectoryError:
        raise BadInput(f"{path}: is a directory, not a statement file") from None
    if declared != "auto":
        return declared
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)  # a sequence cut at the end is not an error
    except UnicodeDecodeError:
        return "cp932"
    return "utf-8"


def load_statement(con: Any, path: Path, *, layout: Layout = V1, workdir: Path) -> LoadedStatement:
    """Add the rows of ``path`` to the DuckDB view ``statement``, or raise and add nothing.

    The file is read once, straight into a typed table (one per file); the checks are one
    pass over it, and only a file that fails them is looked at again, for the report. Its
    hash (and, for a file that starts as UTF-8, the check that all of it is) is taken on
    a thread meanwhile; a file that turns out to be CP932 after all is read again.
    """
    path = Path(path)
    guess = _first_guess(path, layout.encoding)
    rows: tuple[str, int] | None = None
    failure: BadInput | UnicodeDecodeError | None = None
    with ThreadPoolExecutor(1, thread_name_prefix="statement-digest") as pool:
        digest = pool.submit(file_digest_and_encoding, path, layout.encoding)
        try:
            rows = _load_rows(con, path, guess, layout, workdir)
        except (BadInput, UnicodeDecodeError) as exc:
            failure = exc
        try:
            sha256, encoding = digest.result()  # its errors first, as when it ran before the read
        except BaseException:
            if rows is not None:
                con.execute(f"DROP TABLE {rows[0]}")
            raise
    if encoding != guess:  # only a UTF-8 guess can be wrong: read it again as what it is
        if rows is not None:
            con.execute(f"DROP TABLE {rows[0]}")
        rows = _load_rows(con, path, encoding, layout, workdir)
    elif failure is not None:
        raise failure
    assert rows is not None
    table, count = rows
    (n,) = con.execute(f"SELECT count(*) FROM {_PARTS}").fetchone()
    con.execute(f"INSERT INTO {_PARTS} VALUES ({n}, {lit(table)}, {lit(path.name)}, {layout.skip_lines + 2})")
    _statement_view(con)
    return LoadedStatement(path, sha256, encoding, layout.name, count)


def _load_rows(con: Any, path: Path, encoding: str, layout: Layout, workdir: Path) -> tuple[str, int]:
    """The file's rows, read as ``encoding``, typed and checked into a table of their own: its name
    and row count, or raise (and leave no table)."""
    source = path.name
    readable = _as_utf8(path, encoding, workdir)
    _header(readable, layout, source)
    select, raw = _typed_select(layout)
    first_line = layout.skip_lines + 2
    con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_PARTS} (n INTEGER, tbl VARCHAR, source VARCHAR, "
                "first_line BIGINT)")
    (n,) = con.execute(f"SELECT count(*) FROM {_PARTS}").fetchone()
    table = f"_statement_{n}"
    reader = _read_typed(con, table, select, readable, layout, source, workdir)
    line = f"(rowid + {first_line})"
    checks = _checks(layout)
    total, count = con.execute(
        "SELECT " + " + ".join(f"count(*) FILTER (WHERE {where})" for _, where, _ in checks) +
        f", count(*) FROM {table}").fetchone()
    if total:
        union = " UNION ALL ".join(f"SELECT {line} AS line, {n} AS n FROM {table} WHERE {where}"
                                   for n, (_, where, _) in enumerate(checks))
        found = con.execute(f"SELECT * FROM ({union}) ORDER BY line, n LIMIT {MAX_ERRORS}").fetchall()
        lines = sorted({line for line, _ in found})
        con.execute(f"CREATE OR REPLACE TEMP TABLE _raw AS SELECT * FROM {reader}")
        values = {row[0]: dict(zip(FIELDS, row[1:])) for row in con.execute(
            f"SELECT (rowid + {first_line}) AS line, {', '.join(raw[f] for f in FIELDS)} FROM _raw "
            f"WHERE line IN ({', '.join(map(str, lines))})").fetchall()}
        con.execute(f"DROP TABLE _raw; DROP TABLE {table}")
        errors = []
        for line, n in found:
            field_name, _, reason = checks[n]
            value = values[line][field_name]
            reason = reason or ("is empty" if value is None else _REASONS[field_name])
            errors.append(RowError(line, layout.columns.get(field_name, field_name), value, reason))
        raise StatementError(source, errors, total)
    return table, count


def _read_typed(con: Any, table: str, select: str, readable: Path, layout: Layout, source: str,
                workdir: Path) -> str:
    """Fill ``table`` from the file; the reader it used (for the report of bad rows).

    DuckDB reads the file as it is; a file it will not take (mixed line endings, rows of
    another width than the header) is read again line by line
    (:mod:`madoguchi.adapters.files.statement_lines`) and refused at its line, or read
    from its plain copy. DuckDB's own error text never reaches the user.
    """
    import duckdb

    from madoguchi.adapters.files.statement_lines import plain_copy

    def reader_of(path: Path, skip: int) -> str:
        return (f"read_csv({lit(str(path))}, header=true, all_varchar=true, delim={lit(layout.delimiter)}, "
                f"quote='\"', escape='\"', skip={skip}, strict_mode=true)")

    # Rows keep the file's order (preserve_insertion_order), so a row's line is its rowid
    # plus the lines before the first row: no window function over a million rows.
    con.execute("SET preserve_insertion_order = true")

    def fill(reader: str) -> None:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT *, "
                    "CAST(transaction_at + INTERVAL 9 HOUR AS DATE) AS tx_date "
                    f"FROM (SELECT {select} FROM {reader})")

    reader = reader_of(readable, layout.skip_lines)
    try:
        fill(reader)
        return reader
    except duckdb.Error:
        pass
    plain, problems, total = plain_copy(readable, delimiter=layout.delimiter, skip_lines=layout.skip_lines,
                                        workdir=workdir, max_problems=MAX_ERRORS)
    if plain is None:
        raise StatementError(source, [RowError(*p) for p in problems], total)
    reader = reader_of(plain, 0)
    try:
        fill(reader)
    except duckdb.Error:
        raise BadInput(f"{source}: not a readable CSV (save it again from Excel as "
                       "\"CSV UTF-8 (comma delimited)\")") from None
    return reader


def _checks(layout: Layout) -> list[tuple[str, str, str | None]]:
    """Each check of a typed row: (field, a condition that finds a bad row, reason or None for
    the field's own reason)."""
    first, last = YEARS
    years = f"BETWEEN DATE '{first}-01-01' AND DATE '{last}-12-31'"
    outside = f"is outside the years {first}–{last}"
    checks: list[tuple[str, str, str | None]] = [(f, f"{f} IS NULL", None) for f in FIELDS if f not in OPTIONAL]
    checks += [
        ("net", "gross - fee <> net", "gross − fee ≠ net"),
        ("transaction_at", f"NOT tx_date {years}", outside),
        ("deposit_date", f"NOT deposit_date {years}", outside),
        ("gross", "kind = 'sale' AND gross < 0",
         "is negative on a sale (money going back is a refund or cancel row)"),
    ]
    # A control character (NUL, ...) is no part of a reference; Excel and PostgreSQL refuse it.
    checks += [(f, f"regexp_matches({f}, '[\\x00-\\x1f\\x7f]')", "holds a control character (such as NUL)")
               for f in FIELDS if f in OPTIONAL and f in layout.columns]
    return checks
