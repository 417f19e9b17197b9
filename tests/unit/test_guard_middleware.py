"""The request guard (:class:`madoguchi.http.middleware.Guard`): its refusals, exactly.

Driven as a bare ASGI app around a stub, so that each case sees the guard alone."""
from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from madoguchi.http.middleware import Guard


async def _stub(scope: Scope, receive: Receive, send: Send) -> None:
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


def _call(headers: list[tuple[bytes, bytes]], chunks: list[bytes], path: str = "/api/sales",
          uploads: dict[str, int] | None = None) -> tuple[int, dict[bytes, bytes], Any]:
    guard = Guard(_stub, limit=1024, uploads=uploads)
    scope = {"type": "http", "method": "POST", "path": path, "headers": headers}
    incoming = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    # In a thread of its own: another test's event loop may be running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, guard(scope, receive, send)).result()
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], dict(sent[0]["headers"]), body


def test_a_body_within_the_limit_passes_with_the_security_headers() -> None:
    status, headers, body = _call([(b"content-length", b"3")], [b"abc"])
    assert (status, body) == (200, b"ok")
    assert headers[b"x-frame-options"] == b"DENY" and headers[b"cache-control"] == b"no-store"


def test_a_declared_length_above_the_limit_is_refused_before_the_app_runs() -> None:
    status, headers, body = _call([(b"content-length", b"1025")], [b""])
    assert status == 413
    assert json.loads(body) == {"error": "too_large", "message": "the request body is larger than 1 KiB"}
    assert headers[b"x-content-type-options"] == b"nosniff"


def test_a_length_that_is_not_a_number_is_bad_input() -> None:
    status, _, body = _call([(b"content-length", b"12x")], [b""])
    assert status == 400
    assert json.loads(body) == {"error": "bad_input", "message": "Content-Length is not a number"}


def test_the_last_content_length_counts_as_before() -> None:
    # The headers were read as a dict (the last of a repeated name wins); still so.
    assert _call([(b"content-length", b"3"), (b"content-length", b"2000")], [b"abc"])[0] == 413


def test_an_upload_path_has_its_own_limit_in_mib() -> None:
    status, _, body = _call([(b"content-length", str(3 << 20).encode())], [b""], path="/api/reconcile",
                            uploads={"/api/reconcile": 2 << 20})
    assert status == 413
    assert json.loads(body)["message"] == "the upload is larger than 2 MiB"
    assert _call([(b"content-length", b"2000")], [b"x" * 2000], path="/api/reconcile",
                 uploads={"/api/reconcile": 2 << 20})[0] == 200
