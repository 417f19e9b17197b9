"""What a simulated day came to: the summary ``simulate-day`` prints, read back from the records.

Equal for equal seeds on fresh databases: everything here is read from what the real
services stored, plus the counts of faults injected and of what staff did, which the
day simulator (:mod:`madoguchi.services.sim.simulate`) keeps.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from madoguchi.domain.brands import brand as find_brand
from madoguchi.domain.money import format_yen
from madoguchi.domain.receipt import JST
from madoguchi.domain.sale import SaleState
from madoguchi.services.runtime import Runtime


@dataclass
class DaySummary:
    """What the day came to, as ``simulate-day`` prints it; equal for equal seeds on fresh databases."""

    day: str
    seed: int
    sites: list[str]
    sales: int
    states: dict[str, int]
    gross: int
    cash: list[int]                     # [count, amount] of approved cash payments
    cashless: list[int]
    by_category: dict[str, list[int]]   # category -> [count, amount]
    brands: dict[str, int]
    exempt_lines: int
    faults: dict[str, int]
    fault_details: dict[str, int]
    events: dict[str, int]
    open_incidents: dict[str, int]
    receipts_pending: int
    journal_entries: int
    cash_moves: dict[str, int]          # float / in / out, yen
    changer_cash: dict[str, int]        # payment station -> yen in its changer at the end
    last_payment_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def cashless_share(self) -> str:
        paid = self.cash[0] + self.cashless[0]
        return f"{100 * self.cashless[0] / paid:.1f}%" if paid else "-"

    def lines(self) -> list[str]:
        def pairs(d: dict[str, Any]) -> str:
            return ", ".join(f"{k} {v}" for k, v in d.items()) or "none"

        def money(d: dict[str, int]) -> str:
            return pairs({k: format_yen(v) for k, v in d.items()})
        cats = ", ".join(f"{k} {c} ({format_yen(a)})" for k, (c, a) in self.by_category.items()) or "none"
        top = ", ".join(f"{k} {v}" for k, v in list(self.brands.items())[:8]) or "none"
        return [
            f"day {self.day} (seed {self.seed}, sites {', '.join(self.sites)})",
            f"sales: {self.sales}  paid {self.states.get('paid', 0)}  cancelled {self.states.get('cancelled', 0)}"
            f"  in doubt {self.states.get('in_doubt', 0)}"
            + "".join(f"  {k} {v}" for k, v in self.states.items() if k not in ("paid", "cancelled", "in_doubt")),
            f"gross: {format_yen(self.gross)}",
            f"cash: {self.cash[0]} payments, {format_yen(self.cash[1])}",
            f"cashless: {self.cashless[0]} payments, {format_yen(self.cashless[1])}  (share {self.cashless_share})",
            f"by category: {cats}",
            f"brands: {top}",
            f"exempt lines: {self.exempt_lines}",
            f"faults injected: {sum(self.faults.values())} ({pairs(self.faults)})",
            f"  details: {pairs(self.fault_details)}",
            f"what staff did: {pairs(self.events)}",
            f"open incidents: {sum(self.open_incidents.values())} ({pairs(self.open_incidents)})",
            f"receipts pending: {self.receipts_pending}",
            f"cash moves: {money(self.cash_moves)}",
            f"cash in changers: {money(self.changer_cash)}",
            f"last payment at: {self.last_payment_at or '-'}",
            f"journal entries: {self.journal_entries}",
        ]


def read_summary(rt: Runtime, *, day: dt.date, seed: int, sites: list[str], sale_ids: list[str],
                 stations: list[str], faults: dict[str, int], details: Counter[str], events: Counter[str],
                 moves: dict[str, int]) -> DaySummary:
    """The day's sales, payments and open incidents as stored, with the simulator's own counts."""
    with rt.uow(read_only=True) as uow:
        records = uow.sim.day_records(sale_ids, stations)
    approved = records.approved
    by_category: dict[str, list[int]] = {}
    brands: Counter[str] = Counter()
    for p in approved:
        entry = by_category.setdefault(p.category, [0, 0])
        entry[0] += 1
        entry[1] += p.amount
        if p.brand:
            brands[find_brand(p.brand).name] += 1
    cash = [sum(1 for p in approved if p.category == "cash"), sum(p.amount for p in approved if p.category == "cash")]
    cashless = [len(approved) - cash[0], sum(p.amount for p in approved) - cash[1]]
    states = Counter(records.sale_states)
    order = [SaleState.PAID, SaleState.CANCELLED, SaleState.IN_DOUBT]
    return DaySummary(
        day=day.isoformat(), seed=seed, sites=list(sites), sales=len(records.sale_states),
        states={str(k): states[k] for k in order} | {k: v for k, v in sorted(states.items()) if k not in order},
        gross=sum(p.amount for p in approved), cash=cash, cashless=cashless,
        by_category=dict(sorted(by_category.items(), key=lambda kv: -kv[1][0])),
        brands=dict(sorted(brands.items(), key=lambda kv: (-kv[1], kv[0]))), exempt_lines=records.exempt_lines,
        faults=dict(faults),
        fault_details=dict(sorted(details.items())), events=dict(sorted(events.items())),
        open_incidents=dict(sorted(Counter(records.open_incident_kinds).items())),
        receipts_pending=records.receipts_pending, journal_entries=records.journal_entries, cash_moves=dict(moves),
        changer_cash={st: sum(d * n for d, n in rt.devices.of(st).changer.counts().items())
                      for st in stations},
        last_payment_at=approved[-1].completed_at.astimezone(JST).strftime("%H:%M:%S") if approved else None,
    )
