"""The application: the HTTP API and the screens on one FastAPI app.

Nothing is built at import time. :func:`create_app` takes settings (or a runtime the
caller already built, as the tests do); without a runtime, the start-up builds one,
finishes whatever a crash left in flight (:func:`madoguchi.services.counter.recovery.recover`)
and, in demo mode, creates the demo staff and prints their credentials.
``uvicorn --factory madoguchi.app:app_from_env`` serves it from the environment.

This module is above both ``api/`` and ``web/``, which do not know each other: each
installs its routes (:func:`madoguchi.api.install`, :func:`madoguchi.web.install`).
"""
from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.types import Message, Scope

from madoguchi.api import install as install_api
from madoguchi.config import Settings
from madoguchi.http.errors import install_error_handlers
from madoguchi.http.middleware import Guard
from madoguchi.services.runtime import Runtime
from madoguchi.web import install as install_screens
from madoguchi.web.presence import watch_screens

if TYPE_CHECKING:
    from madoguchi.adapters.db.connect import Engine

log = logging.getLogger("madoguchi.api")


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None,
               server: bool = False) -> FastAPI:
    """Build the HTTP application; ``runtime`` is used as given (tests), else built at start-up.
    ``server``: the process is a server (``app_from_env``), whose start-up objects live as
    long as it does (see :func:`madoguchi.bootstrap.settle_heap`)."""
    if settings is None:
        settings = runtime.settings if runtime is not None else Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        built_here = getattr(app.state, "runtime", None) is None
        engine = None
        if built_here:
            from madoguchi.adapters.db.engine import make_engine
            engine = make_engine(settings.database_url)
            app.state.runtime = start_runtime(settings, engine=engine)
            watch_screens(app)  # hand-offs skip stations whose screen is gone
        await prepare_routes(app)
        if built_here and server:  # a test's app (and its engine) must stay collectable
            from madoguchi.bootstrap import settle_heap
            settle_heap()
        try:
            yield
        finally:
            if built_here and server:
                gc.unfreeze()
            if engine is not None:
                engine.dispose()  # its pooled and kept connections are closed now, not when collected

    app = FastAPIOffline(title="madoguchi", summary="Cash desk of a city hall: fee sales and payment stations",
                  version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.runtime = runtime
    install_error_handlers(app)
    # the security headers on every answer, and the request body limit
    app.add_middleware(Guard, uploads={"/api/reconcile": settings.reconcile_upload_mib << 20})
    install_api(app, demo=settings.demo)
    install_screens(app)  # the screens ride on the same app
    return app


async def prepare_routes(app: FastAPI) -> None:
    """Have FastAPI prepare every route now rather than on its first request.

    FastAPI works out each router's routes (signatures, dependencies) the first time a
    request is matched against them: tens of milliseconds, paid by the first callers
    after a restart. A request that no route takes, with a method no route allows, is
    matched against all of them and answered 404 here; no endpoint runs.
    """
    scope: Scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "TRACE",
                    "scheme": "http", "path": "/.prepare-routes", "raw_path": b"/.prepare-routes",
                    "root_path": "", "query_string": b"", "headers": [], "client": None, "server": None,
                    "state": {}}

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        return None

    await app.router(scope, receive, send)


def start_runtime(settings: Settings, *, engine: Engine | None = None) -> Runtime:
    """Build the runtime, finish what a crash left in flight; in demo mode load the simulated
    changers' float and create the demo staff."""
    from madoguchi.bootstrap import build_runtime, ensure_demo_staff, ensure_float
    from madoguchi.services.counter.recovery import recover
    from madoguchi.services.staff.login_guard import on_start as check_logins
    rt = build_runtime(settings, engine=engine)
    _announce_rule_findings(rt)
    check_logins(rt)  # the login key must be there (demo mode makes it); old login records go
    outcome = recover(rt)
    if outcome["payments"] or outcome["receipts"]:
        log.warning("recovered after restart: %s payments settled, %s receipts printed",
                    len(outcome["payments"]), outcome["receipts"])
    if settings.demo:
        loaded = ensure_float(rt)  # simulated changers start empty; the float is journalled
        if loaded:
            log.warning("demo: opening float loaded into %s", ", ".join(loaded))
        accounts = ensure_demo_staff(rt)
        print("madoguchi demo mode: simulated devices; demo accounts (login / password):", flush=True)
        for login, role, password in accounts:
            print(f"  {login:<11} {role:<11} {password}", flush=True)
    return rt


def _announce_rule_findings(rt: Runtime) -> None:
    """A brand offered without a fee rate in the month-close rules is said loudly at start-up."""
    from madoguchi.domain.receipt import business_date
    from madoguchi.services.reconcile.rules_check import rate_findings

    for f in rate_findings(rt.settings.reconcile_rules_path, business_date(rt.clock())):
        log.warning("month-close rules: %s", f["message"])
        print(f"madoguchi: 月次処理の規則 [{f['code']}] {f['message_ja']}", flush=True)


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory madoguchi.app:app_from_env``: settings from MADOGUCHI_*."""
    return create_app(Settings(), server=True)
