"""What the back office's planner chart shows: the mean wait for a payment station against
the number of stations and the cashless share, at one arrival rate (``/office/plan``).

Each cell is one run of :func:`~madoguchi.services.plan.model.simulate` over the same
residents (same seed: common random numbers), so the differences between cells are the
effect of the change. A cell whose stations cannot keep up (busy :data:`MAX_LOAD` of the
time or more) is not run: its wait grows for as long as the day lasts, and it is ``None``.
Runs are short (:data:`HOURS`) and a grid is remembered per arrival rate, so the page
answers at once after its first look.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from madoguchi.domain.plan import CASHLESS_SHARE, TARGET_SHARE, PlanInputs, check, payment_load
from madoguchi.services.plan.model import simulate

STATIONS: tuple[int, ...] = (1, 2, 3, 4)
SHARES: tuple[float, ...] = (CASHLESS_SHARE, 0.30, TARGET_SHARE)
#: Simulated hours per cell: five 8-hour days (a week of the counter; the CLI runs longer).
HOURS = 40.0
#: A cell whose stations would be busier than this is not run: near capacity the wait
#: depends on how long the day lasts, not on the site, and one such bar would flatten the rest.
MAX_LOAD = 0.95
#: Staff are sized so that registration is not the bottleneck (at most this busy).
STAFF_LOAD = 0.75


@dataclass(frozen=True, slots=True)
class Grid:
    """Mean waits (s) by cashless share (rows, as :attr:`shares`) and stations (columns)."""

    arrivals_per_hour: int
    hours: float
    staff: int
    stations: tuple[int, ...]
    shares: tuple[float, ...]
    waits: tuple[tuple[float | None, ...], ...]
    stays: tuple[tuple[float | None, ...], ...]

    def wait(self, share: float, stations: int) -> float | None:
        return self.waits[self.shares.index(share)][self.stations.index(stations)]

    def saving(self, *, stations: int, share: float) -> float | None:
        """Seconds of mean wait saved at ``stations`` stations by going from today's share to ``share``."""
        before, after = self.wait(CASHLESS_SHARE, stations), self.wait(share, stations)
        return None if before is None or after is None else before - after

    def second_station_saving(self) -> float | None:
        """Seconds of mean wait saved at today's share by a second station beside the first."""
        one, two = self.wait(CASHLESS_SHARE, 1), self.wait(CASHLESS_SHARE, 2)
        return None if one is None or two is None else one - two


def staff_for(arrivals_per_hour: float, staff_seconds: float) -> int:
    """Enough staff that registration keeps up (busy at most :data:`STAFF_LOAD`)."""
    needed = arrivals_per_hour * staff_seconds / 3600 / STAFF_LOAD
    return max(1, -int(-needed // 1))


@lru_cache(maxsize=16)
def waiting_grid(arrivals_per_hour: int, *, seed: int = 1) -> Grid:
    """The grid for a site with ``arrivals_per_hour`` residents an hour (the defaults otherwise)."""
    base = PlanInputs(arrivals_per_hour=float(arrivals_per_hour), hours=HOURS, seed=seed)
    base = check(replace(base, staff=staff_for(base.arrivals_per_hour, base.staff_seconds)))
    waits: list[tuple[float | None, ...]] = []
    stays: list[tuple[float | None, ...]] = []
    for share in SHARES:
        row: list[float | None] = []
        stay: list[float | None] = []
        for n in STATIONS:
            site = replace(base, stations=n, cashless_share=share)
            if payment_load(site) >= MAX_LOAD:
                row.append(None)
                stay.append(None)
                continue
            result = simulate(site)
            row.append(round(result.payment_wait_mean_s, 1))
            stay.append(round(result.stay_mean_s, 1))
        waits.append(tuple(row))
        stays.append(tuple(stay))
    return Grid(arrivals_per_hour=arrivals_per_hour, hours=HOURS, staff=base.staff, stations=STATIONS,
                shares=SHARES, waits=tuple(waits), stays=tuple(stays))
