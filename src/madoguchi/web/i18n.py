"""Every text a person reads on the screens, one catalog per language.

Catalogs are TOML files in ``web/i18n/`` (``ja.toml`` first: Japanese is the
default and the fallback). Keys are dotted, by screen: ``station.*`` is what the
resident reads at a payment station and exists in every language (ja/en/zh/ko);
``register.*``, ``office.*``, ``login.*`` and ``pair.*`` are for staff and exist in
Japanese. Templates call ``t("key", **params)``; scripts get the keys of their
screen as a JSON data block (see :func:`bundle`) and format them the same way.
A key missing from Japanese is a bug and raises, so a typo fails a test.
"""
from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

CATALOG_DIR = Path(__file__).parent / "i18n"
DEFAULT = "ja"
#: The languages a resident can choose at a payment station, in button order.
STATION_LANGUAGES = ("ja", "en", "zh", "ko")
#: BCP 47 tags for the ``lang`` attribute, so each script gets its own glyph shapes.
HTML_LANG = {"ja": "ja", "en": "en", "zh": "zh-Hans", "ko": "ko"}


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, f"{name}."))
        elif isinstance(value, str):
            out[name] = value
        else:
            raise ValueError(f"i18n: {name} must be text, got {type(value).__name__}")
    return out


@cache
def catalog(lang: str) -> dict[str, str]:
    """The flat ``key -> text`` table of one language (empty when there is no file)."""
    path = CATALOG_DIR / f"{lang}.toml"
    if lang not in STATION_LANGUAGES or not path.exists():
        return {}
    with path.open("rb") as fh:
        return _flatten(tomllib.load(fh))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def t(key: str, lang: str = DEFAULT, /, **params: Any) -> str:
    """The text of ``key`` in ``lang`` (Japanese when that language lacks it), formatted."""
    text = catalog(lang).get(key)
    if text is None:
        text = catalog(DEFAULT)[key]  # KeyError: the key is not in the catalog at all
    return text.format(**params) if params else text


def bundle(lang: str, prefixes: Iterable[str]) -> dict[str, str]:
    """The keys under ``prefixes`` in ``lang``, Japanese filling any gap (for a script)."""
    wanted = tuple(f"{p}." for p in prefixes)
    base = {k: v for k, v in catalog(DEFAULT).items() if k.startswith(wanted)}
    own = {k: v for k, v in catalog(lang).items() if k.startswith(wanted)}
    return base | own


def language(requested: str | None) -> str:
    return requested if requested in STATION_LANGUAGES else DEFAULT
