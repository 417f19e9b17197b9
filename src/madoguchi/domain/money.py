"""Money is whole yen in ``int``; never a float.

Amounts are plain ``int`` throughout madoguchi (the yen has no minor unit). This
module is the one gate through which outside values become amounts, and the one
place that knows the denominations a cash changer handles.
"""
from __future__ import annotations

import operator
from collections.abc import Mapping

from madoguchi.errors import BadInput

#: Japanese notes and coins a cash changer handles, largest first.
DENOMINATIONS: tuple[int, ...] = (10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1)
NOTES: frozenset[int] = frozenset({10000, 5000, 2000, 1000})
_DENOMINATION_SET: frozenset[int] = frozenset(DENOMINATIONS)

#: Largest amount a single fee sale may reach: a sanity bound against typos.
MAX_SALE_YEN = 9_999_999


def yen(value: object, *, what: str = "amount") -> int:
    """Accept an int (or a digit string) as yen; refuse floats, bools and fractions."""
    if isinstance(value, bool | float):
        raise BadInput(f"{what}: whole yen as an integer is required, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        if digits.isdigit() and digits.isascii():
            return sign * int(digits)
        raise BadInput(f"{what}: {value!r} is not a whole number of yen")
    raise BadInput(f"{what}: whole yen as an integer is required, got {type(value).__name__}")


def non_negative_yen(value: object, *, what: str = "amount") -> int:
    amount = yen(value, what=what)
    if amount < 0:
        raise BadInput(f"{what}: must not be negative, got {amount}")
    return amount


def format_yen(amount: int) -> str:
    """``1234`` -> ``'¥1,234'`` (negative as ``'-¥1,234'``)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,}"


def total_of_counts(counts: Mapping[int, int]) -> int:
    """Value of a denomination -> count mapping, checking every key is a real denomination."""
    if counts.keys() <= _DENOMINATION_SET and min(counts.values(), default=0) >= 0:
        # All good (the usual case): summed without a Python loop.
        return sum(map(operator.mul, counts.keys(), counts.values()))
    # Something is wrong: name the first bad entry.
    total = 0
    for denomination, count in counts.items():
        if denomination not in DENOMINATIONS:
            raise BadInput(f"{denomination} is not a yen denomination")
        if count < 0:
            raise BadInput(f"count for {denomination} yen must not be negative")
        total += denomination * count
    return total


def make_change(amount: int, available: Mapping[int, int]) -> dict[int, int] | None:
    """Denominations that pay ``amount`` out of ``available``, or ``None`` if impossible.

    Greedy is not always right with a limited inventory (e.g. 60 yen from 50+10+10+10
    without a 50 coin... and 2000 notes break the canonical system), so this does a
    small bounded search: largest denominations first, backtracking when stuck.
    """
    if amount < 0:
        raise BadInput("change must not be negative")
    if amount == 0:
        return {}  # exact money: nothing to search
    denoms = [d for d in DENOMINATIONS if available.get(d, 0) > 0]

    def search(rest: int, index: int) -> dict[int, int] | None:
        if rest == 0:
            return {}
        if index >= len(denoms):
            return None
        d = denoms[index]
        most = min(available.get(d, 0), rest // d)
        # Try the largest count first; at most a few alternatives per denomination matter.
        for count in range(most, max(-1, most - 6), -1):
            found = search(rest - count * d, index + 1)
            if found is not None:
                if count:
                    found[d] = count
                return found
        return None

    return search(amount, 0)
