"""What a payment-station screen shows, decided on the server from the stored state.

The screen's ``phase`` is one of:

- ``fault``: the station is out of service (a jam); the resident is asked to call
  staff, told that cash held inside will be handed back;
- ``cash``: a cash payment is under way: amount inserted, still to insert, change;
- ``paying``: a cashless payment is under way (the resident touches, inserts, shows);
- ``due``: a sale waits to be paid: amount, lines, cash or cashless; ``notice`` says
  why an earlier attempt on it ended (declined, no change, cash returned, ...);
- ``in_doubt``: the last cashless payment here has an unknown outcome (calm message,
  staff are alerted by the incident);
- ``paid``: the sale just paid here, for :data:`PAID_SHOWN` and only while nothing else
  happened here since (no later attempt, no fault): receipt number and change. The page
  shows it once, and only for the sale it saw being paid (never after a reload);
- ``idle``: nothing to pay.

It reads only, in one read-only unit of work (a station's poll never waits for the
writer): the station's row, the sale it serves or its last payment, the changer
(inserted cash, whether it can make change) and the terminal (on line).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.domain.catalog import PaymentStationConfig
from madoguchi.domain.sale import PaymentMethod, PaymentState
from madoguchi.domain.station_screen import ScreenPayment, ScreenSale
from madoguchi.errors import Conflict, MadoguchiError, NotFound
from madoguchi.services.runtime import Runtime

#: How long the "paid" screen stays after a payment when no new sale arrives (the page's
#: PAID_SHOWN_MS in static/station.js is the same).
PAID_SHOWN = dt.timedelta(seconds=30)
#: Notes a resident is likely to pay with: can the changer give change for them?
NOTES = (1000, 5000, 10000)


def current_sale(rt: Runtime, station_id: str) -> str:
    """The id of the sale the station serves; Conflict if none waits there."""
    with rt.uow(read_only=True) as uow:
        row = uow.screens.occupancy(station_id)
    if row is None or row.current_sale_id is None:
        raise Conflict("no sale is waiting at this payment station")
    return row.current_sale_id


def pending_payment(rt: Runtime, station_id: str, method: PaymentMethod) -> str:
    """The id of the payment by ``method`` under way at the station for the sale it serves."""
    sale_id = current_sale(rt, station_id)
    with rt.uow(read_only=True) as uow:
        payment_id = uow.screens.pending_payment_id(sale_id=sale_id, station_id=station_id, method=method.value)
    if payment_id is None:
        raise Conflict(f"no {method.value} payment is under way at this payment station")
    return payment_id


def screen_state(rt: Runtime, station: PaymentStationConfig) -> dict[str, Any]:
    devices = rt.devices.of(station.id)
    base: dict[str, Any] = {
        "station": {"id": station.id, "name": station.name, "number": station.number, "colour": station.colour},
        "demo": rt.settings.demo, "terminal_online": devices.terminal.online(),
        "phase": "idle", "sale": None, "payment": None, "notice": None, "receipt_number": None,
        "exact_only": False, "held": 0,
    }
    now = rt.clock()
    with rt.uow(read_only=True) as uow:
        screens = uow.screens
        row = screens.occupancy(station.id)
        if row is not None and row.fault:
            return base | {"phase": "fault", "held": screens.held_in_open_jams(station.id)}
        if row is not None and row.current_sale_id:
            sale = screens.sale(row.current_sale_id)
            if sale is not None:
                return base | _serving(rt, uow, station, sale)
        # Nothing to serve: the last outcome here stays on screen (a payment in doubt until
        # staff deal with it, a paid one for a few minutes), whichever came last.
        doubt = screens.last_in_doubt(station.id)
        paid = screens.last_paid(station.id)
        paid_at = paid.completed_at if paid is not None else None
        doubt_at = doubt.started_at if doubt is not None else None
        if doubt is not None and (paid_at is None or doubt_at is None or doubt_at >= paid_at):
            sale = screens.sale(doubt.sale_id)
            assert sale is not None
            return base | {"phase": "in_doubt", "sale": _sale(rt, sale), "payment": _payment(rt, doubt)}
        if paid is not None and paid_at is not None and now - paid_at < PAID_SHOWN \
                and not screens.anything_since(station.id, paid_at):
            sale = screens.sale(paid.sale_id)
            assert sale is not None
            return base | {"phase": "paid", "sale": _sale(rt, sale), "payment": _payment(rt, paid),
                           "receipt_number": screens.receipt_number(sale.id), "paid_at": paid_at.isoformat()}
    return base


def _serving(rt: Runtime, uow: UnitOfWork, station: PaymentStationConfig, sale: ScreenSale) -> dict[str, Any]:
    view: dict[str, Any] = {"sale": _sale(rt, sale)}
    due = sale.total - sale.paid_amount
    running = uow.screens.running_payment(sale.id)
    if running is not None:
        phase = "cash" if running.method == "cash" else "paying"
        view |= {"phase": phase, "payment": _payment(rt, running)}
        if phase == "cash":
            view["exact_only"] = _exact_only(rt, station.id, due)
        return view
    latest = uow.screens.latest_payment(sale.id)
    at_this_station = latest is not None and latest.payment_station == station.id
    notice = _notice(latest) if at_this_station else None
    view |= {"phase": "due", "notice": notice, "notice_id": latest.id[:8] if notice and latest else None,
             "last_brand": latest.brand if notice and latest else None,
             "exact_only": _exact_only(rt, station.id, due)}
    return view


def _notice(p: ScreenPayment | None) -> str | None:
    """Why the latest attempt on a sale still due ended, in the screen's words."""
    if p is None:
        return None
    failure = (p.failure or "").lower()
    if p.state == PaymentState.DECLINED:
        return "declined"
    if p.state == PaymentState.NOT_SENT:
        return "not_completed"
    if p.state != PaymentState.FAILED:
        return None
    if "cannot make change" in failure:
        return "no_change"
    if "cancelled at the station" in failure:
        return "cash_returned"
    if "never received" in failure:
        return "not_completed"
    return None


def _exact_only(rt: Runtime, station: str, due: int) -> bool:
    """Could the changer not give change for the smallest note that covers ``due``?"""
    changer = rt.devices.of(station).changer
    note = next((n for n in NOTES if n >= due), None)
    if note is None or note == due:
        return False
    try:
        return not changer.can_dispense(note - due)
    except MadoguchiError:
        return False


def _sale(rt: Runtime, sale: ScreenSale) -> dict[str, Any]:
    return {"ref": sale.id[:8].upper(), "total": sale.total, "due": sale.total - sale.paid_amount,
            "cash_only": sale.cash_only, "state": sale.state,
            "lines": [{"name_ja": x.name_ja, "name_en": x.name_en, **_more_names(rt, x.fee_code, sale.business_date),
                       "quantity": x.quantity, "amount": x.amount, "exempt": x.exempt}
                      for x in sale.lines]}


def _more_names(rt: Runtime, fee_code: str, day: dt.date) -> dict[str, str | None]:
    """The fee's Chinese and Korean names for the resident's screen, from the catalog
    (the sale itself records Japanese and English); none if the catalog lacks them."""
    try:
        item = rt.catalog.item(fee_code, day)
    except NotFound:
        return {"name_zh": None, "name_ko": None}
    return {"name_zh": item.name_zh, "name_ko": item.name_ko}


def _payment(rt: Runtime, p: ScreenPayment) -> dict[str, Any]:
    inserted = p.tendered or 0
    if p.method == "cash" and p.state == PaymentState.PENDING:
        inserted = rt.devices.of(p.payment_station).changer.deposit_amount()
    return {"method": p.method, "category": p.category, "brand": p.brand, "state": p.state,
            "amount": p.amount, "inserted": inserted, "remaining": max(0, p.amount - inserted),
            "change": p.change if p.change is not None else max(0, inserted - p.amount)}
