"""How a receipt is laid out on a Japanese receipt printer: its rows, as plain text.

:func:`receipt_rows` lays a :class:`~madoguchi.domain.receipt.ReceiptDocument` out as
rows of a given width; :func:`receipt_text` gives them as plain text for screens and
tests, line for line what :func:`~madoguchi.adapters.devices.escpos_render.render_receipt`
prints.

A receipt whose journal entry is signed prints its verification code (検証コード); an
unsigned one prints 署名装置停止中 in place of the code.

Amounts are written with the full-width yen sign, ``￥1,300``: U+00A5 has no CP932
byte. A character with no CP932 byte (a rare kanji, an emoji) is printed as 〓, the
customary mark for a missing glyph, and the text shows the same mark.
Columns count a full-width character as 2 (East Asian Width W, F and A: on a
Shift_JIS printer an ambiguous character such as ※ or × is a double-byte glyph).
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from madoguchi.domain.money import format_yen
from madoguchi.domain.receipt import JST, TRAINING_MARK, ReceiptDocument, wareki
from madoguchi.domain.receipt_code import SIGNING_DOWN_LABEL
from madoguchi.errors import BadInput

_MISSING = "〓"


@functools.lru_cache(maxsize=8192)
def _char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WFA" else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes on a Shift_JIS printer: its CP932 bytes, a double-byte
    character printing double width (so ¢ £ ¬ −, which CP932 maps to full-width
    glyphs, count 2); by East Asian Width for what CP932 cannot encode."""
    if text.isascii():
        return len(text)
    try:
        return len(text.encode("cp932"))
    except UnicodeEncodeError:
        return sum(map(_char_width, text))


@functools.lru_cache(maxsize=4096)  # the same names (fees, sites, brands) on every receipt
def printable(text: str) -> str:
    """``text`` with what a Japanese printer cannot print replaced, on purpose and visibly."""
    if text.isascii() and text.isprintable():
        return text  # references, numbers, codes: nothing to replace
    out = []
    for ch in text.replace("¥", "￥"):
        if ch in "\r\n\t":
            ch = " "
        try:
            ch.encode("cp932")
        except UnicodeEncodeError:
            ch = _MISSING
        # Control, format and private-use (外字) characters have no agreed glyph.
        out.append(_MISSING if unicodedata.category(ch)[0] == "C" else ch)
    return "".join(out)


@functools.lru_cache(maxsize=4096)  # the same fees and totals on receipt after receipt
def yen_text(amount: int) -> str:
    """``1300`` -> ``'￥1,300'``: the domain's format with the yen sign CP932 has."""
    return format_yen(amount).replace("¥", "￥")


def _cut_to(text: str, columns: int) -> str:
    return _fit(text, columns)[0]


def _fit(text: str, columns: int) -> tuple[str, int]:
    """``text`` cut to ``columns``, and the columns it then takes."""
    width = display_width(text)
    if width <= columns:
        return text, width
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > columns:
            break
        out.append(ch)
        used += w
    return "".join(out), used


def _wrap(text: str, columns: int) -> list[str]:
    lines = []
    while display_width(text) > columns:
        head = _cut_to(text, columns)
        lines.append(head)
        text = text[len(head):]
    return lines + [text]


@dataclass(slots=True)  # not frozen: a receipt makes a few dozen, and frozen init is slow
class Row:
    """One printed line: text on the left, an amount on the right, or centred."""

    left: str
    right: str = ""
    center: bool = False
    bold: bool = False
    big: bool = False  # double width and height: half the columns

    def text(self, width: int) -> str:
        columns = width // 2 if self.big else width
        if self.center:
            body, used = _fit(self.left, columns)
            return " " * ((columns - used) // 2) + body
        if not self.right:
            return _cut_to(self.left, columns)
        right, right_used = _fit(self.right, columns)
        left, left_used = _fit(self.left, max(0, columns - right_used - 1))
        return left + " " * (columns - left_used - right_used) + right


#: The training mark as a Japanese printer can print it (CP932 has the horizontal bar, not the em dash).
_TRAINING_LINE = TRAINING_MARK.replace("\u2014", "\u2015")


def receipt_rows(doc: ReceiptDocument, width: int) -> list[Row]:
    """The receipt's lines, top to bottom, for a paper ``width`` columns wide."""
    p = printable
    rule = Row("-" * width)
    rows: list[Row] = []
    if doc.training:
        rows.append(Row(_TRAINING_LINE, center=True, bold=True))
    if doc.reprint:
        rows.append(Row("【再発行】", center=True, bold=True, big=True))
    rows += [
        Row(p(doc.municipality), center=True, bold=True),
        Row(p(f"{doc.site_name} {doc.station_name}"), center=True),
        Row("領収書", center=True, bold=True, big=True),
    ]
    local = doc.issued_at.astimezone(JST)
    hour_minute = f"{local.hour:02d}:{local.minute:02d}"  # what %H:%M says, without strftime's cost
    rows.append(Row(f"{wareki(local.date())} {hour_minute}", f"No. {doc.receipt_number:06d}"))
    rows.append(rule)
    for line in doc.lines:
        rows += [Row(part) for part in _wrap(p(line.name), width)]
        detail = f"  {line.quantity} x {yen_text(line.unit_price)}"
        if line.exemption:
            detail += f" {p(line.exemption)}"
        rows.append(Row(detail, yen_text(line.amount)))
    rows.append(rule)
    rows.append(Row("合計", yen_text(doc.total), bold=True, big=True))
    method = doc.method_label + (f" {doc.brand_name}" if doc.brand_name else "")
    rows.append(Row("お支払方法", p(method)))
    if doc.tendered is not None:
        rows.append(Row("お預り", yen_text(doc.tendered)))
    if doc.change is not None:
        rows.append(Row("お釣り", yen_text(doc.change)))
    if doc.processor_reference:
        rows.append(Row("決済番号", p(doc.processor_reference)))
    rows.append(rule)
    rows.append(Row("お問合せ番号", p(doc.sale_reference)))
    if doc.verification_code:
        rows.append(Row("検証コード", p(doc.verification_code)))
    elif doc.signing_down:
        rows.append(Row("検証コード", SIGNING_DOWN_LABEL))
    if doc.training:
        rows.append(Row(_TRAINING_LINE, center=True, bold=True))
    return rows


def receipt_text(doc: ReceiptDocument, *, width: int = 42) -> str:
    """The receipt as plain text, line for line what ``render_receipt`` prints."""
    return "\n".join(row.text(width) for row in receipt_rows(doc, check_width(width))) + "\n"


def check_width(width: int) -> int:
    if not 24 <= width <= 64:
        raise BadInput(f"receipt width must be 24 to 64 columns, got {width}")
    return width
