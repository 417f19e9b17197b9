"""One run of the planner: residents through a staff station and the payment stations.

A resident arrives (Poisson, at the hour's rate), waits for a free member of staff, is
registered (``staff_seconds``), then queues, first come first served, for whichever payment
station frees first, pays (cash or cashless; lognormal or exponential times) and, with
probability ``jam_rate``, meets a jam that holds the station ``jam_seconds`` longer. Nobody
new arrives after ``hours``; those already inside are served to the end, so every arrival
counts in ``served``.

The moments of arrival come from one seeded stream and each resident's draws (method,
times, jam) from another, in arrival order, the same number of draws whatever the inputs,
so two runs that differ only in stations or cashless share meet the same residents
(common random numbers): their difference is the effect of the change, not of luck.
"""
from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import simpy

from madoguchi.domain.plan import LOGNORMAL_SIGMA, PlanInputs, PlanResult, check

Step = Generator[simpy.Event, Any, None]


@dataclass(slots=True)
class _Tally:
    """What the run counts as it goes (seconds), read once at the end by :func:`_result`."""

    stations: int
    staff_waits: float = 0.0
    waits: list[float] = field(default_factory=list)
    stays: float = 0.0
    jams: int = 0
    busy: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.busy = [0.0] * self.stations


class _Resident:
    """One resident on the way through (mutable while in the model; never leaves it)."""

    __slots__ = ("arrived", "queued", "staff_s", "pay_s", "jammed")

    def __init__(self, arrived: float, staff_s: float, pay_s: float, jammed: bool) -> None:
        self.arrived = self.queued = arrived
        self.staff_s, self.pay_s, self.jammed = staff_s, pay_s, jammed


_probit = NormalDist().inv_cdf  # needs u in (0, 1): a 0 from random() (once in 2**53) is read as 0.5


def _draw(rng: random.Random, inputs: PlanInputs, now: float) -> _Resident:
    """One resident's times; always four draws, whatever the inputs (see the module's docstring)."""
    method, pay, registration, jam = rng.random(), rng.random(), rng.random(), rng.random()
    median = inputs.cashless_seconds if method < inputs.cashless_share else inputs.cash_seconds
    if inputs.service == "exponential":
        pay_s = -median * math.log1p(-pay)
        staff_s = -inputs.staff_seconds * math.log1p(-registration)
    else:  # lognormal around the median: exp(sigma * z), z standard normal
        pay_s = median * math.exp(LOGNORMAL_SIGMA * _probit(pay or 0.5))
        staff_s = inputs.staff_seconds * math.exp(LOGNORMAL_SIGMA * _probit(registration or 0.5))
    jammed = jam < inputs.jam_rate
    return _Resident(now, staff_s, pay_s + (inputs.jam_seconds if jammed else 0.0), jammed)


class _Desk:
    """``servers`` people or machines serving one first-come-first-served line.

    Each server is a SimPy process; an idle one sleeps on an event that the next arrival
    in the line fires, the server idle longest first. (Cheaper than a process per
    resident with a Resource: the planner must run 1,000 hours in seconds.)
    """

    def __init__(self, env: simpy.Environment, servers: int,
                 serve: Callable[[int, _Resident], Step]) -> None:
        self.env, self.serve = env, serve
        self.line: deque[_Resident] = deque()
        self.idle: deque[simpy.Event] = deque()
        for number in range(servers):
            env.process(self._work(number))

    def join(self, who: _Resident) -> None:
        who.queued = self.env.now
        self.line.append(who)
        if self.idle:
            self.idle.popleft().succeed()

    def _work(self, number: int) -> Step:
        while True:
            if not self.line:
                wake = self.env.event()
                self.idle.append(wake)
                yield wake
                continue  # another server may have taken the resident meanwhile
            yield from self.serve(number, self.line.popleft())


def simulate(inputs: PlanInputs) -> PlanResult:
    """Run the site of ``inputs`` (checked first: :class:`~madoguchi.errors.BadInput`)."""
    check(inputs)
    env = simpy.Environment()
    rng = random.Random(inputs.seed)
    arrivals = random.Random(inputs.seed ^ 0x5EED)  # moments of arrival: a stream of their own, see above
    tally = _Tally(inputs.stations)

    def pay(station: int, who: _Resident) -> Step:
        tally.waits.append(env.now - who.queued)
        tally.jams += who.jammed
        yield env.timeout(who.pay_s)
        tally.busy[station] += who.pay_s
        tally.stays += env.now - who.arrived

    def register(_: int, who: _Resident) -> Step:
        tally.staff_waits += env.now - who.queued
        yield env.timeout(who.staff_s)
        payment.join(who)

    payment = _Desk(env, inputs.stations, pay)
    first = payment if inputs.staff_seconds == 0 else _Desk(env, inputs.staff, register)

    def arrive() -> Step:
        horizon = inputs.hours * 3600.0
        hour = 0
        while hour * 3600.0 < horizon:
            end = min((hour + 1) * 3600.0, horizon)
            rate = inputs.rate_in_hour(hour) / 3600.0
            t = hour * 3600.0
            while rate > 0:  # Poisson within the hour; memoryless, so restarting at its start is exact
                t += arrivals.expovariate(rate)
                if t >= end:
                    break
                yield env.timeout(t - env.now)
                first.join(_draw(rng, inputs, t))
            hour += 1

    env.process(arrive())
    env.run()
    return _result(inputs, tally, env.now)


def _result(inputs: PlanInputs, tally: _Tally, ended: float) -> PlanResult:
    waits = sorted(tally.waits)
    served = len(waits)
    span = max(ended, inputs.hours * 3600.0)
    return PlanResult(
        inputs=inputs, served=served,
        payment_wait_mean_s=sum(waits) / served if served else 0.0,
        payment_wait_p90_s=waits[min(served - 1, math.ceil(0.9 * served) - 1)] if served else 0.0,
        payment_wait_max_s=waits[-1] if served else 0.0,
        staff_wait_mean_s=tally.staff_waits / served if served else 0.0,
        stay_mean_s=tally.stays / served if served else 0.0,
        utilisation=tuple(b / span for b in tally.busy),
        jams=tally.jams, simulated_seconds=span)
