"""The fee catalog in force today (most used first) and the places: open to anyone."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from madoguchi.api.routing import ApiRouter
from madoguchi.api.schemas import FeePublic, PlacesPublic
from madoguchi.domain.receipt import business_date
from madoguchi.http.deps import RuntimeDep

router = ApiRouter(prefix="/api", tags=["catalog"])


@router.get("/catalog", response_model=list[FeePublic])
def catalog(rt: RuntimeDep) -> list[dict[str, Any]]:
    return [asdict(item) | {"revenue_line_code": item.revenue_line.code,
                            "revenue_line_name": item.revenue_line.name}
            for item in rt.catalog.in_force(business_date(rt.clock()))]


@router.get("/places", response_model=PlacesPublic)
def places(rt: RuntimeDep) -> dict[str, Any]:
    return asdict(rt.places)
