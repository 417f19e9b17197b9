"""A resident paying by card or code, and what happens when the terminal says no or nothing.

A fault scripted on the terminal (a decline, a timeout that ends one way or another,
an outcome never learnt) is dealt with as at the counter: another card, cash, or a
supervisor who lets the resident pay cash while the card's outcome is in doubt.
"""
from __future__ import annotations

from madoguchi.adapters.devices.terminal_sim import DECLINE_REASONS
from madoguchi.domain.brands import brand as brand_of
from madoguchi.domain.sale import PaymentState
from madoguchi.services.counter.incidents import allow_cash_in_doubt
from madoguchi.services.counter.payments import pay_cashless
from madoguchi.services.counter.sales import move_sale
from madoguchi.services.sim.cash_steps import pay_cash
from madoguchi.services.sim.day import CASHIER, SUPERVISOR, Day, Steps
from madoguchi.services.sim.plans import draw_brand, offered_brands
from madoguchi.services.sim.timing import draw_pay_seconds


def pay_by_card(d: Day, sale_id: str, station: str, brand: str, fault: str | None) -> Steps[None]:
    rt, rng = d.rt, d.rng
    terminal = d.terminal(station)
    backoff = rt.settings.status_backoff
    if fault == "card_declined":
        terminal.script("declined", reason=rng.choice(DECLINE_REASONS))
    elif fault == "terminal_timeout":
        end = rng.choice(("approved", "declined", "not_found"))
        d.details[f"terminal_timeout then {end.replace('_', ' ')}"] += 1
        terminal.script(f"timeout_{end}", in_progress_queries=rng.randint(0, min(2, len(backoff))))
    elif fault == "outcome_unknown":
        terminal.script("timeout_unknown")
    timed = d.timed.get(station)
    for attempt in range(3):
        yield rng.uniform(2, 5)  # the resident takes out the card or opens the app
        seconds = draw_pay_seconds(rng, brand_of(brand).category.value)
        if timed is not None:
            timed.seconds = seconds  # the payment takes them, from its start to its approval
        view = pay_cashless(rt, payment_id=d.new_id(), sale_id=sale_id, brand=brand, actor=CASHIER)
        yield seconds
        if view["state"] == PaymentState.APPROVED:
            return
        if view["state"] == PaymentState.UNKNOWN:
            yield sum(backoff)
            yield from _in_doubt(d, sale_id)
            return
        if view["state"] == PaymentState.NOT_SENT:  # the terminal never had it: safe to try again
            d.events["retried after not found"] += 1
            continue
        if attempt < 2 and rng.random() < 0.5:  # declined: another card, or cash
            d.events["retried with another brand"] += 1
            brand = draw_brand(rng, offered_brands(d.day, besides=brand))
            continue
        break
    d.events["paid cash after a decline"] += 1
    yield from pay_cash(d, sale_id, station, None)


def _in_doubt(d: Day, sale_id: str) -> Steps[None]:
    """The outcome stays unknown: the incident is open; sometimes the supervisor allows cash."""
    rt = d.rt
    yield d.rng.uniform(120, 480)  # the supervisor comes and hears the resident out
    if d.rng.random() >= 0.5:
        d.events["left in doubt"] += 1
        return
    allow_cash_in_doubt(rt, sale_id=sale_id, actor=SUPERVISOR,
                        note="card outcome unknown; the resident pays cash, the provider will be asked")
    d.events["cash allowed while in doubt"] += 1
    station = yield from d.wait_for(
        lambda: move_sale(rt, sale_id=sale_id, move_id=d.new_id(), actor=CASHIER)["payment_station"])
    if station is None:
        d.give_up(sale_id, "no payment station became free")
        return
    yield from pay_cash(d, sale_id, station, None)
