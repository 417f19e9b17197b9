"""The one place where errors become HTTP answers.

Every answer that is not a success has the same shape, ``{"error": code, "message":
text}`` (plus ``params``, the values a screen's own text for the code needs, and the
error's ``public_details``, such as a refused close's ``findings``): a
:class:`~madoguchi.errors.MadoguchiError` keeps its own code and status;
bad input (wrong types, missing fields, malformed JSON) is a 422 ``bad_input`` that
names the field; an unknown route is a 404 ``not_found``; anything else is a bug,
logged with its traceback and answered with a 500 that shows no internals.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from madoguchi.errors import MadoguchiError, NotAuthenticated

log = logging.getLogger("madoguchi.api")

#: Headers every answer carries (also the 500s, which bypass the middleware).
SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                "script-src 'self'; object-src 'none'; base-uri 'self'; "
                                "form-action 'self'; frame-ancestors 'none'"),
}

_HTTP_CODES = {400: "bad_input", 401: "not_authenticated", 403: "permission_denied", 404: "not_found",
               405: "method_not_allowed", 406: "not_acceptable", 413: "too_large",
               415: "unsupported_media_type"}


def error_response(status: int, code: str, message: str,
                   headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **(extra or {})}, status_code=status, headers=headers)


def describe_validation(errors: Sequence[Any]) -> str:
    """``quantity: Input should be a valid integer; fee_code: Field required``.

    Never echoes the input value (it may be a password).
    """
    parts = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        if err.get("type") == "json_invalid":
            parts.append(f"body: malformed JSON ({err.get('ctx', {}).get('error', 'cannot parse')})")
            continue
        if loc and loc[0] == "body":
            loc = loc[1:]
        field = ".".join(loc) or "body"
        parts.append(f"{field}: {err.get('msg', 'invalid')}")
    return "; ".join(dict.fromkeys(parts)) or "the request is not valid"


async def _madoguchi_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MadoguchiError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, NotAuthenticated) else None
    extra = {k: exc.details[k] for k in exc.public_details if k in exc.details and k not in ("error", "message")}
    if exc.params:
        extra["params"] = exc.params
    return error_response(exc.http_status, exc.code, exc.message, headers, extra)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(422, "bad_input", describe_validation(exc.errors()))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    if exc.status_code == 404:
        message = f"nothing at {request.method} {request.url.path}"
    elif isinstance(exc.detail, str):
        message = exc.detail
    else:
        message = "the request cannot be served"
    return error_response(exc.status_code, code, message, dict(exc.headers or {}))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the log, never to the caller; the body is never logged.
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal", "unexpected error; it has been logged", SECURITY_HEADERS)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(MadoguchiError, _madoguchi_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
