"""Receipts as ESC/POS bytes for a Japanese receipt printer, and the printers that take them.

:func:`render_receipt` turns a :class:`~madoguchi.domain.receipt.ReceiptDocument` into
bytes for an Epson TM compatible Japanese model; :func:`receipt_text` gives the same
lines as plain text for screens and tests. python-escpos 3.1's ``text()`` would
encode 住民票 in GB2312 (a Chinese code page) and the printer would print garbage,
so every line with Japanese in it is sent by us in Kanji mode: ``FS &``, the line in
CP932 (Shift_JIS), ``FS .``. python-escpos does the rest (init, alignment, bold,
character size, the QR code, cut).

A receipt whose journal entry is signed prints its verification code (検証コード) and a
QR code of ``MDG1:<site>:<seq>:<code>`` (``domain/receipt_code.py``); an unsigned one
prints 署名装置停止中 in place of the code, and the QR holds the sale reference as before.

Amounts are written with the full-width yen sign, ``￥1,300``: U+00A5 has no CP932
byte. A character with no CP932 byte (a rare kanji, an emoji) is printed as 〓, the
customary mark for a missing glyph, and the text shows the same mark.
Columns count a full-width character as 2 (East Asian Width W, F and A: on a
Shift_JIS printer an ambiguous character such as ※ or × is a double-byte glyph).

:class:`SimulatedPrinter` keeps jobs in memory and models paper and jams;
:class:`NetworkPrinter` sends the bytes to a printer on TCP port 9100.
"""
from __future__ import annotations

import functools
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from escpos.constants import QR_ECLEVEL_M
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Dummy, Network

from madoguchi.adapters.devices.state import StateLog
from madoguchi.adapters.devices.ports import PrinterStatus
from madoguchi.domain.money import format_yen
from madoguchi.domain.receipt import JST, TRAINING_MARK, ReceiptDocument, wareki
from madoguchi.domain.receipt_code import SIGNING_DOWN_LABEL
from madoguchi.errors import BadInput, PaperOut, PrinterError, PrinterJammed

KANJI_ON = b"\x1c&"    # FS &
KANJI_OFF = b"\x1c."   # FS .
_SHIFT_JIS = b"\x1cC\x01"  # FS C 1: Kanji code system Shift_JIS (not JIS)
_KATAKANA = b"\x1bt\x01"   # ESC t 1: half-width katakana for the single bytes 0xA1-0xDF
_MISSING = "〓"


# --- layout --------------------------------------------------------------------------
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
class _Row:
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


def _rows(doc: ReceiptDocument, width: int) -> list[_Row]:
    p = printable
    rule = _Row("-" * width)
    rows: list[_Row] = []
    if doc.training:
        rows.append(_Row(_TRAINING_LINE, center=True, bold=True))
    if doc.reprint:
        rows.append(_Row("【再発行】", center=True, bold=True, big=True))
    rows += [
        _Row(p(doc.municipality), center=True, bold=True),
        _Row(p(f"{doc.site_name} {doc.station_name}"), center=True),
        _Row("領収書", center=True, bold=True, big=True),
    ]
    local = doc.issued_at.astimezone(JST)
    rows.append(_Row(f"{wareki(local.date())} {local:%H:%M}", f"No. {doc.receipt_number:06d}"))
    rows.append(rule)
    for line in doc.lines:
        rows += [_Row(part) for part in _wrap(p(line.name), width)]
        detail = f"  {line.quantity} x {yen_text(line.unit_price)}"
        if line.exemption:
            detail += f" {p(line.exemption)}"
        rows.append(_Row(detail, yen_text(line.amount)))
    rows.append(rule)
    rows.append(_Row("合計", yen_text(doc.total), bold=True, big=True))
    method = doc.method_label + (f" {doc.brand_name}" if doc.brand_name else "")
    rows.append(_Row("お支払方法", p(method)))
    if doc.tendered is not None:
        rows.append(_Row("お預り", yen_text(doc.tendered)))
    if doc.change is not None:
        rows.append(_Row("お釣り", yen_text(doc.change)))
    if doc.processor_reference:
        rows.append(_Row("決済番号", p(doc.processor_reference)))
    rows.append(rule)
    rows.append(_Row("お問合せ番号", p(doc.sale_reference)))
    if doc.verification_code:
        rows.append(_Row("検証コード", p(doc.verification_code)))
    elif doc.signing_down:
        rows.append(_Row("検証コード", SIGNING_DOWN_LABEL))
    if doc.training:
        rows.append(_Row(_TRAINING_LINE, center=True, bold=True))
    return rows


def receipt_text(doc: ReceiptDocument, *, width: int = 42) -> str:
    """The receipt as plain text, line for line what :func:`render_receipt` prints."""
    return "\n".join(row.text(width) for row in _rows(doc, _check_width(width))) + "\n"


def render_receipt(doc: ReceiptDocument, *, width: int = 42, qr: bool = True) -> bytes:
    """ESC/POS bytes of the receipt for a Japanese Epson TM compatible printer.

    ``width`` is the columns of the normal font (42 on 80 mm paper with font A).
    With ``qr`` a QR code is printed too, rendered by the printer itself (no image, so
    the bytes are the same every time): the verification payload of a signed receipt
    (error correction M: thermal paper fades), else the sale reference.
    """
    parts = [_SHIFT_JIS + _KATAKANA]
    for row in _rows(doc, _check_width(width)):
        # Each row sets its whole style, so nothing leaks into the next line. The size
        # goes by GS ! (custom_size), which sizes Kanji too; ESC ! (double_width) would not.
        text = row.text(width)
        parts += (_style("center" if row.center else "left", row.bold, 2 if row.big else 1),
                  encode_line(text.strip() if row.center else text), b"\n")
    out = _buffer()
    out.hw("INIT")
    out._raw(b"".join(parts))
    if qr and doc.verification_qr and doc.verification_qr.isascii():
        out.set(align="center")
        out.qr(doc.verification_qr, native=True, size=4, ec=QR_ECLEVEL_M)
        out._raw(b"\n")
        out.set(align="left")
    elif qr and doc.sale_reference.isascii() and doc.sale_reference:
        out.set(align="center")
        out.qr(doc.sale_reference, native=True, size=4)
        out._raw(b"\n")
        out.set(align="left")
    out.cut()
    return out.output


_buffers = threading.local()


def _buffer() -> Dummy:
    """An empty python-escpos buffer for this thread (making one loads its printer profile)."""
    out = getattr(_buffers, "dummy", None)
    if out is None:
        out = _buffers.dummy = Dummy()
    out.clear()
    return out


@functools.lru_cache(maxsize=16)
def _style(align: str, bold: bool, size: int) -> bytes:
    """python-escpos's bytes for one row style (the same few styles on every receipt)."""
    out = Dummy()
    out.set(align=align, bold=bold, custom_size=True, width=size, height=size)
    return out.output


def encode_line(text: str) -> bytes:
    """One line's bytes: plain ASCII, or Kanji mode around CP932 bytes (strict, no fallback)."""
    if text.isascii():
        return text.encode("ascii")
    return KANJI_ON + text.encode("cp932") + KANJI_OFF


def _check_width(width: int) -> int:
    if not 24 <= width <= 64:
        raise BadInput(f"receipt width must be 24 to 64 columns, got {width}")
    return width


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


# --- printers ------------------------------------------------------------------------
_FAULTS = ("paper_out", "jam")


class SimulatedPrinter:
    """A receipt printer simulator; implements :class:`~madoguchi.adapters.devices.ports.ReceiptPrinter`.

    ``paper`` counts receipts left on the roll. Jobs are kept in memory only (the
    last ``keep`` of them); paper, jam and scheduled faults survive a restart.
    """

    def __init__(self, device_id: str, *, paper: int = 1000, near_end: int = 20,
                 state_path: Path | None = None, keep: int = 500) -> None:
        self.device_id = device_id
        self.roll = paper
        self.near_end = near_end
        self._state = StateLog(state_path) if state_path is not None else None
        self._lock = threading.RLock()
        self._jobs: deque[bytes] = deque(maxlen=keep)
        self._paper, self._jammed, self._online, self._printed = paper, False, True, 0
        self._faults: list[str] = []
        saved = self._state.read() if self._state is not None else None
        if saved is not None:
            self._paper, self._jammed = saved["paper"], saved["jammed"]
            self._online, self._printed = saved["online"], saved["printed"]
            self._faults = saved["faults"]
        else:
            self._save()

    def status(self) -> PrinterStatus:
        if not self._online:
            return PrinterStatus.OFFLINE
        if self._jammed:
            return PrinterStatus.JAM
        if self._paper <= 0:
            return PrinterStatus.PAPER_OUT
        if self._paper <= self.near_end:
            return PrinterStatus.PAPER_NEAR_END
        return PrinterStatus.OK

    def print_bytes(self, data: bytes) -> None:
        """Print one job; on a fault nothing is kept and the error says what to do."""
        if not isinstance(data, bytes | bytearray):
            raise BadInput("a print job must be bytes")
        with self._lock:
            where = f"printer {self.device_id}"
            if not self._online:
                raise PrinterError(f"{where} is offline: check its power and cable")
            if self._faults:
                fault = self._faults.pop(0)
                if fault == "jam":
                    self._jammed = True
                else:
                    self._paper = 0
                self._save()
            if self._jammed:
                raise PrinterJammed(f"{where} is jammed: open the cover, clear the paper, "
                                    "then print the pending receipts", device_id=self.device_id)
            if self._paper <= 0:
                raise PaperOut(f"{where} is out of paper: put in a new roll, then print "
                               "the pending receipts", device_id=self.device_id)
            self._paper -= 1
            self._printed += 1
            self._jobs.append(bytes(data))
            self._save()

    @property
    def jobs(self) -> list[bytes]:
        return list(self._jobs)

    @property
    def texts(self) -> list[str]:
        return [escpos_text(job) for job in self._jobs]

    @property
    def printed(self) -> int:
        """Jobs printed since the simulator was first started (survives restarts)."""
        return self._printed

    def fail_next(self, fault: str) -> None:
        if fault not in _FAULTS:
            raise BadInput(f"unknown printer fault {fault!r}; one of {', '.join(_FAULTS)}")
        with self._lock:
            self._faults.append(fault)
            self._save()

    def set_paper_out(self, out: bool = True) -> None:
        """Paper runs out now (``True``), or a fresh roll is put in (``False``)."""
        with self._lock:
            self._paper = 0 if out else self.roll
            self._save()

    def refill(self) -> None:
        self.set_paper_out(False)

    def clear_jam(self) -> None:
        with self._lock:
            self._jammed = False
            self._save()

    def set_online(self, online: bool) -> None:
        with self._lock:
            self._online = bool(online)
            self._save()

    def _save(self) -> None:
        if self._state is not None:
            self._state.write({
                "version": 1, "device_id": self.device_id, "paper": self._paper,
                "jammed": self._jammed, "online": self._online, "printed": self._printed,
                "faults": self._faults})


class NetworkPrinter:
    """An ESC/POS printer on the network (raw TCP, port 9100), through python-escpos.

    Before each job it asks the paper sensor (DLE EOT 4); a printer that does not
    answer within ``status_timeout`` is trusted and gets the job.

    :meth:`status` (what the back office shows) reuses an answer younger than
    ``status_max_age`` seconds, from a status query or from the last job, so that
    screens polling every station do not open a connection to each printer each time,
    nor wait on an unplugged one.
    """

    def __init__(self, device_id: str, host: str, port: int = 9100, *,
                 timeout: float = 10.0, status_timeout: float = 2.0, status_max_age: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.device_id, self.host, self.port = device_id, host, port
        self.timeout, self.status_timeout = timeout, status_timeout
        self.status_max_age, self._clock = status_max_age, clock
        self._known: tuple[float, PrinterStatus] | None = None

    def status(self) -> PrinterStatus:
        known = self._known
        if known is not None and self._clock() - known[0] < self.status_max_age:
            return known[1]
        try:
            printer = self._connect()
        except PrinterError:
            return self._remember(PrinterStatus.OFFLINE)
        try:
            return self._remember(self._paper(printer))
        except OSError:
            return self._remember(PrinterStatus.OFFLINE)
        finally:
            printer.close()

    def _remember(self, status: PrinterStatus) -> PrinterStatus:
        self._known = (self._clock(), status)
        return status

    def print_bytes(self, data: bytes) -> None:
        try:
            printer = self._connect()
        except PrinterError:
            self._remember(PrinterStatus.OFFLINE)
            raise
        try:
            paper = self._remember(self._paper(printer))
            if paper is PrinterStatus.PAPER_OUT:
                raise PaperOut(f"printer {self.device_id} is out of paper: put in a new roll, "
                               "then print the pending receipts", device_id=self.device_id)
            printer._raw(bytes(data))
        except OSError as exc:
            self._remember(PrinterStatus.OFFLINE)
            raise PrinterError(f"printer {self.device_id} at {self.host}:{self.port} stopped "
                               f"answering ({exc}); check it, then print the pending receipts",
                               device_id=self.device_id) from exc
        finally:
            printer.close()

    def _connect(self) -> Network:
        printer = Network(self.host, self.port, timeout=self.timeout)
        try:
            printer.open()
        except (DeviceNotFoundError, OSError) as exc:
            raise PrinterError(f"printer {self.device_id} at {self.host}:{self.port} cannot be "
                               "reached: check its power and network cable",
                               device_id=self.device_id) from exc
        return printer

    def _paper(self, printer: Network) -> PrinterStatus:
        sock = printer.device
        sock.settimeout(self.status_timeout)
        try:
            level = printer.paper_status()
        except TimeoutError:
            return PrinterStatus.OK  # connected but silent: many printers do not answer
        finally:
            sock.settimeout(self.timeout)
        return {0: PrinterStatus.PAPER_OUT, 1: PrinterStatus.PAPER_NEAR_END}.get(level, PrinterStatus.OK)
