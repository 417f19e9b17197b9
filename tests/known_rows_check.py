"""Every read SQLite's writer skips (``adapters/db/known_rows.py``) is made anyway in the
tests, on the same connection and in the same transaction, and must give the same value,
field by field: the same text for an enum, the same offset for a time.

``tests/conftest.py`` turns this on for every test, so each flow the tests drive (jams,
unknown outcomes, voids, refunds, closes, repeats) checks what was kept against the database.
"""
from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from typing import Any

from madoguchi.adapters.db.counter_rows import CounterRows
from madoguchi.adapters.db.driver import Driver
from madoguchi.adapters.db.known_rows import KnownRows
from madoguchi.adapters.db.repositories.counter_payments import read_payment
from madoguchi.adapters.db.repositories.counter_sales import read_sale


def plain(value: Any) -> Any:
    """``value`` as comparable text and numbers: what a view or the journal would make of it."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


@contextmanager
def unheard(driver: Driver) -> Iterator[None]:
    """The check's own reads, unseen by statement listeners (write recorders, counters)."""
    listeners = driver._listeners  # noqa: SLF001 (the test's own look behind the driver)
    driver._listeners = ()  # noqa: SLF001
    try:
        yield
    finally:
        driver._listeners = listeners  # noqa: SLF001


def _checked(lookup: Callable[[KnownRows, Any], Any], read: Callable[[Driver, Any], Any],
             what: str) -> Callable[[KnownRows, Any], Any]:
    def checked_lookup(self: KnownRows, key: Any) -> Any:
        kept = lookup(self, key)
        if kept is not None:
            driver = self._driver  # noqa: SLF001
            with unheard(driver):
                fresh = read(driver, key)
            assert plain(kept) == plain(fresh), f"the writer kept {what} {key!r} unlike the database:\n" \
                                                f"kept:     {plain(kept)}\ndatabase: {plain(fresh)}"
        return kept
    return checked_lookup


def _read_day(driver: Driver, key: tuple[str, dt.date, str]) -> dict[str, str]:
    return CounterRows(driver).read_day_states(*key)


def check_known_rows(monkeypatch: Any) -> None:
    """Make every kept value be read again and compared (see the module's docstring)."""
    monkeypatch.setattr(KnownRows, "sale", _checked(KnownRows.sale, lambda db, k: read_sale(db, k, lock=False),
                                                    "sale"))
    monkeypatch.setattr(KnownRows, "payment", _checked(KnownRows.payment, read_payment, "payment"))
    monkeypatch.setattr(KnownRows, "day", _checked(KnownRows.day, _read_day, "day lock"))
