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

It reads only: the station's row, the sale it serves or its last payment, the
changer (inserted cash, whether it can make change) and the terminal (on line).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from madoguchi.adapters.db.tables import Incident, Payment, PaymentStation, Receipt, Sale
from madoguchi.domain.catalog import PaymentStationConfig
from madoguchi.domain.sale import PaymentState, SaleState
from madoguchi.errors import MadoguchiError, NotFound
from madoguchi.services.runtime import Runtime

#: How long the "paid" screen stays after a payment when no new sale arrives (the page's
#: PAID_SHOWN_MS in static/station.js is the same).
PAID_SHOWN = dt.timedelta(seconds=30)
#: Notes a resident is likely to pay with: can the changer give change for them?
NOTES = (1000, 5000, 10000)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value


def _notice(p: Payment | None) -> str | None:
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


def _sale(rt: Runtime, sale: Sale) -> dict[str, Any]:
    return {"ref": sale.id[:8].upper(), "total": sale.total, "due": sale.total - sale.paid_amount,
            "cash_only": sale.cash_only, "state": sale.state,
            "lines": [{"name_ja": x.name_ja, "name_en": x.name_en, **_more_names(rt, x.fee_code, sale.business_date),
                       "quantity": x.quantity, "amount": x.amount, "exempt": x.exemption is not None}
                      for x in sale.lines]}


def _more_names(rt: Runtime, fee_code: str, day: dt.date) -> dict[str, str | None]:
    """The fee's Chinese and Korean names for the resident's screen, from the catalog
    (the sale itself records Japanese and English); none if the catalog lacks them."""
    try:
        item = rt.catalog.item(fee_code, day)
    except NotFound:
        return {"name_zh": None, "name_ko": None}
    return {"name_zh": item.name_zh, "name_ko": item.name_ko}


def _payment(rt: Runtime, p: Payment) -> dict[str, Any]:
    inserted = p.tendered or 0
    if p.method == "cash" and p.state == PaymentState.PENDING:
        inserted = rt.devices.of(p.payment_station).changer.deposit_amount()
    return {"method": p.method, "category": p.category, "brand": p.brand, "state": p.state,
            "amount": p.amount, "inserted": inserted, "remaining": max(0, p.amount - inserted),
            "change": p.change if p.change is not None else max(0, inserted - p.amount)}


def screen_state(rt: Runtime, station: PaymentStationConfig) -> dict[str, Any]:
    devices = rt.devices.of(station.id)
    base: dict[str, Any] = {
        "station": {"id": station.id, "name": station.name, "number": station.number, "colour": station.colour},
        "demo": rt.settings.demo, "terminal_online": devices.terminal.online(),
        "phase": "idle", "sale": None, "payment": None, "notice": None, "receipt_number": None,
        "exact_only": False, "held": 0,
    }
    now = rt.clock()
    with rt.uow() as uow:
        s = uow.session
        row = s.get(PaymentStation, station.id)
        if row is not None and row.fault:
            held = s.execute(select(func.coalesce(func.sum(Incident.amount), 0)).where(
                Incident.payment_station == station.id, Incident.kind == "cash_jam",
                Incident.state == "open")).scalar_one()
            return base | {"phase": "fault", "held": int(held)}
        if row is not None and row.current_sale_id:
            sale = s.get(Sale, row.current_sale_id)
            if sale is not None:
                return base | _serving(rt, s, station, sale)
        # Nothing to serve: the last outcome here stays on screen (a payment in doubt until
        # staff deal with it, a paid one for a few minutes), whichever came last.
        doubt = s.execute(select(Payment).join(Sale, Sale.id == Payment.sale_id).where(
            Payment.payment_station == station.id, Payment.state == PaymentState.UNKNOWN.value,
            Sale.state == SaleState.IN_DOUBT.value).order_by(Payment.started_at.desc()).limit(1)).scalar_one_or_none()
        paid = s.execute(select(Payment).join(Sale, Sale.id == Payment.sale_id).where(
            Payment.payment_station == station.id, Payment.state == PaymentState.APPROVED.value,
            Sale.state == SaleState.PAID.value).order_by(Payment.completed_at.desc()).limit(1)).scalar_one_or_none()
        paid_at = _aware(paid.completed_at) if paid is not None else None
        doubt_at = _aware(doubt.started_at) if doubt is not None else None
        if doubt is not None and (paid_at is None or doubt_at is None or doubt_at >= paid_at):
            sale = s.get(Sale, doubt.sale_id)
            return base | {"phase": "in_doubt", "sale": _sale(rt, sale), "payment": _payment(rt, doubt)}
        if paid is not None and paid_at is not None and now - paid_at < PAID_SHOWN \
                and not _anything_since(s, station.id, paid_at):
            sale = s.get(Sale, paid.sale_id)
            receipt = s.execute(select(Receipt.number).where(Receipt.sale_id == sale.id)
                                .order_by(Receipt.id.desc()).limit(1)).scalar_one_or_none()
            return base | {"phase": "paid", "sale": _sale(rt, sale), "payment": _payment(rt, paid),
                           "receipt_number": receipt, "paid_at": paid_at.isoformat()}
    return base


def _anything_since(s: Any, station: str, at: dt.datetime) -> bool:
    """Did anything happen at ``station`` after ``at``: a payment attempt, an incident (a jam)?
    Then an earlier "paid" is old news and must not come back (e.g. once a jam is cleared)."""
    later_payment = s.execute(select(Payment.id).where(
        Payment.payment_station == station, Payment.started_at > at).limit(1)).first()
    if later_payment is not None:
        return True
    return s.execute(select(Incident.id).where(
        Incident.payment_station == station, Incident.opened_at > at).limit(1)).first() is not None


def _serving(rt: Runtime, s: Any, station: PaymentStationConfig, sale: Sale) -> dict[str, Any]:
    view: dict[str, Any] = {"sale": _sale(rt, sale)}
    due = sale.total - sale.paid_amount
    running = s.execute(select(Payment).where(
        Payment.sale_id == sale.id, Payment.state.in_((PaymentState.PENDING.value, PaymentState.SETTLING.value)))
        .order_by(Payment.started_at.desc()).limit(1)).scalar_one_or_none()
    if running is not None:
        phase = "cash" if running.method == "cash" else "paying"
        view |= {"phase": phase, "payment": _payment(rt, running)}
        if phase == "cash":
            view["exact_only"] = _exact_only(rt, station.id, due)
        return view
    latest = s.execute(select(Payment).where(Payment.sale_id == sale.id)
                       .order_by(Payment.started_at.desc(), Payment.completed_at.desc()).limit(1)).scalar_one_or_none()
    at_this_station = latest is not None and latest.payment_station == station.id
    notice = _notice(latest) if at_this_station else None
    view |= {"phase": "due", "notice": notice, "notice_id": latest.id[:8] if notice and latest else None,
             "last_brand": latest.brand if notice and latest else None,
             "exact_only": _exact_only(rt, station.id, due)}
    return view
