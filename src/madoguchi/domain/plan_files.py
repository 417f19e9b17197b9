"""The capacity planner's two input files, read from their text (the caller opens them).

An **arrival profile** (``--profile FILE``) is plain text, one line per hour::

    # hour, residents arriving in that hour
    8,20
    9,45
    10,60

Two columns separated by a comma: the hour of the day (0–23; the hours must follow each
other with none skipped) and the arrivals in that hour (a number, 0 or more). Blank lines
and lines starting with ``#`` are ignored. A run longer than the profile repeats it.

**Recorded outcomes** (``--from-outcomes FILE``) is JSON of this shape, the part of
``madoguchi outcomes --json`` the planner needs::

    {"cashless_share": 0.23, "median_seconds_to_pay": {"cash": 31.0, "cashless": 14.5}}

Errors name the file, the line and the column (or the key), so a person can fix the file.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

from madoguchi.errors import BadInput


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_profile(text: str, *, name: str = "profile") -> tuple[float, ...]:
    """The arrivals per hour, in order, from a profile's text; :class:`BadInput` names
    ``name:line:column`` of the first mistake."""
    rates: list[float] = []
    last_hour: int | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cells = raw.split(",")
        if len(cells) != 2:
            raise BadInput(f"--profile: {name}:{number}: expected 2 columns (hour,arrivals), found {len(cells)}")
        hour_text, rate_text = cells[0].strip(), cells[1].strip()
        column2 = len(cells[0]) + 2
        if not hour_text.isdigit() or not 0 <= int(hour_text) <= 23:
            raise BadInput(f"--profile: {name}:{number}:1: {hour_text!r} is not an hour of the day (0-23)")
        hour = int(hour_text)
        if last_hour is not None and hour != last_hour + 1:
            raise BadInput(f"--profile: {name}:{number}:1: hour {hour} does not follow hour {last_hour}")
        rate = _number(rate_text)
        if rate is None or rate < 0:
            raise BadInput(f"--profile: {name}:{number}:{column2}: {rate_text!r} is not a number of "
                           "arrivals (0 or more)")
        rates.append(rate)
        last_hour = hour
    if not rates:
        raise BadInput(f"--profile: {name}: no hours in the file (lines of hour,arrivals)")
    if not any(rates):
        raise BadInput(f"--profile: {name}: every hour has 0 arrivals")
    return tuple(rates)


@dataclass(frozen=True, slots=True)
class Calibration:
    """Payment times and the cashless share as recorded at the city's own stations."""

    cashless_share: float
    cash_seconds: float
    cashless_seconds: float


def parse_outcomes(text: str, *, name: str = "outcomes") -> Calibration:
    """The calibration in a recorded-outcomes JSON document (shape in the module's docstring)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"--from-outcomes: {name}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise BadInput(f"--from-outcomes: {name}: expected a JSON object")
    medians = data.get("median_seconds_to_pay")
    if not isinstance(medians, dict):
        raise BadInput(f"--from-outcomes: {name}: key median_seconds_to_pay must be an object "
                       '{"cash": seconds, "cashless": seconds}')

    def number(value: object, key: str, low: float, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise BadInput(f"--from-outcomes: {name}: key {key} must be a number from {low:g} to {high:g}, "
                           f"not {value!r}")
        return float(value)

    return Calibration(cashless_share=number(data.get("cashless_share"), "cashless_share", 0, 1),
                       cash_seconds=number(medians.get("cash"), "median_seconds_to_pay.cash", 0.1, 3600),
                       cashless_seconds=number(medians.get("cashless"), "median_seconds_to_pay.cashless",
                                               0.1, 3600))
