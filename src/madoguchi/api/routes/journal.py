"""``GET /api/journal/verify``: recompute the hash chain and name the first entry that fails."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from madoguchi.api.routing import ThreadedRoute
from madoguchi.api.schemas import JournalCheck
from madoguchi.http.deps import ActorDep, RuntimeDep
from madoguchi.services.journal.verify import verify

router = APIRouter(prefix="/api/journal", tags=["journal"], route_class=ThreadedRoute)


@router.get("/verify", response_model=JournalCheck)
def verify_journal(actor: ActorDep, rt: RuntimeDep) -> dict[str, Any]:
    result = verify(rt)
    broken = result.broken
    return {"ok": result.ok, "entries": result.entries, "broken_at": broken.seq if broken else None,
            "reason": broken.reason if broken else None}
