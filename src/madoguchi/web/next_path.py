"""Where the login page may send the browser afterwards: a path of this site, nothing else.

``/login?next=...`` comes from anyone (a link in a mail), so it is an open redirect
unless it is checked. Browsers are lenient: they read ``\\`` as ``/``, drop tabs and
newlines inside a URL and strip leading control characters and spaces, so
``/\\evil.example/`` and ``/\\t/evil.example`` both leave the site. Only a path that
starts with a single ``/``, holds no backslash, no control character and no
whitespace, and has no scheme or host once parsed is kept; anything else becomes ``/``.
"""
from __future__ import annotations

from urllib.parse import urlsplit

HOME = "/"
MAX_LENGTH = 200


def same_origin_path(value: str | None) -> str:
    """``value`` if it is a path of this site, else ``/``."""
    if not value or len(value) > MAX_LENGTH or not value.startswith("/") or value.startswith("//"):
        return HOME
    if "\\" in value or any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in value):
        return HOME
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return HOME
    return value
