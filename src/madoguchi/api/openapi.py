"""The OpenAPI document: every operation also declares the error answers the API gives.

FastAPI lists only the success and its own validation error (in a shape we do not send).
Every operation (the ``/api`` ones and the station screen's) can also be answered, in the
one error shape ``{"error", "message"}`` of :mod:`madoguchi.http.errors`: 401 (no session),
403 (the role or site may not), 404, 409 (the world is not in a state that allows it), 422
(bad input, naming the field) and 429 (too many failed logins).
Clients and the fuzzing test (schemathesis) read them here.
"""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERRORS: dict[int, str] = {
    401: "Not logged in, or the session has ended",
    403: "The role or the site may not do this (or the CSRF token is missing)",
    404: "Nothing by that id",
    409: "The request is valid but the world is not in a state that allows it",
    422: "Bad input: the message names the field (and line and column for files)",
    429: "Too many failed logins: the answer says until when",
}
ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error", "type": "object", "required": ["error", "message"],
    "properties": {"error": {"type": "string", "description": "a stable machine code"},
                   "message": {"type": "string", "description": "what went wrong, in English (screens "
                               "speak from the code and params)"},
                   "params": {"type": "object", "description": "values the code's text needs"}},
    "additionalProperties": True,
}


def install_openapi(app: FastAPI) -> None:
    """Replace ``app.openapi`` by one that adds the error answers to every operation."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, summary=app.summary,
                             description=app.description, routes=app.routes)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        answer = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for path, item in schema.get("paths", {}).items():
            if path == "/healthz":  # the health check answers 200 or 503, nothing else
                continue
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                for code, text in ERRORS.items():
                    responses[str(code)] = {"description": text, "content": answer}
        schema["components"]["schemas"].pop("HTTPValidationError", None)
        schema["components"]["schemas"].pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
