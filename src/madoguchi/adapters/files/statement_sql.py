"""The SQL that types a statement's raw text columns in DuckDB, and the checks a typed row must pass.

:func:`typed_select` turns a :class:`~madoguchi.adapters.files.statement_layout.Layout`
into one SELECT over the raw columns (dates, offsets, yen, kinds and brands), with each
field's raw expression so an error can show the value as written; :func:`row_checks` lists
the conditions that find a bad row, and ``REASONS`` says what is wrong in words.
"""
from __future__ import annotations

from madoguchi.adapters.files.statement_layout import FIELDS, OPTIONAL, Layout
from madoguchi.domain.brands import BRANDS

#: A UTC offset as it can be: hours up to 14, minutes up to 59 (RE2, in DuckDB's SQL).
_OFFSET = "[+-](0[0-9]|1[0-4]):?[0-5][0-9]"
#: Dates a statement row may carry: anything else is a typo (year 0001 broke the run).
YEARS = (2000, 2999)

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


def typed_select(layout: Layout) -> tuple[str, dict[str, str]]:
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
    refs = {f: (_trim(col[f]) if f in col else "NULL") for f in ("terminal_id", "merchant_reference",
                                                                  "processor_reference")}
    select = (f"{tx} AS transaction_at, nullif({refs['terminal_id']}, '') AS terminal_id, "
              f"nullif({refs['merchant_reference']}, '') AS merchant_reference, "
              f"nullif({refs['processor_reference']}, '') AS processor_reference, "
              f"{brand} AS brand, {kind} AS kind, "
              f"{sign} * {money['gross']} AS gross, {sign} * {money['fee']} AS fee, "
              f"{sign} * {money['net']} AS net, {deposit} AS deposit_date")
    return select, raw


REASONS = {
    "transaction_at": ("is not a date and time (ISO 8601, e.g. 2026-11-02T10:15:00+09:00; "
                       "an offset from -14:00 to +14:00)"),
    "brand": "is not a brand code of ours (see docs/statement-format.md)",
    "kind": "is not a kind (sale, refund, cancel, chargeback, adjustment)",
    "gross": "is not a whole number of yen", "fee": "is not a whole number of yen",
    "net": "is not a whole number of yen",
    "deposit_date": "is not a date (YYYY-MM-DD)",
}

#: The reason of the control-character checks (see :func:`control_screen`).
CONTROL = "holds a control character (such as NUL)"


def row_checks(layout: Layout) -> list[tuple[str, str, str | None]]:
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
    checks += [(f, f"regexp_matches({f}, '[\\x00-\\x1f\\x7f]')", CONTROL)
               for f in _references(layout)]
    return checks


def _references(layout: Layout) -> list[str]:
    return [f for f in FIELDS if f in OPTIONAL and f in layout.columns]


def control_screen(layout: Layout) -> str:
    """A condition true on every row a control-character check of :func:`row_checks` finds (and
    on a few more): one pass over the references' JSON instead of a regular expression per field.

    JSON must escape U+0000–U+001F, and every escape starts with a backslash; DEL (U+007F) it
    may leave as it is, so that is looked for on its own. A row it finds is only a suspect: the
    checks themselves then say which rows are bad.
    """
    refs = _references(layout)
    if not refs:
        return "false"
    text = f"concat({', '.join(refs)})"
    return f"(contains(CAST(to_json({text}) AS VARCHAR), chr(92)) OR contains({text}, chr(127)))"
