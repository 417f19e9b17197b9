"""Close of day (日次処理): the interim check, the close of a payment station, then of its site.

- :func:`interim_check` (中間締め): the figures and every finding at any time of day,
  shown and optionally printed as a slip; nothing is locked or written.
- :func:`close_station`: counted cash against expected; a difference needs a reason.
  Locks the day for that station; its changer is then emptied (the cash is taken away).
- :func:`close_site`: every payment station closed and nothing unfinished; a supervisor
  approves. Locks the day for the whole site.
- :func:`close_day`: the stations' closes and the site's in one transaction (the CLI):
  all of it or none of it.

An error finding refuses the close (:class:`CloseRefused`, naming every finding); a
warning needs ``confirm_warnings=True`` (the supervisor has seen it). Each close is
journalled as ``day_closed`` in the day it closes, before the day is locked. The site's
entry carries the checkpoint of the day's entries before it (``journal_anchors.py``), which
is appended to the anchor file once the close has committed.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from madoguchi.adapters.db.close_tables import DayClose, DayCloseCount
from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.adapters.devices.slip import render_slip, slip_text
from madoguchi.adapters.signing import JournalSigner
from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.close import (Finding, Severity, StationState, check_site, check_station, errors,
                                    parse_counts, warnings)
from madoguchi.domain.day_report import DayReport
from madoguchi.domain.journal import EntryKind
from madoguchi.domain.money import DENOMINATIONS
from madoguchi.domain.receipt import business_date
from madoguchi.errors import BadInput, Conflict, DeviceError, MadoguchiError
from madoguchi.services.close.day_figures import build_report, machine_counts, summary_of
from madoguchi.services.close.day_sheet import daily_sheet, day_reports, day_summary
from madoguchi.services.counter.days import lock_day
from madoguchi.services.journal.anchors import anchor_after_close, checkpoint_at_close
from madoguchi.services.runtime import Runtime

__all__ = ["CloseRefused", "close_day", "close_site", "close_station", "daily_sheet", "day_reports",
           "day_summary", "interim_check", "may_close"]


class CloseRefused(Conflict):
    """The checks found something that must be dealt with (or confirmed) before the close.

    The answer carries ``findings``: every finding of the check, not only the blocking ones."""

    code = "close_refused"
    public_details = ("findings",)


def may_close(actor: Actor, site: str) -> None:
    """Closing is for accounting staff or a supervisor of the site."""
    if not (actor.may(Action.ACCOUNT, site) or actor.may(Action.APPROVE, site)):
        actor.require(Action.APPROVE, site)


def _check_day(rt: Runtime, day: dt.date) -> None:
    if day > business_date(rt.clock()):
        raise BadInput(f"{day.isoformat()} has not begun yet; only today or an earlier day can be closed")


def _clean_reason(text: str | None) -> str | None:
    text = (text or "").strip()
    if len(text) > 300:
        raise BadInput("a reason is at most 300 characters")
    return text or None


def _refuse(findings: list[Finding], confirm_warnings: bool) -> None:
    blocking = errors(findings) + ([] if confirm_warnings else warnings(findings))
    if not blocking:
        return
    head = ("the close is refused" if errors(findings)
            else "the close needs confirm_warnings=true after these warnings were seen")
    raise CloseRefused(f"{head}: " + "; ".join(f.message for f in blocking),
                       findings=[f.as_dict() for f in findings])


def _station_ids(rt: Runtime, site: str) -> list[str]:
    return [p.id for p in rt.places.payment_stations if p.site == site]


# --- interim check (中間締め) ------------------------------------------------------------
def interim_check(rt: Runtime, *, site: str, actor: Actor, day: dt.date | None = None,
                  counted: Mapping[str, object] | None = None, reasons: Mapping[str, str] | None = None,
                  print_at: str | None = None) -> dict[str, Any]:
    """Figures and findings now, without locking anything; ``print_at`` prints the slip there."""
    rt.places.site(site)
    actor.require(Action.VIEW, site)
    day = day or business_date(rt.clock())
    parsed = _parse_counted(rt, site, counted or {}, require_all=False)
    machine = {sid: machine_counts(rt, sid) for sid in _station_ids(rt, site)}
    with rt.uow() as uow:
        report, state = build_report(rt, uow, site=site, day=day, counted=parsed, reasons=reasons,
                                     machine=machine)
    if not report.closed:
        report = replace(report, findings=tuple(check_site(state, closing=False, stations_must_be_closed=False)))
    result = summary_of(report) | {"interim": True, "slip": slip_text(report)}
    if print_at is not None:
        result["printed"] = _print_slip(rt, site, print_at, report)
    return result


def _print_slip(rt: Runtime, site: str, station: str, report: DayReport) -> dict[str, Any]:
    if rt.places.payment_station(station).site != site:
        raise BadInput(f"payment station {station} is not at site {site}")
    printer = rt.devices.of(station).printer
    with rt.devices.lock(station):
        try:
            printer.print_bytes(render_slip(report))
        except MadoguchiError as exc:
            return {"station": station, "ok": False, "error": exc.message}
    return {"station": station, "ok": True, "error": None}


def _parse_counted(rt: Runtime, site: str, counted: Mapping[str, object], *,
                   require_all: bool, skip: frozenset[str] = frozenset()) -> dict[str, dict[int, int]]:
    stations = _station_ids(rt, site)
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


# --- closes --------------------------------------------------------------------------
def _record_station(uow: UnitOfWork, site: str, day: dt.date, s: StationState, *, actor: Actor,
                    now: dt.datetime, findings: list[Finding], from_machine: bool = False) -> None:
    assert s.counted is not None
    p, machine = s.position, s.machine or {}
    row = DayClose(site=site, station=s.station, business_date=day, state="closed", float_amount=p.float_loaded,
                   received=p.received, change=p.change, refunds=p.refunds, cash_in=p.cash_in,
                   cash_out=p.cash_out, adjustments=p.adjustments, expected=p.expected,
                   machine=s.machine_total, counted=s.counted_total, over_short=s.over_short, reason=s.reason,
                   findings=json.dumps([f.as_dict() for f in findings if f.station == s.station],
                                       ensure_ascii=False),
                   closed_by=actor.login, closed_at=now)
    row.counts = [DayCloseCount(denomination=d, counted=s.counted.get(d, 0),
                                machine=machine.get(d, 0) if s.machine is not None else None)
                  for d in DENOMINATIONS]
    uow.session.add(row)
    entry = uow.journal.append(
        EntryKind.DAY_CLOSED, at=now, actor=actor.login, amount=s.over_short or 0, site=site,
        station=s.station, business_date=day, scope="station", expected=p.expected, counted=s.counted_total,
        machine=s.machine_total, over_short=s.over_short, reason=s.reason, float=p.float_loaded,
        received=p.received, change=p.change, refunds=p.refunds, cash_in=p.cash_in, cash_out=p.cash_out,
        adjustments=p.adjustments, counts={str(d): n for d, n in sorted(s.counted.items()) if n},
        **({"counted_from_machine": True} if from_machine else {}))
    row.journal_seq = entry.seq


def _as_closed(report: DayReport, stations: set[str], *, actor: Actor, now: dt.datetime) -> DayReport:
    """The report as it reads once ``stations`` are closed (without reading it all again): their
    over/short joins the day's 現金過不足 line, as their ``day_closed`` entries will say."""
    newly = sum(s.state.over_short or 0 for s in report.stations if s.id in stations and not s.state.closed)
    totals = replace(report.totals, closes_over_short=report.totals.closes_over_short + newly)
    return replace(report, totals=totals, stations=tuple(
        replace(s, state=replace(s.state, closed=True), closed_by=actor.login, closed_at=now) if s.id in stations
        else s for s in report.stations))


def _record_site(uow: UnitOfWork, report: DayReport, lock: DayClose, *, actor: Actor, now: dt.datetime,
                 findings: list[Finding], note: str | None, signer: JournalSigner | None) -> DayReport:
    """Journal the site's close, with the checkpoint of its day's entries before it, and lock
    its day; returns the report as closed."""
    checkpoint = checkpoint_at_close(uow, site=report.site, day=report.day, signer=signer)
    report = replace(report, closed=True, approved_by=actor.login, approved_at=now, note=note,
                     findings=tuple(findings), checkpoint=checkpoint)
    figures = summary_of(report)
    t = report.totals
    entry = uow.journal.append(
        EntryKind.DAY_CLOSED, at=now, actor=actor.login, amount=report.over_short or 0, site=report.site,
        business_date=report.day, scope="site", sales_count=t.sales_count, gross=t.gross,
        refunds=t.refunds.amount, adjustments=t.adjustment_total, net=t.net,
        by_category={k: v["amount"] for k, v in figures["by_category"].items()},
        cash_expected=report.cash_expected, cash_counted=report.cash_counted, over_short=report.over_short,
        findings=sorted({f.code for f in findings}), approved_by=actor.login, note=note,
        checkpoint=checkpoint.as_dict())
    lock.state = "closed"
    lock.expected, lock.counted, lock.over_short = report.cash_expected, report.cash_counted, report.over_short
    lock.reason = note
    lock.figures = json.dumps(figures, ensure_ascii=False, default=str)
    lock.findings = json.dumps([f.as_dict() for f in findings], ensure_ascii=False)
    lock.closed_by = lock.approved_by = actor.login
    lock.closed_at = lock.approved_at = now
    lock.journal_seq = entry.seq
    return report


def _empty_changer(rt: Runtime, station: str, machine: dict[int, int] | None) -> str | None:
    """Take out of the changer what it held at the close (what was counted); anything paid in
    since belongs to the next day and stays. A device error only warns: staff do it by hand."""
    if not machine:
        return None
    try:
        changer = rt.devices.of(station).changer
        with rt.devices.lock(station):
            changer.collect({d: n for d, n in machine.items() if n})
    except (DeviceError, BadInput) as exc:
        return f"{station}: the changer could not be emptied ({exc.message}); take the cash out by hand"
    except MadoguchiError:
        return None  # no changer for this station
    return None


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
    _check_day(rt, day)
    counts = parse_counts(counted, station=station)
    reason = _clean_reason(reason)
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
        _refuse(findings, confirm_warnings)
        now = rt.clock()
        _record_station(uow, site, day, state, actor=actor, now=now, findings=findings, from_machine=from_machine)
        uow.commit()
    notice = _empty_changer(rt, station, machine)
    closed = _as_closed(report, {station}, actor=actor, now=now)
    view = next(s for s in summary_of(closed)["stations"] if s["id"] == station)
    return view | {"site": site, "date": day.isoformat(), "findings": [f.as_dict() for f in findings],
                   "notice": notice}


def close_site(rt: Runtime, *, site: str, day: dt.date, actor: Actor, note: str | None = None,
               confirm_warnings: bool = False) -> dict[str, Any]:
    """Close the site's day once every payment station is closed; the supervisor approves it."""
    rt.places.site(site)
    actor.require(Action.APPROVE, site)
    _check_day(rt, day)
    note = _clean_reason(note)
    with rt.uow() as uow:
        lock = lock_day(uow, site, day)[0]
        report, state = build_report(rt, uow, site=site, day=day)
        findings = check_site(state, closing=True, stations_must_be_closed=True)
        _refuse(findings, confirm_warnings)
        closed = _record_site(uow, report, lock, actor=actor, now=rt.clock(), findings=findings, note=note,
                              signer=rt.signer)
        uow.commit()
    return summary_of(closed) | {"anchor": anchor_after_close(rt, closed.checkpoint)}


def close_day(rt: Runtime, *, site: str, day: dt.date, counted: Mapping[str, object], actor: Actor,
              reasons: Mapping[str, str] | None = None, note: str | None = None,
              confirm_warnings: bool = False) -> dict[str, Any]:
    """Close every payment station of ``site`` with its counted cash, then the site, all at once."""
    rt.places.site(site)
    actor.require(Action.APPROVE, site)
    _check_day(rt, day)
    with rt.uow() as uow:
        already = frozenset(uow.session.execute(select(DayClose.station).where(
            DayClose.site == site, DayClose.business_date == day, DayClose.state == "closed")).scalars())
    parsed = _parse_counted(rt, site, counted, require_all=True, skip=already)
    clean = {sid: r for sid, text in (reasons or {}).items() if (r := _clean_reason(text))}
    with rt.uow() as uow:
        lock = lock_day(uow, site, day)[0]
        machine = {sid: machine_counts(rt, sid) for sid in parsed}
        report, state = build_report(rt, uow, site=site, day=day, counted=parsed, reasons=clean, machine=machine)
        findings = check_site(state, closing=True, stations_must_be_closed=False)
        _refuse(findings, confirm_warnings)
        now = rt.clock()
        closing = {s.id for s in report.stations if not s.state.closed}
        for s in report.stations:
            if s.id in closing:
                _record_station(uow, site, day, s.state, actor=actor, now=now, findings=findings)
        closed = _record_site(uow, _as_closed(report, closing, actor=actor, now=now), lock, actor=actor, now=now,
                              findings=findings, note=_clean_reason(note), signer=rt.signer)
        uow.commit()
    notices = [n for sid in sorted(closing) if (n := _empty_changer(rt, sid, machine.get(sid)))]
    anchor = anchor_after_close(rt, closed.checkpoint)
    if anchor["error"]:
        notices.append(f"the anchor file could not be written ({anchor['error']}); it is retried at the next close")
    return summary_of(closed) | {"notices": notices, "anchor": anchor}

