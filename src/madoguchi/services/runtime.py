"""What a service needs from the outside world, built once by the API or the CLI."""
from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.adapters.devices.ports import StationDevices
from madoguchi.adapters.signing import JournalSigner
from madoguchi.config import Settings
from madoguchi.domain.catalog import Catalog, Places
from madoguchi.errors import NotFound
from madoguchi.services.events import EventHub


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class DeviceRegistry:
    """The devices of every payment station, and one lock per station.

    The lock keeps two requests from driving one station's devices at once (a
    double-click must not fix a deposit twice); the database keeps the records right.
    """

    stations: dict[str, StationDevices]
    _locks: dict[str, threading.RLock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)
    _requests: dict[str, _Held] = field(default_factory=dict)

    def of(self, station_id: str) -> StationDevices:
        try:
            return self.stations[station_id]
        except KeyError:
            raise NotFound(f"no devices for payment station {station_id!r}") from None

    def lock(self, station_id: str) -> threading.RLock:
        with self._guard:
            return self._locks.setdefault(station_id, threading.RLock())

    @contextlib.contextmanager
    def request(self, request_id: str) -> Iterator[None]:
        """One caller at a time for a terminal request id (a payment id), in this process.

        Held from before the attempt is recorded until its outcome is booked, so that a
        retry that finds the attempt pending waits for the first try. Without it, the retry
        could ask the terminal about a request that was not sent yet, hear "not found", and
        record the attempt as never sent just before the first try is approved.
        """
        with self._guard:
            entry = self._requests.get(request_id)
            if entry is None:
                entry = self._requests[request_id] = _Held(threading.Lock())
            entry.users += 1
        try:
            with entry.lock:
                yield
        finally:
            with self._guard:
                entry.users -= 1
                if not entry.users:
                    del self._requests[request_id]


@dataclass
class _Held:
    """A request id's lock, and how many callers hold or wait for it (gone at none)."""

    lock: threading.Lock
    users: int = 0


class ScreenPresence(Protocol):
    """Which payment stations have their screen connected (the web app knows, through the
    screens' event streams); the hand-off never sends a resident to a station without one."""

    def connected(self, station_id: str) -> bool: ...


class UnwatchedScreens:
    """No screens are watched (the CLI, the service tests): every station is taken as connected."""

    def connected(self, station_id: str) -> bool:
        return True


@dataclass
class Runtime:
    settings: Settings
    catalog: Catalog
    places: Places
    uow: Callable[..., UnitOfWork]  # uow() for a writer, uow(read_only=True) for a reader
    devices: DeviceRegistry
    clock: Callable[[], dt.datetime] = utc_now
    sleep: Callable[[float], None] = time.sleep
    events: EventHub = field(default_factory=EventHub)
    #: The journal's signing key, loaded once (None: entries are written unsigned).
    signer: JournalSigner | None = None
    screens: ScreenPresence = field(default_factory=UnwatchedScreens)
    #: True in the training store's runtime (練習モード): its own database, simulated devices,
    #: no signing key; its sales never reach the real books (see services/counter/training.py).
    training: bool = False
    #: Builds the training store's runtime when first needed (bootstrap sets it), and the
    #: training desk once built (services.training.desk_of).
    training_factory: Callable[[], Runtime] | None = None
    training_desk: object | None = None
