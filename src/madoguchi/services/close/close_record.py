"""What a close writes: the station's and the site's ``day_closed`` entries and close rows, and
the changer emptied once the station's close has committed.

Each close is journalled in the day it closes, before the day is locked. The site's entry
carries the checkpoint of the day's entries before it (``journal_anchors.py``).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.adapters.signing import JournalSigner
from madoguchi.domain.auth import Actor
from madoguchi.domain.close import Finding, StationState
from madoguchi.domain.close_records import SiteClose, StationClose
from madoguchi.domain.day_report import DayReport
from madoguchi.domain.journal import EntryKind
from madoguchi.domain.money import DENOMINATIONS
from madoguchi.errors import BadInput, DeviceError, MadoguchiError
from madoguchi.services.close.day_figures import summary_of
from madoguchi.services.journal.anchors import checkpoint_at_close
from madoguchi.services.runtime import Runtime


def record_station(uow: UnitOfWork, site: str, day: dt.date, s: StationState, *, actor: Actor,
                   now: dt.datetime, findings: list[Finding], from_machine: bool = False) -> None:
    """Journal one payment station's close and store it, with its counts by denomination."""
    assert s.counted is not None
    p, machine = s.position, s.machine or {}
    extra: dict[str, Any] = {"counted_from_machine": True} if from_machine else {}
    entry = uow.journal.append(
        EntryKind.DAY_CLOSED, at=now, actor=actor.login, amount=s.over_short or 0, site=site,
        station=s.station, business_date=day, scope="station", expected=p.expected, counted=s.counted_total,
        machine=s.machine_total, over_short=s.over_short, reason=s.reason, float=p.float_loaded,
        received=p.received, change=p.change, refunds=p.refunds, cash_in=p.cash_in, cash_out=p.cash_out,
        adjustments=p.adjustments, counts={str(d): n for d, n in sorted(s.counted.items()) if n}, **extra)
    uow.closes.add_station_close(StationClose(
        site=site, station=s.station, day=day, float_amount=p.float_loaded, received=p.received, change=p.change,
        refunds=p.refunds, cash_in=p.cash_in, cash_out=p.cash_out, adjustments=p.adjustments,
        expected=p.expected, machine=s.machine_total, counted=s.counted_total, over_short=s.over_short,
        reason=s.reason, findings=tuple(f for f in findings if f.station == s.station), closed_by=actor.login,
        closed_at=now, journal_seq=entry.seq,
        counts=tuple((d, s.counted.get(d, 0), machine.get(d, 0) if s.machine is not None else None)
                     for d in DENOMINATIONS)))


def as_closed(report: DayReport, stations: set[str], *, actor: Actor, now: dt.datetime) -> DayReport:
    """The report as it reads once ``stations`` are closed (without reading it all again): their
    over/short joins the day's 現金過不足 line, as their ``day_closed`` entries will say."""
    newly = sum(s.state.over_short or 0 for s in report.stations if s.id in stations and not s.state.closed)
    totals = replace(report.totals, closes_over_short=report.totals.closes_over_short + newly)
    return replace(report, totals=totals, stations=tuple(
        replace(s, state=replace(s.state, closed=True), closed_by=actor.login, closed_at=now) if s.id in stations
        else s for s in report.stations))


def record_site(uow: UnitOfWork, report: DayReport, *, actor: Actor, now: dt.datetime,
                findings: list[Finding], note: str | None, signer: JournalSigner | None) -> DayReport:
    """Journal the site's close, with the checkpoint of its day's entries before it, and mark
    its day's lock row (held already) closed; returns the report as closed."""
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
    uow.closes.record_site_close(report.site, report.day, SiteClose(
        expected=report.cash_expected, counted=report.cash_counted, over_short=report.over_short, note=note,
        figures=json.dumps(figures, ensure_ascii=False, default=str), findings=tuple(findings),
        by=actor.login, at=now, journal_seq=entry.seq))
    return report


def empty_changer(rt: Runtime, station: str, machine: dict[int, int] | None) -> str | None:
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
