"""The read side of the close: one site-day's report, built from the journal and what is open.

Figures come from the journal entries of the site-day only (see
:mod:`madoguchi.domain.day_report`); what is still open (sales, payments in flight,
receipts waiting, incidents, refunds owed) comes from the tables, and a station's
machine count from its changer. The same report feeds the interim check, the close
and the daily sheet, so they can never disagree.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, or_, select

from madoguchi.adapters.db.close_tables import WHOLE_SITE, DayClose
from madoguchi.adapters.db.tables import (Incident, JournalRow, Payment, PaymentStation, Receipt, Refund, Sale,
                                          Staff)
from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.domain.brands import BRANDS
from madoguchi.domain.changer_book import changer_book, count_findings
from madoguchi.domain.close import CashPosition, Finding, Severity, SiteState, StationState
from madoguchi.domain.day_report import (CATEGORIES, DayReport, IncidentLine, StationReport, Tally,
                                         positions_from_entries, totals_from_entries)
from madoguchi.domain.journal import JournalEntry
from madoguchi.domain.receipt import JST, wareki
from madoguchi.domain.sale import PaymentState, SaleState
from madoguchi.errors import MadoguchiError, NotFound
from madoguchi.services.runtime import Runtime

UNFINISHED = (SaleState.OPEN.value, SaleState.AWAITING_PAYMENT.value, SaleState.PAYING.value)
IN_FLIGHT = (PaymentState.PENDING.value, PaymentState.SETTLING.value)


_COLUMNS = tuple(getattr(JournalRow, name) for name in JournalEntry.__slots__)


def day_entries(uow: UnitOfWork, site: str, day: dt.date) -> list[JournalEntry]:
    """Every journal entry of one site-day, in sequence order (plain rows: no ORM objects to track)."""
    rows = uow.session.execute(select(*_COLUMNS).where(
        JournalRow.business_date == day.isoformat(), JournalRow.site == site).order_by(JournalRow.seq))
    return [JournalEntry(*row) for row in rows]


def _original_lines(uow: UnitOfWork, entries: list[JournalEntry]) -> dict[str, list[list[Any]]]:
    """Lines of the sales refunded this day but paid on another day (from their payment entries)."""
    paid_here = {e.sale_id for e in entries if e.kind == "sale_paid"}
    wanted = sorted({e.sale_id for e in entries if e.kind == "refund" and e.sale_id and e.sale_id not in paid_here})
    found: dict[str, list[list[Any]]] = {}
    for n in range(0, len(wanted), 500):
        rows = uow.session.execute(select(JournalRow.sale_id, JournalRow.data).where(
            JournalRow.sale_id.in_(wanted[n:n + 500]), JournalRow.kind == "sale_paid")).all()
        for sale_id, data in rows:
            details = json.loads(data)
            if details.get("fully_paid", True) and not details.get("double_payment"):
                found[sale_id] = details.get("lines") or []
    return found


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


def _stored_counts(row: DayClose | None) -> tuple[dict[int, int] | None, dict[int, int] | None]:
    if row is None or row.counted is None:
        return None, None
    counted = {c.denomination: c.counted for c in row.counts}
    machine = {c.denomination: c.machine for c in row.counts if c.machine is not None}
    return counted, (machine if row.machine is not None else None)


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
    entries = day_entries(uow, site, day)
    totals = totals_from_entries(entries, _original_lines(uow, entries))
    positions = positions_from_entries(entries)
    s = uow.session
    closes = {r.station: r for r in s.execute(select(DayClose).where(
        DayClose.site == site, DayClose.business_date == day)).scalars()}
    site_row = closes.get(WHOLE_SITE)
    station_ids = [p.id for p in rt.places.payment_stations if p.site == site]
    rows = {r.id: r for r in s.execute(select(PaymentStation).where(PaymentStation.id.in_(station_ids))).scalars()}
    in_flight = s.execute(select(Payment.payment_station, Payment.id).where(
        Payment.payment_station.in_(station_ids), Payment.state.in_(IN_FLIGHT))).all()
    pending = dict(s.execute(select(Receipt.payment_station, func.count()).where(
        Receipt.payment_station.in_(station_ids), Receipt.state == "pending")
        .group_by(Receipt.payment_station)).all())
    start, end = _day_bounds(day)
    incidents = s.execute(select(Incident).where(
        Incident.site == site, Incident.opened_at < end,
        or_(Incident.opened_at >= start, Incident.resolved_at.is_(None), Incident.resolved_at >= start))
        .order_by(Incident.opened_at)).scalars().all()
    receipts = {sid: (first, last, n) for sid, first, last, n in s.execute(select(
        Receipt.payment_station, func.min(Receipt.number), func.max(Receipt.number), func.count()).where(
        Receipt.payment_station.in_(station_ids), Receipt.created_at >= start, Receipt.created_at < end)
        .group_by(Receipt.payment_station)).all()}
    stations = []
    for sid in station_ids:
        close = closes.get(sid)
        is_closed = close is not None and close.state == "closed"
        stored_counted, stored_machine = _stored_counts(close)
        open_here = [i for i in incidents if i.payment_station == sid and i.state == "open"]
        machine_here = stored_machine if is_closed else machine.get(sid)
        book = changer_book((e.kind, e.data) for e in entries if e.station == sid)
        state = StationState(
            station=sid, position=positions.get(sid, CashPosition()),
            counted=stored_counted if is_closed else counted.get(sid), machine=machine_here,
            count_findings=count_findings(sid, rt.places.payment_station(sid).name, book, machine_here),
            reason=(close.reason if is_closed and close else reasons.get(sid)), closed=is_closed,
            sale_waiting=rows[sid].current_sale_id if sid in rows else None,
            payments_in_flight=tuple(pid for st, pid in in_flight if st == sid),
            receipts_pending=int(pending.get(sid, 0)),
            jams_open=tuple(i.id for i in open_here if i.kind == "cash_jam"),
            unknown_open=tuple(i.id for i in open_here if i.kind == "cashless_unknown"),
            fault=rows[sid].fault if sid in rows else None, name=rt.places.payment_station(sid).name)
        stations.append(StationReport(id=sid, name=rt.places.payment_station(sid).name, state=state,
                                      closed_by=close.closed_by if is_closed and close else None,
                                      closed_at=close.closed_at if is_closed and close else None,
                                      receipts=receipts.get(sid)))
    open_sales = s.execute(select(Sale.id, Sale.state).where(
        Sale.site == site, Sale.business_date <= day, Sale.state.in_(UNFINISHED)).order_by(Sale.created_at)).all()
    refunds = s.execute(select(Refund).join(Sale, Sale.id == Refund.sale_id).where(
        Sale.site == site, Refund.method == "bank_transfer", Refund.created_at < end,
        or_(Refund.state == "pending", Refund.created_at >= start)).order_by(Refund.created_at)).scalars().all()
    receipts_of, taken = _sales_as_known(rt, s, {i.sale_id for i in incidents} | {r.sale_id for r in refunds})
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
    site_closed = site_row is not None and site_row.state == "closed"
    site_state = SiteState(site=site, stations=tuple(x.state for x in stations),
                           open_sales=tuple((sid, st) for sid, st in open_sales),
                           refunds_pending=tuple((r.id, r.amount) for r in refunds if r.state == "pending"),
                           closed=site_closed)
    stored = json.loads(site_row.findings) if site_closed and site_row and site_row.findings else None
    report = DayReport(
        municipality=rt.places.municipality, site=site, site_name=site_cfg.name, day=day, closed=site_closed,
        generated_at=rt.clock(), totals=totals, stations=tuple(stations),
        incidents=tuple(sorted(lines, key=lambda x: x.opened_at)), names=names(rt, day),
        people=dict(s.execute(select(Staff.login, Staff.display_name)).all()),
        approved_by=site_row.approved_by if site_closed and site_row else None,
        approved_at=site_row.approved_at if site_closed and site_row else None,
        note=site_row.reason if site_closed and site_row else None,
        findings=tuple(_finding_from(f) for f in stored) if stored else ())
    return report, site_state


def _finding_from(d: dict[str, Any]) -> Finding:
    return Finding(d["code"], Severity(d["severity"]), d["message"], d["message_ja"], d.get("station"), d.get("ref"))


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


def _sales_as_known(rt: Runtime, s: Any, sale_ids: set[str | None]
                    ) -> tuple[dict[str, tuple[str, int]], dict[str, tuple[str, dt.datetime]]]:
    """Each sale's receipt (payment station's name, number) and where and when it was taken."""
    ids = [x for x in sale_ids if x]
    if not ids:
        return {}, {}
    names = {d.id: d.name for d in rt.places.staff_stations}
    taken = {sid: (names.get(desk, desk), at) for sid, desk, at in s.execute(
        select(Sale.id, Sale.staff_station, Sale.created_at).where(Sale.id.in_(ids))).all()}
    receipts = {sid: (rt.places.payment_station(station).name, number) for sid, station, number in s.execute(
        select(Receipt.sale_id, Receipt.payment_station, Receipt.number).where(Receipt.sale_id.in_(ids))
        .order_by(Receipt.id)).all()}
    return receipts, taken


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
