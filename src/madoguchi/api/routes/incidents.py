"""Incidents: a jammed changer's cash, a cashless payment whose outcome is unknown."""
from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import Query

from madoguchi.api.routing import ApiRouter
from madoguchi.api.schemas_sales import IncidentPublic, ResolveCreate
from madoguchi.http.deps import ActorDep, RuntimeDep
from madoguchi.http.fields import Code
from madoguchi.services.counter import incidents

router = ApiRouter(prefix="/api/incidents", tags=["incidents"])


@router.get("", response_model=list[IncidentPublic])
def list_incidents(actor: ActorDep, rt: RuntimeDep, site: Annotated[Code | None, Query()] = None,
                   state: Literal["open", "resolved", "all"] = "open") -> list[dict[str, Any]]:
    return incidents.list_incidents(rt, actor=actor, site=site, state=None if state == "all" else state)


@router.post("/{incident_id}/recheck", response_model=IncidentPublic)
def recheck(incident_id: uuid.UUID, actor: ActorDep, rt: RuntimeDep) -> dict[str, Any]:
    """Ask the terminal again about an unknown outcome, by our request id."""
    return incidents.recheck_unknown(rt, incident_id=str(incident_id), actor=actor)


@router.post("/{incident_id}/resolve", response_model=IncidentPublic)
def resolve(incident_id: uuid.UUID, body: ResolveCreate, actor: ActorDep, rt: RuntimeDep) -> dict[str, Any]:
    """Record what became of an in-doubt payment, with the evidence (supervisor)."""
    return incidents.resolve_unknown(rt, incident_id=str(incident_id), paid=body.paid, evidence=body.evidence,
                                     reference=body.reference, actor=actor)
