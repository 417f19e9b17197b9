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
from pathlib import Path
from typing import Any

from madoguchi.adapters.files.statement_layout import (
    ENCODINGS,
    FIELDS,
    OPTIONAL,
    V1,
    Layout,
    LoadedStatement,
    RowError,
    StatementError,
    load_layout,
)
from madoguchi.adapters.files.statement_sql import (
    CONTROL,
    REASONS,
    control_screen,
    ident,
    lit,
    row_checks,
    typed_select,
)
from madoguchi.errors import BadInput

#: Re-exported: callers read a statement, its layout and its errors from this one module.
__all__ = ["ENCODINGS", "FIELDS", "OPTIONAL", "STATEMENT_COLUMNS", "V1", "Layout", "LoadedStatement", "RowError",
           "StatementError", "drop_statements", "file_digest_and_encoding", "ident", "lit", "load_layout",
           "load_statement", "statement_sources"]

MAX_ERRORS = 20
_CHUNK = 1 << 20


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
    select, raw = typed_select(layout)
    first_line = layout.skip_lines + 2
    con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_PARTS} (n INTEGER, tbl VARCHAR, source VARCHAR, "
                "first_line BIGINT)")
    (n,) = con.execute(f"SELECT count(*) FROM {_PARTS}").fetchone()
    table = f"_statement_{n}"
    reader = _read_typed(con, table, select, readable, layout, source, workdir)
    line = f"(rowid + {first_line})"
    checks = row_checks(layout)
    # One pass with the control-character checks screened (their regular expressions were a
    # fifth of the statement's time); only a file with a suspect row is counted exactly.
    suspects, count = con.execute(
        "SELECT " + " + ".join(f"count(*) FILTER (WHERE {where})" for _, where, reason in checks
                               if reason != CONTROL) +
        f" + count(*) FILTER (WHERE {control_screen(layout)}), count(*) FROM {table}").fetchone()
    total = suspects and con.execute(
        "SELECT " + " + ".join(f"count(*) FILTER (WHERE {where})" for _, where, _ in checks) +
        f" FROM {table}").fetchone()[0]
    if total:
        union = " UNION ALL ".join(f"SELECT {line} AS line, {n} AS n FROM {table} WHERE {where}"
                                   for n, (_, where, _) in enumerate(checks))
        found = con.execute(f"SELECT * FROM ({union}) ORDER BY line, n LIMIT {MAX_ERRORS}").fetchall()
        lines = sorted({line for line, _ in found})
        con.execute(f"CREATE OR REPLACE TEMP TABLE _raw AS SELECT * FROM {reader}")
        values = {row[0]: dict(zip(FIELDS, row[1:], strict=True)) for row in con.execute(
            f"SELECT (rowid + {first_line}) AS line, {', '.join(raw[f] for f in FIELDS)} FROM _raw "
            f"WHERE line IN ({', '.join(map(str, lines))})").fetchall()}
        con.execute(f"DROP TABLE _raw; DROP TABLE {table}")
        errors = []
        for line, n in found:
            field_name, _, reason = checks[n]
            value = values[line][field_name]
            reason = reason or ("is empty" if value is None else REASONS[field_name])
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
