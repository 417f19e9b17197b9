"""Training mode (練習モード): new staff practise on the real screens, and the books never know.

A supervisor switches a staff station or a payment station to training. Every sale made
at a staff station in training is a training sale: the same services make it, but in the
*training store* (a database of its own, ``adapters/db/training_store.py``) with
simulated devices, no signing key, its own receipt numbers and 「練習 — 領収書としては無効」
on every receipt. The real journal, daily sheet, exports and month close read only the
real database, so they cannot include a training sale: nothing has to remember to leave
it out.

Which stations train is kept in the real database (``training_stations``), with every
switch recorded (``training_switches``); the real journal is not touched. While a payment
station trains, its real row is out of service (``fault = TRAINING_FAULT``), so no real sale
is handed to it; in the training store every station that does not train is out of
service the same way. A switch is refused while a sale is open at that station.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.sale import SaleState
from madoguchi.errors import BadInput, Conflict, NotFound
from madoguchi.services.runtime import Runtime

#: The real row of a payment station in training: out of service for real sales.
TRAINING_FAULT = "training mode"
#: The training store's row of a payment station that does not train.
NOT_TRAINING_FAULT = "not in training"
#: How long one process trusts what it read of the modes (a switch made here is seen at once).
MODES_TTL_SECONDS = 2.0
_OPEN_STATES = (SaleState.OPEN.value, SaleState.AWAITING_PAYMENT.value, SaleState.PAYING.value,
                SaleState.IN_DOUBT.value)


@dataclass(frozen=True)
class Modes:
    staff: frozenset[str] = frozenset()
    payment: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.staff or self.payment)


@dataclass
class TrainingDesk:
    """One per real runtime: the modes as last read, and the training store once built."""

    rt: Runtime
    modes: Modes = field(default_factory=Modes)
    read_at: float = float("-inf")
    store: Runtime | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def desk_of(rt: Runtime) -> TrainingDesk:
    if rt.training:
        raise Conflict("the training store has no training of its own")
    desk = rt.training_desk
    if desk is None:
        desk = rt.training_desk = TrainingDesk(rt)
    assert isinstance(desk, TrainingDesk)
    return desk


def current_modes(rt: Runtime, *, fresh: bool = False) -> Modes:
    """The stations in training now (read again at most every ``MODES_TTL_SECONDS``)."""
    desk = desk_of(rt)
    if fresh or time.monotonic() - desk.read_at > MODES_TTL_SECONDS:
        with rt.uow(read_only=True) as uow:
            rows = uow.training.stations()
        desk.modes = Modes(staff=frozenset(s for s, k in rows if k == "staff"),
                           payment=frozenset(s for s, k in rows if k == "payment"))
        desk.read_at = time.monotonic()
    return desk.modes


def modes_known_idle(rt: Runtime) -> bool:
    """True when this process read lately that no station trains (no database call)."""
    if rt.training:
        return True
    desk = rt.training_desk
    return (isinstance(desk, TrainingDesk) and not desk.modes
            and time.monotonic() - desk.read_at <= MODES_TTL_SECONDS)


def training_store(rt: Runtime) -> Runtime:
    """The training store's runtime, built (and its stations' service marks set) on first use."""
    desk = desk_of(rt)
    with desk.lock:
        if desk.store is None:
            if rt.training_factory is None:
                raise Conflict("this runtime cannot open a training store")
            desk.store = rt.training_factory()
            _mark_store_stations(desk.store, current_modes(rt, fresh=True))
        desk.store.screens = rt.screens  # the web app may set it after start-up
        return desk.store


def runtime_for(rt: Runtime, *, staff_station: str | None = None, payment_station: str | None = None,
                sale_id: str | None = None, payment_id: str | None = None,
                refund_id: str | None = None) -> Runtime:
    """The runtime a counter request belongs to: the training store for a station in training
    or a training sale, else ``rt``. With no station in training it asks nothing."""
    if rt.training:
        return rt
    modes = current_modes(rt)
    if not modes:
        return rt
    if (staff_station and staff_station in modes.staff) or (payment_station and payment_station in modes.payment):
        return training_store(rt)
    if sale_id or payment_id or refund_id:
        store = training_store(rt)
        with store.uow(read_only=True) as uow:
            found = uow.training.holds(sale_id=sale_id, payment_id=payment_id, refund_id=refund_id)
        if found:
            return store
    return rt


def training_status(rt: Runtime, *, actor: Actor) -> dict[str, Any]:
    """Which stations of the sites ``actor`` may see are in training."""
    modes = current_modes(rt, fresh=True)
    return {"staff_stations": sorted(s.id for s in rt.places.staff_stations
                                     if s.id in modes.staff and actor.may(Action.VIEW, s.site)),
            "payment_stations": sorted(p.id for p in rt.places.payment_stations
                                       if p.id in modes.payment and actor.may(Action.VIEW, p.site))}


def set_training(rt: Runtime, *, station_id: str, training: bool, actor: Actor, note: str = "") -> dict[str, Any]:
    """Switch a staff or payment station to training (``training``) or back; a supervisor's
    action, recorded, refused while a sale is open at that station."""
    kind, site = _station(rt, station_id)
    actor.require(Action.APPROVE, site)
    note = (note or "").strip()[:200]
    store = training_store(rt)
    with rt.uow() as uow:
        trains = uow.training.is_training(station_id)
        if trains == training:
            return training_status(rt, actor=actor)  # already so: nothing to record
        # Switching on, the real side must be idle; switching off, the training side.
        _refuse_if_open(store if trains else rt, kind, station_id)
        now = rt.clock()
        if kind == "payment":
            real = uow.stations.hold(station_id)
            if real is None:
                raise NotFound(f"no payment station {station_id!r}")
            if training:
                if real.fault:
                    raise Conflict(f"payment station {station_id} is out of service ({real.fault}); "
                                   "clear that first")
                uow.stations.set_fault(station_id, TRAINING_FAULT)
            elif real.fault == TRAINING_FAULT:
                uow.stations.set_fault(station_id, None)
        uow.training.switch(station_id=station_id, kind=kind, site=site, training=training, at=now,
                            actor=actor.login, note=note)
        uow.commit()
    _mark_store_stations(store, current_modes(rt, fresh=True))
    return training_status(rt, actor=actor)


def switches(rt: Runtime, *, actor: Actor) -> list[dict[str, Any]]:
    """The record of switches, newest first, of the sites ``actor`` may see."""
    with rt.uow(read_only=True) as uow:
        rows = uow.training.switches()
    return [{"station_id": r.station_id, "kind": r.kind, "site": r.site, "training": r.training,
             "at": r.at.isoformat(), "actor": r.actor, "note": r.note}
            for r in rows if actor.may(Action.VIEW, r.site)]


def _station(rt: Runtime, station_id: str) -> tuple[str, str]:
    for s in rt.places.staff_stations:
        if s.id == station_id:
            return "staff", s.site
    for p in rt.places.payment_stations:
        if p.id == station_id:
            return "payment", p.site
    raise BadInput(f"station: {station_id!r} is neither a staff station nor a payment station")


def _refuse_if_open(side: Runtime, kind: str, station_id: str) -> None:
    with side.uow(read_only=True) as uow:
        busy = uow.training.open_sale_at(kind, station_id, frozenset(_OPEN_STATES))
    if busy is not None:
        where = "training" if side.training else "real"
        raise Conflict(f"a {where} sale ({busy[:8]}) is open at station {station_id}; "
                       "finish or cancel it before switching training mode")


def _mark_store_stations(store: Runtime, modes: Modes) -> None:
    """In the training store, the payment stations that do not train are out of service."""
    with store.uow() as uow:
        uow.training.mark_stations(modes.payment, not_training=NOT_TRAINING_FAULT)
        uow.commit()
