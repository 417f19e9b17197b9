"""Wire madoguchi together from settings: database, catalog, places, devices.

Called by the API app factory, the CLI and the tests; nothing here runs at import.
"""
from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable

from madoguchi.adapters.db.connect import Engine
from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.migrate import upgrade
from madoguchi.adapters.db.training_store import ensure_store, training_url
from madoguchi.adapters.db.uow import make_uow_factory
from madoguchi.adapters.devices import make_station_devices
from madoguchi.adapters.devices.changer_slots import DEFAULT_FLOAT
from madoguchi.adapters.devices.ports import StationDevices
from madoguchi.adapters.files.toml_files import load_catalog, load_places
from madoguchi.adapters.signing import JournalSigner, write_key_pair
from madoguchi.config import Settings
from madoguchi.domain.auth import ALL_SITES, SYSTEM
from madoguchi.services.counter.cashbox import move_cash
from madoguchi.services.events import EventHub
from madoguchi.services.runtime import DeviceRegistry, Runtime, utc_now
from madoguchi.services.sim.clock import SimClock
from madoguchi.services.staff.accounts import create_staff

#: Demo accounts (demo mode only): login, name, role, sites, password.
DEMO_STAFF: tuple[tuple[str, str, str, list[str], str], ...] = (
    ("cashier", "窓口 花子", "cashier", ["honcho"], "demo-cashier-2026"),
    ("cashier2", "西部 太郎", "cashier", ["nishi", "higashi", "minami", "kita"], "demo-cashier2-2026"),
    ("supervisor", "主任 一郎", "supervisor", [ALL_SITES], "demo-supervisor-2026"),
    ("accountant", "会計 次郎", "accountant", [ALL_SITES], "demo-accountant-2026"),
    ("admin", "管理 三郎", "admin", [ALL_SITES], "demo-admin-2026"),
)


def simulated_devices(settings: Settings, places, *, persist: bool = True,  # type: ignore[no-untyped-def]
                      **faults: float) -> DeviceRegistry:
    state_dir = settings.device_state_dir if persist else None
    stations: dict[str, StationDevices] = {}
    for n, p in enumerate(places.payment_stations):
        # Machines start empty; the float goes in through the cashbox service, so
        # that it is journalled like any other cash (see ensure_float).
        stations[p.id] = make_station_devices(p.id, printer_url=p.printer, state_dir=state_dir,
                                              seed=settings.sim_seed * 1000 + n, initial_counts={},
                                              **faults)
    return DeviceRegistry(stations)


def build_runtime(settings: Settings, *, engine: Engine | None = None, devices: DeviceRegistry | None = None,
                  clock: Callable[[], dt.datetime] | None = None, sleep: Callable[[float], None] | None = None,
                  migrate: bool = True) -> Runtime:
    engine = engine or make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    places = load_places(settings.places_path)
    events = EventHub()
    signer = load_signer(settings)
    rt = Runtime(settings=settings, catalog=load_catalog(settings.catalog_path), places=places,
                 uow=make_uow_factory(engine, on_commit=events.publish, signer=signer), events=events,
                 devices=devices if devices is not None else simulated_devices(settings, places),
                 clock=clock or utc_now, signer=signer)
    if sleep is not None:
        rt.sleep = sleep
    rt.training_factory = lambda: build_training_runtime(rt)
    sync_stations(rt)
    return rt


def settle_heap() -> None:
    """Once start-up is done: leave what it built (modules, the catalog, compiled statements,
    routes) out of the cyclic garbage collector's scans for the rest of the process.

    A server process holds a few hundred thousand such objects for its whole life; each
    full collection walked them all (about 60 ms on the benchmark machine, once every
    thousand or so sales, in the middle of some resident's payment). What is garbage now
    is collected first, so only live objects are set aside (``gc.freeze``)."""
    gc.collect()
    gc.freeze()


def build_training_runtime(rt: Runtime) -> Runtime:
    """The training store's runtime (練習モード): its own database, simulated devices always
    (even where real ones are configured), no signing key; same catalog, places, clock and
    live-event hub as ``rt``. Built when training is first needed."""
    settings = rt.settings.model_copy(update={
        "database_url": training_url(rt.settings.database_url),
        "device_state_dir": rt.settings.device_state_dir.parent / "training-devices"})
    ensure_store(rt.settings.database_url)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    # Simulators only: no printer address, so no real printer prints a training receipt.
    devices = DeviceRegistry({p.id: make_station_devices(p.id, state_dir=settings.device_state_dir,
                                                         seed=n, initial_counts={})
                              for n, p in enumerate(rt.places.payment_stations)})
    store = Runtime(settings=settings, catalog=rt.catalog, places=rt.places,
                    uow=make_uow_factory(engine, on_commit=rt.events.publish, signer=None), events=rt.events,
                    devices=devices, clock=rt.clock, signer=None, training=True)
    store.sleep, store.screens = rt.sleep, rt.screens
    sync_stations(store)
    ensure_float(store)
    return store


def load_signer(settings: Settings) -> JournalSigner:
    """The journal's signing key, once per process; demo mode makes one if there is none."""
    path = settings.signing_key_path
    if settings.demo and not path.exists():
        write_key_pair(path)
    return JournalSigner(path)


def sync_stations(rt: Runtime) -> None:
    """Make sure every configured payment station has its row (occupancy, receipt counter)."""
    with rt.uow() as uow:
        known = uow.setup.payment_station_ids()
        for p in rt.places.payment_stations:
            if p.id not in known:
                uow.setup.add_payment_station(p.id, p.site)
        uow.commit()


def ensure_float(rt: Runtime, counts: dict[int, int] | None = None) -> list[str]:
    """Load the opening float into every empty changer (journalled); returns the stations loaded."""
    loaded = []
    for p in rt.places.payment_stations:
        changer = rt.devices.of(p.id).changer
        if any(changer.counts().values()):
            continue
        move_cash(rt, payment_station=p.id, counts=dict(counts or DEFAULT_FLOAT), direction="float",
                  reason="opening float", actor=SYSTEM)
        loaded.append(p.id)
    return loaded


def ensure_demo_staff(rt: Runtime) -> list[tuple[str, str, str]]:
    """Create the demo accounts that are missing; returns (login, role, password) for all of them."""
    with rt.uow(read_only=True) as uow:
        existing = uow.setup.staff_logins()
    configured = {site.code for site in rt.places.sites} | {ALL_SITES}
    for login, name, role, sites, password in DEMO_STAFF:
        # A city's own places file may not have the sample sites: keep those it has.
        here = [site for site in sites if site in configured] or [rt.places.sites[0].code]
        if login not in existing:
            create_staff(rt, login=login, display_name=name, role=role, sites=here, password=password)
    return [(login, role, password) for login, _, role, _, password in DEMO_STAFF]


def sim_runtime(settings: Settings, *, day: dt.date, engine: Engine | None = None) -> tuple[Runtime, SimClock]:
    """A runtime on ``settings``' database with fresh simulated devices (no faults of their own)
    and a simulated clock that starts before the doors open on ``day`` (for ``simulate_day``)."""
    clock = SimClock.before_opening(day)
    devices = simulated_devices(settings, load_places(settings.places_path), persist=False)
    rt = build_runtime(settings, engine=engine, devices=devices, clock=clock, sleep=lambda _s: None)
    return rt, clock
