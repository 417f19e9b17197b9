"""Training mode (練習モード): which stations train, and a supervisor's switch to or from it."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import Field, StrictBool

from madoguchi.api.routing import ApiRouter
from madoguchi.http.deps import ActorDep, RuntimeDep
from madoguchi.http.fields import CODE_PATTERN, Input
from madoguchi.services.counter import training

router = ApiRouter(prefix="/api/training", tags=["training mode"])
StationId = Annotated[str, Path(pattern=CODE_PATTERN)]


class TrainingSwitchCreate(Input):
    training: StrictBool  # true: to training; false: back to real sales
    note: Annotated[str, Field(max_length=200)] = ""


@router.get("")
def status(actor: ActorDep, rt: RuntimeDep) -> dict[str, Any]:
    """The staff and payment stations in training now."""
    return training.training_status(rt, actor=actor)


@router.get("/switches")
def switches(actor: ActorDep, rt: RuntimeDep) -> list[dict[str, Any]]:
    """Every switch to or from training, newest first."""
    return training.switches(rt, actor=actor)


@router.post("/stations/{station_id}")
def switch(station_id: StationId, body: TrainingSwitchCreate, actor: ActorDep, rt: RuntimeDep) -> dict[str, Any]:
    """Switch a staff or payment station to training or back (supervisor; refused while a
    sale is open at that station)."""
    return training.set_training(rt, station_id=station_id, training=body.training, actor=actor, note=body.note)
