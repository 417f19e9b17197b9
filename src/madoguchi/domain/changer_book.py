"""The changer's inventory as the journal tells it, by denomination, and where the machine differs.

No I/O. A payment station's changer starts its business day empty (the close takes out
what it held), so the journal entries of one station-day say what it should hold, note
by note and coin by coin::

    float + cash in - cash out + (notes and coins inserted - change paid) per cash sale
          - what a cash refund paid out

Each movement of cash without a sale journals its counts; a cash sale journals what the
resident put in and what the machine gave back (``cash_counts``), a cash refund what it
paid out (``counts``). The opening float also journals what the machine held just before
it was loaded (``machine_before``), so the opening is checked as well as the close.

An entry from before the counts were journalled (or a payment finished by recovery,
which cannot know them) makes the day's counts unknown from then on: the close then
checks the total only (``machine_differs``), never guesses.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from madoguchi.domain.close import Finding, Severity
from madoguchi.domain.money import DENOMINATIONS


@dataclass(frozen=True, slots=True)
class CountDifference:
    """One denomination where the machine and the journal disagree."""

    denomination: int
    machine: int
    journal: int
    at_opening: bool = False


@dataclass(frozen=True, slots=True)
class ChangerBook:
    counts: Mapping[int, int] | None           # None: some cash moved without its denominations
    opening: tuple[CountDifference, ...] = ()  # found when the float was loaded


def _counts(raw: object) -> dict[int, int] | None:
    if not isinstance(raw, Mapping):
        return None
    try:
        return {int(d): int(n) for d, n in raw.items()}
    except (TypeError, ValueError):
        return None


def differences(machine: Mapping[int, int], book: Mapping[int, int], *,
                at_opening: bool = False) -> tuple[CountDifference, ...]:
    """Every denomination whose count in ``machine`` is not the one in ``book``, largest first."""
    return tuple(CountDifference(d, machine.get(d, 0), book.get(d, 0), at_opening) for d in DENOMINATIONS
                 if machine.get(d, 0) != book.get(d, 0))


def changer_book(entries: Iterable[tuple[str, Mapping[str, Any] | str]]) -> ChangerBook:
    """Walk one station-day's ``(kind, details)`` entries in order (details as a mapping or its JSON)."""
    book: dict[int, int] | None = {d: 0 for d in DENOMINATIONS}
    opening: list[CountDifference] = []
    for kind, raw in entries:
        if kind not in ("float_loaded", "cash_in", "cash_out", "sale_paid", "refund"):
            continue
        d = json.loads(raw) if isinstance(raw, str) else raw
        if kind in ("sale_paid", "refund") and d.get("method") != "cash":
            continue
        if book is None:
            continue  # counts unknown from here on; only an opening snapshot is still worth a look
        if kind == "float_loaded" and (before := _counts(d.get("machine_before"))) is not None:
            opening.extend(differences(before, book, at_opening=True))
        if kind in ("float_loaded", "cash_in", "cash_out", "refund"):
            moved = _counts(d.get("counts"))
            sign = 1 if kind in ("float_loaded", "cash_in") else -1
            plus, minus = (moved, {}) if sign > 0 else ({}, moved)
        else:
            cash_counts = d.get("cash_counts")
            cash = cash_counts if isinstance(cash_counts, Mapping) else {}
            plus, minus = _counts(cash.get("inserted")), _counts(cash.get("change"))
        if plus is None or minus is None:
            book = None
            continue
        for denomination, n in plus.items():
            book[denomination] = book.get(denomination, 0) + n
        for denomination, n in minus.items():
            book[denomination] = book.get(denomination, 0) - n
    return ChangerBook(counts=book, opening=tuple(opening))


def count_findings(station: str, name: str | None, book: ChangerBook,
                   machine: Mapping[int, int] | None) -> tuple[Finding, ...]:
    """Findings for the opening's differences and, given the machine's counts now, the close's."""
    diffs = list(book.opening)
    if machine is not None and book.counts is not None:
        diffs.extend(differences(machine, book.counts))
    label = name or station
    out = []
    for x in diffs:
        if x.at_opening:
            out.append(Finding(
                "opening_count_differs", Severity.WARNING,
                f"{station}, {x.denomination:,} yen: at the opening float the changer held {x.machine}, "
                f"the journal {x.journal}", f"{label} {x.denomination:,}円: 開始時の釣銭機 {x.machine}枚、"
                f"記録上 {x.journal}枚", station))
        else:
            out.append(Finding(
                "changer_count_differs", Severity.WARNING,
                f"{station}, {x.denomination:,} yen: the changer holds {x.machine}, the journal {x.journal}",
                f"{label} {x.denomination:,}円: 釣銭機 {x.machine}枚、記録上 {x.journal}枚", station))
    return tuple(out)
