"""What residents want, drawn before the day starts: when they come, what they ask for, how
they pay and which fault (if any) their sale meets. Every draw comes from the day's RNG."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from madoguchi.domain.brands import brand as brand_of
from madoguchi.domain.catalog import FeeItem
from madoguchi.services.runtime import Runtime

OPENING, CLOSING = dt.time(8, 30), dt.time(17, 15)
#: Relative arrivals per hour of the day: a morning peak, a dip at lunch, a quiet end.
HOUR_WEIGHTS = {8: 6, 9: 13, 10: 14, 11: 12, 12: 8, 13: 11, 14: 11, 15: 10, 16: 8, 17: 4}
#: Cashless brand mix: transit IC and PayPay lead, then VISA/JCB, then the long tail.
BRAND_WEIGHTS: dict[str, float] = {
    "suica": 16, "pasmo": 13, "paypay": 22, "visa": 9, "jcb": 6, "mastercard": 4, "id": 3,
    "quicpay": 2, "waon": 2, "nanaco": 2, "edy": 2, "dbarai": 3, "aupay": 2.5, "rakutenpay": 2.5,
    "merpay": 1.5, "linepay": 1, "amex": 1, "icoca": 1, "manaca": 0.4, "toica": 0.3, "kitaca": 0.3,
    "sugoca": 0.3, "nimoca": 0.3, "hayakaken": 0.2, "wechatpay": 0.5, "alipayplus": 0.5,
    "unionpay": 0.3, "diners": 0.3, "yuchopay": 0.3, "bankpay": 0.3, "jcoinpay": 0.2, "unionpayqr": 0.2,
}
FAULT_WEIGHTS = {"changer_jam": 3, "card_declined": 3, "terminal_timeout": 3, "outcome_unknown": 2,
                 "printer_paper_out": 2}
EXEMPTIONS = (("official_request", None), ("public_assistance", None), ("other", "年金請求のため"))

Line = tuple[str, int, str | None, str | None]  # fee, quantity, exemption, note


@dataclass(frozen=True)
class Plan:
    """What one resident wants, drawn before the day starts."""

    site: str
    staff_station: str
    start: dt.datetime
    line_seconds: tuple[float, ...]
    lines: tuple[Line, ...]
    cashless: bool
    brand: str
    fault: str | None
    void: bool


def offered_brands(day: dt.date, *, besides: str | None = None) -> list[str]:
    """The brands of the mix offered on ``day`` (LINE Pay ended in 2025), but ``besides``."""
    return [b for b in BRAND_WEIGHTS if b != besides and brand_of(b).offered_on(day)]


def draw_brand(rng: random.Random, brands: Sequence[str]) -> str:
    return rng.choices(brands, [BRAND_WEIGHTS[b] for b in brands])[0]


def draw_plans(rt: Runtime, rng: random.Random, *, day: dt.date, sites: Sequence[str], count: int,
               at: Callable[[dt.time], dt.datetime], fault_rate: float, cashless_share: float) -> list[Plan]:
    """``count`` residents over the day's opening hours, each queued at a staff station of a site."""
    places = rt.places
    slots = [(h, m) for h in range(8, 18) for m in (0, 15, 30, 45)
             if OPENING <= dt.time(h, m) < CLOSING]
    arrivals = sorted(
        at(dt.time(*slot)) + dt.timedelta(seconds=rng.uniform(0, 900))
        for slot in rng.choices(slots, [HOUR_WEIGHTS[h] for h, _ in slots], k=count))
    staff = {s: [x.id for x in places.staff_stations if x.site == s] for s in sites}
    free_at = {x: arrivals[0] for xs in staff.values() for x in xs}
    fees = rt.catalog.in_force(day)
    brands = offered_brands(day)
    plans = []
    for arrival in arrivals:
        site = rng.choices(sites, [len(staff[s]) for s in sites])[0]
        lane = min(staff[site], key=lambda x: free_at[x])
        start = max(arrival, free_at[lane])
        lines = _lines(rng, fees)
        seconds = tuple(rng.uniform(10, 25) for _ in range(len(lines) + 1))
        free_at[lane] = start + dt.timedelta(seconds=sum(seconds) + 5)
        void = rng.random() < 0.01
        fault = None
        if not void and rng.random() < fault_rate:
            fault = rng.choices(list(FAULT_WEIGHTS), list(FAULT_WEIGHTS.values()))[0]
        cashless = rng.random() < cashless_share
        if fault == "changer_jam":
            cashless = False
        elif fault in ("card_declined", "terminal_timeout", "outcome_unknown"):
            cashless = True
        brand = draw_brand(rng, brands)
        plans.append(Plan(site, lane, start, seconds, lines, cashless, brand, fault, void))
    return plans


def _lines(rng: random.Random, fees: Sequence[FeeItem]) -> tuple[Line, ...]:
    k = min(len(fees), rng.choices((1, 2, 3), (65, 25, 10))[0])
    pool, chosen = list(fees), []
    for _ in range(k):
        item = rng.choices(pool, [1 / item.rank ** 1.3 for item in pool])[0]
        pool.remove(item)
        chosen.append(item)
    lines = []
    for n, item in enumerate(chosen):
        quantity = 2 if rng.random() < 0.15 else 1
        exemption = note = None
        # Never the first line: a sale with nothing to pay cannot be completed at a payment station.
        if n > 0 and item.exemptible and rng.random() < 0.08:
            exemption, note = rng.choice(EXEMPTIONS)
        lines.append((item.code, quantity, exemption, note))
    return tuple(lines)
