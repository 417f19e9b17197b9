"""What the staff screens need of training mode (練習モード) beyond ``/api/training``.

- ``GET /api/screens/training-stations?site=``: the payment stations a register in
  training hands off to, read from the *training store* (their sale, their simulated
  changer, their screen), in the shape of ``GET /api/screens/stations``. Only the
  stations in training are listed: the others are not there for a training sale.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from madoguchi.api.deps import ActorDep, RuntimeDep
from madoguchi.api.schemas import Code
from madoguchi.services.counter import training
from madoguchi.web.screens_api import screen_stations

router = APIRouter(prefix="/api/screens", tags=["screens", "training mode"])


@router.get("/training-stations")
def training_stations(request: Request, actor: ActorDep, rt: RuntimeDep,
                      site: Annotated[Code | None, Query()] = None) -> list[dict[str, Any]]:
    """The payment stations in training, as the training store sees them."""
    modes = training.current_modes(rt, fresh=True)
    if not modes.payment:
        return []
    store = training.training_store(rt)
    return [st | {"training": True} for st in screen_stations(request, actor, store, site)
            if st["id"] in modes.payment]
