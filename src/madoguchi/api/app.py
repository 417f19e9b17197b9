"""The FastAPI application factory.

Nothing is built at import time. :func:`create_app` takes settings (or a runtime the
caller already built, as the tests do); without a runtime, the start-up builds one,
finishes whatever a crash left in flight (:func:`madoguchi.services.counter.recovery.recover`)
and, in demo mode, creates the demo staff and prints their credentials.
``uvicorn --factory madoguchi.api.app:app_from_env`` serves it from the environment.
"""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from madoguchi.api.errors import SECURITY_HEADERS, error_response, install_error_handlers
from madoguchi.api.openapi import install_openapi
from madoguchi.api.routes import (auth, catalog, close, health, incidents, journal, payments, reconcile, sales,
                                  sim, stations)
from madoguchi.api.routes import partial_refunds as partial_refund_routes
from madoguchi.api.routes import training as training_routes
from madoguchi.config import Settings
from madoguchi.services.runtime import Runtime

log = logging.getLogger("madoguchi.api")

#: Swagger UI and ReDoc are served from this server (fastapi-offline: a counter may have
#: no internet), but they configure themselves with an inline script.
_DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
             "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'")
_DOCS_PATHS = ("/docs", "/redoc")
MAX_BODY_BYTES = 64 * 1024


class SecurityHeaders:
    """Adds the security headers to every answer (a plain ASGI middleware: no body buffering)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = _DOCS_HEADERS if scope.get("path", "").startswith(_DOCS_PATHS) else _HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [(k, v) for k, v in message.get("headers", [])
                                      if k.lower() not in _LOWER_NAMES] + added
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _encoded(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


#: What every answer gets (built once: the middleware runs on every request).
_HEADERS = _encoded({**SECURITY_HEADERS, "Cache-Control": "no-store"})
_DOCS_HEADERS = _encoded({**SECURITY_HEADERS, "Content-Security-Policy": _DOCS_CSP})
_LOWER_NAMES = frozenset(name.lower().encode("latin-1") for name in SECURITY_HEADERS) | {b"cache-control"}


class BodyLimit:
    """Refuses request bodies above ``limit`` bytes with a 413 in the usual error shape.

    A declared Content-Length is refused before the app runs; a chunked body is
    counted as it arrives and stops the request when it passes the limit. ``uploads``
    gives larger limits to the few paths that take files (path prefix -> bytes).
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES, uploads: dict[str, int] | None = None) -> None:
        self.app, self.default, self.uploads = app, limit, dict(uploads or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.uploads.get(scope.get("path", ""), self.default)
        message = (f"the request body is larger than {limit // 1024} KiB" if limit < 1 << 20
                   else f"the upload is larger than {limit >> 20} MiB")
        declared = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if not declared.isdigit():
            await error_response(400, "bad_input", "Content-Length is not a number")(scope, receive, send)
            return
        if int(declared) > limit:
            await error_response(413, "too_large", message)(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            incoming = await receive()
            seen += len(incoming.get("body", b""))
            if seen > limit:
                raise HTTPException(413, message)
            return incoming

        await self.app(scope, counting_receive, send)


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """Build the HTTP application; ``runtime`` is used as given (tests), else built at start-up."""
    if settings is None:
        settings = runtime.settings if runtime is not None else Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "runtime", None) is None:
            app.state.runtime = start_runtime(settings)
            from madoguchi.web.presence import watch_screens  # hand-offs skip stations whose screen is gone
            watch_screens(app)
        await prepare_routes(app)
        yield

    app = FastAPIOffline(title="madoguchi", summary="Cash desk of a city hall: fee sales and payment stations",
                  version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.runtime = runtime
    install_error_handlers(app)
    install_openapi(app)
    app.add_middleware(BodyLimit, uploads={"/api/reconcile": settings.reconcile_upload_mib << 20})
    app.add_middleware(SecurityHeaders)  # added last: outermost, so it dresses every answer
    for module in (health, catalog, auth, sales, payments, incidents, stations, journal, close, reconcile):
        app.include_router(module.router)
    app.include_router(training_routes.router)  # 練習モード (issue 15)
    app.include_router(partial_refund_routes.router)  # partial refunds (issue 15)
    if settings.demo:
        app.include_router(sim.router)
    from madoguchi.web import install as install_screens  # the screens ride on the same app
    install_screens(app)
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


def start_runtime(settings: Settings) -> Runtime:
    """Build the runtime, finish what a crash left in flight; in demo mode load the simulated
    changers' float and create the demo staff."""
    from madoguchi.bootstrap import build_runtime, ensure_demo_staff, ensure_float
    from madoguchi.services.counter.recovery import recover

    from madoguchi.services.staff.login_guard import on_start as check_logins
    rt = build_runtime(settings)
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
    """For ``uvicorn --factory madoguchi.api.app:app_from_env``: settings from MADOGUCHI_*."""
    return create_app(Settings())
