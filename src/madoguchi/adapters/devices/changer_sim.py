"""A simulated automatic cash changer (自動釣銭機) with a real inventory.

It behaves like a UnifiedPOS CashChanger: a deposit is begun, the resident inserts
notes and coins (:meth:`SimulatedCashChanger.insert`, called by the simulator panel
or a test), the deposit may be paused and restarted, then fixed and ended with
change, without change, or by giving everything back. Inserted cash waits in an
escrow until the end. Jams happen on request (:meth:`fail_next`) or at random
(``jam_rate``, see ``changer_faults.py``); an operation that jammed did not take
effect, and staff clear the jam by opening the machine (:meth:`clear_jam`), handing
the escrow back. The status is JAM when jammed, else what the slots say
(``changer_slots.py``).

Mappings returned by :meth:`counts` list every denomination; every other mapping
(deposit counts, change paid out, cash handed back) lists only non-zero counts.
"""
from __future__ import annotations

import threading
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from madoguchi.adapters.devices.changer_faults import JamSchedule
from madoguchi.adapters.devices.changer_slots import (
    DEFAULT_CAPACITY,
    DEFAULT_FLOAT,
    DEFAULT_NEAR_EMPTY,
    change_plan,
    check_amount,
    nonzero,
    payout_plan,
    slot_status,
    slots,
)
from madoguchi.adapters.devices.ports import ChangerStatus, DepositEnd
from madoguchi.adapters.devices.state import StateLog
from madoguchi.domain.money import DENOMINATIONS, NOTES, make_change, total_of_counts
from madoguchi.errors import BadInput, ChangerJammed, ChangerNotReady


class Phase(StrEnum):
    IDLE = "idle"      # no deposit open
    OPEN = "open"      # accepting cash
    PAUSED = "paused"  # deposit open, cash refused for now
    FIXED = "fixed"    # amount final, waiting for end_deposit


class SimulatedCashChanger:
    """A cash changer simulator; implements :class:`~madoguchi.adapters.devices.ports.CashChanger`.

    With a ``state_path`` whose file exists, the saved machine wins over ``initial_counts``.
    """

    def __init__(self, device_id: str, *, initial_counts: Mapping[int, int] | None = None,
                 capacity: Mapping[int, int] | None = None, near_empty: Mapping[int, int] | None = None,
                 near_full: Mapping[int, int] | None = None,
                 state_path: Path | None = None, seed: int = 0, jam_rate: float = 0.0) -> None:
        self.device_id = device_id
        self.capacity = {**DEFAULT_CAPACITY, **(capacity or {})}
        self.near_empty = {**DEFAULT_NEAR_EMPTY, **(near_empty or {})}
        self.near_full = {d: c * 9 // 10 for d, c in self.capacity.items()} | dict(near_full or {})
        self._state = StateLog(state_path) if state_path is not None else None
        self._jams = JamSchedule(seed=seed, jam_rate=jam_rate)
        self._lock = threading.RLock()  # the simulator panel inserts from another request
        start = DEFAULT_FLOAT if initial_counts is None else initial_counts
        total_of_counts(start)  # refuses unknown denominations and negative counts
        self._inventory = slots(start)
        self._escrow = slots()
        self._phase = Phase.IDLE
        self._jammed = False
        saved = self._state.read() if self._state is not None else None
        if saved is not None:
            self._inventory = {d: int(saved["inventory"].get(str(d), 0)) for d in DENOMINATIONS}
            self._escrow = {d: int(saved["escrow"].get(str(d), 0)) for d in DENOMINATIONS}
            self._phase = Phase(saved["phase"])
            self._jammed = bool(saved["jammed"])
            self._jams.scheduled = list(saved["faults"])
        else:
            self._save()

    # --- reading (allowed while jammed) ----------------------------------------------
    @property
    def phase(self) -> Phase:
        return self._phase

    def status(self) -> ChangerStatus:
        with self._lock:
            if self._jammed:
                return ChangerStatus.JAM
            return slot_status(self._held(), capacity=self.capacity, near_empty=self.near_empty,
                               near_full=self.near_full)

    def counts(self) -> dict[int, int]:
        with self._lock:
            return dict(self._inventory)

    def deposit_counts(self) -> dict[int, int]:
        with self._lock:
            return nonzero(self._escrow)

    def deposit_amount(self) -> int:
        with self._lock:
            return total_of_counts(self._escrow)

    def deposit_state(self) -> str:
        return self._phase.value

    def jammed(self) -> bool:
        return self._jammed

    # --- the deposit -----------------------------------------------------------------
    def begin_deposit(self) -> None:
        with self._lock:
            self._ready("begin_deposit", Phase.IDLE)
            self._maybe_jam("begin_deposit")
            self._phase = Phase.OPEN
            self._save()

    def insert(self, denomination: int, count: int = 1) -> None:
        """The resident puts ``count`` notes or coins of ``denomination`` in."""
        with self._lock:
            self._ready("insert", Phase.OPEN)
            if denomination not in DENOMINATIONS:
                raise BadInput(f"{denomination} is not a yen denomination")
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise BadInput(f"count must be a whole number of at least 1, got {count!r}")
            if self._inventory[denomination] + self._escrow[denomination] + count > self.capacity[denomination]:
                raise ChangerNotReady(
                    f"the {denomination:,}-yen slot of {self.device_id} is full; the cash was "
                    "handed back; empty the slot (collect) or pay another way",
                    device_id=self.device_id, denomination=denomination)
            self._maybe_jam("insert")
            self._escrow[denomination] += count
            self._save()

    def pause_deposit(self) -> None:
        with self._lock:
            self._ready("pause_deposit", Phase.OPEN)
            self._maybe_jam("pause_deposit")
            self._phase = Phase.PAUSED
            self._save()

    def restart_deposit(self) -> None:
        with self._lock:
            self._ready("restart_deposit", Phase.PAUSED)
            self._maybe_jam("restart_deposit")
            self._phase = Phase.OPEN
            self._save()

    def fix_deposit(self) -> int:
        """Stop accepting cash; a second fix just answers the amount again."""
        with self._lock:
            self._ready("fix_deposit", Phase.OPEN, Phase.PAUSED, Phase.FIXED)
            if self._phase is not Phase.FIXED:
                self._maybe_jam("fix_deposit")
                self._phase = Phase.FIXED
                self._save()
            return total_of_counts(self._escrow)

    def can_dispense(self, amount: int) -> bool:
        with self._lock:
            self._ready("can_dispense")
            check_amount(amount, "amount")
            return make_change(amount, self._held()) is not None

    def end_deposit(self, mode: DepositEnd, change: int = 0) -> dict[int, int]:
        """Close a fixed deposit. CHANGE may pay out notes and coins just inserted."""
        with self._lock:
            self._ready("end_deposit", Phase.FIXED)
            mode = DepositEnd(mode)
            deposited = total_of_counts(self._escrow)
            plan: dict[int, int] = {}
            if mode is DepositEnd.CHANGE:
                plan = change_plan(self.device_id, change, deposited=deposited, held=self._held())
            elif change:
                raise BadInput(f"change must be 0 when ending a deposit with {mode.value}")
            self._maybe_jam("end_deposit")
            if mode is DepositEnd.REPAY:
                plan = nonzero(self._escrow)
            else:
                for d, n in self._escrow.items():  # the cash taken in, less the change paid out
                    if n:
                        self._inventory[d] += n
                for d, n in plan.items():
                    self._inventory[d] -= n
            self._escrow = slots()
            self._phase = Phase.IDLE
            self._save()
            return nonzero(plan)

    def dispense_change(self, amount: int) -> dict[int, int]:
        """Pay ``amount`` out of the inventory outside a deposit (a cash refund)."""
        with self._lock:
            self._ready("dispense_change", Phase.IDLE)
            plan = payout_plan(self.device_id, amount, self._inventory)
            self._maybe_jam("dispense_change")
            for d, n in plan.items():
                self._inventory[d] -= n
            self._save()
            return nonzero(plan)

    # --- staff and test controls -----------------------------------------------------
    def fail_next(self, operation: str) -> None:
        """Make the next call of ``operation`` jam (it raises ChangerJammed, takes no effect)."""
        with self._lock:
            self._jams.fail_next(operation)
            self._save()

    def jam_now(self) -> None:
        """Jam the machine at once (the simulator panel's button)."""
        with self._lock:
            self._jammed = True
            self._save()

    def clear_jam(self, return_deposit: bool = True) -> dict[int, int]:
        """Staff open the machine and clear the jam.

        With ``return_deposit`` the escrow is handed back to the resident (returned)
        and any deposit ends; without it the deposit goes on where it stood.
        """
        with self._lock:
            returned: dict[int, int] = {}
            if return_deposit:
                returned = nonzero(self._escrow)
                self._escrow = slots()
                self._phase = Phase.IDLE
            self._jammed = False
            self._save()
            return returned

    def load(self, counts: Mapping[int, int]) -> None:
        """Add notes and coins to the inventory (the morning float, a coin refill)."""
        with self._lock:
            self._ready("load", Phase.IDLE)
            total_of_counts(counts)
            for d, n in counts.items():
                if self._inventory[d] + n > self.capacity[d]:
                    raise BadInput(f"{n} more of {d:,} yen would overfill its slot")
            for d, n in counts.items():
                self._inventory[d] += n
            self._save()

    def collect(self, counts: Mapping[int, int] | None = None) -> dict[int, int]:
        """Take cash out (close of day); by default every note, leaving the coins."""
        with self._lock:
            self._ready("collect", Phase.IDLE)
            if counts is None:
                counts = {d: self._inventory[d] for d in NOTES}
            total_of_counts(counts)
            for d, n in counts.items():
                if n > self._inventory[d]:
                    raise BadInput(f"cannot take {n} of {d:,} yen; the machine holds {self._inventory[d]}")
            for d, n in counts.items():
                self._inventory[d] -= n
            self._save()
            return nonzero(dict(counts))

    # --- internals -------------------------------------------------------------------
    def _held(self) -> dict[int, int]:
        """Notes and coins in the machine: inventory plus a deposit's escrow."""
        escrow = self._escrow
        return {d: n + escrow[d] for d, n in self._inventory.items()}

    def _ready(self, operation: str, *phases: Phase) -> None:
        if self._jammed:
            raise ChangerJammed(
                f"{self.device_id} is jammed: open the machine, clear the jam and hand the "
                "inserted cash back", device_id=self.device_id, operation=operation)
        if phases and self._phase not in phases:
            raise ChangerNotReady(
                f"{self.device_id} cannot {operation.replace('_', ' ')} now (deposit {self._phase.value})",
                device_id=self.device_id, operation=operation, phase=self._phase.value)

    def _maybe_jam(self, operation: str) -> None:
        """Jam here if a fault was scheduled or the dice say so; raise before any effect."""
        if not self._jams.strikes(operation):
            return
        self._jammed = True
        self._save()
        raise ChangerJammed(
            f"{self.device_id} jammed during {operation.replace('_', ' ')}: open the machine, "
            "clear the jam and hand the inserted cash back",
            device_id=self.device_id, operation=operation)

    def _save(self) -> None:
        if self._state is None:
            return
        self._state.write({
            "version": 1, "device_id": self.device_id,
            "inventory": {str(d): n for d, n in self._inventory.items()},
            "escrow": {str(d): n for d, n in self._escrow.items()},
            "phase": self._phase.value, "jammed": self._jammed, "faults": list(self._jams.scheduled)})


if TYPE_CHECKING:  # mypy proves the SimulatedCashChanger is a CashChanger, signature for signature
    from madoguchi.adapters.devices.ports import CashChanger
    _: CashChanger = SimulatedCashChanger("check")

