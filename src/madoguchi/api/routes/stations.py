"""Payment stations: their state, clearing a jam, cash in and out, printing what is owed."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

from madoguchi.api.routing import ApiRouter
from madoguchi.api.schemas_sales import NoteCreate, ReceiptPublic
from madoguchi.api.schemas_stations import CashMoveCreate, CashMovePublic, JamCleared, StationPublic
from madoguchi.http.deps import ActorDep, RuntimeDep
from madoguchi.http.fields import CODE_PATTERN, Code
from madoguchi.services.counter import cashbox, incidents, stations

router = ApiRouter(prefix="/api/stations", tags=["stations"])
StationId = Annotated[str, Path(pattern=CODE_PATTERN)]


@router.get("", response_model=list[StationPublic])
def list_stations(actor: ActorDep, rt: RuntimeDep,
                  site: Annotated[Code | None, Query()] = None) -> list[dict[str, Any]]:
    return stations.list_stations(rt, actor=actor, site=site)


@router.post("/{station_id}/clear-jam", response_model=JamCleared)
def clear_jam(station_id: StationId, actor: ActorDep, rt: RuntimeDep,
              body: NoteCreate | None = None) -> dict[str, Any]:
    """Staff opened the machine: the cash a jam held goes back to the resident (supervisor)."""
    return incidents.clear_jam(rt, payment_station=station_id, actor=actor, note=body.note if body else None)


@router.post("/{station_id}/cash", response_model=CashMovePublic)
def move_cash(station_id: StationId, body: CashMoveCreate, actor: ActorDep, rt: RuntimeDep) -> dict[str, Any]:
    """Opening float (釣銭準備金), replenishment (釣銭補充) or collection (回収), by denomination
    (supervisor); a repeat of the same id answers the first movement again."""
    return cashbox.move_cash(rt, payment_station=station_id, counts=body.counts, direction=body.direction,
                             reason=body.reason, actor=actor, move_id=str(body.id))


@router.post("/{station_id}/print-pending", response_model=list[ReceiptPublic])
def print_pending(station_id: StationId, actor: ActorDep, rt: RuntimeDep) -> list[dict[str, Any]]:
    """Print the receipts the station still owes (after new paper)."""
    return stations.print_pending_receipts(rt, payment_station=station_id, actor=actor)
