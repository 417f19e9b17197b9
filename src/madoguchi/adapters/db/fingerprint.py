"""The fingerprint of an idempotent request: what a repeat of the same id must match."""
from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson

_FINGERPRINT_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def fingerprint(request: dict[str, Any]) -> str:
    """SHA-256 of the request as sorted-key JSON: what a repeat of the same id must match."""
    return hashlib.sha256(orjson.dumps(request, option=_FINGERPRINT_OPTIONS, default=str)).hexdigest()


def legacy_fingerprint(request: dict[str, Any]) -> str:
    """The fingerprint as stored before 2026-12 (``json`` with its default separators): a
    retry whose first attempt was remembered by an older version still matches it."""
    text = json.dumps(request, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
