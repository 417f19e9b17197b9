"""Change notifications: what a committed unit of work touched, for live screens.

The unit of work reports the keys of what it changed (``sale:<id>``,
``station:<id>``, ``site:<code>``, ``incidents``, ``journal``) after a successful
commit; the hub hands them to every subscriber. Subscribers are plain callables,
so an SSE endpoint can forward them into its asyncio queue with
``loop.call_soon_threadsafe``. Nothing here touches the database.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

log = logging.getLogger("madoguchi.events")

Listener = Callable[[frozenset[str]], None]


class EventHub:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener; returns the function that removes it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, keys: Iterable[str]) -> None:
        if not self._listeners:  # no screen is watching (a CLI, a batch): nothing to build
            return
        batch = frozenset(keys)
        if not batch:
            return
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(batch)
            except Exception:  # noqa: BLE001 - one broken screen must not break a sale
                log.exception("event listener failed")
