"""Live screens: Server-Sent Events carrying the change keys of committed work.

The unit of work publishes what each commit touched (``sale:<id>``,
``station:<id>``, ``site:<code>``, ``incidents``, ``journal``) on ``rt.events``.
Each open stream subscribes there, forwards the keys into its own asyncio queue
with ``loop.call_soon_threadsafe`` (commits happen in worker threads), filters them
for its screen, and sends ``event: change`` with ``{"keys": [...]}``; the page then
re-reads what it shows through the JSON API. Nothing is polled.

- ``GET /events/register/{staff_station}``: a staff session that may sell there;
  keys of that site (its sales, its payment stations, incidents).
- ``GET /events/office``: supervisors, accountants, admins; station, site,
  incident and journal keys of the sites they may see (no sale ids).
- ``GET /station/{id}/events``: the paired station screen (see
  :mod:`madoguchi.web.station`); it is only told *that* something changed.

A comment line every :data:`HEARTBEAT` seconds keeps proxies from closing an idle
stream and notices a vanished client. A server shutdown must not wait for streams that
never end: :class:`Server` (uvicorn's server, ending every stream when it is told to
exit) is what ``madoguchi serve`` should run; :func:`close_streams` does the same for one
app; and as a last resort each stream ends after :data:`LIFETIME` seconds anyway, the
browser reconnecting by itself (``retry:``). The
connected station screens are counted here too: the register shows a station whose
screen went away (after :data:`GRACE` seconds, so a reconnect is not an alarm).
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from madoguchi.domain.auth import Action, Actor
from madoguchi.errors import PermissionDenied
from madoguchi.http.deps import ActorDep, RuntimeDep
from madoguchi.services.runtime import Runtime

HEARTBEAT = 15.0
LIFETIME = 120.0
RETRY_MS = 1500
GRACE = 8.0
_CLOSE = object()

Selector = Callable[[frozenset[str]], list[str] | None]


@dataclass(eq=False)
class _Stream:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[Any]

    def offer(self, item: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the server is gone
            self.loop.call_soon_threadsafe(self._put, item)

    def _put(self, item: Any) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # a stuck client: it re-reads everything on its next message
            self.queue.put_nowait(item)


@dataclass(eq=False)
class LiveHub:
    """The open streams of one app, and which payment-station screens are connected."""

    streams: set[_Stream] = field(default_factory=set)
    screens: dict[str, int] = field(default_factory=dict)
    left_at: dict[str, float] = field(default_factory=dict)
    closing: bool = False
    lifetime: float = LIFETIME
    heartbeat: float = HEARTBEAT
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        _HUBS.add(self)

    def close(self) -> None:
        """End every open stream now (server shutdown)."""
        with self._lock:
            self.closing = True
            streams = list(self.streams)
        for stream in streams:
            stream.offer(_CLOSE)

    def screen_online(self, station: str) -> bool:
        with self._lock:
            if self.screens.get(station, 0) > 0:
                return True
            left = self.left_at.get(station)
        return left is not None and time.monotonic() - left < GRACE

    def _screen_joined(self, station: str) -> bool:
        with self._lock:
            was_online = self.screens.get(station, 0) > 0 or (
                station in self.left_at and time.monotonic() - self.left_at[station] < GRACE)
            self.screens[station] = self.screens.get(station, 0) + 1
            return not was_online

    def _screen_left(self, station: str) -> None:
        with self._lock:
            self.screens[station] = max(0, self.screens.get(station, 0) - 1)
            if self.screens[station] == 0:
                self.left_at[station] = time.monotonic()


_HUBS: weakref.WeakSet[LiveHub] = weakref.WeakSet()


class Server(uvicorn.Server):
    """uvicorn's server that ends every open event stream as soon as it is told to exit
    (Ctrl-C, SIGTERM), so the graceful shutdown does not wait for screens that never hang up."""

    def handle_exit(self, sig: int, frame: Any) -> None:
        for hub in list(_HUBS):
            hub.close()
        super().handle_exit(sig, frame)


def hub_of(request: Request) -> LiveHub:
    hub: LiveHub | None = getattr(request.app.state, "live_hub", None)
    if hub is None:
        hub = request.app.state.live_hub = LiveHub()
    return hub


def close_streams(app: Any) -> None:
    """End every open stream of ``app`` (call before stopping the server)."""
    hub: LiveHub | None = getattr(app.state, "live_hub", None)
    if hub is not None:
        hub.close()


def _message(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def _events(rt: Runtime, hub: LiveHub, select: Selector, *, screen: tuple[str, str] | None = None
                  ) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    stream = _Stream(loop, asyncio.Queue(maxsize=256))
    unsubscribe = rt.events.subscribe(stream.offer)
    with hub._lock:
        hub.streams.add(stream)
    if screen is not None and hub._screen_joined(screen[0]):
        rt.events.publish({f"station:{screen[0]}", f"site:{screen[1]}"})
    try:
        yield f"retry: {RETRY_MS}\n" + _message("hello", {"keys": []})
        deadline = loop.time() + hub.lifetime
        while not hub.closing:
            wait = min(hub.heartbeat, deadline - loop.time())
            if wait <= 0:
                break
            try:
                item = await asyncio.wait_for(stream.queue.get(), wait)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if item is _CLOSE:
                break
            keys = set(select(item) or ())
            while not stream.queue.empty():  # a burst of commits becomes one message
                more = stream.queue.get_nowait()
                if more is _CLOSE:
                    stream.queue.put_nowait(_CLOSE)
                    break
                keys |= set(select(more) or ())
            if keys:
                yield _message("change", {"keys": sorted(keys)})
    finally:
        unsubscribe()
        with hub._lock:
            hub.streams.discard(stream)
        if screen is not None:
            hub._screen_left(screen[0])
            station, site = screen

            def announce_if_gone() -> None:
                if not hub.screen_online(station):
                    rt.events.publish({f"station:{station}", f"site:{site}"})

            with contextlib.suppress(RuntimeError):
                loop.call_later(GRACE + 0.2, announce_if_gone)


def sse(rt: Runtime, hub: LiveHub, select: Selector, *, screen: tuple[str, str] | None = None) -> StreamingResponse:
    return StreamingResponse(_events(rt, hub, select, screen=screen), media_type="text/event-stream",
                             headers={"X-Accel-Buffering": "no"})


# --- what each screen hears ----------------------------------------------------------
def site_selector(rt: Runtime, site: str) -> Selector:
    stations = {f"station:{p.id}" for p in rt.places.payment_stations if p.site == site}
    site_key = f"site:{site}"

    def select(batch: frozenset[str]) -> list[str] | None:
        if site_key not in batch and not (batch & stations) and "incidents" not in batch:
            return None
        return [k for k in batch if k.startswith("sale:") or k in stations or k in (site_key, "incidents")]

    return select


def office_selector(rt: Runtime, actor: Actor) -> Selector:
    visible = {s.code for s in rt.places.sites if actor.may(Action.VIEW, s.code)}
    allowed = ({f"site:{s}" for s in visible}
               | {f"station:{p.id}" for p in rt.places.payment_stations if p.site in visible}
               | {"incidents", "journal"})

    def select(batch: frozenset[str]) -> list[str] | None:
        return [k for k in batch if k in allowed] or None

    return select


def may_use_office(actor: Actor) -> bool:
    return actor.may(Action.APPROVE) or actor.may(Action.ACCOUNT)


router = APIRouter(tags=["screens"], include_in_schema=False)


@router.get("/events/register/{staff_station}")
def register_events(staff_station: str, request: Request, actor: ActorDep, rt: RuntimeDep) -> StreamingResponse:
    station = rt.places.staff_station(staff_station)
    actor.require(Action.SELL, station.site)
    return sse(rt, hub_of(request), site_selector(rt, station.site))


@router.get("/events/office")
def office_events(request: Request, actor: ActorDep, rt: RuntimeDep) -> StreamingResponse:
    if not may_use_office(actor):
        raise PermissionDenied(f"{actor.login} ({actor.role.value}) may not use the back office",
                               code="not_allowed", params={"role": actor.role.value, "action": "office"})
    return sse(rt, hub_of(request), office_selector(rt, actor))
