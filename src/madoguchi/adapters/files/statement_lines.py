"""The exact, slow reading of a statement that DuckDB's fast reader would not take.

DuckDB reads a well-formed statement in bulk; it refuses a file whose lines end in a mix
of CR LF, LF and CR (a file edited on two machines), or whose rows do not all have the
header's number of fields, and its own error text means nothing to the accounting
section. Then the file is read again here, with Python's ``csv`` (which takes any line
ending), line by line: trailing empty fields are dropped (Excel writes them for a column
once touched), a row with too few or too many fields is refused at its line, and what
remains is written out plainly (LF, exactly the header's fields) for DuckDB to read.
"""
from __future__ import annotations

import csv
from pathlib import Path

#: A line that cannot be read: (line, column, value, reason).
Problem = tuple[int, str, "str | None", str]


def plain_copy(path: Path, *, delimiter: str, skip_lines: int, workdir: Path,
               max_problems: int) -> tuple[Path | None, list[Problem], int]:
    """``path`` (UTF-8) rewritten as plain CSV without the lines before the header; or, when
    some lines cannot be read, no file, the first ``max_problems`` of them and their count."""
    target = workdir / f"plain-{path.name}"
    problems: list[Problem] = []
    total = 0
    with open(path, encoding="utf-8-sig", newline="") as fh, open(target, "w", encoding="utf-8",
                                                                  newline="") as out:
        for _ in range(skip_lines):
            fh.readline()
        reader = csv.reader(fh, delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
        writer = csv.writer(out, delimiter=delimiter, quotechar='"', lineterminator="\n")
        header: list[str] = []
        line = skip_lines
        while True:
            first = line + 1  # the physical line this row starts on
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error:
                problems.append((first, "-", None, "is not CSV: a quote is not closed or is misplaced"))
                total += 1
                break
            line = skip_lines + reader.line_num
            if not header:
                header = _trimmed(row)
                writer.writerow(header)
                continue
            if not any(f.strip() for f in row):
                continue  # a blank line, as DuckDB's reader skips it
            problem = _shape(row, header, first)
            if problem is not None:
                total += 1
                if len(problems) < max_problems:
                    problems.append(problem)
                continue
            writer.writerow(row[:len(header)])
    if problems:
        target.unlink(missing_ok=True)
        return None, problems, total
    return target, [], 0


def _trimmed(row: list[str]) -> list[str]:
    row = [f.strip() for f in row]
    while row and not row[-1]:
        row.pop()
    return row


def _shape(row: list[str], header: list[str], line: int) -> Problem | None:
    width = len(header)
    if len(row) < width:
        return (line, header[len(row)], "",
                f"is missing: the row has {len(row)} fields, the header {width}")
    extra = [(n, v) for n, v in enumerate(row[width:], start=width + 1) if v.strip()]
    if extra:
        n, value = extra[0]
        return (line, f"{n}", value, f"is a field beyond the header's {width} columns")
    return None
