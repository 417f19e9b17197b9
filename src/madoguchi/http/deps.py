"""What a route needs from the request: the runtime, and who is asking.

A session is a cookie (``madoguchi_session``, HttpOnly, SameSite=Strict) or a bearer
token (``Authorization: Bearer ...``, what /docs "Authorize" gives). A write made with
the cookie must echo the session's CSRF token in ``X-CSRF-Token``: a page on another
site can make the browser send the cookie, but cannot read the token. Bearer requests
need no CSRF token, since a browser never adds that header on its own.

The dependencies are coroutines: FastAPI would run each plain one in the thread pool.
A session checked within the last seconds is answered from memory in the event loop
(:func:`madoguchi.services.staff.accounts.cached_authentication`); otherwise the database is
asked in a worker thread (:mod:`madoguchi.http.threads`).

They are also flat: FastAPI solves every node of a route's dependency tree on every
request, so each one costs a little on every call. The runtime is read from the app's
state directly rather than through a dependency of its own, and the actor is one
dependency (:data:`current_actor`) rather than actor -> session -> runtime + bearer.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from madoguchi.domain.auth import Actor
from madoguchi.errors import PermissionDenied
from madoguchi.http.threads import run_in_thread
from madoguchi.services.runtime import Runtime
from madoguchi.services.staff import accounts as staff

SESSION_COOKIE = "madoguchi_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: Makes /docs show the "Authorize" button (OAuth2 password flow against /api/auth/token).
TOKEN_URL = "/api/auth/token"
oauth2_scheme = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:  # the lifespan did not run: a deployment bug, not the caller's
        raise RuntimeError("the application runtime is not started")
    return runtime


async def get_runtime(request: Request) -> Runtime:
    return runtime_of(request)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True)
class Session:
    actor: Actor
    token: str
    via: str  # cookie | bearer
    csrf_token: str | None
    display_name: str = ""


async def _checked_session(request: Request, bearer: str | None) -> Session:
    """The session the request carries (bearer first, else the cookie), CSRF checked for a
    cookie write; raises when there is none or it has ended."""
    if bearer:
        token, via = bearer, "bearer"
    else:
        token, via = request.cookies.get(SESSION_COOKIE, ""), "cookie"
    rt = runtime_of(request)
    auth = staff.cached_authentication(rt, token)
    if auth is None:
        auth = await run_in_thread(staff.authenticate, rt, token)
    if via == "cookie" and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not auth.csrf_token or not secrets.compare_digest(sent.encode(), auth.csrf_token.encode()):
            raise CsrfFailed(f"a write with the session cookie needs the {CSRF_HEADER} header "
                             "given at login; reload the page and try again")
    return Session(auth.actor, token, via, auth.csrf_token, auth.display_name)


async def current_session(request: Request,
                          bearer: Annotated[str | None, Depends(oauth2_scheme)]) -> Session:
    return await _checked_session(request, bearer)


SessionDep = Annotated[Session, Depends(current_session)]


class _ActorOfSession(OAuth2PasswordBearer):
    """The bearer scheme of :data:`oauth2_scheme` answering with the session's actor.

    One dependency node instead of three (actor -> session -> bearer), with the same
    checks as :data:`SessionDep`. Being the same kind of security scheme, under the same
    name, it keeps the route's security requirement (the /docs "Authorize" button).
    """

    async def __call__(self, request: Request) -> Actor:  # type: ignore[override]
        return (await _checked_session(request, await super().__call__(request))).actor


current_actor = _ActorOfSession(tokenUrl=TOKEN_URL, scheme_name=oauth2_scheme.scheme_name, auto_error=False)
ActorDep = Annotated[Actor, Depends(current_actor)]


#: Where a counter request names its station or its sale (path, query or JSON body).
_COUNTER_KEYS = {"staff_station": "staff_station", "station_id": "payment_station", "sale_id": "sale_id",
                 "payment_id": "payment_id", "refund_id": "refund_id"}


async def counter_runtime(request: Request) -> Runtime:
    """The runtime a counter request belongs to: the training store (練習モード) when its
    station trains or its sale is a training sale, else the real one. With no station in
    training (the usual case, known from memory) it costs nothing."""
    from madoguchi.services.counter import training
    rt = runtime_of(request)
    if training.modes_known_idle(rt):
        return rt
    found: dict[str, str] = {}
    for source in (request.path_params, request.query_params):
        for key, arg in _COUNTER_KEYS.items():
            if isinstance(source.get(key), str):
                found.setdefault(arg, source[key])
    if request.method not in SAFE_METHODS and request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()  # already read by FastAPI: no second read
        except ValueError:
            body = None  # the route's own validation answers bad JSON
        if isinstance(body, dict):
            for key in ("staff_station", "sale_id"):
                if isinstance(body.get(key), str):
                    found.setdefault(key, body[key])
    return await run_in_thread(training.runtime_for, rt, **found)


CounterRuntimeDep = Annotated[Runtime, Depends(counter_runtime)]


@dataclass(frozen=True)
class Counter:
    """Who asks, and the runtime (real or training) a counter request belongs to."""
    actor: Actor
    rt: Runtime


class _CounterOfSession(OAuth2PasswordBearer):
    """:data:`ActorDep` and :data:`CounterRuntimeDep` as one dependency node, checked in
    that order; a security scheme like :data:`current_actor`, for the same reason."""

    async def __call__(self, request: Request) -> Counter:  # type: ignore[override]
        actor = (await _checked_session(request, await super().__call__(request))).actor
        return Counter(actor, await counter_runtime(request))


current_counter = _CounterOfSession(tokenUrl=TOKEN_URL, scheme_name=oauth2_scheme.scheme_name, auto_error=False)
CounterDep = Annotated[Counter, Depends(current_counter)]
