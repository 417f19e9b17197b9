"""The read side of the close: one site-day's report, built from the journal and what is open.

Figures come from the journal entries of the site-day only (see
:mod:`madoguchi.domain.day_report`); what is still open (sales, payments in flight,
receipts waiting, incidents, refunds owed) comes from the tables, and a station's
machine count from its changer. The same report feeds the interim check, the close
and the daily sheet, so they can never disagree.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.domain.brands import BRANDS
from madoguchi.domain.changer_book import changer_book, count_findings
from madoguchi.domain.close import CashPosition, SiteState, StationState
from madoguchi.domain.close_records import WHOLE_SITE, BankRefund, OpenWork, StoredClose
from madoguchi.domain.counter import Incident
from madoguchi.domain.day_report import (
    CATEGORIES,
    DayReport,
    IncidentLine,
    StationReport,
    Tally,
    positions_from_entries,
    totals_from_entries,
)
from madoguchi.domain.journal import JournalEntry
from madoguchi.domain.receipt import JST, wareki
from madoguchi.errors import MadoguchiError, NotFound
from madoguchi.services.runtime import Runtime


def _original_lines(uow: UnitOfWork, entries: tuple[JournalEntry, ...]) -> dict[str, list[list[Any]]]:
    """Lines of the sales refunded this day but paid on another day (from their payment entries)."""
    paid_here = {e.sale_id for e in entries if e.kind == "sale_paid"}
    wanted = {e.sale_id for e in entries if e.kind == "refund" and e.sale_id and e.sale_id not in paid_here}
    return uow.day_figures.paid_lines({w for w in wanted if w})


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0), JST)
    return start, start + dt.timedelta(days=1)


def names(rt: Runtime, day: dt.date) -> dict[str, str]:
    """Fee, revenue line and brand codes -> their Japanese names (for display only)."""
    out = {b.code: b.name for b in BRANDS}
    for item in sorted(rt.catalog.items, key=lambda i: i.effective_from):
        if item.effective_from <= day or item.code not in out:
            out[item.code] = item.name_ja
            out[item.revenue_line.code] = item.revenue_line.name
    return out


def build_report(rt: Runtime, uow: UnitOfWork, *, site: str, day: dt.date,
                 counted: Mapping[str, Mapping[int, int]] | None = None,
                 reasons: Mapping[str, str] | None = None,
                 machine: Mapping[str, Mapping[int, int] | None] | None = None) -> tuple[DayReport, SiteState]:
    """The report of ``site`` on ``day`` as of now, and the state its checks look at.

    ``counted`` / ``reasons`` / ``machine`` are the figures of a count under way (an
    interim check or a close); a station already closed shows what its close stored.
    """
    site_cfg = rt.places.site(site)
    counted, reasons, machine = counted or {}, reasons or {}, machine or {}
    figures = uow.day_figures
    entries = figures.entries(site, day)
    totals = totals_from_entries(entries, _original_lines(uow, entries))
    positions = positions_from_entries(entries)
    closes = uow.closes.of_day(site, day)
    site_row = closes.get(WHOLE_SITE)
    station_ids = [p.id for p in rt.places.payment_stations if p.site == site]
    start, end = _day_bounds(day)
    work = figures.open_work(station_ids, start, end)
    incidents = figures.incidents(site, start, end)
    stations = [_station_report(rt, sid, closes.get(sid), entries, positions.get(sid, CashPosition()), work,
                                incidents, counted=counted.get(sid), reason=reasons.get(sid),
                                machine=machine.get(sid))
                for sid in station_ids]
    refunds = figures.bank_refunds(site, start, end)
    lines = _incident_lines(rt, uow, incidents, refunds, start)
    site_closed = site_row is not None and site_row.closed
    site_state = SiteState(site=site, stations=tuple(x.state for x in stations),
                           open_sales=figures.open_sales(site, day),
                           refunds_pending=tuple((r.id, r.amount) for r in refunds if r.state == "pending"),
                           closed=site_closed)
    done = site_row if site_closed else None
    report = DayReport(
        municipality=rt.places.municipality, site=site, site_name=site_cfg.name, day=day, closed=site_closed,
        generated_at=rt.clock(), totals=totals, stations=tuple(stations),
        incidents=tuple(sorted(lines, key=lambda x: x.opened_at)), names=names(rt, day),
        people=figures.people(),
        approved_by=done.approved_by if done else None, approved_at=done.approved_at if done else None,
        note=done.reason if done else None, findings=done.findings if done else ())
    return report, site_state


def _station_report(rt: Runtime, sid: str, close: StoredClose | None, entries: tuple[JournalEntry, ...],
                    position: CashPosition, work: OpenWork, incidents: tuple[Incident, ...], *,
                    counted: Mapping[int, int] | None, reason: str | None,
                    machine: Mapping[int, int] | None) -> StationReport:
    """One payment station's part of the report: as its close stored it once closed, else as counted now."""
    done = close if close is not None and close.closed else None
    open_here = [i for i in incidents if i.payment_station == sid and i.state == "open"]
    machine_here = done.machine if done else machine
    name = rt.places.payment_station(sid).name
    book = changer_book((e.kind, e.data) for e in entries if e.station == sid)
    row = work.stations.get(sid)
    state = StationState(
        station=sid, position=position, counted=done.counted if done else counted, machine=machine_here,
        count_findings=count_findings(sid, name, book, machine_here),
        reason=done.reason if done else reason, closed=done is not None,
        sale_waiting=row.sale_waiting if row else None,
        payments_in_flight=tuple(pid for st, pid in work.in_flight if st == sid),
        receipts_pending=work.receipts_pending.get(sid, 0),
        jams_open=tuple(i.id for i in open_here if i.kind == "cash_jam"),
        unknown_open=tuple(i.id for i in open_here if i.kind == "cashless_unknown"),
        fault=row.fault if row else None, name=name)
    return StationReport(id=sid, name=name, state=state, closed_by=done.closed_by if done else None,
                         closed_at=done.closed_at if done else None, receipts=work.receipts.get(sid))


def _incident_lines(rt: Runtime, uow: UnitOfWork, incidents: tuple[Incident, ...],
                    refunds: tuple[BankRefund, ...], start: dt.datetime) -> list[IncidentLine]:
    """The incidents and the refunds by bank transfer, each naming its sale as staff know it."""
    known = uow.day_figures.sales_known({i.sale_id for i in incidents if i.sale_id} | {r.sale_id for r in refunds})
    desks = {d.id: d.name for d in rt.places.staff_stations}
    receipts_of = {sid: (rt.places.payment_station(station).name, number)
                   for sid, (station, number) in known.receipts.items()}
    taken = {sid: (desks.get(desk, desk), at) for sid, (desk, at) in known.taken.items()}
    lines = [IncidentLine(opened_at=i.opened_at, kind=i.kind, state=i.state, station=i.payment_station,
                          brand=i.brand, amount=i.amount, summary=i.summary, resolution=i.resolution,
                          carried=i.opened_at < start, request_id=i.request_id, sale_id=i.sale_id,
                          receipt=receipts_of.get(i.sale_id or ""), taken=taken.get(i.sale_id or ""))
             for i in incidents]
    lines += [IncidentLine(opened_at=r.created_at, kind="bank_transfer_refund",
                           state="open" if r.state == "pending" else "resolved", station=None, brand=None,
                           amount=r.amount, summary=r.reason, resolution=r.state, carried=r.created_at < start,
                           sale_id=r.sale_id, receipt=receipts_of.get(r.sale_id), taken=taken.get(r.sale_id))
              for r in refunds]
    return lines


def machine_counts(rt: Runtime, station: str) -> dict[int, int] | None:
    """The changer's own inventory, or ``None`` when the station has no changer we can ask.

    Read without the station's device lock: a close reads it while it holds the day
    lock, and a payment holds the device lock while it writes to the database. A
    deposit under way is not in the inventory; its payment is in flight and the
    close refuses anyway.
    """
    try:
        changer = rt.devices.of(station).changer
    except NotFound:
        return None
    try:
        return dict(changer.counts())
    except MadoguchiError:
        return None


def _tally(t: Tally) -> dict[str, int]:
    return {"count": t.count, "amount": t.amount}


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(JST).isoformat() if value else None


def summary_of(report: DayReport) -> dict[str, Any]:
    """The report's figures as plain JSON data (the CLI's ``--json``, the API, the close's snapshot).

    Money is whole yen; ``cashless_share`` is the share of payments, by number, made
    cashless (a ratio rounded to 4 places, not money).
    """
    t = report.totals
    brand_order = {b.code: n for n, b in enumerate(BRANDS)}
    return {
        "date": report.day.isoformat(), "date_wareki": wareki(report.day), "site": report.site,
        "site_name": report.site_name, "state": "closed" if report.closed else "open",
        "sales_count": t.sales_count, "payments_count": t.payments.count, "gross": t.gross,
        "refunds": _tally(t.refunds), "adjustments_total": t.adjustment_total, "net": t.net,
        "by_category": {c: _tally(t.by_category.get(c, Tally())) for c in CATEGORIES},
        "by_brand": {k: _tally(t.by_brand[k]) for k in sorted(t.by_brand, key=lambda k: brand_order.get(k, 99))},
        "by_fee_item": {k: _tally(v) for k, v in sorted(t.by_fee_item.items())},
        "by_revenue_line": {k: _tally(v) for k, v in sorted(t.by_revenue_line.items())},
        "exemptions": {k: {"lines": n, "copies": c} for k, (n, c) in sorted(t.exemptions.items())},
        "voids": _tally(t.voids),
        "refunds_by_method": {k: _tally(v) for k, v in sorted(t.refunds_by_method.items())},
        "refunds_pending": _tally(t.refunds_pending), "double_payments": _tally(t.double_payments),
        "adjustments": [{"id": a.id, "corrects": a.corrects, "category": a.category,
                         "revenue_line": a.revenue_line, "station": a.station, "amount": a.amount,
                         "reason": a.reason, "requested_by": a.requested_by, "approved_by": a.approved_by}
                        for a in t.adjustments],
        "moved_in": [{"sale_id": sale_id, "from": day} for sale_id, day in t.moved_in],
        "cash_expected": report.cash_expected, "cash_counted": report.cash_counted,
        "over_short": report.over_short,
        "stations": [{
            "id": s.id, "name": s.name, "closed": s.state.closed, "closed_by": s.closed_by,
            "closed_at": _iso(s.closed_at), "float": s.state.position.float_loaded,
            "received": s.state.position.received, "change": s.state.position.change,
            "refunds": s.state.position.refunds, "cash_in": s.state.position.cash_in,
            "cash_out": s.state.position.cash_out, "adjustments": s.state.position.adjustments,
            "expected": s.state.position.expected, "machine": s.state.machine_total,
            "counted": s.state.counted_total, "over_short": s.state.over_short, "reason": s.state.reason,
            "counted_by_denomination": ({str(d): n for d, n in sorted(s.state.counted.items(), reverse=True)}
                                        if s.state.counted is not None else None),
        } for s in report.stations],
        "open_incidents": report.open_incidents,
        "incidents": [{"opened_at": _iso(i.opened_at), "kind": i.kind, "state": i.state, "station": i.station,
                       "brand": i.brand, "amount": i.amount, "summary": i.summary, "resolution": i.resolution,
                       "carried_over": i.carried} for i in report.incidents],
        "cashless_share": round(float(t.cashless_share), 4),
        "cashless_amount_share": round(float(t.cashless_amount_share), 4),
        "approved_by": report.approved_by, "approved_at": _iso(report.approved_at),
        "findings": [f.as_dict() for f in report.findings],
    }
