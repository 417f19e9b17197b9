"""The three device ports a payment station has.

Each port is a small interface; each has a simulator that is a real implementation
(``changer_sim.py``, ``terminal_sim.py``, ``printer_sim.py``) used by the demo, the tests
and the benchmarks alike. Real hardware drivers implement the same interface
(``printer_net.py``). Failures are raised as the
:mod:`madoguchi.errors` device errors; an operation that raised did not take effect.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


# --- cash changer (modelled on the UnifiedPOS CashChanger class) ---------------------
class ChangerStatus(StrEnum):
    OK = "ok"
    NEAR_EMPTY = "near_empty"
    EMPTY = "empty"
    NEAR_FULL = "near_full"
    FULL = "full"
    JAM = "jam"


class DepositEnd(StrEnum):
    CHANGE = "change"        # keep the deposit, pay out the change asked for
    NO_CHANGE = "no_change"  # keep all of it
    REPAY = "repay"          # give every inserted note and coin back


class CashChanger(Protocol):
    device_id: str

    def status(self) -> ChangerStatus: ...
    def counts(self) -> dict[int, int]:
        """Inventory by denomination, not counting a deposit in progress."""
    def begin_deposit(self) -> None: ...
    def pause_deposit(self) -> None: ...
    def restart_deposit(self) -> None: ...
    def deposit_amount(self) -> int:
        """Yen inserted into the current deposit so far (0 when none is open)."""
    def deposit_counts(self) -> dict[int, int]: ...
    def fix_deposit(self) -> int:
        """Stop accepting cash for this deposit; returns the amount inserted."""
    def can_dispense(self, amount: int) -> bool:
        """Could ``amount`` be paid out now (counting a fixed deposit's notes and coins)?"""
    def end_deposit(self, mode: DepositEnd, change: int = 0) -> dict[int, int]:
        """Close the deposit; returns what was paid out (change, or everything on REPAY).

        Raises CannotMakeChange (nothing happened, the deposit stays fixed) when the
        change cannot be made.
        """
    def dispense_change(self, amount: int) -> dict[int, int]:
        """Pay out ``amount`` outside a deposit (a cash refund)."""
    def deposit_state(self) -> str:
        """``idle``, ``open``, ``paused`` or ``fixed``: asked after a restart."""
    def clear_jam(self, return_deposit: bool = True) -> dict[int, int]:
        """Staff cleared the jam; returns the notes and coins handed back to the resident."""
    def load(self, counts: Mapping[int, int]) -> None:
        """Staff put cash in (the opening float, a top-up)."""
    def collect(self, counts: Mapping[int, int] | None = None) -> dict[int, int]:
        """Staff take cash out (a pick-up, the close); by default every note, leaving the
        coins. Returns what was taken (non-zero counts)."""


# --- cashless terminal ---------------------------------------------------------------
class PayOutcome(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    TIMEOUT = "timeout"


class TxStatus(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    IN_PROGRESS = "in_progress"
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class PayReply:
    outcome: PayOutcome
    reference: str | None = None  # the terminal's / processor's reference when approved
    reason: str | None = None     # why it was declined


@dataclass(frozen=True, slots=True)
class StatusReply:
    status: TxStatus
    reference: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class CancelReply:
    cancelled: bool
    reference: str | None = None
    reason: str | None = None


class PaymentTerminal(Protocol):
    terminal_id: str

    def online(self) -> bool: ...
    def pay(self, request_id: str, amount: int, brand: str) -> PayReply:
        """Charge ``amount``; ``request_id`` is our idempotency key (a repeat never charges twice)."""
    def status(self, request_id: str) -> StatusReply:
        """What happened to our request ``request_id``?"""
    def cancel(self, request_id: str) -> CancelReply:
        """Cancel an approved payment, inside the brand's window."""


# --- receipt printer -----------------------------------------------------------------
class PrinterStatus(StrEnum):
    OK = "ok"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    JAM = "jam"
    OFFLINE = "offline"


class ReceiptPrinter(Protocol):
    device_id: str

    def status(self) -> PrinterStatus: ...
    def print_bytes(self, data: bytes) -> None:
        """Send a rendered ESC/POS job; raises PaperOut / PrinterJammed / PrinterError."""


@dataclass(frozen=True, slots=True)
class StationDevices:
    """The devices of one payment station."""

    changer: CashChanger
    terminal: PaymentTerminal
    printer: ReceiptPrinter
