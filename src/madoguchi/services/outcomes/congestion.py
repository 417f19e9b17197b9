"""窓口混雑状況: the public's view of each site's queue for the payment stations.

One read-only unit of work counts, per site, the residents handed off and not yet paid
today, the payment stations serving (configured, no fault, their screen connected) and
the recent payments' times; ``domain/congestion.py`` turns that into minutes and a lamp.
Nothing about a sale or a person is read, so nothing of it can be shown. The web edge
caches the result for a few seconds (``web/public.py``): a crowd of phones costs one count.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from madoguchi.domain.congestion import SiteCongestion, SiteQueue, Thresholds, congestion
from madoguchi.domain.receipt import business_date
from madoguchi.services.runtime import Runtime


@dataclass(frozen=True, slots=True)
class CongestionBoard:
    """Every site's congestion at one moment."""

    updated_at: dt.datetime
    sites: tuple[SiteCongestion, ...]


def thresholds(rt: Runtime) -> Thresholds:
    s = rt.settings
    return Thresholds(yellow_minutes=s.congestion_yellow_minutes,
                      red_minutes=max(s.congestion_yellow_minutes, s.congestion_red_minutes))


def congestion_board(rt: Runtime) -> CongestionBoard:
    """Count every site's queue now (no login: what it returns is public)."""
    s = rt.settings
    now = rt.clock()
    since = now - dt.timedelta(minutes=s.congestion_window_minutes)
    with rt.uow(read_only=True) as uow:
        waiting = uow.congestion.waiting_by_site(business_date(now))
        unfaulted = uow.congestion.stations_without_fault()
        recent = {site.code: uow.congestion.payment_seconds(site.code, since) for site in rt.places.sites}
    limits = thresholds(rt)
    sites = []
    for site in rt.places.sites:
        serving = sum(1 for p in rt.places.payment_stations
                      if p.site == site.code and p.id in unfaulted and rt.screens.connected(p.id))
        queue = SiteQueue(code=site.code, name=site.name, waiting=waiting.get(site.code, 0),
                          stations_in_service=serving, recent_payment_seconds=recent[site.code])
        sites.append(congestion(queue, limits, min_samples=s.congestion_min_samples,
                                fallback_seconds=s.congestion_fallback_seconds))
    return CongestionBoard(updated_at=now, sites=tuple(sites))


def board_json(board: CongestionBoard) -> dict[str, object]:
    """The board as ``/public/congestion.json`` serves it (see docs/congestion.md)."""
    return {
        "updated_at": board.updated_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "sites": [{"code": c.code, "name": c.name, "waiting": c.waiting, "wait_minutes": c.wait_minutes,
                   "lamp": c.lamp.value, "stations_in_service": c.stations_in_service,
                   "seconds_per_payment": c.seconds_per_payment, "measured": c.measured}
                  for c in board.sites],
    }
