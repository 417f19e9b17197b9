"""A resident paying cash at a payment station, and what staff do about the machine.

A jam scheduled on the changer strikes at the planned step; a supervisor clears it
(the cash goes back to the resident) and the sale moves to another station if it
can. A machine that cannot make change gets the exact amount; a full slot gets a
pick-up; a nearly empty one a coin top-up.
"""
from __future__ import annotations

from madoguchi.adapters.devices.changer_slots import DEFAULT_FLOAT
from madoguchi.adapters.devices.ports import ChangerStatus
from madoguchi.domain.money import DENOMINATIONS
from madoguchi.errors import CannotMakeChange, ChangerJammed, ChangerNotReady, StationBusy
from madoguchi.services.counter.cash import cancel_cash, complete_cash, start_cash
from madoguchi.services.counter.cashbox import move_cash
from madoguchi.services.counter.incidents import clear_jam
from madoguchi.services.counter.sales import move_sale
from madoguchi.services.sim.day import CASHIER, SUPERVISOR, Day, Steps
from madoguchi.services.sim.timing import draw_pay_seconds

#: The steps of a cash payment where a planned jam can strike.
JAM_STEPS = ("begin_deposit", "insert", "fix_deposit", "end_deposit")


def pay_cash(d: Day, sale_id: str, station: str, jam: str | None) -> Steps[bool]:
    """The resident pays cash, trying again after what went wrong; ``False`` if they gave up."""
    exact = False
    for _ in range(4):
        outcome = yield from _attempt(d, sale_id, station, jam, exact)
        if outcome == "paid":
            tend(d, station)
            return True
        if outcome == "jammed":
            d.details[f"changer_jam at {jam}" if jam else "changer_jam (unplanned)"] += 1
            moved = yield from _after_jam(d, sale_id, station)
            if moved is None:
                d.give_up(sale_id, "no payment station became free after a jam")
                return False
            station = moved
        elif outcome == "no change":
            d.events["paid exact after the machine could not make change"] += 1
            exact = True
        elif outcome == "slot full":
            tend(d, station, force=True)
        jam = None
    d.give_up(sale_id, "the cash could not be taken")
    return False


def _attempt(d: Day, sale_id: str, station: str, jam: str | None, exact: bool) -> Steps[str]:
    rt, rng = d.rt, d.rng
    changer = d.changer(station)
    payment_id = d.new_id()
    try:
        if jam == "begin_deposit":
            changer.fail_next(jam)
        view = start_cash(rt, payment_id=payment_id, sale_id=sale_id, actor=CASHIER)
        pieces = _tender(d, view["amount"], exact)
        jam_at = rng.randrange(len(pieces)) if jam == "insert" else -1
        seconds = draw_pay_seconds(rng, "cash")  # from the start to the change (Narashino 2019)
        for n, (denomination, count) in enumerate(pieces):
            yield seconds * 0.8 / len(pieces)
            if n == jam_at:
                changer.fail_next("insert")
            try:
                changer.insert(denomination, count)
            except ChangerJammed:
                cancel_cash(rt, payment_id=payment_id, actor=CASHIER)  # records the jam and raises
                raise
            except ChangerNotReady:
                cancel_cash(rt, payment_id=payment_id, actor=CASHIER)
                return "slot full"
        yield seconds * 0.2  # the machine counts, fixes the deposit and pays out the change
        if jam in ("fix_deposit", "end_deposit"):
            changer.fail_next(jam)
        complete_cash(rt, payment_id=payment_id, actor=CASHIER)
        return "paid"
    except ChangerJammed:
        return "jammed"
    except CannotMakeChange:
        return "no change"


def _tender(d: Day, due: int, exact: bool) -> list[tuple[int, int]]:
    """What the resident puts in: the exact amount, a note, or a handful of 100-yen coins."""
    rng = d.rng
    draw = rng.random()
    if exact or draw < 0.35:
        amount = due
    elif draw < 0.85:
        notes = [n for n in (1000, 5000, 10000) if n >= due]
        if notes:
            amount = notes[0] if len(notes) == 1 or rng.random() < 0.8 else rng.choice(notes[1:])
        else:
            amount = -(-due // 1000) * 1000
    else:
        return [(100, -(-due // 100))]
    pieces = []
    for denomination in (10000, 5000, 1000, 500, 100, 50, 10, 5, 1):
        if amount >= denomination:
            pieces.append((denomination, amount // denomination))
            amount %= denomination
    return pieces


def _after_jam(d: Day, sale_id: str, jammed: str) -> Steps[str | None]:
    """A supervisor clears the jam (cash back to the resident); the sale moves on if it can."""
    rt = d.rt
    yield d.rng.uniform(90, 300)
    clear_jam(rt, payment_station=jammed, actor=SUPERVISOR, note="jam cleared; cash handed back")

    def claim() -> str:
        try:  # another payment station of the site first, so the counter keeps going
            station: str = move_sale(rt, sale_id=sale_id, move_id=d.new_id(), actor=CASHIER)["payment_station"]
        except StationBusy:
            station = move_sale(rt, sale_id=sale_id, move_id=d.new_id(), payment_station=jammed,
                                actor=CASHIER)["payment_station"]
        return station

    station = yield from d.wait_for(claim)
    if station is not None:
        d.events["moved after a jam" if station != jammed else "paid where the jam was cleared"] += 1
    return station


def tend(d: Day, station: str, *, force: bool = False) -> None:
    """Pick notes up from a nearly full machine; top coins up in a nearly empty one."""
    changer = d.changer(station)
    status, counts = changer.status(), changer.counts()
    if force or status in (ChangerStatus.NEAR_FULL, ChangerStatus.FULL):
        take = {x: counts[x] - changer.capacity[x] // 2 for x in DENOMINATIONS
                if counts[x] >= changer.near_full[x] or (force and counts[x] > changer.capacity[x] // 2)}
        if take:
            d.moves["out"] += move_cash(d.rt, payment_station=station, counts=take, direction="out",
                                        reason="pick-up: a slot was nearly full", actor=SUPERVISOR)["amount"]
            d.events["pick-ups"] += 1
    if status in (ChangerStatus.NEAR_EMPTY, ChangerStatus.EMPTY):
        add = {x: DEFAULT_FLOAT.get(x, 0) - counts[x] for x in DENOMINATIONS
               if changer.near_empty.get(x, 0) and counts[x] < changer.near_empty[x]
               and DEFAULT_FLOAT.get(x, 0) > counts[x]}
        if add:
            d.moves["in"] += move_cash(d.rt, payment_station=station, counts=add, direction="in",
                                       reason="coin top-up: a slot was nearly empty", actor=SUPERVISOR)["amount"]
            d.events["coin top-ups"] += 1
