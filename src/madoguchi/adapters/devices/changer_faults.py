"""When a simulated cash changer jams: on request (a test, the simulator panel) or at random.

Jams are scheduled per operation (:meth:`JamSchedule.fail_next`) or drawn from a
``random.Random(seed)`` at ``jam_rate``, and random ones strike only where notes and
coins move. The machine asks :meth:`JamSchedule.strikes` before an operation takes
effect, so an operation that jammed did not happen.
"""
from __future__ import annotations

import random

from madoguchi.errors import BadInput

#: Operations that :meth:`JamSchedule.fail_next` can make jam.
OPERATIONS = frozenset({"begin_deposit", "insert", "pause_deposit", "restart_deposit",
                        "fix_deposit", "end_deposit", "dispense_change"})
#: Random jams strike only where notes and coins move.
MECHANICAL = frozenset({"insert", "end_deposit", "dispense_change"})


class JamSchedule:
    """The jams still to come: ``scheduled`` (saved with the machine) and the random ones."""

    def __init__(self, *, seed: int = 0, jam_rate: float = 0.0) -> None:
        self.scheduled: list[str] = []
        self._rate = jam_rate
        self._rng = random.Random(seed)

    def fail_next(self, operation: str) -> None:
        """Make the next call of ``operation`` jam."""
        if operation not in OPERATIONS:
            raise BadInput(f"unknown operation {operation!r}; one of {', '.join(sorted(OPERATIONS))}")
        self.scheduled.append(operation)

    def strikes(self, operation: str) -> bool:
        """Whether ``operation`` jams now; a scheduled jam is used up by striking."""
        scheduled = operation in self.scheduled
        # Draw only when jams are enabled, so a zero rate leaves the stream untouched.
        unlucky = operation in MECHANICAL and self._rate > 0 and self._rng.random() < self._rate
        if scheduled:
            self.scheduled.remove(operation)
        return scheduled or unlucky
