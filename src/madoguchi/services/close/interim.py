"""The interim check (中間締め): the figures and every finding at any time of day.

Shown, and optionally printed as a slip; nothing is locked or written.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from madoguchi.adapters.devices.slip import render_slip, slip_text
from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.close import check_site
from madoguchi.domain.day_report import DayReport
from madoguchi.domain.receipt import business_date
from madoguchi.errors import BadInput, MadoguchiError
from madoguchi.services.close.close_rules import parse_counted, station_ids
from madoguchi.services.close.day_figures import build_report, machine_counts, summary_of
from madoguchi.services.runtime import Runtime


def interim_check(rt: Runtime, *, site: str, actor: Actor, day: dt.date | None = None,
                  counted: Mapping[str, object] | None = None, reasons: Mapping[str, str] | None = None,
                  print_at: str | None = None) -> dict[str, Any]:
    """Figures and findings now, without locking anything; ``print_at`` prints the slip there."""
    rt.places.site(site)
    actor.require(Action.VIEW, site)
    day = day or business_date(rt.clock())
    parsed = parse_counted(rt, site, counted or {}, require_all=False)
    machine = {sid: machine_counts(rt, sid) for sid in station_ids(rt, site)}
    with rt.uow(read_only=True) as uow:
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
