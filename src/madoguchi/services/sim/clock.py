"""The simulated clock the day simulator's runtime reads (``bootstrap.sim_runtime`` builds both)."""
from __future__ import annotations

import datetime as dt

from madoguchi.domain.receipt import JST


class SimClock:
    """The simulated clock given to the runtime; only the scheduler moves it, never backwards."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start
        self._ahead = dt.timedelta(0)

    @classmethod
    def before_opening(cls, day: dt.date) -> SimClock:
        """A clock at 08:00 in Japan on ``day``, before the doors open."""
        return cls(dt.datetime.combine(day, dt.time(8, 0), JST).astimezone(dt.UTC))

    def __call__(self) -> dt.datetime:
        return self.now + self._ahead

    def set(self, moment: dt.datetime) -> None:
        if moment < self.now:
            raise ValueError("the simulated clock never goes back")
        self.now = moment
        self._ahead = dt.timedelta(0)

    def ahead(self, seconds: float) -> None:
        """Read ``seconds`` later until the scheduler next sets the clock: time that passes
        inside one step (a terminal's payment), which the step then waits out."""
        self._ahead += dt.timedelta(seconds=round(seconds, 3))
