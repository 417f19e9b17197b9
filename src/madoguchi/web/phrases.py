"""Japanese line breaks between phrases, never inside a word (BudouX).

CSS ``word-break: keep-all`` keeps a run of kana and kanji together, but Japanese has
no spaces, so the browser then has nowhere sensible to break a long sentence. BudouX
(Google's phrase segmenter, a small model shipped with the package) finds the phrase
boundaries; we mark them so the screens break there only: 「クレジットカードを｜差し込むか、」,
never 「クレジットカ｜ード」.

- :func:`phrased` marks the boundaries of a text with :data:`WBR` (a zero-width space),
  leaving ``{placeholders}`` whole. Scripts turn each mark into a ``<wbr>`` element
  (``h()`` in ``static/common-dom.js``), so the text a person or a test reads is unchanged.
- :func:`wbr` gives the same text as HTML with ``<wbr>`` for a template.
"""
from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import budoux
from markupsafe import Markup, escape

#: The phrase-boundary mark carried in texts for scripts (zero-width space).
WBR = "\u200b"


@cache
def _parser() -> Any:
    return budoux.load_default_japanese_parser()


def _split(literal: str) -> list[str]:
    return _parser().parse(literal) if literal.strip() else [literal]


def phrased(text: str) -> str:
    """``text`` with a :data:`WBR` at each phrase boundary ({placeholders} stay whole)."""
    out: list[str] = []
    for literal, field, spec, conversion in string.Formatter().parse(text):
        out.append(WBR.join(_split(literal)) if literal else "")
        if field is not None:
            out.append("{" + field + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}")
    return "".join(out)


def phrased_texts(texts: Mapping[str, str], keys: Iterable[str] | None = None) -> dict[str, str]:
    """A text bundle with the phrase marks in (all keys, or only ``keys``)."""
    only = set(keys) if keys is not None else None
    return {k: (phrased(v) if only is None or k in only else v) for k, v in texts.items()}


def wbr(text: str) -> Markup:
    """``text`` as HTML, escaped, with ``<wbr>`` between its phrases (for templates)."""
    return Markup("<wbr>").join(escape(p) for p in _split(text))
