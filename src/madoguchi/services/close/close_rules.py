"""What every close checks first: who may close, which day, the counted cash, and the findings that refuse it."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.close import Finding, errors, parse_counts, warnings
from madoguchi.domain.receipt import business_date
from madoguchi.errors import BadInput, Conflict
from madoguchi.services.runtime import Runtime


class CloseRefused(Conflict):
    """The checks found something that must be dealt with (or confirmed) before the close.

    The answer carries ``findings``: every finding of the check, not only the blocking ones."""

    code = "close_refused"
    public_details = ("findings",)


def may_close(actor: Actor, site: str) -> None:
    """Closing is for accounting staff or a supervisor of the site."""
    if not (actor.may(Action.ACCOUNT, site) or actor.may(Action.APPROVE, site)):
        actor.require(Action.APPROVE, site)


def check_day(rt: Runtime, day: dt.date) -> None:
    if day > business_date(rt.clock()):
        raise BadInput(f"{day.isoformat()} has not begun yet; only today or an earlier day can be closed")


def clean_reason(text: str | None) -> str | None:
    text = (text or "").strip()
    if len(text) > 300:
        raise BadInput("a reason is at most 300 characters")
    return text or None


def refuse(findings: list[Finding], confirm_warnings: bool) -> None:
    blocking = errors(findings) + ([] if confirm_warnings else warnings(findings))
    if not blocking:
        return
    head = ("the close is refused" if errors(findings)
            else "the close needs confirm_warnings=true after these warnings were seen")
    raise CloseRefused(f"{head}: " + "; ".join(f.message for f in blocking),
                       findings=[f.as_dict() for f in findings])


def station_ids(rt: Runtime, site: str) -> list[str]:
    return [p.id for p in rt.places.payment_stations if p.site == site]


def parse_counted(rt: Runtime, site: str, counted: Mapping[str, object], *,
                  require_all: bool, skip: frozenset[str] = frozenset()) -> dict[str, dict[int, int]]:
    stations = station_ids(rt, site)
    parsed = {}
    for sid, raw in counted.items():
        if sid not in stations:
            raise BadInput(f"station {sid}: not a payment station of site {site} "
                           f"(its stations: {', '.join(stations)})")
        parsed[sid] = parse_counts(raw, station=sid)
    missing = [sid for sid in stations if sid not in parsed and sid not in skip]
    if require_all and missing:
        raise BadInput(f"station {missing[0]}: no counted cash given (every payment station of {site} "
                       f"must be counted: {', '.join(missing)})")
    return parsed
