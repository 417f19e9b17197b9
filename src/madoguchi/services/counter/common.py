"""Small helpers the services share: idempotent runs, client ids, station claims."""
from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from madoguchi.adapters.db.uow import UnitOfWork
from madoguchi.domain.station_fault import fault_code
from madoguchi.errors import BadInput, NotFound, StationBusy
from madoguchi.services.runtime import Runtime

T = TypeVar("T")


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def check_client_id(value: str, *, what: str = "id") -> str:
    """Client-generated ids are UUIDs in their canonical text form."""
    if isinstance(value, str) and _CANONICAL_UUID.fullmatch(value):
        return value  # already canonical (what every station sends)
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, AttributeError, TypeError):
        raise BadInput(f"{what}: {value!r} is not a UUID; generate one per request on the client") from None


def idempotent(rt: Runtime, key: str, operation: str, request: dict[str, Any],
               work: Callable[[UnitOfWork, dt.datetime], dict[str, Any]]) -> dict[str, Any]:
    """Run ``work`` once per ``key``: a repeat returns the first answer instead of acting again.

    ``work`` only writes in its unit of work (no device acts in it), so the key is not
    looked up before it runs: the work runs, and its answer is remembered under the key in
    the same transaction. A repeat cannot commit a second time. Remembering its key is
    refused (the key is the table's primary key), or the work fails before that (its sale
    has moved on, its line id is taken). Either way its transaction rolls back, and only
    then is the first answer looked up and returned: a first request, the common case,
    pays no lookup; a repeat or a refusal pays one.

    Two identical requests racing on PostgreSQL: the second's insert of the key waits
    for the first's transaction, is refused once it commits, and replays its answer.
    """
    try:
        with rt.uow() as uow:
            now = rt.clock()
            result = work(uow, now)
            uow.remember(key, operation, request, result, now)
            uow.commit()
            return result
    except Exception:
        # (Looked up after the unit of work has ended, so that a database error still
        # gives its connection back as unhealthy.)
        with rt.uow(read_only=True) as uow:
            done = uow.replay(key, operation, request)
        if done is None:
            raise  # not a repeat: the work's own refusal
        return done


def claim_station(uow: UnitOfWork, station_id: str, sale_id: str) -> None:
    """Occupy a payment station for one sale, atomically (a conditional UPDATE).

    Two staff stations racing for the same payment station: exactly one UPDATE
    matches the ``current_sale_id IS NULL`` row; the other gets StationBusy. A
    station this sale already holds matches too (one statement on the common path).
    """
    if not uow.stations.claim(station_id, sale_id):
        row = uow.stations.hold(station_id)
        if row is None:
            raise NotFound(f"no payment station {station_id!r}")
        fault = fault_code(row.fault)
        if fault is not None:
            raise StationBusy(f"payment station {station_id} is out of service: {row.fault}",
                              code="station_jammed" if fault["code"] == "changer_jammed" else "station_out_of_service",
                              params={"station": station_id})
        if row.current_sale_id == sale_id:
            return
        raise StationBusy(f"payment station {station_id} is serving another sale",
                          code="station_in_use", params={"station": station_id})


def release_station(uow: UnitOfWork, station_id: str | None, sale_id: str) -> None:
    if station_id is None:
        return
    uow.stations.release(station_id, sale_id)
