"""The state of one simulated day that every resident's steps share, and the helpers they use.

A resident's sale is a generator of steps (:data:`Steps`): it yields how many seconds
its next step waits and returns its result; the scheduler in ``simulate.py`` runs the
steps of all sales in time order on one simulated clock.
"""
from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter
from collections.abc import Callable, Generator
from dataclasses import replace
from typing import TypeVar

from madoguchi.adapters.devices.changer_sim import SimulatedCashChanger
from madoguchi.adapters.devices.printer_sim import SimulatedPrinter
from madoguchi.adapters.devices.terminal_sim import SimulatedTerminal
from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.domain.receipt import JST
from madoguchi.errors import Conflict, StationBusy
from madoguchi.services.counter.sales import cancel_sale
from madoguchi.services.runtime import Runtime
from madoguchi.services.sim.clock import SimClock
from madoguchi.services.sim.timing import TimedTerminal

T = TypeVar("T")
Steps = Generator[float, None, T]  # a sale's steps: yields seconds to wait, returns its result

CASHIER = Actor("sim-cashier", Role.CASHIER, frozenset({ALL_SITES}))
SUPERVISOR = Actor("sim-supervisor", Role.SUPERVISOR, frozenset({ALL_SITES}))
STATION_WAIT = 20.0        # seconds between looks for a free payment station
MAX_STATION_WAIT = 7200.0  # after two hours the resident goes home


class Day:
    """One simulated business day: the runtime, the clock, the RNG and what happened."""

    def __init__(self, rt: Runtime, clock: SimClock, *, day: dt.date, seed: int, sites: list[str],
                 cashless_share: float, fault_rate: float) -> None:
        self.rt, self.clock, self.day, self.seed, self.sites = rt, clock, day, seed, sites
        self.cashless_share, self.fault_rate = cashless_share, fault_rate
        self.rng = random.Random(seed)
        self.sale_ids: list[str] = []
        self.faults: Counter[str] = Counter()   # faults injected
        self.details: Counter[str] = Counter()  # where and how they struck
        self.events: Counter[str] = Counter()   # what staff and residents did
        self.moves: Counter[str] = Counter()    # cash moved: float / in / out, yen
        self.stations = [p.id for p in rt.places.payment_stations if p.site in sites]
        self.timed: dict[str, TimedTerminal] = {}
        for station in self.stations:  # a cashless payment takes its time inside the terminal's call
            devices = rt.devices.of(station)
            if isinstance(devices.terminal, TimedTerminal):  # wrapped by an earlier day on this runtime
                devices.terminal.clock = clock
                self.timed[station] = devices.terminal
            elif isinstance(devices.terminal, SimulatedTerminal):
                self.timed[station] = TimedTerminal(devices.terminal, clock)
                rt.devices.stations[station] = replace(devices, terminal=self.timed[station])

    def at(self, time: dt.time) -> dt.datetime:
        """``time`` in Japan on the day, in UTC."""
        return dt.datetime.combine(self.day, time, JST).astimezone(dt.UTC)

    def new_id(self) -> str:
        """A client id drawn from the day's RNG, so the same seed gives the same ids."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def wait_for(self, claim: Callable[[], T]) -> Steps[T | None]:
        """Try ``claim`` until a payment station is free; ``None`` when the resident gives up."""
        waited = 0.0
        while True:
            try:
                return claim()
            except StationBusy:
                if waited >= MAX_STATION_WAIT:
                    return None
                if waited == 0:
                    self.events["waited for a payment station"] += 1
                waited += STATION_WAIT
                yield STATION_WAIT

    def give_up(self, sale_id: str, why: str) -> None:
        self.events[f"gave up: {why}"] += 1
        cancel_sale(self.rt, sale_id=sale_id, reason=f"the resident left: {why}", actor=CASHIER)

    # --- the simulators' own controls (faults are injected through them) ---------------
    def changer(self, station: str) -> SimulatedCashChanger:
        return _simulated(station, "cash changer", self.rt.devices.of(station).changer, SimulatedCashChanger)

    def terminal(self, station: str) -> SimulatedTerminal:
        device = self.rt.devices.of(station).terminal
        inner = device.inner if isinstance(device, TimedTerminal) else device
        return _simulated(station, "terminal", inner, SimulatedTerminal)

    def printer(self, station: str) -> SimulatedPrinter:
        return _simulated(station, "printer", self.rt.devices.of(station).printer, SimulatedPrinter)


def _simulated(station: str, what: str, device: object, kind: type[T]) -> T:
    if not isinstance(device, kind):
        raise Conflict(f"the {what} of payment station {station} is a real device; "
                       "the day simulator drives simulated devices only")
    return device
