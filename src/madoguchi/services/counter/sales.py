"""Making a sale: lines, hand-off to a payment station, moving it, cancelling it."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.counter import Line, Sale
from madoguchi.domain.journal import EntryKind
from madoguchi.domain.receipt import business_date
from madoguchi.domain.sale import EDITABLE, MOVABLE, Exemption, SaleState, price_line
from madoguchi.errors import BadInput, Conflict, NotFound, StationBusy, StationScreenOffline
from madoguchi.services.counter.common import check_client_id, claim_station, idempotent, release_station
from madoguchi.services.counter.days import open_business_day
from madoguchi.services.counter.settle import book_free
from madoguchi.services.counter.views import sale_view
from madoguchi.services.runtime import Runtime


def create_sale(rt: Runtime, *, sale_id: str, staff_station: str, actor: Actor) -> dict[str, Any]:
    sale_id = check_client_id(sale_id, what="sale id")
    station = rt.places.staff_station(staff_station)
    actor.require(Action.SELL, station.site)

    def work(uow: UnitOfWork, now: dt.datetime) -> dict[str, Any]:
        # A sale made after its site's day was closed belongs to the next open day, and says so.
        day, moved = open_business_day(uow, station.site, now)
        sale = uow.sales.add(Sale.new(sale_id=sale_id, site=station.site, staff_station=station.id,
                                      created_by=actor.login, created_at=now, business_date=day))
        view = sale_view(uow, sale)
        if moved:
            view["day_notice"] = (f"business day {business_date(now).isoformat()} is closed at {station.site}; "
                                  f"this sale belongs to {day.isoformat()}")
        return view

    return idempotent(rt, sale_id, "create_sale", {"staff_station": staff_station}, work)


def add_line(rt: Runtime, *, sale_id: str, line_id: str, fee_code: str, quantity: int = 1,
             exemption: str | None = None, exemption_note: str | None = None,
             actor: Actor) -> dict[str, Any]:
    line_id = check_client_id(line_id, what="line id")
    try:
        reason = Exemption(exemption) if exemption else None
    except ValueError:
        raise BadInput(f"exemption must be one of {', '.join(e.value for e in Exemption)}, got {exemption!r}") from None
    request = {"sale_id": sale_id, "fee_code": fee_code, "quantity": quantity, "exemption": exemption,
               "exemption_note": exemption_note}

    def work(uow: UnitOfWork, now: dt.datetime) -> dict[str, Any]:
        sale = uow.sales.get(sale_id)
        actor.require(Action.SELL, sale.site)
        if sale.state not in EDITABLE:
            raise Conflict(f"lines can only be changed while the sale is open (it is {sale.state})")
        item = rt.catalog.item(fee_code, sale.business_date)
        priced = price_line(item, quantity=quantity, exemption=reason, exemption_note=exemption_note)
        sale = uow.sales.add_line(sale.registering(now), Line.priced(line_id, sale.next_position(), priced))
        return sale_view(uow, sale)

    return idempotent(rt, line_id, "add_line", request, work)


def remove_line(rt: Runtime, *, sale_id: str, line_id: str, actor: Actor) -> dict[str, Any]:
    with rt.uow() as uow:
        sale = uow.sales.get(sale_id)
        actor.require(Action.SELL, sale.site)
        if sale.state not in EDITABLE:
            raise Conflict(f"lines can only be changed while the sale is open (it is {sale.state})")
        if not any(x.id == line_id for x in sale.lines):
            raise NotFound(f"sale {sale_id} has no line {line_id}")
        sale = uow.sales.remove_line(sale, line_id)
        view = sale_view(uow, sale)
        uow.commit()
        return view


def hand_off(rt: Runtime, *, sale_id: str, handoff_id: str, payment_station: str | None = None,
             screen_offline_ok: bool = False, actor: Actor) -> dict[str, Any]:
    """Hand an open sale to a payment station (a free one of the site unless one is named).

    A station whose screen is not connected (``rt.screens``) is skipped when none is named,
    and refused when named, unless the clerk was asked and confirmed (``screen_offline_ok``)."""
    handoff_id = check_client_id(handoff_id, what="hand-off id")

    def work(uow: UnitOfWork, now: dt.datetime) -> dict[str, Any]:
        sale = uow.sales.get(sale_id)
        actor.require(Action.SELL, sale.site)
        if not sale.lines:
            raise Conflict("a sale needs at least one line before it is handed to a payment station")
        if sale.total == 0:
            # Every line is exempt: nothing to pay, so no payment station is needed.
            sale = book_free(uow, sale.handed_off(now), now=now, actor=actor.login)
        else:
            station = _place(rt, uow, sale, payment_station, offline_ok=screen_offline_ok)
            sale = sale.handed_to(station, now)
        return sale_view(uow, uow.sales.save(sale))

    request = {"sale_id": sale_id, "payment_station": payment_station} | (
        {"screen_offline_ok": True} if screen_offline_ok else {})
    return idempotent(rt, handoff_id, "hand_off", request, work)


def move_sale(rt: Runtime, *, sale_id: str, move_id: str, payment_station: str | None = None,
              screen_offline_ok: bool = False, actor: Actor) -> dict[str, Any]:
    """Move a sale that is not being paid to another payment station (a jam must not stop the
    counter); stations without a connected screen are skipped or refused as in :func:`hand_off`."""
    move_id = check_client_id(move_id, what="move id")

    def work(uow: UnitOfWork, now: dt.datetime) -> dict[str, Any]:
        sale = uow.sales.get(sale_id)
        actor.require(Action.SELL, sale.site)
        if sale.state not in MOVABLE:
            raise Conflict(f"a sale that is {sale.state} cannot move to another payment station")
        old = sale.payment_station
        release_station(uow, old, sale.id)
        station = _place(rt, uow, sale, payment_station, avoid=old, offline_ok=screen_offline_ok)
        return sale_view(uow, uow.sales.save(replace(sale, payment_station=station)))

    request = {"sale_id": sale_id, "payment_station": payment_station} | (
        {"screen_offline_ok": True} if screen_offline_ok else {})
    return idempotent(rt, move_id, "move_sale", request, work)


def _place(rt: Runtime, uow: UnitOfWork, sale: Sale, wanted: str | None,
           avoid: str | None = None, offline_ok: bool = False) -> str:
    """Claim a payment station for ``sale``; returns which."""
    if wanted is not None:
        station = rt.places.payment_station(wanted)
        if station.site != sale.site:
            raise BadInput(f"payment station {wanted} is not at site {sale.site}")
        if not offline_ok and not rt.screens.connected(wanted):
            raise StationScreenOffline(f"the screen of payment station {wanted} is not connected: "
                                       f"a resident sent there could not pay; choose another station")
        claim_station(uow, wanted, sale.id)
        return wanted
    candidates = [s for s in uow.stations.free(sale.site) if s != avoid and rt.screens.connected(s)]
    for candidate in candidates:
        try:
            claim_station(uow, candidate, sale.id)
        except StationBusy:
            continue
        return candidate
    raise StationBusy(f"no payment station with a connected screen is free at site {sale.site}; "
                      f"wait or choose one")


def recall_sale(rt: Runtime, *, sale_id: str, actor: Actor) -> dict[str, Any]:
    """Take a sale back from its payment station to change its lines."""
    with rt.uow() as uow:
        sale = uow.sales.get(sale_id)
        actor.require(Action.SELL, sale.site)
        moved = sale.moved_to(SaleState.OPEN, payment_station=None)
        release_station(uow, sale.payment_station, sale.id)
        view = sale_view(uow, uow.sales.save(moved))
        uow.commit()
        return view


def cancel_sale(rt: Runtime, *, sale_id: str, reason: str, actor: Actor) -> dict[str, Any]:
    """Void a sale before payment. After payment it is a refund, with a supervisor."""
    reason = (reason or "").strip()
    if not reason:
        raise BadInput("a cancellation needs a reason")
    with rt.uow() as uow:
        sale = uow.sales.get(sale_id)
        actor.require(Action.SELL, sale.site)
        if sale.state == SaleState.CANCELLED:
            return sale_view(uow, sale)
        if sale.paid_amount:
            raise Conflict("part of this sale is paid; refund it with a supervisor instead")
        sale = uow.sales.save(sale.moved_to(SaleState.CANCELLED))
        release_station(uow, sale.payment_station, sale.id)
        now = rt.clock()
        day, moved = open_business_day(uow, sale.site, now, belongs_to=sale.business_date)
        uow.journal.append(EntryKind.SALE_VOIDED, at=now, actor=actor.login, amount=0, site=sale.site,
                           station=sale.staff_station, sale_id=sale.id, business_date=day, total=sale.total,
                           reason=reason[:200], **({"moved_from": sale.business_date.isoformat()} if moved else {}))
        view = sale_view(uow, sale)
        uow.commit()
        return view


def get_sale(rt: Runtime, *, sale_id: str, actor: Actor) -> dict[str, Any]:
    with rt.uow(read_only=True) as uow:
        sale = uow.sales.get(sale_id, lock=False)
        actor.require(Action.VIEW, sale.site)
        return sale_view(uow, sale)


def list_sales(rt: Runtime, *, site: str, day: dt.date, actor: Actor,
               staff_station: str | None = None, onward: bool = False) -> list[dict[str, Any]]:
    """The sales of ``site`` on business day ``day``; with ``onward``, of the days after it too:
    the counter's list of today, where a sale made after today was closed (it belongs to the
    next open day) must stay in view, to be moved, cancelled or refunded."""
    actor.require(Action.VIEW, site)
    with rt.uow(read_only=True) as uow:
        sales = uow.sales.of_days(site, day, onward=onward, staff_station=staff_station)
        return [sale_view(uow, s) for s in sales]
