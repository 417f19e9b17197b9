"""Receipts as ESC/POS bytes for a Japanese receipt printer, and ESC/POS bytes read back as text.

:func:`render_receipt` turns a :class:`~madoguchi.domain.receipt.ReceiptDocument`, laid
out by :mod:`madoguchi.adapters.devices.receipt_layout`, into bytes for an Epson TM
compatible Japanese model. python-escpos 3.1's ``text()`` would encode 住民票 in GB2312
(a Chinese code page) and the printer would print garbage, so every line with Japanese
in it is sent by us in Kanji mode: ``FS &``, the line in CP932 (Shift_JIS), ``FS .``.
python-escpos does the rest (init, alignment, bold, character size, the QR code, cut).

A signed receipt's QR code holds ``MDG1:<site>:<seq>:<code>`` (``domain/receipt_code.py``);
an unsigned one's holds the sale reference as before.
"""
from __future__ import annotations

import functools
import threading

from escpos.constants import QR_ECLEVEL_L, QR_ECLEVEL_M
from escpos.printer import Dummy

from madoguchi.adapters.devices.receipt_layout import Row, check_width, receipt_rows
from madoguchi.domain.receipt import ReceiptDocument

KANJI_ON = b"\x1c&"    # FS &
KANJI_OFF = b"\x1c."   # FS .
_SHIFT_JIS = b"\x1cC\x01"  # FS C 1: Kanji code system Shift_JIS (not JIS)
_KATAKANA = b"\x1bt\x01"   # ESC t 1: half-width katakana for the single bytes 0xA1-0xDF


def render_receipt(doc: ReceiptDocument, *, width: int = 42, qr: bool = True) -> bytes:
    """ESC/POS bytes of the receipt for a Japanese Epson TM compatible printer.

    ``width`` is the columns of the normal font (42 on 80 mm paper with font A).
    With ``qr`` a QR code is printed too, rendered by the printer itself (no image, so
    the bytes are the same every time): the verification payload of a signed receipt
    (error correction M: thermal paper fades), else the sale reference.
    """
    parts = [_opening()]
    for row in receipt_rows(doc, check_width(width)):
        parts.append(_row_bytes(row.left, row.right, row.center, row.bold, row.big, width))
    if qr and doc.verification_qr and doc.verification_qr.isascii():
        parts.append(_qr_code(doc.verification_qr, QR_ECLEVEL_M))
    elif qr and doc.sale_reference.isascii() and doc.sale_reference:
        parts.append(_qr_code(doc.sale_reference, QR_ECLEVEL_L))
    parts.append(_closing())
    return b"".join(parts)


# What python-escpos sends for the parts every receipt has is the same every time: it is
# asked once per process (the functions below are cached), not once per receipt.

@functools.cache
def _opening() -> bytes:
    """Initialise the printer, then Shift_JIS Kanji and half-width katakana."""
    out = Dummy()
    out.hw("INIT")
    return _output(out) + _SHIFT_JIS + _KATAKANA


@functools.cache
def _closing() -> bytes:
    """Feed the paper past the cutter and cut."""
    out = Dummy()
    out.cut()
    return _output(out)


@functools.lru_cache(maxsize=2048)  # the same rows (names, fees, totals) on most receipts
def _row_bytes(left: str, right: str, center: bool, bold: bool, big: bool, width: int) -> bytes:
    """One row's bytes: its whole style, so nothing leaks into the next line, then its text.

    The size goes by GS ! (custom_size), which sizes Kanji too; ESC ! (double_width) would not."""
    text = Row(left, right, center=center, bold=bold, big=big).text(width)
    return (_style("center" if center else "left", bold, 2 if big else 1)
            + encode_line(text.strip() if center else text) + b"\n")


def _qr_code(content: str, ec: int) -> bytes:
    """The QR code drawn by the printer (size 4), centred on a line of its own."""
    out = _buffer()
    out.qr(content, native=True, size=4, ec=ec)
    return _style("center", None, None) + _output(out) + b"\n" + _style("left", None, None)


_buffers = threading.local()


def _buffer() -> Dummy:
    """An empty python-escpos buffer for this thread (making one loads its printer profile)."""
    out = getattr(_buffers, "dummy", None)
    if out is None:
        out = _buffers.dummy = Dummy()
    out.clear()
    return out


@functools.lru_cache(maxsize=16)
def _style(align: str, bold: bool | None, size: int | None) -> bytes:
    """python-escpos's bytes for one row style (the same few styles on every receipt);
    ``None`` leaves that part of the style as it is."""
    out = Dummy()
    out.set(align=align, bold=bold, custom_size=size is not None, width=size, height=size)
    return _output(out)


def _output(out: Dummy) -> bytes:
    output: bytes = out.output  # python-escpos is untyped
    return output


def encode_line(text: str) -> bytes:
    """One line's bytes: plain ASCII, or Kanji mode around CP932 bytes (strict, no fallback)."""
    if text.isascii():
        return text.encode("ascii")
    return KANJI_ON + text.encode("cp932") + KANJI_OFF


def escpos_text(data: bytes) -> str:
    """The printed text of an ESC/POS job: commands dropped, CP932 decoded (for screens)."""
    fixed = {0x1B: {ord(c): 3 for c in "a!EdtRJM-"} | {ord("@"): 2},
             0x1D: {ord("!"): 3, ord("B"): 3}, 0x1C: {ord("C"): 3, ord("!"): 3}}
    text = bytearray()
    i = 0
    while i < len(data):
        byte = data[i]
        nxt = data[i + 1] if i + 1 < len(data) else -1
        if byte == 0x1D and nxt == ord("(") and i + 4 < len(data):  # GS ( k pL pH ...
            i += 5 + data[i + 3] + 256 * data[i + 4]
        elif byte == 0x1D and nxt == ord("V"):
            i += 4 if i + 2 < len(data) and data[i + 2] in (65, 66) else 3
        elif byte == 0x10 and nxt == 0x04:  # DLE EOT n
            i += 3
        elif byte in fixed:
            i += fixed[byte].get(nxt, 2)
        else:
            text.append(byte)
            i += 1
    return text.decode("cp932", errors="replace")

