"""JSON Lines read back from a file madoguchi wrote (anchors, an auditor's export): one
object a line, blank lines skipped, a bad line named by its line and column."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from madoguchi.errors import BadInput


def json_objects(text: str, *, source: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line of ``text``."""
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(f"{source}: line {lineno}, column {exc.colno}: not JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise BadInput(f"{source}: line {lineno}, column 1: a JSON object expected")
        yield lineno, record
