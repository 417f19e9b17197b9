"""Close of day (日次処理): the interim check, the close of a payment station then of its site,
the daily sheet, and adjusting entries. Thin: each route calls one service function;
who may do what is checked there (closing: accounting or a supervisor; the site's
close and adjustments' approval: a supervisor).

Counted cash is ``{"10000": n, "5000": n, ..., "1": n}`` per payment station. A close
that the checks refuse answers 409 ``close_refused`` naming every finding; the interim
check gives the same findings as data, for the screen to show before closing.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import Path, Query, Response, status
from pydantic import Field, StringConstraints

from madoguchi.api.routing import ApiRouter
from madoguchi.http.deps import ActorDep, RuntimeDep
from madoguchi.http.fields import CODE_PATTERN, Code, Input, Printable
from madoguchi.services.close import adjustments, close_day

router = ApiRouter(prefix="/api", tags=["close of day"])
SiteCode = Annotated[str, Path(pattern=CODE_PATTERN)]
StationId = Annotated[str, Path(pattern=CODE_PATTERN)]
Counts = dict[str, Any]  # denomination -> count, checked by the service (naming station and denomination)
CloseReason = Annotated[str, StringConstraints(max_length=300), Printable]
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "csv": "text/csv; charset=utf-8"}


class InterimCreate(Input):
    counted: dict[Code, Counts] | None = None
    reasons: dict[Code, CloseReason] | None = None
    print_at: Code | None = None  # a payment station whose printer prints the slip


class StationCloseCreate(Input):
    counted: Counts
    reason: CloseReason | None = None
    confirm_warnings: bool = False
    counted_from_machine: bool = False  # copied from the changer's count: a supervisor's decision


class SiteCloseCreate(Input):
    note: CloseReason | None = None
    confirm_warnings: bool = False


class AdjustmentCreate(Input):
    id: uuid.UUID
    site: Code
    corrects: dt.date
    category: Literal["cash", "emoney", "credit", "qr"]
    amount: Annotated[int, Field(strict=True)]
    reason: Annotated[str, StringConstraints(min_length=1, max_length=300), Printable]
    station: Code | None = None
    revenue_line: Code | None = None


class RejectCreate(Input):
    note: Annotated[str, StringConstraints(min_length=1, max_length=300), Printable]


@router.get("/close/{site}/{day}")
def day_figures(site: SiteCode, day: dt.date, actor: ActorDep, rt: RuntimeDep) -> dict[str, Any]:
    """The site-day's figures and findings as they stand (a closed day: as it was closed)."""
    return close_day.day_summary(rt, site=site, day=day, actor=actor)


@router.post("/close/{site}/{day}/interim")
def interim(site: SiteCode, day: dt.date, actor: ActorDep, rt: RuntimeDep,
            body: InterimCreate | None = None) -> dict[str, Any]:
    """中間締め: the same figures and checks as a close, nothing locked; optionally printed as a slip."""
    body = body or InterimCreate()
    return close_day.interim_check(rt, site=site, day=day, actor=actor, counted=body.counted,
                                   reasons=body.reasons, print_at=body.print_at)


@router.post("/close/{site}/{day}/stations/{station}")
def close_station(site: SiteCode, day: dt.date, station: StationId, body: StationCloseCreate,
                  actor: ActorDep, rt: RuntimeDep) -> dict[str, Any]:
    """Close one payment station with the cash counted there; a difference needs a reason."""
    return close_day.close_station(rt, site=site, station=station, day=day, counted=body.counted,
                                   reason=body.reason, confirm_warnings=body.confirm_warnings, actor=actor,
                                   from_machine=body.counted_from_machine)


@router.post("/close/{site}/{day}")
def close_site(site: SiteCode, day: dt.date, actor: ActorDep, rt: RuntimeDep,
               body: SiteCloseCreate | None = None) -> dict[str, Any]:
    """Close the site's day once every payment station is closed (supervisor)."""
    body = body or SiteCloseCreate()
    return close_day.close_site(rt, site=site, day=day, note=body.note, confirm_warnings=body.confirm_warnings,
                                actor=actor)


@router.get("/close/{site}/{day}/sheet", response_class=Response,
            responses={200: {"content": {MEDIA["xlsx"]: {}, MEDIA["csv"]: {}}}})
def site_sheet(site: SiteCode, day: dt.date, actor: ActorDep, rt: RuntimeDep,
               fmt: Annotated[Literal["xlsx", "csv"], Query(alias="format")] = "xlsx") -> Response:
    """The daily sheet of one site (with the summary sheet) as an .xlsx download, or CSV."""
    data = close_day.daily_sheet(rt, day=day, actor=actor, sites=[site], fmt=fmt)
    return _download(data, f"daily-{site}-{day.isoformat()}.{fmt}", fmt)


@router.get("/close/sheet", response_class=Response,
            responses={200: {"content": {MEDIA["xlsx"]: {}, MEDIA["csv"]: {}}}})
def all_sheet(day: Annotated[dt.date, Query(alias="date")], actor: ActorDep, rt: RuntimeDep,
              fmt: Annotated[Literal["xlsx", "csv"], Query(alias="format")] = "xlsx") -> Response:
    """The daily workbook of every site the caller may see: the summary sheet, then one per site."""
    data = close_day.daily_sheet(rt, day=day, actor=actor, fmt=fmt)
    return _download(data, f"daily-{day.isoformat()}.{fmt}", fmt)


def _download(data: bytes, filename: str, fmt: str) -> Response:
    return Response(content=data, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.post("/adjustments", status_code=status.HTTP_201_CREATED, tags=["adjustments"])
def request_adjustment(body: AdjustmentCreate, actor: ActorDep, rt: RuntimeDep) -> dict[str, Any]:
    """Ask for a correction of a closed day; it is booked only when a supervisor approves it."""
    return adjustments.request_adjustment(
        rt, adjustment_id=str(body.id), site=body.site, corrects=body.corrects, category=body.category,
        amount=body.amount, reason=body.reason, station=body.station, revenue_line=body.revenue_line, actor=actor)


@router.post("/adjustments/{adjustment_id}/approve", tags=["adjustments"])
def approve_adjustment(adjustment_id: uuid.UUID, actor: ActorDep, rt: RuntimeDep) -> dict[str, Any]:
    """A supervisor other than the requester approves: journalled in the current open day."""
    return adjustments.approve_adjustment(rt, adjustment_id=str(adjustment_id), actor=actor)


@router.post("/adjustments/{adjustment_id}/reject", tags=["adjustments"])
def reject_adjustment(adjustment_id: uuid.UUID, body: RejectCreate, actor: ActorDep,
                      rt: RuntimeDep) -> dict[str, Any]:
    return adjustments.reject_adjustment(rt, adjustment_id=str(adjustment_id), note=body.note, actor=actor)


@router.get("/adjustments", tags=["adjustments"])
def list_adjustments(site: Annotated[Code, Query()], actor: ActorDep, rt: RuntimeDep,
                     state: Literal["requested", "approved", "rejected"] | None = None) -> list[dict[str, Any]]:
    return adjustments.list_adjustments(rt, site=site, state=state, actor=actor)
