"""The day simulator: one business day at the counters, driven through the real services.

Residents arrive over opening hours (08:30-17:15 JST), staff register their
certificates at a staff station, and the resident pays at a payment station in cash
or cashless. Faults are injected through the simulators' own controls (a jam
scheduled on the changer, an outcome scripted on the terminal, paper taken out of
the printer), so the number of faults is exactly what the seeded RNG chose; the real
services then deal with them, and staff and supervisors do what they would do.

Concurrency is simulated, not threaded: each sale is a generator that yields how many
seconds its next step waits, and a scheduler runs the steps of all sales in time
order on one simulated clock. Two staff stations can compete for one payment station,
and a jammed machine sends its sale to another one, as at the counter.

Everything random comes from one ``random.Random(seed)`` and every client id is drawn
from it, so the same seed on a fresh database gives the same day.
"""
from __future__ import annotations

import datetime as dt
import heapq
import random
import uuid
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine, select

from madoguchi.adapters.db.tables import PaymentStation
from madoguchi.adapters.devices.changer_slots import DEFAULT_FLOAT
from madoguchi.adapters.devices.ports import ChangerStatus
from madoguchi.adapters.devices.terminal_sim import DECLINE_REASONS
from madoguchi.adapters.files.toml_files import load_places
from madoguchi.config import Settings
from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.domain.brands import brand as brand_of
from madoguchi.domain.money import DENOMINATIONS
from madoguchi.domain.receipt import JST
from madoguchi.domain.sale import PaymentState
from madoguchi.errors import BadInput, CannotMakeChange, ChangerJammed, ChangerNotReady, Conflict, StationBusy
from madoguchi.services.counter.cash import cancel_cash, complete_cash, start_cash
from madoguchi.services.counter.cashbox import move_cash
from madoguchi.services.counter.incidents import allow_cash_in_doubt, clear_jam
from madoguchi.services.counter.payments import pay_cashless
from madoguchi.services.counter.receipts import print_pending
from madoguchi.services.counter.sales import add_line, cancel_sale, create_sale, hand_off, move_sale
from madoguchi.services.runtime import Runtime
from madoguchi.services.sim.summary import DaySummary, read_summary

T = TypeVar("T")
Steps = Generator[float, None, T]  # a sale's steps: yields seconds to wait, returns its result

OPENING, CLOSING = dt.time(8, 30), dt.time(17, 15)
#: Relative arrivals per hour of the day: a morning peak, a dip at lunch, a quiet end.
HOUR_WEIGHTS = {8: 6, 9: 13, 10: 14, 11: 12, 12: 8, 13: 11, 14: 11, 15: 10, 16: 8, 17: 4}
#: Cashless brand mix: transit IC and PayPay lead, then VISA/JCB, then the long tail.
BRAND_WEIGHTS: dict[str, float] = {
    "suica": 16, "pasmo": 13, "paypay": 22, "visa": 9, "jcb": 6, "mastercard": 4, "id": 3,
    "quicpay": 2, "waon": 2, "nanaco": 2, "edy": 2, "dbarai": 3, "aupay": 2.5, "rakutenpay": 2.5,
    "merpay": 1.5, "linepay": 1, "amex": 1, "icoca": 1, "manaca": 0.4, "toica": 0.3, "kitaca": 0.3,
    "sugoca": 0.3, "nimoca": 0.3, "hayakaken": 0.2, "wechatpay": 0.5, "alipayplus": 0.5,
    "unionpay": 0.3, "diners": 0.3, "yuchopay": 0.3, "bankpay": 0.3, "jcoinpay": 0.2, "unionpayqr": 0.2,
}
FAULT_WEIGHTS = {"changer_jam": 3, "card_declined": 3, "terminal_timeout": 3, "outcome_unknown": 2,
                 "printer_paper_out": 2}
JAM_STEPS = ("begin_deposit", "insert", "fix_deposit", "end_deposit")
EXEMPTIONS = (("official_request", None), ("public_assistance", None), ("other", "年金請求のため"))

CASHIER = Actor("sim-cashier", Role.CASHIER, frozenset({ALL_SITES}))
SUPERVISOR = Actor("sim-supervisor", Role.SUPERVISOR, frozenset({ALL_SITES}))
STATION_WAIT = 20.0        # seconds between looks for a free payment station
MAX_STATION_WAIT = 7200.0  # after two hours the resident goes home


class SimClock:
    """The simulated clock given to the runtime; only the scheduler moves it, never backwards."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, moment: dt.datetime) -> None:
        if moment < self.now:
            raise ValueError("the simulated clock never goes back")
        self.now = moment


def sim_runtime(settings: Settings, *, day: dt.date, engine: Engine | None = None) -> tuple[Runtime, SimClock]:
    """A runtime on ``settings``' database with fresh simulated devices (no faults of their own)
    and a simulated clock that starts before the doors open on ``day``."""
    # bootstrap sits above the services; only the simulator's own runtime needs it.
    from madoguchi.bootstrap import build_runtime, simulated_devices
    clock = SimClock(dt.datetime.combine(day, dt.time(8, 0), JST).astimezone(dt.UTC))
    devices = simulated_devices(settings, load_places(settings.places_path), persist=False)
    rt = build_runtime(settings, engine=engine, devices=devices, clock=clock, sleep=lambda _s: None)
    return rt, clock


@dataclass(frozen=True)
class Plan:
    """What one resident wants, drawn before the day starts."""

    site: str
    staff_station: str
    start: dt.datetime
    line_seconds: tuple[float, ...]
    lines: tuple[tuple[str, int, str | None, str | None], ...]  # fee, quantity, exemption, note
    cashless: bool
    brand: str
    fault: str | None
    void: bool


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
    return _Day(rt, clock, day=day, seed=seed, sites=sites, cashless_share=cashless_share,
                fault_rate=fault_rate).run(sales)


class _Day:
    def __init__(self, rt: Runtime, clock: SimClock, *, day: dt.date, seed: int, sites: list[str],
                 cashless_share: float, fault_rate: float) -> None:
        self.rt, self.clock, self.day, self.seed, self.sites = rt, clock, day, seed, sites
        self.cashless_share, self.fault_rate = cashless_share, fault_rate
        self.rng = random.Random(seed)
        self.sale_ids: list[str] = []
        self.faults: Counter[str] = Counter()
        self.details: Counter[str] = Counter()
        self.events: Counter[str] = Counter()
        self.moves: Counter[str] = Counter()
        self.stations = [p.id for p in rt.places.payment_stations if p.site in sites]

    # --- the day -----------------------------------------------------------------
    def run(self, sales: int) -> DaySummary:
        if self.clock() > self._at(dt.time(8, 0)):
            raise Conflict("the simulated clock is already past the morning of the day")
        self._check_stations()
        self.clock.set(self._at(dt.time(8, 0)))
        for station in self.stations:
            self._opening_float(station)
        queue: list[tuple[dt.datetime, int, Iterator[float]]] = []
        for n, plan in enumerate(self._plans(sales)):
            heapq.heappush(queue, (plan.start, n, self._sale(plan)))
        order = sales
        while queue:
            moment, _, steps = heapq.heappop(queue)
            self.clock.set(moment)
            wait = next(steps, None)
            if wait is not None:
                order += 1
                heapq.heappush(queue, (moment + dt.timedelta(seconds=round(wait, 3)), order, steps))
        return self._summary()

    def _at(self, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(self.day, time, JST).astimezone(dt.UTC)

    def _check_stations(self) -> None:
        with self.rt.uow() as uow:
            rows = uow.session.execute(select(PaymentStation).where(PaymentStation.id.in_(self.stations))).scalars()
            for row in rows:
                if row.fault or row.current_sale_id:
                    raise Conflict(f"payment station {row.id} is not free ({row.fault or 'serving a sale'}); "
                                   "simulate the day on a database where its stations are idle")

    def _opening_float(self, station: str) -> None:
        changer = self.rt.devices.of(station).changer
        left = {d: n for d, n in changer.counts().items() if n}
        if left:  # the machine was emptied at last night's close: the day starts from the float alone
            changer.collect(left)
        self.moves["float"] += move_cash(self.rt, payment_station=station, counts=dict(DEFAULT_FLOAT),
                                         direction="float", reason="opening float", actor=SUPERVISOR)["amount"]

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # --- what residents want --------------------------------------------------------
    def _plans(self, count: int) -> list[Plan]:
        rng, places = self.rng, self.rt.places
        slots = [(h, m) for h in range(8, 18) for m in (0, 15, 30, 45)
                 if OPENING <= dt.time(h, m) < CLOSING]
        arrivals = sorted(
            self._at(dt.time(*slot)) + dt.timedelta(seconds=rng.uniform(0, 900))
            for slot in rng.choices(slots, [HOUR_WEIGHTS[h] for h, _ in slots], k=count))
        staff = {s: [x.id for x in places.staff_stations if x.site == s] for s in self.sites}
        free_at = {x: arrivals[0] for xs in staff.values() for x in xs}
        fees = self.rt.catalog.in_force(self.day)
        brands = [b for b in BRAND_WEIGHTS if brand_of(b).offered_on(self.day)]  # LINE Pay ended in 2025
        plans = []
        for arrival in arrivals:
            site = rng.choices(self.sites, [len(staff[s]) for s in self.sites])[0]
            lane = min(staff[site], key=lambda x: free_at[x])
            start = max(arrival, free_at[lane])
            lines = self._lines(fees)
            seconds = tuple(rng.uniform(10, 25) for _ in range(len(lines) + 1))
            free_at[lane] = start + dt.timedelta(seconds=sum(seconds) + 5)
            void = rng.random() < 0.01
            fault = None
            if not void and rng.random() < self.fault_rate:
                fault = rng.choices(list(FAULT_WEIGHTS), list(FAULT_WEIGHTS.values()))[0]
            cashless = rng.random() < self.cashless_share
            if fault == "changer_jam":
                cashless = False
            elif fault in ("card_declined", "terminal_timeout", "outcome_unknown"):
                cashless = True
            brand = rng.choices(brands, [BRAND_WEIGHTS[b] for b in brands])[0]
            plans.append(Plan(site, lane, start, seconds, lines, cashless, brand, fault, void))
        return plans

    def _lines(self, fees: list[Any]) -> tuple[tuple[str, int, str | None, str | None], ...]:
        rng = self.rng
        k = min(len(fees), rng.choices((1, 2, 3), (65, 25, 10))[0])
        pool, chosen = list(fees), []
        for _ in range(k):
            item = rng.choices(pool, [1 / item.rank ** 1.3 for item in pool])[0]
            pool.remove(item)
            chosen.append(item)
        lines = []
        for n, item in enumerate(chosen):
            quantity = 2 if rng.random() < 0.15 else 1
            exemption = note = None
            # Never the first line: a sale with nothing to pay cannot be completed at a payment station.
            if n > 0 and item.exemptible and rng.random() < 0.08:
                exemption, note = rng.choice(EXEMPTIONS)
            lines.append((item.code, quantity, exemption, note))
        return tuple(lines)

    # --- one resident ----------------------------------------------------------------
    def _sale(self, plan: Plan) -> Iterator[float]:
        rt, rng = self.rt, self.rng
        sale_id = self.new_id()
        self.sale_ids.append(sale_id)
        create_sale(rt, sale_id=sale_id, staff_station=plan.staff_station, actor=CASHIER)
        for seconds, (code, quantity, exemption, note) in zip(plan.line_seconds, plan.lines):
            yield seconds
            add_line(rt, sale_id=sale_id, line_id=self.new_id(), fee_code=code, quantity=quantity,
                     exemption=exemption, exemption_note=note, actor=CASHIER)
        yield plan.line_seconds[-1]
        if plan.void:
            self.events["voided before payment"] += 1
            cancel_sale(rt, sale_id=sale_id, reason="the resident did not bring the required documents",
                        actor=CASHIER)
            return
        handoff_id = self.new_id()
        station = yield from self._wait_for(
            lambda: hand_off(rt, sale_id=sale_id, handoff_id=handoff_id, actor=CASHIER)["payment_station"])
        if station is None:
            self._give_up(sale_id, "no payment station became free")
            return
        if plan.fault:
            self.faults[plan.fault] += 1
        if plan.fault == "printer_paper_out":
            rt.devices.of(station).printer.set_paper_out(True)
        yield rng.uniform(10, 30)  # the resident walks over to the payment station
        if plan.cashless:
            yield from self._cashless(sale_id, station, plan.brand, plan.fault)
        else:
            jam = rng.choice(JAM_STEPS) if plan.fault == "changer_jam" else None
            yield from self._cash(sale_id, station, jam)
        if plan.fault == "printer_paper_out":
            yield rng.uniform(60, 180)  # staff notice, fetch a roll and put it in
            printer = rt.devices.of(station).printer
            printer.refill()
            printed = print_pending(rt, payment_station=station)
            self.events["receipts printed after paper refill"] += sum(r["state"] == "printed" for r in printed)

    def _wait_for(self, claim: Callable[[], T]) -> Steps[T | None]:
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

    def _give_up(self, sale_id: str, why: str) -> None:
        self.events[f"gave up: {why}"] += 1
        cancel_sale(self.rt, sale_id=sale_id, reason=f"the resident left: {why}", actor=CASHIER)

    # --- cash ------------------------------------------------------------------------
    def _cash(self, sale_id: str, station: str, jam: str | None) -> Steps[bool]:
        exact = False
        for _ in range(4):
            outcome = yield from self._cash_attempt(sale_id, station, jam, exact)
            if outcome == "paid":
                self._tend(station)
                return True
            if outcome == "jammed":
                self.details[f"changer_jam at {jam}" if jam else "changer_jam (unplanned)"] += 1
                moved = yield from self._after_jam(sale_id, station)
                if moved is None:
                    self._give_up(sale_id, "no payment station became free after a jam")
                    return False
                station = moved
            elif outcome == "no change":
                self.events["paid exact after the machine could not make change"] += 1
                exact = True
            elif outcome == "slot full":
                self._tend(station, force=True)
            jam = None
        self._give_up(sale_id, "the cash could not be taken")
        return False

    def _cash_attempt(self, sale_id: str, station: str, jam: str | None, exact: bool) -> Steps[str]:
        rt, rng = self.rt, self.rng
        changer = rt.devices.of(station).changer
        payment_id = self.new_id()
        try:
            if jam == "begin_deposit":
                changer.fail_next(jam)
            view = start_cash(rt, payment_id=payment_id, sale_id=sale_id, actor=CASHIER)
            pieces = self._tender(view["amount"], exact)
            jam_at = rng.randrange(len(pieces)) if jam == "insert" else -1
            for n, (denomination, count) in enumerate(pieces):
                yield rng.uniform(2, 6)
                if n == jam_at:
                    changer.fail_next("insert")
                try:
                    changer.insert(denomination, count)
                except ChangerJammed:
                    cancel_cash(rt, payment_id=payment_id, actor=CASHIER)  # records the jam and raises
                    raise
                except ChangerNotReady:
                    cancel_cash(rt, payment_id=payment_id, actor=CASHIER)
                    return "slot full"
            yield rng.uniform(2, 5)
            if jam in ("fix_deposit", "end_deposit"):
                changer.fail_next(jam)
            complete_cash(rt, payment_id=payment_id, actor=CASHIER)
            return "paid"
        except ChangerJammed:
            return "jammed"
        except CannotMakeChange:
            return "no change"

    def _tender(self, due: int, exact: bool) -> list[tuple[int, int]]:
        """What the resident puts in: the exact amount, a note, or a handful of 100-yen coins."""
        rng = self.rng
        draw = rng.random()
        if exact or draw < 0.35:
            amount = due
        elif draw < 0.85:
            notes = [n for n in (1000, 5000, 10000) if n >= due]
            if notes:
                amount = notes[0] if len(notes) == 1 or rng.random() < 0.8 else rng.choice(notes[1:])
            else:
                amount = -(-due // 1000) * 1000
        else:
            return [(100, -(-due // 100))]
        pieces = []
        for d in (10000, 5000, 1000, 500, 100, 50, 10, 5, 1):
            if amount >= d:
                pieces.append((d, amount // d))
                amount %= d
        return pieces

    def _after_jam(self, sale_id: str, jammed: str) -> Steps[str | None]:
        """A supervisor clears the jam (cash back to the resident); the sale moves on if it can."""
        rt = self.rt
        yield self.rng.uniform(90, 300)
        clear_jam(rt, payment_station=jammed, actor=SUPERVISOR, note="jam cleared; cash handed back")

        def claim() -> str:
            try:  # another payment station of the site first, so the counter keeps going
                return move_sale(rt, sale_id=sale_id, move_id=self.new_id(), actor=CASHIER)["payment_station"]
            except StationBusy:
                return move_sale(rt, sale_id=sale_id, move_id=self.new_id(), payment_station=jammed,
                                 actor=CASHIER)["payment_station"]

        station = yield from self._wait_for(claim)
        if station is not None:
            self.events["moved after a jam" if station != jammed else "paid where the jam was cleared"] += 1
        return station

    def _tend(self, station: str, *, force: bool = False) -> None:
        """Pick notes up from a nearly full machine; top coins up in a nearly empty one."""
        changer: Any = self.rt.devices.of(station).changer
        status, counts = changer.status(), changer.counts()
        if force or status in (ChangerStatus.NEAR_FULL, ChangerStatus.FULL):
            take = {d: counts[d] - changer.capacity[d] // 2 for d in DENOMINATIONS
                    if counts[d] >= changer.near_full[d] or (force and counts[d] > changer.capacity[d] // 2)}
            if take:
                self.moves["out"] += move_cash(self.rt, payment_station=station, counts=take, direction="out",
                                               reason="pick-up: a slot was nearly full", actor=SUPERVISOR)["amount"]
                self.events["pick-ups"] += 1
        if status in (ChangerStatus.NEAR_EMPTY, ChangerStatus.EMPTY):
            add = {d: DEFAULT_FLOAT.get(d, 0) - counts[d] for d in DENOMINATIONS
                   if changer.near_empty.get(d, 0) and counts[d] < changer.near_empty[d]
                   and DEFAULT_FLOAT.get(d, 0) > counts[d]}
            if add:
                self.moves["in"] += move_cash(self.rt, payment_station=station, counts=add, direction="in",
                                              reason="coin top-up: a slot was nearly empty", actor=SUPERVISOR)["amount"]
                self.events["coin top-ups"] += 1

    # --- cashless --------------------------------------------------------------------
    def _cashless(self, sale_id: str, station: str, brand: str, fault: str | None) -> Steps[None]:
        rt, rng = self.rt, self.rng
        terminal: Any = rt.devices.of(station).terminal
        backoff = rt.settings.status_backoff
        if fault == "card_declined":
            terminal.script("declined", reason=rng.choice(DECLINE_REASONS))
        elif fault == "terminal_timeout":
            end = rng.choice(("approved", "declined", "not_found"))
            self.details[f"terminal_timeout then {end.replace('_', ' ')}"] += 1
            terminal.script(f"timeout_{end}", in_progress_queries=rng.randint(0, min(2, len(backoff))))
        elif fault == "outcome_unknown":
            terminal.script("timeout_unknown")
        for attempt in range(3):
            yield rng.uniform(8, 16)
            view = pay_cashless(rt, payment_id=self.new_id(), sale_id=sale_id, brand=brand, actor=CASHIER)
            if view["state"] == PaymentState.APPROVED:
                return
            if view["state"] == PaymentState.UNKNOWN:
                yield sum(backoff)
                yield from self._in_doubt(sale_id)
                return
            if view["state"] == PaymentState.NOT_SENT:  # the terminal never had it: safe to try again
                self.events["retried after not found"] += 1
                continue
            if attempt < 2 and rng.random() < 0.5:  # declined: another card, or cash
                self.events["retried with another brand"] += 1
                others = [b for b in BRAND_WEIGHTS if b != brand and brand_of(b).offered_on(self.day)]
                brand = rng.choices(others, [BRAND_WEIGHTS[b] for b in others])[0]
                continue
            break
        self.events["paid cash after a decline"] += 1
        yield from self._cash(sale_id, station, None)

    def _in_doubt(self, sale_id: str) -> Steps[None]:
        """The outcome stays unknown: the incident is open; sometimes the supervisor allows cash."""
        rt = self.rt
        yield self.rng.uniform(120, 480)  # the supervisor comes and hears the resident out
        if self.rng.random() >= 0.5:
            self.events["left in doubt"] += 1
            return
        allow_cash_in_doubt(rt, sale_id=sale_id, actor=SUPERVISOR,
                            note="card outcome unknown; the resident pays cash, the provider will be asked")
        self.events["cash allowed while in doubt"] += 1
        station = yield from self._wait_for(
            lambda: move_sale(rt, sale_id=sale_id, move_id=self.new_id(), actor=CASHIER)["payment_station"])
        if station is None:
            self._give_up(sale_id, "no payment station became free")
            return
        yield from self._cash(sale_id, station, None)

    # --- the summary -----------------------------------------------------------------
    def _summary(self) -> DaySummary:
        return read_summary(self.rt, day=self.day, seed=self.seed, sites=self.sites, sale_ids=self.sale_ids,
                            stations=self.stations, faults={k: self.faults[k] for k in FAULT_WEIGHTS if self.faults[k]},
                            details=self.details, events=self.events, moves=self.moves)


__all__ = ["DaySummary", "SimClock", "sim_runtime", "simulate_day"]
