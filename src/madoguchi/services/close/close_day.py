"""Close of day (日次処理): the close of a payment station, then of its site.

- :func:`interim_check` (中間締め, ``interim.py``): the figures and every finding at any time
  of day, shown and optionally printed as a slip; nothing is locked or written.
- :func:`close_station`: counted cash against expected; a difference needs a reason.
  Locks the day for that station; its changer is then emptied (the cash is taken away).
- :func:`close_site`: every payment station closed and nothing unfinished; a supervisor
  approves. Locks the day for the whole site.
- :func:`close_day`: the stations' closes and the site's in one transaction (the CLI):
  all of it or none of it.

An error finding refuses the close (:class:`CloseRefused`, naming every finding); a
warning needs ``confirm_warnings=True`` (the supervisor has seen it). Each close is
journalled as ``day_closed`` in the day it closes, before the day is locked
(``close_record.py``). The site's entry carries the checkpoint of the day's entries
before it (``journal_anchors.py``), which is appended to the anchor file once the close
has committed.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.close import Finding, Severity, check_site, check_station, parse_counts
from madoguchi.errors import BadInput, Conflict
from madoguchi.services.close.close_record import as_closed, empty_changer, record_site, record_station
from madoguchi.services.close.close_rules import CloseRefused, check_day, clean_reason, may_close, parse_counted, refuse
from madoguchi.services.close.day_figures import build_report, machine_counts, summary_of
from madoguchi.services.close.day_sheet import daily_sheet, day_reports, day_summary
from madoguchi.services.close.interim import interim_check
from madoguchi.services.counter.days import lock_day
from madoguchi.services.journal.anchors import anchor_after_close
from madoguchi.services.runtime import Runtime

__all__ = ["CloseRefused", "close_day", "close_site", "close_station", "daily_sheet", "day_reports",
           "day_summary", "interim_check", "may_close"]


def close_station(rt: Runtime, *, station: str, day: dt.date, counted: Mapping[str, object] | object,
                  actor: Actor, reason: str | None = None, confirm_warnings: bool = False,
                  site: str | None = None, from_machine: bool = False) -> dict[str, Any]:
    """Close one payment station's day with the cash counted there (by denomination).

    ``from_machine``: the counts were copied from the changer's own count instead of counted
    by hand, a supervisor's decision (journalled on the close); they must still be the
    changer's counts when the day is locked."""
    if site is not None and rt.places.payment_station(station).site != site:
        raise BadInput(f"payment station {station} is not at site {site}")
    site = rt.places.payment_station(station).site
    may_close(actor, site)
    if from_machine:
        actor.require(Action.APPROVE, site)
    check_day(rt, day)
    counts = parse_counts(counted, station=station)
    reason = clean_reason(reason)
    with rt.uow() as uow:
        lock_day(uow, site, day, station)
        machine = machine_counts(rt, station)  # under the day lock: nothing can be booked meanwhile
        if from_machine and (machine is None or any(counts[d] != machine.get(d, 0) for d in counts)):
            raise Conflict(f"{station}: the changer's count is not what was copied (it changed, or there "
                           f"is none); count by hand or copy it again")
        report, site_state = build_report(rt, uow, site=site, day=day, counted={station: counts},
                                          reasons={station: reason} if reason else None, machine={station: machine})
        state = next(s.state for s in report.stations if s.id == station)
        findings = check_station(state, closing=True)
        if site_state.closed:
            findings.insert(0, Finding("already_closed", Severity.ERROR, f"site {site} is already closed for "
                                       f"{day.isoformat()}", f"{site} はこの日すでに締め済みです", station))
        refuse(findings, confirm_warnings)
        now = rt.clock()
        record_station(uow, site, day, state, actor=actor, now=now, findings=findings, from_machine=from_machine)
        uow.commit()
    notice = empty_changer(rt, station, machine)
    closed = as_closed(report, {station}, actor=actor, now=now)
    view: dict[str, Any] = next(s for s in summary_of(closed)["stations"] if s["id"] == station)
    return view | {"site": site, "date": day.isoformat(), "findings": [f.as_dict() for f in findings],
                   "notice": notice}


def close_site(rt: Runtime, *, site: str, day: dt.date, actor: Actor, note: str | None = None,
               confirm_warnings: bool = False) -> dict[str, Any]:
    """Close the site's day once every payment station is closed; the supervisor approves it."""
    rt.places.site(site)
    actor.require(Action.APPROVE, site)
    check_day(rt, day)
    note = clean_reason(note)
    with rt.uow() as uow:
        lock_day(uow, site, day)
        report, state = build_report(rt, uow, site=site, day=day)
        findings = check_site(state, closing=True, stations_must_be_closed=True)
        refuse(findings, confirm_warnings)
        closed = record_site(uow, report, actor=actor, now=rt.clock(), findings=findings, note=note,
                             signer=rt.signer)
        uow.commit()
    return summary_of(closed) | {"anchor": anchor_after_close(rt, closed.checkpoint)}


def close_day(rt: Runtime, *, site: str, day: dt.date, counted: Mapping[str, object], actor: Actor,
              reasons: Mapping[str, str] | None = None, note: str | None = None,
              confirm_warnings: bool = False) -> dict[str, Any]:
    """Close every payment station of ``site`` with its counted cash, then the site, all at once."""
    rt.places.site(site)
    actor.require(Action.APPROVE, site)
    check_day(rt, day)
    with rt.uow(read_only=True) as uow:
        already = uow.closes.closed_stations(site, day)
    parsed = parse_counted(rt, site, counted, require_all=True, skip=already)
    clean = {sid: r for sid, text in (reasons or {}).items() if (r := clean_reason(text))}
    with rt.uow() as uow:
        lock_day(uow, site, day)
        machine = {sid: machine_counts(rt, sid) for sid in parsed}
        report, state = build_report(rt, uow, site=site, day=day, counted=parsed, reasons=clean, machine=machine)
        findings = check_site(state, closing=True, stations_must_be_closed=False)
        refuse(findings, confirm_warnings)
        now = rt.clock()
        closing = {s.id for s in report.stations if not s.state.closed}
        for s in report.stations:
            if s.id in closing:
                record_station(uow, site, day, s.state, actor=actor, now=now, findings=findings)
        closed = record_site(uow, as_closed(report, closing, actor=actor, now=now), actor=actor, now=now,
                             findings=findings, note=clean_reason(note), signer=rt.signer)
        uow.commit()
    notices = [n for sid in sorted(closing) if (n := empty_changer(rt, sid, machine.get(sid)))]
    anchor = anchor_after_close(rt, closed.checkpoint)
    if anchor["error"]:
        notices.append(f"the anchor file could not be written ({anchor['error']}); it is retried at the next close")
    return summary_of(closed) | {"notices": notices, "anchor": anchor}

