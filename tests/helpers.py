"""Small steps that many tests take: make a sale, hand it off, look at devices."""
from __future__ import annotations

import uuid
from typing import Any

from madoguchi.domain.auth import Actor
from madoguchi.services.counter import cash, sales
from madoguchi.services.runtime import Runtime


def new_id() -> str:
    return str(uuid.uuid4())


def open_sale(rt: Runtime, actor: Actor, items: list[tuple[str, int]] | None = None,
              staff_station: str = "honcho-s1") -> str:
    sale_id = new_id()
    sales.create_sale(rt, sale_id=sale_id, staff_station=staff_station, actor=actor)
    for code, qty in ([("juminhyo", 1)] if items is None else items):
        sales.add_line(rt, sale_id=sale_id, line_id=new_id(), fee_code=code, quantity=qty, actor=actor)
    return sale_id


def handed_off(rt: Runtime, actor: Actor, items: list[tuple[str, int]] | None = None,
               station: str | None = "honcho-p1", staff_station: str = "honcho-s1") -> str:
    sale_id = open_sale(rt, actor, items, staff_station)
    sales.hand_off(rt, sale_id=sale_id, handoff_id=new_id(), payment_station=station, actor=actor)
    return sale_id


def pay_cash(rt: Runtime, actor: Actor, sale_id: str, notes: list[int]) -> dict[str, Any]:
    payment_id = new_id()
    view = cash.start_cash(rt, payment_id=payment_id, sale_id=sale_id, actor=actor)
    changer = rt.devices.of(view["payment_station"]).changer
    for note in notes:
        changer.insert(note)
    return cash.complete_cash(rt, payment_id=payment_id, actor=actor)


def changer(rt: Runtime, station: str = "honcho-p1"):  # type: ignore[no-untyped-def]
    return rt.devices.of(station).changer


def terminal(rt: Runtime, station: str = "honcho-p1"):  # type: ignore[no-untyped-def]
    return rt.devices.of(station).terminal


def printer(rt: Runtime, station: str = "honcho-p1"):  # type: ignore[no-untyped-def]
    return rt.devices.of(station).printer


def journal(rt: Runtime) -> list:  # type: ignore[type-arg]
    """Every journal entry, in order."""
    from madoguchi.adapters.db.journal import iter_entries
    with rt.uow() as uow:
        return list(iter_entries(uow.session))


def arm_fault(devices, fault: str) -> None:  # type: ignore[no-untyped-def]
    """Make a station's simulated devices fail the next step as ``fault`` names (property tests)."""
    if fault.startswith("jam_"):
        devices.changer.fail_next(fault[4:])
    elif fault.startswith("timeout_") or fault == "declined":
        devices.terminal.script(fault)
    elif fault == "paper_out":
        devices.printer.set_paper_out(True)
