"""``GET /api/journal/verify``: recompute the hash chain and name the first entry that fails."""
from __future__ import annotations

from typing import Any

from madoguchi.api.routing import ApiRouter
from madoguchi.api.schemas import JournalCheck
from madoguchi.http.deps import ActorDep, RuntimeDep
from madoguchi.services.journal.verify import verify

router = ApiRouter(prefix="/api/journal", tags=["journal"])


@router.get("/verify", response_model=JournalCheck)
def verify_journal(actor: ActorDep, rt: RuntimeDep) -> dict[str, Any]:
    result = verify(rt)
    broken = result.broken
    return {"ok": result.ok, "entries": result.entries, "broken_at": broken.seq if broken else None,
            "reason": broken.reason if broken else None}
