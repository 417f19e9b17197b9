"""The one way out for every report: text that cannot act as a formula, files that appear whole.

Text in a report often comes from outside the city (the agent's ``merchant_reference``, a
terminal id, a file name) or from a person (a close note, an adjustment reason). A
spreadsheet takes text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula (CSV injection, OWASP). So every text cell of every workbook and every text
field of every CSV goes through :func:`neutral`: such text gets a leading single quote and
stays text. Numbers stay numbers (an ``int`` is never touched; neither is text that is
plainly a number, such as ``-300``, which no spreadsheet runs).

Every report is written to a temporary file beside its target and renamed into place, so a
killed run leaves the old file or none, never a half-written one (:func:`atomic_path`).

Writers use :func:`save_workbook` (and :func:`new_workbook` for openpyxl's write-only mode,
whose cells are written as they are appended), :func:`csv_writer`, :func:`write_bytes` and
:func:`write_text`; a DuckDB ``COPY`` wraps its text columns in :func:`neutral_sql`.
"""
from __future__ import annotations

import contextlib
import csv
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from inspect import isgenerator
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

#: What a spreadsheet reads as the start of a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def neutral(value: Any) -> Any:
    """``value``, or for text a spreadsheet would run as a formula, that text after a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutral_sql(expr: str) -> str:
    """:func:`neutral` as a DuckDB expression over the VARCHAR ``expr`` (for ``COPY … TO``)."""
    firsts = ", ".join(f"chr({ord(c)})" for c in FORMULA_PREFIXES)
    return (f"(CASE WHEN left({expr}, 1) IN ({firsts}) AND NOT regexp_full_match({expr}, "
            f"'{_PLAIN_NUMBER.pattern}') THEN '''' || {expr} ELSE {expr} END)")


# --- files that appear whole ----------------------------------------------------------------------

def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Read once, at import (reading it means setting it, which other threads must not see).
_UMASK = _umask()


class PartFile:
    """A temporary file beside ``target``, put in its place by :meth:`keep` or removed by
    :meth:`discard`, for a writer whose end is decided outside one block (see :func:`atomic_path`)."""

    def __init__(self, target: Path) -> None:
        self.target = Path(target)
        fd, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".part", dir=self.target.parent)
        os.close(fd)
        self.path = Path(name)
        os.chmod(self.path, 0o666 & ~_UMASK)  # as a plain write would leave it, not mkstemp's 0600

    def keep(self) -> None:
        """Rename the whole file onto the target (if that fails, it is removed)."""
        try:
            os.replace(self.path, self.target)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``; renamed onto ``target`` if the block ends well,
    removed if it does not."""
    part = PartFile(target)
    try:
        yield part.path
    except BaseException:
        part.discard()
        raise
    part.keep()


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str, *, encoding: str = "utf-8") -> None:
    with atomic_path(target) as tmp, open(tmp, "w", encoding=encoding, newline="") as fh:
        fh.write(text)


# --- workbooks --------------------------------------------------------------------------------------

class _NeutralWriteOnlySheet(WriteOnlyWorksheet):
    """A write-only sheet writes each row as it is appended: neutralise it then."""

    def append(self, row: Any) -> None:
        if isinstance(row, (list, tuple, range)) or isgenerator(row):
            row = [_neutral_item(v) for v in row]
        super().append(row)


def _neutral_item(item: Any) -> Any:
    if isinstance(item, Cell):
        _neutral_cell(item)
        return item
    return neutral(item)


def _neutral_cell(cell: Any) -> None:
    value = cell.value
    if cell.data_type == "f" or (isinstance(value, str) and neutral(value) is not value):
        cell.value = neutral(str(value))  # a str value that starts with a quote is stored as text
        cell.data_type = "s"


class NeutralWorkbook(Workbook):
    """A workbook whose write-only sheets neutralise their rows as they are appended."""

    def create_sheet(self, title: Any = None, index: int | None = None) -> Any:
        if not self.write_only:
            return super().create_sheet(title, index)
        sheet = _NeutralWriteOnlySheet(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)  # type: ignore[attr-defined]  # openpyxl's own, not in its stubs
        return sheet


def new_workbook(*, write_only: bool = False) -> Workbook:
    """A workbook for a report (write-only ones must come from here: see :func:`save_workbook`)."""
    return NeutralWorkbook(write_only=write_only)


def save_workbook(wb: Workbook, target: Path | IO[bytes]) -> None:
    """Neutralise every text cell, then save to a path (atomically) or to a binary stream."""
    if wb.write_only and not isinstance(wb, NeutralWorkbook):
        raise TypeError("a write-only workbook writes its cells as they come: make it with new_workbook()")
    if not wb.write_only:
        for ws in wb.worksheets:
            for cell in list(ws._cells.values()):  # the cells that exist (iter_rows would create the rest)
                _neutral_cell(cell)
    if isinstance(target, (str, os.PathLike)):
        with atomic_path(Path(target)) as tmp:
            wb.save(tmp)
    else:
        wb.save(target)


# --- CSV --------------------------------------------------------------------------------------------

class NeutralCsvWriter:
    """``csv.writer`` whose every text field goes through :func:`neutral`."""

    def __init__(self, out: IO[str], **fmtparams: Any) -> None:
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutral(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: IO[str], **fmtparams: Any) -> NeutralCsvWriter:
    """The CSV writer of every export (same parameters as ``csv.writer``)."""
    return NeutralCsvWriter(out, **fmtparams)
