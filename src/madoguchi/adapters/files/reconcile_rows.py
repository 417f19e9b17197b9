"""The exceptions sheets' rows written as XML text, not cell by cell through ElementTree.

openpyxl's write-only sheet turns every cell into an ElementTree element and hands it to
et_xmlfile's generic, namespace-aware serializer: for a month's exceptions (tens of
thousands of cells) that was half of the workbook's time. A plain cell (text, a number, a
date; styled or not) is always the same few strings, so :func:`write_rows_as_text` makes a
sheet format those itself, the same bytes openpyxl would write (its own ``_set_attributes``
still gives each cell's reference, style and type). Anything else — a formula, rich text, a
hyperlink, a comment, a row with dimensions, or lxml's writer in place of et_xmlfile — goes
through openpyxl's own writer, unchanged.
"""
from __future__ import annotations

from typing import Any

from openpyxl.cell._writer import _set_attributes, write_cell  # type: ignore[attr-defined]  # not in its stubs
from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.compat import safe_string
from openpyxl.worksheet._writer import WorksheetWriter


def _text(value: str) -> str:
    """Character data escaped as ElementTree escapes it."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


def _attribute(value: str) -> str:
    """An attribute value escaped as ElementTree escapes it."""
    value = _text(value)
    for raw, escaped in (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;")):
        if raw in value:
            value = value.replace(raw, escaped)
    return value


class _TextRowWriter(WorksheetWriter):
    """openpyxl's sheet writer, with rows of plain cells formatted as text."""

    def write_row(self, xf: Any, row: Any, row_idx: int) -> None:
        ws: Any = self.ws
        raw = getattr(xf, "_file", None)  # et_xmlfile's own output: lxml's writer has none
        if raw is None or row_idx in ws.row_dimensions:
            super().write_row(xf, row, row_idx)
            return
        parts = [f'<row r="{row_idx}">']
        for cell in row:  # each cell is formatted before the next is made (openpyxl reuses plain ones)
            styled = cell.has_style
            if (cell._comment is not None or cell.hyperlink is not None or cell.data_type == "f"
                    or (cell.data_type == "s" and not isinstance(cell._value, str))):
                raw("".join(parts))  # not plain: openpyxl's own writer, in its place in the row
                parts = []
                if cell._comment is not None:
                    ws._comments.append(CommentRecord.from_cell(cell))
                write_cell(xf, ws, cell, styled)
                continue
            if cell._value is None and not styled:
                continue
            value, attrs = _set_attributes(cell, styled)
            head = "<c" + "".join(f' {k}="{_attribute(v)}"' for k, v in attrs.items())
            if value is None or value == "":
                parts.append(head + " />")
            elif cell.data_type == "s":
                stripped = value.strip()
                space = ' xml:space="preserve"' if stripped and value != stripped else ""
                parts.append(f"{head}><is><t{space}>{_text(value)}</t></is></c>")
            else:
                parts.append(f"{head}><v>{_text(safe_string(value))}</v></c>")
        parts.append("</row>")
        raw("".join(parts))


def write_rows_as_text(ws: Any) -> None:
    """From now on, ``ws`` (a write-only sheet that has written its first row) formats plain rows as text."""
    writer = getattr(ws, "_writer", None)
    if type(writer) is WorksheetWriter:
        writer.__class__ = _TextRowWriter
