"""The route class of the API's routers: a plain (blocking) endpoint costs one thread hop.

FastAPI runs a ``def`` endpoint in the thread pool, and then sends its answer back to
the thread pool once more to be checked against the response model. Each hop wakes a
worker thread and waits for the event loop again, which under load costs more than the
checking itself. :class:`ThreadedRoute` wraps a ``def`` endpoint in a coroutine that
runs it in the pool once; FastAPI then checks and serialises the answer in the event
loop. The endpoint is called with the same arguments in the same kind of thread as
before, and its signature (parameters, dependencies, docs) is the one FastAPI reads.
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool


def in_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """A coroutine function running ``endpoint`` in the thread pool (``__wrapped__`` keeps its signature)."""

    @functools.wraps(endpoint)
    async def run(**kwargs: Any) -> Any:
        return await run_in_threadpool(endpoint, **kwargs)

    return run


class ThreadedRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not (inspect.iscoroutinefunction(endpoint) or inspect.isasyncgenfunction(endpoint)
                or inspect.isgeneratorfunction(endpoint)):
            endpoint = in_thread(endpoint)
        super().__init__(path, endpoint, **kwargs)
