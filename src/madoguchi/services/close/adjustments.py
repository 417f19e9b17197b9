"""Adjusting entries: how a closed day is corrected without touching it.

A closed day is never edited. Someone from accounting (or a supervisor) requests an
adjustment naming the closed day it corrects; another person, a supervisor, approves
it; only then is it journalled, in the current open day, where it shows on that day's
sheet with a reference to the day it corrects. A cash adjustment names the payment
station whose cash it concerns and counts into that station's expected cash.

Every adjustment carries a revenue line (歳入科目), or is a 現金過不足 line of its own: a cash
correction without a revenue line reverses (part of) the over/short of that station's close
on the corrected day, and its journal entry names that close's entry (``reverses_seq``).
So the daily sheet always reads 差引収納額 = the revenue lines + 現金過不足.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.close_records import AdjustmentRecord
from madoguchi.domain.day_report import CATEGORIES
from madoguchi.domain.journal import EntryKind
from madoguchi.domain.money import MAX_SALE_YEN, yen
from madoguchi.errors import BadInput, Conflict, NotFound, PermissionDenied
from madoguchi.services.close.close_rules import may_close
from madoguchi.services.counter.common import check_client_id
from madoguchi.services.counter.days import open_business_day
from madoguchi.services.runtime import Runtime


def adjustment_view(a: AdjustmentRecord, reverses_seq: int | None = None) -> dict[str, Any]:
    return {"reverses_seq": reverses_seq, "id": a.id, "site": a.site, "station": a.station,
            "corrects": a.corrects.isoformat(),
            "business_date": a.business_date.isoformat() if a.business_date else None,
            "category": a.category, "revenue_line": a.revenue_line, "amount": a.amount, "reason": a.reason,
            "state": a.state, "requested_by": a.requested_by, "approved_by": a.approved_by,
            "requested_at": a.requested_at.isoformat(),
            "approved_at": a.approved_at.isoformat() if a.approved_at else None,
            "journal_seq": a.journal_seq}


def request_adjustment(rt: Runtime, *, adjustment_id: str, site: str, corrects: dt.date, category: str,
                       amount: int, reason: str, actor: Actor, station: str | None = None,
                       revenue_line: str | None = None) -> dict[str, Any]:
    """Ask for a correction of closed day ``corrects``; nothing is booked until a supervisor approves."""
    adjustment_id = check_client_id(adjustment_id, what="adjustment id")
    rt.places.site(site)
    may_close(actor, site)
    amount = yen(amount, what="amount")
    if amount == 0 or abs(amount) > MAX_SALE_YEN:
        raise BadInput(f"amount: a correction is a non-zero number of yen up to {MAX_SALE_YEN:,} either way")
    if category not in CATEGORIES:
        raise BadInput(f"category must be one of {', '.join(CATEGORIES)}, got {category!r}")
    if category == "cash" and station is None:
        raise BadInput("a cash correction names the payment station whose cash it concerns")
    if station is not None and rt.places.payment_station(station).site != site:
        raise BadInput(f"payment station {station} is not at site {site}")
    if revenue_line is not None and revenue_line not in {i.revenue_line.code for i in rt.catalog.items}:
        raise BadInput(f"revenue_line: {revenue_line!r} is not a revenue line of the catalog")
    if revenue_line is None and category != "cash":
        raise BadInput("revenue_line: a correction names the revenue line (歳入科目) it moves; only a cash "
                       "correction reversing a station's over/short goes without one")
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise BadInput("a correction needs a reason (at most 300 characters)")
    with rt.uow() as uow:
        existing = uow.adjustments.get(adjustment_id)
        if existing is not None:
            if (existing.site, existing.amount, existing.corrects) != (site, amount, corrects):
                raise Conflict(f"adjustment id {adjustment_id} was already used for another correction")
            return adjustment_view(existing)
        if not uow.closes.site_closed(site, corrects):
            raise Conflict(f"{corrects.isoformat()} is not closed at {site}: an open day is put right with a "
                           "refund or a void, not an adjustment")
        record = AdjustmentRecord(
            id=adjustment_id, site=site, station=station, corrects=corrects, category=category,
            revenue_line=revenue_line, amount=amount, reason=reason, state="requested", requested_by=actor.login,
            requested_at=rt.clock())
        reverses = _over_short_reversed(uow, record, states=("requested", "approved"))
        uow.adjustments.add(record)
        view = adjustment_view(record, reverses)
        uow.commit()
        return view


def _over_short_reversed(uow: UnitOfWork, row: AdjustmentRecord, *, states: tuple[str, ...]) -> int | None:
    """For a 現金過不足 line (no revenue line): the journal seq of the station close it reverses.

    The amount must go against that close's over/short and not beyond what is left of it
    once the other corrections in ``states`` are counted."""
    if row.revenue_line is not None:
        return None
    close = uow.closes.station_close(row.site, row.station, row.corrects)
    day = row.corrects.isoformat()
    if close is None or not close.over_short:
        raise BadInput(f"revenue_line: {row.station} had no over/short on {day} to reverse; a correction "
                       "without a revenue line only reverses a station's over/short (give the revenue line)")
    if (row.amount > 0) == (close.over_short > 0):
        raise BadInput(f"amount: a 現金過不足 correction reverses the over/short of {row.station} on {day} "
                       f"({close.over_short:+,} yen), so its sign is the opposite")
    earlier = uow.adjustments.over_short_reversed(row.site, row.station, row.corrects, states=states,
                                                  besides=row.id)
    left = -close.over_short - earlier
    if left == 0:
        raise BadInput(f"the over/short of {row.station} on {day} ({close.over_short:+,} yen) is already reversed")
    if abs(row.amount) > abs(left):
        raise BadInput(f"amount: {row.amount:+,} yen is more than is left to reverse of the over/short of "
                       f"{row.station} on {day} ({left:+,} of {close.over_short:+,} yen)")
    return close.journal_seq


def _pending(uow: UnitOfWork, adjustment_id: str) -> AdjustmentRecord:
    row = uow.adjustments.get(adjustment_id, for_update=True)
    if row is None:
        raise NotFound(f"no adjustment {adjustment_id}")
    if row.state != "requested":
        raise Conflict(f"adjustment {adjustment_id} is already {row.state}")
    return row


def approve_adjustment(rt: Runtime, *, adjustment_id: str, actor: Actor) -> dict[str, Any]:
    """A supervisor (not the one who asked) approves: the correction is journalled in the open day."""
    with rt.uow() as uow:
        row = _pending(uow, adjustment_id)
        actor.require(Action.APPROVE, row.site)
        if row.requested_by == actor.login:
            raise PermissionDenied("a correction is approved by someone other than the person who asked for it",
                                   code="approve_own_request")
        reverses = _over_short_reversed(uow, row, states=("approved",))
        now = rt.clock()
        day, _moved = open_business_day(uow, row.site, now, station=row.station)
        extra: dict[str, Any] = {"reverses_seq": reverses} if reverses is not None else {}
        entry = uow.journal.append(
            EntryKind.ADJUSTMENT, at=now, actor=actor.login, amount=row.amount, site=row.site, station=row.station,
            business_date=day, adjustment_id=row.id, corrects=row.corrects.isoformat(),
            category=row.category, revenue_line=row.revenue_line, reason=row.reason,
            requested_by=row.requested_by, approved_by=actor.login, **extra)
        row = replace(row, state="approved", business_date=day, journal_seq=entry.seq, approved_by=actor.login,
                      approved_at=now)
        uow.adjustments.save_decision(row)
        view = adjustment_view(row, reverses)
        uow.commit()
        return view


def reject_adjustment(rt: Runtime, *, adjustment_id: str, actor: Actor, note: str) -> dict[str, Any]:
    """A supervisor turns a request down; nothing was booked, nothing is."""
    with rt.uow() as uow:
        row = _pending(uow, adjustment_id)
        actor.require(Action.APPROVE, row.site)
        row = replace(row, state="rejected", approved_by=actor.login, approved_at=rt.clock(),
                      reason=f"{row.reason} (rejected: {(note or '').strip()})"[:300])
        uow.adjustments.save_decision(row)
        view = adjustment_view(row)
        uow.commit()
        return view


def list_adjustments(rt: Runtime, *, site: str, actor: Actor, state: str | None = None) -> list[dict[str, Any]]:
    actor.require(Action.VIEW, site)
    with rt.uow(read_only=True) as uow:
        closes = uow.closes.station_close_seqs(site)
        return [adjustment_view(a, None if a.revenue_line or a.station is None else closes.get((a.station, a.corrects)))
                for a in uow.adjustments.of_site(site, state)]
