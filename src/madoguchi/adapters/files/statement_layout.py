"""How one agent's statement is laid out (format v1, or a TOML mapping), and what a bad one raises.

:class:`Layout` names the columns, formats, encoding, kinds and brands of a statement;
:func:`load_layout` reads another agent's mapping file (``docs/statement-format.md``).
:class:`StatementError` lists every row that does not parse, with its line, column and value.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from madoguchi.adapters.files.toml_files import read_toml
from madoguchi.domain.brands import BRANDS
from madoguchi.domain.reconcile import Kind
from madoguchi.errors import BadInput

FIELDS = ("transaction_at", "terminal_id", "merchant_reference", "processor_reference", "brand", "kind",
          "gross", "fee", "net", "deposit_date")
OPTIONAL = frozenset({"terminal_id", "merchant_reference", "processor_reference"})
ENCODINGS = ("auto", "utf-8", "utf-8-sig", "cp932")
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
