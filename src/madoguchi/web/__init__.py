"""The screens: staff register, the resident's payment station, the back office.

:func:`install` adds them to the application (:mod:`madoguchi.app`, beside the HTTP API):
static files under ``/static``, the pages, the payment-station screen's own API and the
live event streams. Calling it twice is harmless. What they share with the API (the
request's runtime and actor, field types, errors) is in :mod:`madoguchi.http`.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Mount the screens on ``app`` (once)."""
    if getattr(app.state, "screens_installed", False):
        return
    from madoguchi.web import events, outcomes_page, plan_page, public, routes, screens_api, station, training_screens
    from madoguchi.web.events import LiveHub
    from madoguchi.web.presence import watch_screens

    app.state.screens_installed = True
    app.state.live_hub = getattr(app.state, "live_hub", None) or LiveHub()
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(routes.router)
    app.include_router(station.router)
    app.include_router(screens_api.router)
    app.include_router(training_screens.router)  # 練習モード: the training store's stations
    app.include_router(events.router)
    app.include_router(plan_page.router)  # /office/plan, the capacity planner
    app.include_router(public.router)  # 窓口混雑状況: no login (web/public.py)
    app.include_router(outcomes_page.router)  # /office/outcomes, the council's figures
    watch_screens(app)  # a runtime built later (at start-up) is watched from the lifespan
