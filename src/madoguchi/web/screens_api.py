"""Read-only JSON the staff screens need beyond the core API.

- ``GET /api/screens/stations?site=``: the payment stations (as ``/api/stations``)
  with, per denomination, how full the changer is against its near-empty and
  near-full marks, and whether the station's screen is paired and connected.
- ``GET /api/screens/office``: today's figures of every site the caller may see
  (from the close of day's report, so the office and the daily sheet agree),
  with the cashless share of the day.
- ``POST /api/screens/approvals``: a supervisor approves on the spot, at the clerk's
  register: the clerk's session sends the request, the supervisor types their login
  and password, and the action (a refund, or cash for a sale in doubt) is done as the
  supervisor, with the clerk recorded as the one who asked. The supervisor's
  credentials are checked like a login (rate limit included) and leave no session.
"""
from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict

from madoguchi.domain.auth import Action
from madoguchi.domain.receipt import business_date
from madoguchi.errors import PermissionDenied
from madoguchi.http.deps import ActorDep, CounterRuntimeDep, RuntimeDep, client_address
from madoguchi.http.fields import Code, Login, Password, Reason
from madoguchi.services.close.close_day import day_summary
from madoguchi.services.counter import incidents, refunds, stations
from madoguchi.services.runtime import Runtime
from madoguchi.services.staff import accounts as staff
from madoguchi.web.events import hub_of, may_use_office
from madoguchi.web.station import pairing_store

router = APIRouter(prefix="/api/screens", tags=["screens"])
CATEGORIES = ("cash", "emoney", "credit", "qr")


def _level(count: int, near_empty: int, near_full: int, capacity: int) -> str:
    if near_empty > 0 and count == 0:
        return "empty"
    if capacity and count >= capacity:
        return "full"
    if near_empty > 0 and count < near_empty:
        return "near_empty"
    if near_full and count >= near_full:
        return "near_full"
    return "ok"


def denominations(rt: Runtime, station_id: str, counts: dict[int, int]) -> list[dict[str, Any]]:
    """Each denomination's count and level (marks are known for simulated changers and any
    changer that exposes ``near_empty`` / ``near_full`` / ``capacity``)."""
    changer = rt.devices.of(station_id).changer
    near_empty = getattr(changer, "near_empty", {}) or {}
    near_full = getattr(changer, "near_full", {}) or {}
    capacity = getattr(changer, "capacity", {}) or {}
    out = []
    for d in sorted(counts, reverse=True):
        n = int(counts[d])
        out.append({"denomination": d, "count": n, "near_empty": near_empty.get(d, 0),
                    "near_full": near_full.get(d, 0), "capacity": capacity.get(d, 0),
                    "level": _level(n, near_empty.get(d, 0), near_full.get(d, 0), capacity.get(d, 0))})
    return out


@router.get("/stations")
def screen_stations(request: Request, actor: ActorDep, rt: RuntimeDep,
                    site: Annotated[Code | None, Query()] = None) -> list[dict[str, Any]]:
    hub = hub_of(request)
    store = pairing_store(request, rt)
    now = rt.clock()
    out = []
    for st in stations.list_stations(rt, actor=actor, site=site):
        pairing = store.paired(st["id"], now=now)
        out.append(st | {
            "denominations": denominations(rt, st["id"], st["changer"]["counts"]),
            "screen": {"paired": pairing is not None, "online": hub.screen_online(st["id"]),
                       "takes_residents": rt.screens.connected(st["id"]),
                       "paired_by": pairing.paired_by if pairing else None},
        })
    return out


@router.get("/office")
def office(actor: ActorDep, rt: RuntimeDep) -> dict[str, Any]:
    """Today's figures per site and in all: payments by category, cashless share."""
    if not may_use_office(actor):
        raise PermissionDenied(f"{actor.login} ({actor.role.value}) may not use the back office",
                               code="not_allowed", params={"role": actor.role.value, "action": "office"})
    day = business_date(rt.clock())
    sites = []
    total = {c: {"count": 0, "amount": 0} for c in CATEGORIES}
    for site in rt.places.sites:
        if not actor.may(Action.VIEW, site.code):
            continue
        figures = day_summary(rt, site=site.code, day=day, actor=actor)
        by_category = {c: figures["by_category"].get(c, {"count": 0, "amount": 0}) for c in CATEGORIES}
        for c in CATEGORIES:
            total[c]["count"] += by_category[c]["count"]
            total[c]["amount"] += by_category[c]["amount"]
        sites.append({"code": site.code, "name": site.name, "state": figures["state"],
                      "sales_count": figures["sales_count"], "payments_count": figures["payments_count"],
                      "gross": figures["gross"], "net": figures["net"], "refunds": figures["refunds"],
                      "by_category": by_category, "cashless_share": figures["cashless_share"],
                      "open_incidents": figures["open_incidents"]})
    count = sum(v["count"] for v in total.values())
    cashless = sum(total[c]["count"] for c in CATEGORIES if c != "cash")
    return {"date": day.isoformat(), "sites": sites, "by_category": total, "payments_count": count,
            "gross": sum(v["amount"] for v in total.values()),
            "cashless_share": round(cashless / count, 4) if count else 0.0}


class ApprovalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["refund", "allow_cash"]
    sale_id: uuid.UUID
    id: uuid.UUID  # the refund's id (idempotent), unused for allow_cash
    reason: Reason
    login: Login
    password: Password


@router.post("/approvals")
def approve(body: ApprovalCreate, request: Request, actor: ActorDep, rt: RuntimeDep,
            counter: CounterRuntimeDep) -> dict[str, Any]:
    """A supervisor approves the clerk's request on the spot (their password, no session kept);
    the action runs where the sale is (``counter``: the training store for a training sale)."""
    checked = staff.login(rt, login=body.login, password=body.password, client=client_address(request),
                          kind="bearer")
    staff.logout(rt, checked.token)
    supervisor = checked.actor
    if body.action == "refund":
        return refunds.refund_sale(counter, refund_id=str(body.id), sale_id=str(body.sale_id), reason=body.reason,
                                   actor=supervisor, requested_by=actor.login)
    sale = incidents.allow_cash_in_doubt(counter, sale_id=str(body.sale_id), actor=supervisor,
                                         note=f"{body.reason} (asked by {actor.login})")
    return {"sale": sale, "refunds": []}
