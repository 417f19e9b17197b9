"""The public pages: no login, nothing about a person (docs/congestion.md).

- ``/public/congestion``: 窓口混雑状況, each site's queue for the payment stations, the
  estimated wait and a three-colour lamp, in Japanese or English (``?lang=en``); its
  script re-reads the JSON below every few seconds, so the page follows the queue
  without a reload.
- ``/public/congestion.json``: the same figures, machine-readable.

Both are cacheable (``Cache-Control: public, max-age``, an ETag, Last-Modified) and limited
per client address (429 with Retry-After); the figures are counted at most once per
``congestion_cache_seconds`` however many phones ask (``web/public_guard.py``).
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from madoguchi.domain.receipt import JST
from madoguchi.http.deps import RuntimeDep, client_address
from madoguchi.http.errors import error_response
from madoguchi.services.outcomes.congestion import board_json
from madoguchi.services.runtime import Runtime
from madoguchi.web import i18n
from madoguchi.web.public_guard import BoardCache, Snapshot, TokenBuckets
from madoguchi.web.routes import TEMPLATES

router = APIRouter(include_in_schema=False)
#: The public page's languages, in the switch's order.
LANGUAGES = ("ja", "en")
#: The texts the page's script needs.
SCRIPT_KEYS = ("public",)


def _guards(request: Request) -> tuple[BoardCache, TokenBuckets]:
    state = request.app.state
    if getattr(state, "public_board", None) is None:
        state.public_board, state.public_buckets = BoardCache(), TokenBuckets()
    return state.public_board, state.public_buckets


def _limited(request: Request, rt: Runtime, buckets: TokenBuckets) -> Response | None:
    wait = buckets.take(rt, client_address(request))
    if not wait:
        return None
    return error_response(429, "rate_limited", f"too many requests from this address; retry in {wait} s",
                          headers={"Retry-After": str(wait), "Cache-Control": "no-store"})


def _cache_headers(rt: Runtime, snap: Snapshot) -> dict[str, str]:
    return {"Cache-Control": f"public, max-age={rt.settings.congestion_cache_seconds}",
            "Last-Modified": snap.last_modified}


def _not_modified(request: Request, snap: Snapshot) -> bool:
    tags = {t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")}
    return snap.etag in tags or "*" in tags


@router.get("/public/congestion.json")
def congestion_json(request: Request, rt: RuntimeDep) -> Response:
    board, buckets = _guards(request)
    refused = _limited(request, rt, buckets)
    if refused is not None:
        return refused
    snap = board.get(rt)
    headers = _cache_headers(rt, snap) | {"ETag": snap.etag}  # the page's body differs: no ETag there
    if _not_modified(request, snap):
        return Response(status_code=304, headers=headers)
    return Response(snap.body, media_type="application/json", headers=headers)


@router.get("/public/congestion")
def congestion_page(request: Request, rt: RuntimeDep,
                    lang: Annotated[str, Query(max_length=8)] = i18n.DEFAULT) -> Response:
    board, buckets = _guards(request)
    refused = _limited(request, rt, buckets)
    if refused is not None:
        return refused
    lang = lang if lang in LANGUAGES else i18n.DEFAULT
    snap = board.get(rt)
    context: dict[str, Any] = {
        "lang": lang, "html_lang": i18n.HTML_LANG[lang], "board": snap.board,
        "municipality": rt.places.municipality, "updated": _clock_time(snap.board.updated_at),
        "languages": [(code, i18n.t("station.lang_name", code)) for code in LANGUAGES],
        "boot": {"lang": lang, "refresh_seconds": max(5, rt.settings.congestion_cache_seconds),
                 "texts": i18n.bundle(lang, SCRIPT_KEYS), "board": board_json(snap.board)},
    }
    page = TEMPLATES.TemplateResponse(request, "public_congestion.html", context)
    page.headers.update(_cache_headers(rt, snap))
    return page


def _clock_time(moment: dt.datetime) -> str:
    return moment.astimezone(JST).strftime("%H:%M")
