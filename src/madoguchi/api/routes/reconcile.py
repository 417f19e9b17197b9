"""Close of month (月次処理) over HTTP: upload the agent's statements and run the
reconciliation, read past runs and download their reports, log inquiries about
incidents. Thin: each route calls one service function, which checks who may.

``POST /api/reconcile`` is multipart (the statement files, the month, optionally a
mapping TOML and whether the month's statements are complete) and needs an
``Idempotency-Key`` header (a UUID the client makes): the same key again returns the
first run's summary. A statement that does not parse is a 422 naming its line, column
and value, and nothing of that upload is kept.
"""
from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import File, Form, Header, Path, Query, UploadFile, status
from fastapi.responses import FileResponse

from madoguchi.api.routing import ApiRouter
from madoguchi.api.schemas_reconcile import (
    DisputedResolutionCreate,
    InquiryCreate,
    InquiryPublic,
    OpenIncidentPublic,
    RunDetail,
    RunPublic,
)
from madoguchi.http.deps import ActorDep, RuntimeDep
from madoguchi.services.reconcile import disputes as reconcile_disputes
from madoguchi.services.reconcile import exceptions as reconcile_exceptions
from madoguchi.services.reconcile import records as reconcile_records
from madoguchi.services.reconcile import runs as reconcile_runs
from madoguchi.services.reconcile.runs import Upload

router = ApiRouter(prefix="/api", tags=["close of month"])
MonthText = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$")]
#: A run's number; one beyond the column's range is no run (a 404, see reconcile_access.check_run_id).
RunId = Annotated[int, Path()]
MEDIA = {"report": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "matched": "text/csv; charset=utf-8"}


@router.post("/reconcile", status_code=status.HTTP_201_CREATED)
def run(rt: RuntimeDep, actor: ActorDep, month: Annotated[str, Form(max_length=7)],
        statements: Annotated[list[UploadFile], File(description="the agent's statement files (CSV)")],
        idempotency_key: Annotated[str, Header(alias="Idempotency-Key", max_length=64)],
        mapping: Annotated[UploadFile | None, File(description="a mapping TOML for another layout")] = None,
        complete: Annotated[bool | None, Form()] = None) -> dict[str, Any]:
    """Import the statements and reconcile the month; answers the summary (as summary.json) and ``run_id``."""
    uploads = [Upload(f.filename or "statement.csv", f.file) for f in statements]
    given = (Upload(mapping.filename or "mapping.toml", mapping.file)
             if mapping is not None and mapping.filename else None)
    return reconcile_runs.run_upload(rt, request_id=idempotency_key, month=month, statements=uploads,
                                     mapping=given, complete=complete, actor=actor)


@router.get("/reconcile/runs", response_model=list[RunPublic])
def runs(rt: RuntimeDep, actor: ActorDep, month: MonthText | None = None) -> list[dict[str, Any]]:
    """Past runs, newest first (of one month if given)."""
    return reconcile_runs.list_runs(rt, actor=actor, month=month)


@router.get("/reconcile/runs/{run_id}", response_model=RunDetail)
def one_run(run_id: RunId, rt: RuntimeDep, actor: ActorDep) -> dict[str, Any]:
    return reconcile_runs.get_run(rt, run_id=run_id, actor=actor)


@router.get("/reconcile/runs/{run_id}/exceptions", response_model=list[dict[str, Any]])
def run_exceptions(rt: RuntimeDep, actor: ActorDep, run_id: int,
                   cls: Annotated[str | None, Query(alias="class", max_length=40)] = None,
                   site: Annotated[str | None, Query(max_length=64)] = None,
                   brand: Annotated[str | None, Query(max_length=40)] = None) -> list[dict[str, Any]]:
    """The run's exceptions item by item (class, payment, sale, evidence), filtered by class, site, brand."""
    return reconcile_exceptions.run_exceptions(rt, run_id=run_id, actor=actor, cls=cls, site=site, brand=brand)


@router.post("/reconcile/runs/{run_id}/disputed-resolutions", status_code=status.HTTP_201_CREATED,
             response_model=dict[str, Any])
def resolve_disputed(run_id: RunId, body: DisputedResolutionCreate, rt: RuntimeDep,
                     actor: ActorDep) -> dict[str, Any]:
    """Record whose a row the run listed as 照会中 was; the month of the resolution carries its fee."""
    return reconcile_disputes.resolve_disputed(rt, resolution_id=str(body.id), run_id=run_id, source=body.source,
                                               line=body.line, payment_reference=body.payment_reference,
                                               evidence=body.evidence, actor=actor)


@router.get("/reconcile/runs/{run_id}/{which}", response_class=FileResponse,
            responses={200: {"content": {MEDIA["report"]: {}, MEDIA["matched"]: {}}}})
def run_file(run_id: RunId, which: Literal["report", "matched"], rt: RuntimeDep, actor: ActorDep) -> FileResponse:
    """The run's workbook (exceptions, fees, deposits, the 公金振替 voucher) or its matched rows (CSV)."""
    path = reconcile_runs.run_file(rt, run_id=run_id, which=which, actor=actor)
    return FileResponse(path, media_type=MEDIA[which], filename=path.name)


@router.get("/reconcile/open-incidents", response_model=list[OpenIncidentPublic])
def open_incidents(rt: RuntimeDep, actor: ActorDep) -> list[dict[str, Any]]:
    """Every incident still open, oldest first, with its age and its last inquiry."""
    return reconcile_runs.open_incidents(rt, actor=actor)


@router.get("/incidents/{incident_id}/inquiries", response_model=list[InquiryPublic], tags=["incidents"])
def inquiries(incident_id: uuid.UUID, rt: RuntimeDep, actor: ActorDep) -> list[dict[str, Any]]:
    """The inquiry log of an incident: whom we asked, when, and what they answered."""
    return reconcile_records.inquiries(rt, str(incident_id), actor=actor)


@router.post("/incidents/{incident_id}/inquiries", response_model=InquiryPublic,
             status_code=status.HTTP_201_CREATED, tags=["incidents"])
def record_inquiry(incident_id: uuid.UUID, body: InquiryCreate, rt: RuntimeDep, actor: ActorDep) -> dict[str, Any]:
    """Log an inquiry (e.g. to the e-money provider) and its answer when there is one."""
    return reconcile_records.record_inquiry(rt, incident_id=str(incident_id), asked_whom=body.asked_whom,
                                            asked_at=body.asked_at, answer=body.answer,
                                            answered_at=body.answered_at, inquiry_id=str(body.id), actor=actor)
