"""Cash that moves without a sale: the opening float (釣銭準備金), a replenishment (釣銭補充)
or a collection (回収), by denomination.

Each movement is carried out on the changer and then journalled with its counts and who
did it, so the changer's inventory always equals float + cash received - change - refunds
+/- cash in/out, note by note (see :mod:`madoguchi.domain.changer_book`). The opening
float also journals what the machine held just before it was loaded, and answers where
that differs from the journal.

A movement carries the client's id: a retry after a lost answer returns the first answer
and moves no cash twice.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.changer_book import changer_book, differences
from madoguchi.domain.journal import EntryKind
from madoguchi.domain.money import DENOMINATIONS, total_of_counts
from madoguchi.errors import BadInput
from madoguchi.services.counter.common import check_client_id, idempotent
from madoguchi.services.counter.days import open_business_day
from madoguchi.services.runtime import Runtime

DIRECTIONS = ("float", "in", "out")
#: Most notes or coins of one kind a movement may name: a sanity bound against typos.
MAX_MOVE_COUNT = 10_000


def check_counts(counts: Mapping[object, object]) -> dict[int, int]:
    """``{"1000": 5, "100": 20}`` (or int keys) -> ``{1000: 5, 100: 20}``, zeros dropped.

    Errors name the key or the denomination that is wrong."""
    if not isinstance(counts, Mapping):
        raise BadInput(f"counts must be an object of denomination -> count, got {type(counts).__name__}")
    clean: dict[int, int] = {}
    for key, count in counts.items():
        text = str(key).strip()
        if isinstance(key, bool) or not (text.isascii() and text.isdigit()) or int(text) not in DENOMINATIONS:
            raise BadInput(f"counts: {key!r} is not a yen denomination (use {', '.join(map(str, DENOMINATIONS))})")
        d = int(text)
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_MOVE_COUNT:
            raise BadInput(f"counts, denomination {d}: the count must be a whole number from 0 to "
                           f"{MAX_MOVE_COUNT}, got {count!r}")
        if count:
            clean[d] = clean.get(d, 0) + count
    if not clean:
        raise BadInput("counts: no notes or coins given")
    return clean


def _station_book(uow: UnitOfWork, station: str, day: dt.date) -> dict[int, int] | None:
    """What the journal says the station's changer holds on ``day`` so far."""
    counts = changer_book(uow.day_locks.station_entries(station, day)).counts
    return dict(counts) if counts is not None else None


def move_cash(rt: Runtime, *, payment_station: str, counts: Mapping[Any, Any], direction: str,
              reason: str, actor: Actor, move_id: str | None = None) -> dict[str, Any]:
    """``direction`` is ``float`` (opening float), ``in`` (replenishment) or ``out`` (collection).

    ``move_id`` is the client's id for the movement (a UUID); without one (the simulator,
    the CLI) the movement gets a fresh one.
    """
    station = rt.places.payment_station(payment_station)
    actor.require(Action.APPROVE, station.site)
    clean = check_counts(counts)
    if direction not in DIRECTIONS:
        raise BadInput("direction must be float, in or out")
    reason = (reason or "").strip()
    if not reason and direction != "float":
        raise BadInput("a replenishment or a collection needs a reason")
    if len(reason) > 200:
        raise BadInput("a reason is at most 200 characters")
    key = check_client_id(move_id, what="cash movement id") if move_id is not None else str(uuid.uuid4())
    request = {"payment_station": payment_station, "direction": direction,
               "counts": {str(d): n for d, n in sorted(clean.items())}, "reason": reason}
    changer = rt.devices.of(payment_station).changer
    # The device lock is held to the end: a retry of the same id waits, then finds the answer.
    with rt.devices.lock(payment_station):
        with rt.uow(read_only=True) as uow:
            done = uow.replay(key, "move_cash", request)
        if done is not None:
            return done
        before = changer.counts()
        if direction == "out":
            changer.collect(clean)
        else:
            changer.load(clean)
        amount = total_of_counts(clean)
        kind = {"float": EntryKind.FLOAT_LOADED, "in": EntryKind.CASH_IN, "out": EntryKind.CASH_OUT}[direction]

        def work(uow: UnitOfWork, now: dt.datetime) -> dict[str, Any]:
            # Cash put in after the station's close (tomorrow's float) belongs to the next open day.
            day, _moved = open_business_day(uow, station.site, now, station=payment_station)
            found: list[dict[str, int]] = []
            extra: dict[str, Any] = {}
            if direction == "float":
                extra["machine_before"] = {str(d): n for d, n in sorted(before.items()) if n}
                book = _station_book(uow, payment_station, day)
                if book is not None:
                    found = [{"denomination": x.denomination, "machine": x.machine, "journal": x.journal}
                             for x in differences(before, book)]
            entry = uow.journal.append(
                kind, at=now, actor=actor.login, amount=amount if direction != "out" else -amount,
                site=station.site, station=payment_station, business_date=day, move_id=key,
                counts=request["counts"], reason=reason, **extra)
            uow.touch(f"station:{payment_station}", f"site:{station.site}")  # live screens re-read
            return {"id": key, "payment_station": payment_station, "direction": direction, "amount": amount,
                    "business_date": day.isoformat(), "journal_seq": entry.seq, "actor": actor.login,
                    "inventory": {str(d): n for d, n in changer.counts().items()}, "differences": found}

        return idempotent(rt, key, "move_cash", request, work)
