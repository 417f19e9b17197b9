"""Which payment-station screens can take a resident now, for the hand-off service.

The event streams (:class:`madoguchi.web.events.LiveHub`) know which station screens are
connected; the pairings (:mod:`madoguchi.web.pairing`) know which stations have a screen
at all. :class:`ConnectedScreens` puts the two together as the runtime's
:class:`~madoguchi.services.runtime.ScreenPresence`:

- a station whose screen is paired is connected while its stream is open (and for the
  hub's grace period after it drops, so a routine reconnect is not an outage);
- a station with no screen paired is one driven without a screen (through the API and
  the simulator, as the HTTP tests and a headless install do), and is not refused.
"""
from __future__ import annotations

from typing import Any

from madoguchi.services.runtime import Runtime
from madoguchi.web.events import LiveHub
from madoguchi.web.pairing import PairingStore


class ConnectedScreens:
    def __init__(self, rt: Runtime, hub: LiveHub, pairings: PairingStore) -> None:
        self.rt, self.hub, self.pairings = rt, hub, pairings

    def connected(self, station_id: str) -> bool:
        if self.hub.screen_online(station_id):
            return True
        return self.pairings.paired(station_id, now=self.rt.clock()) is None


def watch_screens(app: Any) -> None:
    """Tell the app's runtime which station screens are connected (once it has a runtime)."""
    from madoguchi.web.events import LiveHub
    from madoguchi.web.station import pairings_of

    rt: Runtime | None = getattr(app.state, "runtime", None)
    if rt is None:
        return
    hub = app.state.live_hub = getattr(app.state, "live_hub", None) or LiveHub()
    rt.screens = ConnectedScreens(rt, hub, pairings_of(app, rt))
