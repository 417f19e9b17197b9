"""The HTTP API: thin routers, schemas apart from the tables; :func:`install` adds them to
the application (:mod:`madoguchi.app`). What the screens share with it is in
:mod:`madoguchi.http`."""
from __future__ import annotations

from fastapi import FastAPI

from madoguchi.api.openapi import install_openapi
from madoguchi.api.routes import (
    auth,
    catalog,
    close,
    health,
    incidents,
    journal,
    payments,
    reconcile,
    sales,
    sim,
    stations,
)
from madoguchi.api.routes import partial_refunds as partial_refund_routes
from madoguchi.api.routes import training as training_routes


def install(app: FastAPI, *, demo: bool) -> None:
    """Add the API's routes to ``app`` (the simulator panel's only in demo mode) and its OpenAPI."""
    install_openapi(app)
    for module in (health, catalog, auth, sales, payments, incidents, stations, journal, close, reconcile):
        app.include_router(module.router)
    app.include_router(training_routes.router)  # 練習モード (issue 15)
    app.include_router(partial_refund_routes.router)  # partial refunds (issue 15)
    if demo:
        app.include_router(sim.router)
