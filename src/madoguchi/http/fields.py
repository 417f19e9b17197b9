"""The field types both the HTTP API and the screens' own API accept.

Inputs are strict: whole numbers must be JSON integers (``1.5`` and ``"2"`` are
refused, never truncated), free text is bounded and free of control characters, and
codes are short ASCII.
"""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from madoguchi.domain.money import DENOMINATIONS

# --- building blocks ---------------------------------------------------------------------
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
#: A site, station, fee or brand code: short ASCII, safe in any database.
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]


def _printable(value: str) -> str:
    # NUL cannot be stored by PostgreSQL, and no control character belongs in a note.
    if any(ord(c) < 32 and c not in "\n\t" or ord(c) == 127 for c in value):
        raise ValueError("control characters are not allowed")
    return value


def text(max_length: int, min_length: int = 0) -> Any:
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length),
                     AfterValidator(_printable)]


def _denomination(value: int) -> int:
    if value not in DENOMINATIONS:
        raise ValueError(f"not a yen denomination (use {', '.join(map(str, DENOMINATIONS))})")
    return value


Denomination = Annotated[int, Field(strict=True), AfterValidator(_denomination)]
#: Checks free text: no control characters (but newlines and tabs).
Printable = AfterValidator(_printable)
# The common ones, spelt out so that type checkers see them as ``str``; ``text(...)`` is the
# same for other bounds.
Login = Annotated[str, StringConstraints(min_length=1, max_length=64), Printable]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024), Printable]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=200), Printable]
Note = Annotated[str, StringConstraints(max_length=500), Printable]
ExemptionNote = Annotated[str, StringConstraints(max_length=200), Printable]
Evidence = Annotated[str, StringConstraints(min_length=1, max_length=500), Printable]
Reference = Annotated[str, StringConstraints(max_length=64), Printable]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- auth --------------------------------------------------------------------------------
