"""Which business day a booking lands in, and the lock that keeps it on one side of a close.

The rule: an event belongs to the day of its sale (or, without one, to the JST day of
the moment it happens). If that day is closed, for the site or for the payment station
where the money moves, the event goes to the current open day (today, or the first day
after it that is not closed) and its journal entry says so. Never lost, never silently
rewritten: the closed day stays exactly as it was closed.

Every booking takes the site-day row of ``day_closes`` ``FOR UPDATE`` (SQLite's
``BEGIN IMMEDIATE`` serialises writers anyway), and so does the close: a payment lands
wholly before the close or wholly after it.
"""
from __future__ import annotations

import datetime as dt

from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.domain.receipt import business_date
from madoguchi.errors import Conflict

ONE_DAY = dt.timedelta(days=1)
#: How far ahead a booking may be pushed before something is badly wrong.
MAX_SKIP_DAYS = 400


def lock_day(uow: UnitOfWork, site: str, day: dt.date, station: str | None = None) -> None:
    """Lock the site-day row (created when missing) and the station's row if any
    ``FOR UPDATE`` until the transaction ends: a booking and a close never interleave."""
    uow.day_locks.lock(site, day, station)


def is_closed(uow: UnitOfWork, site: str, day: dt.date, station: str | None = None) -> bool:
    return uow.day_locks.closed(site, day, station)


def open_business_day(uow: UnitOfWork, site: str, moment: dt.datetime, *, station: str | None = None,
                      belongs_to: dt.date | None = None) -> tuple[dt.date, bool]:
    """The day a booking at ``site`` (and ``station``) made at ``moment`` lands in, locked;
    and whether it was moved off a closed day.

    ``belongs_to`` is the day the thing belongs to (its sale's day); by default the
    JST day of ``moment``.
    """
    wanted = belongs_to or business_date(moment)
    if not is_closed(uow, site, wanted, station):
        return wanted, False
    day = max(wanted + ONE_DAY, business_date(moment))
    for _ in range(MAX_SKIP_DAYS):
        if not is_closed(uow, site, day, station):
            return day, True
        day += ONE_DAY
    raise Conflict(f"no open business day at site {site} within {MAX_SKIP_DAYS} days of {wanted}")


def moved_note(sale_day: dt.date, created_at: dt.datetime, booked: dt.date, moved: bool) -> dict[str, str]:
    """``{"moved_from": day}`` for a journal entry whose sale arrived for a closed day, else ``{}``.

    A sale moved when it was created carries a business day later than its calendar day.
    """
    if moved:
        return {"moved_from": sale_day.isoformat()}
    created = business_date(created_at)
    if created < sale_day and booked == sale_day:
        return {"moved_from": created.isoformat()}
    return {}
