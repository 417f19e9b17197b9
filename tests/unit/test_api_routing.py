"""The API's router turns away paths none of its routes can match; blocking work runs in a worker thread."""
from __future__ import annotations

import asyncio
import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from madoguchi.api.routing import ApiRouter
from madoguchi.http.threads import run_in_thread

who = contextvars.ContextVar("who", default="nobody")


def _app() -> FastAPI:
    sales, payments = ApiRouter(prefix="/api/sales"), ApiRouter(prefix="/api")

    @sales.get("/{sale_id}")
    def sale(sale_id: str) -> dict[str, str]:
        return {"sale": sale_id, "thread": threading.current_thread().name}

    @payments.post("/payments/cash")
    def cash() -> dict[str, str]:
        return {"paid": "cash"}

    app = FastAPI()
    app.include_router(sales)
    app.include_router(payments)
    return app


def test_a_router_turns_away_a_path_that_none_of_its_routes_begins_with() -> None:
    router = ApiRouter(prefix="/api/sales")
    router.add_api_route("/{sale_id}", lambda sale_id: None)
    scope = {"type": "http", "method": "GET", "path": "/api/payments/cash", "root_path": ""}
    assert router.matches(scope)[0].name == "NONE"


def test_requests_reach_the_same_routes_and_errors_as_before() -> None:
    client = TestClient(_app())
    answer = client.get("/api/sales/s1")
    assert answer.status_code == 200 and answer.json()["sale"] == "s1"
    assert answer.json()["thread"].startswith("madoguchi-api")
    assert client.post("/api/payments/cash").json() == {"paid": "cash"}
    assert client.get("/api/payments/cash").status_code == 405
    assert client.get("/api/nothing").status_code == 404
    redirect = client.get("/api/sales/s1/", follow_redirects=False)
    assert redirect.status_code == 307 and redirect.headers["location"].endswith("/api/sales/s1")


def test_work_in_a_thread_sees_the_callers_context_and_raises_its_errors() -> None:
    def read(suffix: str) -> str:
        return who.get() + suffix

    def fail() -> None:
        raise ValueError("no")

    async def main() -> str:
        who.set("clerk")
        with pytest.raises(ValueError, match="no"):
            await run_in_thread(fail)
        return await run_in_thread(read, "!")

    # On an event loop of its own, in a thread of its own: a browser test's session (Playwright's
    # sync API) may keep an event loop running in this thread for the rest of the run.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, main()).result() == "clerk!"
