"""The worker threads the API's blocking work runs in (endpoints, session look-ups).

Starlette's ``run_in_threadpool`` goes through anyio: a capacity limiter, a cancel scope,
task-local look-ups and two checkpoints on every call, which cost about as much event-loop
time as the rest of a counter request's routing. :func:`run_in_thread` hands the call to
one :class:`~concurrent.futures.ThreadPoolExecutor` through asyncio directly, with what
matters kept: at most :data:`MAX_THREADS` calls run at once (anyio's default), the call sees
the caller's context variables, and its exception is raised to the caller.

Cancellation: a call that has started always runs to its end (the service work finishes
or rolls back in its own unit of work); a call still waiting for a free thread when its
request is cancelled does not start. Uvicorn does not cancel a request whose client leaves.
"""
from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

#: As many as anyio lets run at once by default (its default capacity limiter).
MAX_THREADS = 40


@functools.cache
def _pool() -> ThreadPoolExecutor:
    """The one pool of the process, made on first use (its threads start as work comes)."""
    return ThreadPoolExecutor(max_workers=MAX_THREADS, thread_name_prefix="madoguchi-api")


async def run_in_thread(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` run in a worker thread, in a copy of the caller's context."""
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_pool(), call)
