"""The day simulator: one business day at the counters, driven through the real services.

Residents arrive over opening hours (08:30-17:15 JST, ``plans.py``), staff register
their certificates at a staff station, and the resident pays at a payment station in
cash (``cash_steps.py``) or cashless (``cashless_steps.py``). Faults are injected
through the simulators' own controls (a jam scheduled on the changer, an outcome
scripted on the terminal, paper taken out of the printer), so the number of faults is
exactly what the seeded RNG chose; the real services then deal with them, and staff
and supervisors do what they would do.

Concurrency is simulated, not threaded: each sale is a generator that yields how many
seconds its next step waits (``day.py``), and a scheduler runs the steps of all sales
in time order on one simulated clock. Two staff stations can compete for one payment
station, and a jammed machine sends its sale to another one, as at the counter.

Everything random comes from one ``random.Random(seed)`` and every client id is drawn
from it, so the same seed on a fresh database gives the same day. The runtime and its
clock come from ``bootstrap.sim_runtime``.
"""
from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator

from madoguchi.adapters.devices.changer_slots import DEFAULT_FLOAT
from madoguchi.errors import BadInput, Conflict
from madoguchi.services.counter.cashbox import move_cash
from madoguchi.services.counter.receipts import print_pending
from madoguchi.services.counter.sales import add_line, cancel_sale, create_sale, hand_off
from madoguchi.services.runtime import Runtime
from madoguchi.services.sim.cash_steps import JAM_STEPS, pay_cash
from madoguchi.services.sim.cashless_steps import pay_by_card
from madoguchi.services.sim.clock import SimClock
from madoguchi.services.sim.day import CASHIER, SUPERVISOR, Day
from madoguchi.services.sim.plans import FAULT_WEIGHTS, Plan, draw_plans
from madoguchi.services.sim.summary import DaySummary, read_summary


def simulate_day(rt: Runtime, clock: SimClock, *, day: dt.date, sales: int, seed: int,
                 site: str | None = None, cashless_share: float = 0.2, fault_rate: float = 0.02) -> DaySummary:
    """Run one business day of ``sales`` residents through the real services; see the module doc."""
    if not 1 <= sales <= 20_000:
        raise BadInput(f"--sales must be from 1 to 20000, got {sales}")
    for name, value in (("--cashless-share", cashless_share), ("--fault-rate", fault_rate)):
        if not 0.0 <= value <= 1.0:
            raise BadInput(f"{name} must be between 0 and 1, got {value}")
    sites = [rt.places.site(site).code] if site else [s.code for s in rt.places.sites]
    sites = [s for s in sites if any(p.site == s for p in rt.places.payment_stations)
             and any(x.site == s for x in rt.places.staff_stations)]
    if not sites:
        raise BadInput("no site with both a staff station and a payment station to simulate")
    d = Day(rt, clock, day=day, seed=seed, sites=sites, cashless_share=cashless_share, fault_rate=fault_rate)
    return _run(d, sales)


def _run(d: Day, sales: int) -> DaySummary:
    if d.clock() > d.at(dt.time(8, 0)):
        raise Conflict("the simulated clock is already past the morning of the day")
    _check_stations(d)
    d.clock.set(d.at(dt.time(8, 0)))
    for station in d.stations:
        _opening_float(d, station)
    queue: list[tuple[dt.datetime, int, Iterator[float]]] = []
    plans = draw_plans(d.rt, d.rng, day=d.day, sites=d.sites, count=sales, at=d.at,
                       fault_rate=d.fault_rate, cashless_share=d.cashless_share)
    for n, plan in enumerate(plans):
        heapq.heappush(queue, (plan.start, n, _sale(d, plan)))
    order = sales
    while queue:
        moment, _, steps = heapq.heappop(queue)
        d.clock.set(moment)
        wait = next(steps, None)
        if wait is not None:
            order += 1
            heapq.heappush(queue, (moment + dt.timedelta(seconds=round(wait, 3)), order, steps))
    return read_summary(d.rt, day=d.day, seed=d.seed, sites=d.sites, sale_ids=d.sale_ids, stations=d.stations,
                        faults={k: d.faults[k] for k in FAULT_WEIGHTS if d.faults[k]},
                        details=d.details, events=d.events, moves=d.moves)


def _check_stations(d: Day) -> None:
    with d.rt.uow(read_only=True) as uow:
        in_use = uow.sim.stations_in_use(d.stations)
    if in_use:
        station = in_use[0]
        raise Conflict(f"payment station {station.id} is not free ({station.fault or 'serving a sale'}); "
                       "simulate the day on a database where its stations are idle")


def _opening_float(d: Day, station: str) -> None:
    changer = d.rt.devices.of(station).changer
    left = {x: n for x, n in changer.counts().items() if n}
    if left:  # the machine was emptied at last night's close: the day starts from the float alone
        changer.collect(left)
    d.moves["float"] += move_cash(d.rt, payment_station=station, counts=dict(DEFAULT_FLOAT),
                                  direction="float", reason="opening float", actor=SUPERVISOR)["amount"]


def _sale(d: Day, plan: Plan) -> Iterator[float]:
    """One resident, from the staff station to the receipt."""
    rt, rng = d.rt, d.rng
    sale_id = d.new_id()
    d.sale_ids.append(sale_id)
    create_sale(rt, sale_id=sale_id, staff_station=plan.staff_station, actor=CASHIER)
    for seconds, (code, quantity, exemption, note) in zip(plan.line_seconds, plan.lines, strict=False):
        yield seconds
        add_line(rt, sale_id=sale_id, line_id=d.new_id(), fee_code=code, quantity=quantity,
                 exemption=exemption, exemption_note=note, actor=CASHIER)
    yield plan.line_seconds[-1]
    if plan.void:
        d.events["voided before payment"] += 1
        cancel_sale(rt, sale_id=sale_id, reason="the resident did not bring the required documents",
                    actor=CASHIER)
        return
    handoff_id = d.new_id()
    station = yield from d.wait_for(
        lambda: hand_off(rt, sale_id=sale_id, handoff_id=handoff_id, actor=CASHIER)["payment_station"])
    if station is None:
        d.give_up(sale_id, "no payment station became free")
        return
    if plan.fault:
        d.faults[plan.fault] += 1
    if plan.fault == "printer_paper_out":
        d.printer(station).set_paper_out(True)
    yield rng.uniform(10, 30)  # the resident walks over to the payment station
    if plan.cashless:
        yield from pay_by_card(d, sale_id, station, plan.brand, plan.fault)
    else:
        jam = rng.choice(JAM_STEPS) if plan.fault == "changer_jam" else None
        yield from pay_cash(d, sale_id, station, jam)
    if plan.fault == "printer_paper_out":
        yield rng.uniform(60, 180)  # staff notice, fetch a roll and put it in
        d.printer(station).refill()
        printed = print_pending(rt, payment_station=station)
        d.events["receipts printed after paper refill"] += sum(r["state"] == "printed" for r in printed)


__all__ = ["simulate_day"]
