"""A receipt printer on the network: ESC/POS bytes over raw TCP (port 9100)."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Network

from madoguchi.adapters.devices.ports import PrinterStatus
from madoguchi.errors import PaperOut, PrinterError


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


if TYPE_CHECKING:  # mypy proves the NetworkPrinter is a ReceiptPrinter, signature for signature
    from madoguchi.adapters.devices.ports import ReceiptPrinter
    _: ReceiptPrinter = NetworkPrinter("check", "localhost")
