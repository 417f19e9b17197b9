"""The middleware every request passes: security headers on every answer, and the request body limit.

The two are one ASGI middleware (:class:`Guard`) because each middleware layer costs a
coroutine and a call on every request; they stay two separate steps inside it.
"""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from madoguchi.http.errors import SECURITY_HEADERS, error_response

#: Swagger UI and ReDoc are served from this server (fastapi-offline: a counter may have
#: no internet), but they configure themselves with an inline script.
_DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
             "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'")
_DOCS_PATHS = ("/docs", "/redoc")
MAX_BODY_BYTES = 64 * 1024


class Guard:
    """Adds the security headers to every answer (no body buffering), its own refusals
    included, and refuses request bodies above ``limit`` bytes with a 413 in the usual
    error shape.

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
        path = scope.get("path", "")
        send = _with_security_headers(path, send)

        limit = self.uploads.get(path, self.default)
        declared = b"0"
        for name, value in scope.get("headers", ()):  # the last one wins, as in a dict of them
            if name == b"content-length":
                declared = value
        if not declared.isdigit():
            await error_response(400, "bad_input", "Content-Length is not a number")(scope, receive, send)
            return
        if int(declared) > limit:
            await error_response(413, "too_large", _too_large(limit))(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            incoming = await receive()
            seen += len(incoming.get("body", b""))
            if seen > limit:
                raise HTTPException(413, _too_large(limit))
            return incoming

        await self.app(scope, counting_receive, send)


def _too_large(limit: int) -> str:
    """What a refused body is told (made only for a refusal: every request passes here)."""
    return (f"the request body is larger than {limit // 1024} KiB" if limit < 1 << 20
            else f"the upload is larger than {limit >> 20} MiB")


def _with_security_headers(path: str, send: Send) -> Send:
    """``send``, adding the security headers to the start of the answer."""
    added = _DOCS_HEADERS if path.startswith(_DOCS_PATHS) else _HEADERS
    replaced = _LOWER_NAMES
    if path.startswith("/public/"):  # the public board says how long it may be cached (web/public.py)
        added, replaced = _PUBLIC_HEADERS, _PUBLIC_NAMES

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [(k, v) for k, v in message.get("headers", [])
                                  if k.lower() not in replaced] + added
        await send(message)

    return send_with_headers


def _encoded(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


#: What every answer gets (built once: the middleware runs on every request).
_HEADERS = _encoded({**SECURITY_HEADERS, "Cache-Control": "no-store"})
_DOCS_HEADERS = _encoded({**SECURITY_HEADERS, "Content-Security-Policy": _DOCS_CSP})
_LOWER_NAMES = frozenset(name.lower().encode("latin-1") for name in SECURITY_HEADERS) | {b"cache-control"}
_PUBLIC_HEADERS = _encoded(SECURITY_HEADERS)
_PUBLIC_NAMES = _LOWER_NAMES - {b"cache-control"}
