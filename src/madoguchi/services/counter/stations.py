"""What the payment stations look like, and the demo panel that plays the resident.

Read side: each payment station's occupancy, fault, changer, printer and terminal,
and the state of one payment as the station shows it. Write side kept here because
it is about stations: printing the receipts a station still owes. The simulator
panel (demo mode only) inserts cash and injects faults into the simulated devices,
going through the same cash service as the real machine would.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.sale import PaymentMethod
from madoguchi.domain.station_fault import fault_code
from madoguchi.errors import ChangerJammed, Conflict, NotFound
from madoguchi.services.counter.cash import cash_view, complete_cash, record_jam
from madoguchi.services.counter.payments import current_view
from madoguchi.services.counter.receipts import print_pending
from madoguchi.services.runtime import Runtime


def database_ok(rt: Runtime) -> bool:
    """Does the database answer? (the health check)."""
    with rt.uow(read_only=True) as uow:
        return uow.answers()


def list_stations(rt: Runtime, *, actor: Actor, site: str | None = None) -> list[dict[str, Any]]:
    """Every payment station the actor may see: who occupies it, and how its devices are."""
    if site is not None:
        rt.places.site(site)
        actor.require(Action.VIEW, site)
    configs = [p for p in rt.places.payment_stations
               if (site is None or p.site == site) and actor.may(Action.VIEW, p.site)]
    # Printers on the network answer slowly or not at all: ask them all at once.
    with ThreadPoolExecutor(max_workers=min(8, max(1, len(configs)))) as pool:
        printers = dict(zip([c.id for c in configs],
                            pool.map(lambda c: rt.devices.of(c.id).printer.status().value, configs), strict=True))
    with rt.uow(read_only=True) as uow:
        rows = uow.stations.every()
        serving = uow.stations.serving([r.current_sale_id for r in rows.values() if r.current_sale_id])
        pending = uow.receipts.pending_counts()
    out = []
    for cfg in configs:
        row = rows.get(cfg.id)
        devices = rt.devices.of(cfg.id)
        changer = devices.changer
        out.append({
            "id": cfg.id, "site": cfg.site, "name": cfg.name, "number": cfg.number, "colour": cfg.colour,
            "current_sale_id": row.current_sale_id if row else None,
            # The sale it serves as staff say it (which 受付 sent it, how much), never its id.
            "current_sale": _serving(rt, serving.get(row.current_sale_id)) if row and row.current_sale_id else None,
            "fault": row.fault if row else None,
            "fault_code": fault_code(row.fault if row else None),
            "changer": {"status": changer.status().value, "counts": changer.counts(),
                        "deposit": changer.deposit_amount()},
            "printer": printers[cfg.id],
            "terminal_online": devices.terminal.online(),
            "pending_receipts": pending.get(cfg.id, 0),
        })
    return out


def _serving(rt: Runtime, sale: tuple[str, int] | None) -> dict[str, Any] | None:
    if sale is None:
        return None
    desk, total = sale
    try:
        name = rt.places.staff_station(desk).name
    except NotFound:
        name = ""
    return {"staff_station": name, "total": total}


def payment_status(rt: Runtime, *, payment_id: str, actor: Actor) -> dict[str, Any]:
    """A payment as its station shows it; a cash one says how much is in and still due."""
    with rt.uow(read_only=True) as uow:
        payment = uow.payments.find(payment_id)
        if payment is None:
            raise NotFound(f"no payment {payment_id}")
        actor.require(Action.VIEW, payment.site)
        method = payment.method
    if method == PaymentMethod.CASH:
        return cash_view(rt, payment_id)
    return current_view(rt, payment_id)


def print_pending_receipts(rt: Runtime, *, payment_station: str, actor: Actor) -> list[dict[str, Any]]:
    """Print again what a station owes (after new paper or a cleared jam)."""
    station = rt.places.payment_station(payment_station)
    actor.require(Action.PAY, station.site)
    return print_pending(rt, payment_station=payment_station)


# --- the demo simulator panel ------------------------------------------------------------
def _simulated(rt: Runtime, payment_station: str, actor: Actor, device: str, method: str) -> Any:
    if not rt.settings.demo:
        raise NotFound("the simulator panel exists in demo mode only")
    station = rt.places.payment_station(payment_station)
    actor.require(Action.PAY, station.site)
    thing = getattr(rt.devices.of(payment_station), device)
    if not callable(getattr(thing, method, None)):
        raise Conflict(f"the {device} of payment station {payment_station} is a real device, not a simulator")
    return thing


def sim_insert(rt: Runtime, *, payment_station: str, denomination: int, count: int,
               actor: Actor) -> dict[str, Any]:
    """The resident puts cash in; once the sale is covered the payment completes by itself."""
    changer = _simulated(rt, payment_station, actor, "changer", "insert")
    with rt.uow(read_only=True) as uow:
        pending = uow.payments.pending_cash_at(payment_station)
    if pending is None:
        raise Conflict(f"no cash payment is waiting at payment station {payment_station}; start one first")
    payment_id, amount = pending
    with rt.devices.lock(payment_station):
        try:
            changer.insert(denomination, count)
        except ChangerJammed as exc:
            record_jam(rt, payment_id, step="insert", retained=changer.deposit_amount())
            raise ChangerJammed(f"{exc.message}: the sale can move to another payment station") from None
        covered = changer.deposit_amount() >= amount
    if covered:
        return complete_cash(rt, payment_id=payment_id, actor=actor)
    return cash_view(rt, payment_id)


def sim_changer_fault(rt: Runtime, *, payment_station: str, operation: str, actor: Actor) -> dict[str, Any]:
    """Make the changer jam at its next ``operation`` (or at once, with ``now``)."""
    changer = _simulated(rt, payment_station, actor, "changer", "fail_next")
    if operation == "now":
        changer.jam_now()
    else:
        changer.fail_next(operation)
    return {"payment_station": payment_station, "done": f"changer will jam: {operation}"}


def sim_terminal(rt: Runtime, *, payment_station: str, outcome: str, actor: Actor) -> dict[str, Any]:
    """Decide the terminal's next answer, or take it off or back on line."""
    terminal = _simulated(rt, payment_station, actor, "terminal", "script")
    if outcome in ("online", "offline"):
        terminal.set_online(outcome == "online")
    else:
        terminal.script(outcome)
    return {"payment_station": payment_station, "done": f"terminal: {outcome}"}


def sim_printer(rt: Runtime, *, payment_station: str, paper_out: bool, actor: Actor) -> dict[str, Any]:
    """Run the printer out of paper, or put a new roll in."""
    printer = _simulated(rt, payment_station, actor, "printer", "set_paper_out")
    printer.set_paper_out(paper_out)
    return {"payment_station": payment_station, "done": "paper out" if paper_out else "new roll"}
