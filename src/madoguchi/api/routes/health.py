"""``GET /healthz``: is the service up and does its database answer."""
from __future__ import annotations

from fastapi import Response

from madoguchi.api.routing import ApiRouter
from madoguchi.api.schemas import Health
from madoguchi.http.deps import RuntimeDep
from madoguchi.services.counter.stations import database_ok

router = ApiRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz(rt: RuntimeDep, response: Response) -> dict[str, str]:
    if database_ok(rt):
        return {"status": "ok"}
    response.status_code = 503
    return {"status": "database unreachable"}
