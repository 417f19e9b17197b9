"""The counter of the ledger property test: residents paying through the real services with
faults, and the tidying a restart needs (so that every day can still be closed)."""
from __future__ import annotations

import contextlib
import uuid
from typing import Any

from sqlalchemy import select

from madoguchi.adapters.db.tables import Sale
from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.errors import MadoguchiError
from madoguchi.services.counter import cash, incidents, payments, sales
from madoguchi.services.counter.receipts import print_pending
from tests.helpers import arm_fault

SITES = {"honcho": ("honcho-s1", ("honcho-p1", "honcho-p2")), "nishi": ("nishi-s1", ("nishi-p1",))}
CASHIER = Actor("madoguchi", Role.CASHIER, frozenset(SITES))
SUPERVISOR = Actor("kakaricho", Role.SUPERVISOR, frozenset({ALL_SITES}))


def new_id() -> str:
    return str(uuid.uuid4())


def run_sale(rt: Any, sale_id: str, staff: str, stations: tuple[str, ...], items: list[tuple[str, int]],
          in_cash: bool, note: bool, brand: str, fault: str) -> None:
    sales.create_sale(rt, sale_id=sale_id, staff_station=staff, actor=CASHIER)
    for code, qty in items:
        sales.add_line(rt, sale_id=sale_id, line_id=new_id(), fee_code=code, quantity=qty, actor=CASHIER)
    if fault == "void":
        sales.cancel_sale(rt, sale_id=sale_id, reason="the resident changed their mind", actor=CASHIER)
        return
    view = sales.hand_off(rt, sale_id=sale_id, handoff_id=new_id(), actor=CASHIER)
    station = view["payment_station"]
    devices = rt.devices.of(station)
    arm_fault(devices, fault)
    for _attempt in range(3):
        view = sales.get_sale(rt, sale_id=sale_id, actor=CASHIER)
        if view["state"] in ("paid", "in_doubt") or view["payment_station"] is None:
            break
        station = view["payment_station"]
        try:
            if in_cash or view["cash_only"]:
                pay_cash(rt, sale_id, station, note)
            else:
                payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand=brand, actor=CASHIER)
        except MadoguchiError:
            pass
        if rt.devices.of(station).changer.jammed():
            incidents.clear_jam(rt, payment_station=station, actor=SUPERVISOR)
        view = sales.get_sale(rt, sale_id=sale_id, actor=CASHIER)
        if view["state"] == "awaiting_payment" and view["payment_station"] is None:
            sales.move_sale(rt, sale_id=sale_id, move_id=new_id(), actor=CASHIER)
    if sales.get_sale(rt, sale_id=sale_id, actor=CASHIER)["state"] in ("open", "awaiting_payment", "paying"):
        sales.cancel_sale(rt, sale_id=sale_id, reason="gave up after faults", actor=CASHIER)
    if fault == "paper_out":
        devices.printer.set_paper_out(False)
        print_pending(rt, payment_station=station)


def pay_cash(rt: Any, sale_id: str, station: str, note: bool) -> None:
    pid = new_id()
    started = cash.start_cash(rt, payment_id=pid, sale_id=sale_id, actor=CASHIER)
    changer, amount = rt.devices.of(station).changer, started["amount"]
    if note and amount <= 1000:
        changer.insert(1000)
    else:
        for d in (10000, 5000, 1000, 500, 100, 50, 10):
            while amount >= d:
                changer.insert(d)
                amount -= d
    cash.complete_cash(rt, payment_id=pid, actor=CASHIER)


def tidy(rt: Any) -> None:
    """Cancel what a crash or a resolution left unfinished, so that its day can close."""
    with rt.uow(read_only=True) as uow:
        unfinished = uow.session.execute(select(Sale.id, Sale.site).where(
            Sale.state.in_(("open", "awaiting_payment", "paying")))).all()
    for station in (s for _staff, stations in SITES.values() for s in stations):
        if rt.devices.of(station).changer.jammed():
            incidents.clear_jam(rt, payment_station=station, actor=SUPERVISOR)
    for sale_id, _site in unfinished:
        with contextlib.suppress(MadoguchiError):
            sales.cancel_sale(rt, sale_id=sale_id, reason="after a restart", actor=CASHIER)
