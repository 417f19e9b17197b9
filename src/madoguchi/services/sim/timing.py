"""How long a resident takes to pay, per method: the simulator's payment times.

Calibrated from the JCB experiment in Narashino (2019, 100 residents), whose medians and
ranges are: cash 28 s (15–40), QR 17 s (12–32), credit card 12 s (9–19), contactless
electronic money 8 s (6–10). A time is drawn from a lognormal distribution with that median
and a spread that puts the range at about two sigmas either side (``ln(high / low) / 4``,
reading each range as the lowest and highest of about 25 payments), and kept inside the
range. The time passes *during* the payment: between its start at the station and the
moment it is paid, as recorded (docs/outcomes.md).

A cashless payment is one call to the terminal, which the day's scheduler cannot interrupt;
:class:`TimedTerminal` moves the simulated clock on by the drawn time while the terminal is
asked (:meth:`SimClock.ahead`), so the approval is booked that much after the start, and
the resident's next step is scheduled after it.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from madoguchi.adapters.devices.ports import PaymentTerminal, PayReply
from madoguchi.services.sim.clock import SimClock


@dataclass(frozen=True, slots=True)
class PayTime:
    median: float
    low: float
    high: float

    @property
    def sigma(self) -> float:
        return math.log(self.high / self.low) / 4


#: Narashino 2019, by payment category (``emoney`` is contactless electronic money).
PAY_TIMES: dict[str, PayTime] = {
    "cash": PayTime(28, 15, 40),
    "qr": PayTime(17, 12, 32),
    "credit": PayTime(12, 9, 19),
    "emoney": PayTime(8, 6, 10),
}


def draw_pay_seconds(rng: random.Random, category: str) -> float:
    """Seconds one payment of ``category`` takes, from start to paid (see the module's docstring)."""
    t = PAY_TIMES[category]
    return min(t.high, max(t.low, t.median * math.exp(rng.gauss(0.0, t.sigma))))


class TimedTerminal:
    """A station's terminal whose next payment takes :attr:`seconds` of simulated time."""

    def __init__(self, inner: PaymentTerminal, clock: SimClock) -> None:
        self.inner, self.clock, self.seconds = inner, clock, 0.0

    def pay(self, request_id: str, amount: int, brand: str) -> PayReply:
        self.clock.ahead(self.seconds)  # the resident holds the card up, or scans the code
        self.seconds = 0.0
        return self.inner.pay(request_id, amount, brand)

    def __getattr__(self, name: str) -> Any:  # online, status, cancel: as the terminal itself
        return getattr(self.inner, name)
