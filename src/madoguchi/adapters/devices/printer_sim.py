"""A simulated receipt printer: paper, jams and the jobs it printed.

:class:`SimulatedPrinter` keeps jobs in memory and models its paper roll, jams and
faults scheduled by tests and the simulator panel; paper, jam and scheduled faults
survive a restart (``state.py``).
"""
from __future__ import annotations

import threading
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

from madoguchi.adapters.devices.escpos_render import escpos_text
from madoguchi.adapters.devices.ports import PrinterStatus
from madoguchi.adapters.devices.state import StateLog
from madoguchi.errors import BadInput, PaperOut, PrinterError, PrinterJammed

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


if TYPE_CHECKING:  # mypy proves the SimulatedPrinter is a ReceiptPrinter, signature for signature
    from madoguchi.adapters.devices.ports import ReceiptPrinter
    _: ReceiptPrinter = SimulatedPrinter("check")
