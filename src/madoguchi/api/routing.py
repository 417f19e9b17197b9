"""The router and route classes of the API: cheaper matching, and one thread hop per endpoint.

FastAPI runs a ``def`` endpoint in the thread pool, and then sends its answer back to
the thread pool once more to be checked against the response model. Each hop wakes a
worker thread and waits for the event loop again, which under load costs more than the
checking itself. :class:`ThreadedRoute` wraps a ``def`` endpoint in a coroutine that
runs it in the pool once (:func:`madoguchi.http.threads.run_in_thread`); FastAPI then
checks and serialises the answer in the event loop. The endpoint is called with the
same arguments in the same kind of thread as before, and its signature (parameters,
dependencies, docs) is the one FastAPI reads.

FastAPI matches a request against the routes of every included router in turn, each
attempt costing some bookkeeping, until one takes it. :class:`ApiRouter` answers "not
mine" at once for a path that none of its routes can match (see :meth:`ApiRouter.matches`).
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette._utils import get_route_path  # the path the routes match (the one Starlette's use)
from starlette.routing import Match
from starlette.types import Scope

from madoguchi.http.threads import run_in_thread


def in_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """A coroutine function running ``endpoint`` in the thread pool (``__wrapped__`` keeps its signature)."""

    @functools.wraps(endpoint)
    async def run(**kwargs: Any) -> Any:
        return await run_in_thread(endpoint, **kwargs)

    return run


class ThreadedRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not (inspect.iscoroutinefunction(endpoint) or inspect.isasyncgenfunction(endpoint)
                or inspect.isgeneratorfunction(endpoint)):
            endpoint = in_thread(endpoint)
        super().__init__(path, endpoint, **kwargs)


class ApiRouter(APIRouter):
    """An :class:`~fastapi.APIRouter` of :class:`ThreadedRoute` that turns away, before trying
    its routes one by one, a path none of them can match.

    A route's path is literal text up to its first ``{parameter}`` (``/api/sales/`` for
    ``/api/sales/{sale_id}/lines``), and the route matches only paths that begin with that
    text. Requests are matched against the routers in turn, so most routers see most
    requests (a payment is first tried against every sales route): one ``startswith`` per
    router replaces those attempts. It assumes the router is included without a prefix
    of its own (:func:`madoguchi.api.install`), so that its routes' paths are the paths served.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("route_class", ThreadedRoute)
        super().__init__(**kwargs)
        self._heads: tuple[str, ...] = ()
        self._heads_of = -1  # len(self.routes) when _heads was worked out

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if len(self.routes) != self._heads_of:  # routes are added after the router is made
            self._heads = tuple(getattr(route, "path", "").split("{", 1)[0] for route in self.routes)
            self._heads_of = len(self.routes)
        if not get_route_path(scope).startswith(self._heads):
            return Match.NONE, {}
        return super().matches(scope)
