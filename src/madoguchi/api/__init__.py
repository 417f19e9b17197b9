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

#: The routers as /docs lists them.
READING_ORDER = (health.router, catalog.router, auth.router, sales.router, payments.router, incidents.router,
                 stations.router, journal.router, close.router, reconcile.router,
                 training_routes.router,  # 練習モード (issue 15)
                 partial_refund_routes.router,  # partial refunds (issue 15)
                 sim.router)  # the simulator panel: demo mode only
#: A request is matched against the routes in the order they were added, router by router,
#: until one takes it: the counter's own calls go first. No path of these routers is also a
#: path of another's, so the order changes no answer.
MATCHED_FIRST = (sales.router, payments.router, sim.router)


def install(app: FastAPI, *, demo: bool) -> None:
    """Add the API's routes to ``app`` (the simulator panel's only in demo mode) and its OpenAPI."""
    install_openapi(app, reading_order=READING_ORDER)
    in_order = (*MATCHED_FIRST, *(router for router in READING_ORDER if router not in MATCHED_FIRST))
    for router in in_order:
        if router is not sim.router or demo:
            app.include_router(router)
