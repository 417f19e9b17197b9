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

#: The routers, in the order /docs lists them. A request is matched against them in this
#: order too; each one (an :class:`~madoguchi.api.routing.ApiRouter`) turns away at once a
#: path none of its routes begins with, so the order costs the counter's calls nothing.
ROUTERS = (health.router, catalog.router, auth.router, sales.router, payments.router, incidents.router,
           stations.router, journal.router, close.router, reconcile.router,
           training_routes.router,  # 練習モード (issue 15)
           partial_refund_routes.router,  # partial refunds (issue 15)
           sim.router)  # the simulator panel: demo mode only


def install(app: FastAPI, *, demo: bool) -> None:
    """Add the API's routes to ``app`` (the simulator panel's only in demo mode) and its OpenAPI."""
    install_openapi(app)
    for router in ROUTERS:
        if router is not sim.router or demo:
            app.include_router(router)
