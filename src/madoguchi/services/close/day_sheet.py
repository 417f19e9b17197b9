"""The site-day as it stands, for reading: its figures and findings, and the daily sheet.

Nothing here writes. A closed day reads as it was closed (with the findings its close
saw); an open day shows the findings an interim check would.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from madoguchi.adapters.files.daily_sheet import daily_csv, daily_workbook
from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.close import check_site
from madoguchi.domain.day_report import DayReport
from madoguchi.errors import BadInput
from madoguchi.services.close.day_figures import build_report, summary_of
from madoguchi.services.journal.anchors import anchor_finding, anchor_view, journalled_checkpoints
from madoguchi.services.runtime import Runtime


def day_summary(rt: Runtime, *, site: str, day: dt.date, actor: Actor) -> dict[str, Any]:
    """The site-day's figures as they stand (closed: as closed, with the findings the close saw)."""
    rt.places.site(site)
    actor.require(Action.VIEW, site)
    with rt.uow(read_only=True) as uow:
        report, state = build_report(rt, uow, site=site, day=day)
        unsigned = uow.day_figures.unsigned(site, day)
        anchor = anchor_view(rt, uow, site=site, day=day) if report.closed else None
    if not report.closed:
        report = replace(report, findings=tuple(check_site(state, closing=False, stations_must_be_closed=False)))
    summary = summary_of(report)
    if anchor is not None and not anchor["written"]:
        summary["findings"] = [*summary["findings"], anchor_finding(anchor).as_dict()]
    return {**summary, "journal_unsigned": [{"count": n, "reason": r} for n, r in unsigned], "anchor": anchor}


def daily_sheet(rt: Runtime, *, day: dt.date, actor: Actor, sites: list[str] | None = None,
                fmt: str = "xlsx") -> bytes:
    """The daily sheet of ``sites`` (default: every site the actor may see) as .xlsx or CSV bytes."""
    if fmt not in ("xlsx", "csv"):
        raise BadInput(f"format must be xlsx or csv, got {fmt!r}")
    chosen = sites or [s.code for s in rt.places.sites if actor.may(Action.VIEW, s.code)]
    reports = day_reports(rt, sites=chosen, day=day, actor=actor)
    return daily_workbook(reports) if fmt == "xlsx" else daily_csv(reports).encode("utf-8")


def day_reports(rt: Runtime, *, sites: list[str], day: dt.date, actor: Actor) -> list[DayReport]:
    """The reports the daily sheet renders, one per site."""
    reports = []
    for site in sites:
        rt.places.site(site)
        actor.require(Action.VIEW, site)
        with rt.uow(read_only=True) as uow:
            report, state = build_report(rt, uow, site=site, day=day)
            anchored = journalled_checkpoints(uow, site=site, day=day) if report.closed else []
            report = replace(report, journal_unsigned=uow.day_figures.unsigned(site, day),
                             checkpoint=anchored[-1][1] if anchored else None)
        if not report.closed:
            report = replace(report, findings=tuple(check_site(state, closing=False,
                                                               stations_must_be_closed=False)))
        reports.append(report)
    return reports
