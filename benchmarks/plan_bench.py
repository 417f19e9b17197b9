"""The capacity planner's speed: 1,000 simulated hours of a 4-station site; the goal is under 5 s.

The site is a busy one, so the figure is not flattered by an idle model: 200 residents an
hour (a resident every 18 s) registered by 6 staff (90 s each) and paying at 4 payment
stations with the default mix (20 % cashless, lognormal Narashino times, 1 % jams), about
200,000 residents in all. The figure is the median of three runs, each of the whole
:func:`~madoguchi.services.plan.model.simulate` (the SimPy model and the tally).

``python -m benchmarks.plan_bench`` prints the seconds.
"""
from __future__ import annotations

import statistics
import time

from madoguchi.domain.plan import PlanInputs
from madoguchi.services.plan.model import simulate

SITE = PlanInputs(stations=4, staff=6, staff_seconds=90, arrivals_per_hour=200, hours=1000, seed=1)
GOAL_S = 5.0


def measure(runs: int = 3) -> tuple[float, int]:
    """Median seconds of ``runs`` runs of :data:`SITE`, and the residents served in one."""
    times: list[float] = []
    served = 0
    for _ in range(runs):
        started = time.perf_counter()
        served = simulate(SITE).served
        times.append(time.perf_counter() - started)
    return statistics.median(times), served


if __name__ == "__main__":
    seconds, served = measure()
    print(f"plan: {SITE.hours:g} simulated hours, {SITE.stations} payment stations, {served} residents: "
          f"{seconds:.2f} s (goal under {GOAL_S:g} s: {'met' if seconds < GOAL_S else 'NOT met'})")
