"""Cash that moves without a sale: the opening float, cash put in or taken out.

Each movement is carried out on the changer and then journalled, so the changer's
inventory always equals float + cash received - change - refunds +/- cash in/out.
"""
from __future__ import annotations

from typing import Any

from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.journal import EntryKind
from madoguchi.domain.money import DENOMINATIONS, total_of_counts
from madoguchi.errors import BadInput
from madoguchi.services.days import open_business_day
from madoguchi.services.runtime import Runtime


def _check_counts(counts: dict[int, int]) -> dict[int, int]:
    clean = {}
    for denomination, count in counts.items():
        d = int(denomination)
        if d not in DENOMINATIONS:
            raise BadInput(f"{denomination}: not a yen denomination (use {', '.join(map(str, DENOMINATIONS))})")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise BadInput(f"count for {d} yen must be a whole number >= 0, got {count!r}")
        if count:
            clean[d] = count
    if not clean:
        raise BadInput("no notes or coins given")
    return clean


def move_cash(rt: Runtime, *, payment_station: str, counts: dict[int, int], direction: str,
              reason: str, actor: Actor) -> dict[str, Any]:
    """``direction`` is ``float`` (opening float), ``in`` or ``out``."""
    station = rt.places.payment_station(payment_station)
    actor.require(Action.APPROVE, station.site)
    clean = _check_counts(counts)
    if direction not in ("float", "in", "out"):
        raise BadInput("direction must be float, in or out")
    if not (reason or "").strip() and direction != "float":
        raise BadInput("cash in or out needs a reason")
    changer = rt.devices.of(payment_station).changer
    with rt.devices.lock(payment_station):
        if direction == "out":
            changer.collect(clean)
        else:
            changer.load(clean)
    amount = total_of_counts(clean)
    kind = {"float": EntryKind.FLOAT_LOADED, "in": EntryKind.CASH_IN, "out": EntryKind.CASH_OUT}[direction]
    with rt.uow() as uow:
        now = rt.clock()
        # Cash put in after the station's close (tomorrow's float) belongs to the next open day.
        day, _moved = open_business_day(uow, station.site, now, station=payment_station)
        uow.journal.append(kind, at=now, actor=actor.login, amount=amount if direction != "out" else -amount,
                           site=station.site, station=payment_station, business_date=day,
                           counts={str(d): n for d, n in sorted(clean.items())}, reason=(reason or "")[:200])
        uow.commit()
    return {"payment_station": payment_station, "amount": amount, "inventory": changer.counts()}
