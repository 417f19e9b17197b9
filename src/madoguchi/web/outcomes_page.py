"""``/office/outcomes``: the city's outcomes for the council (supervisors, accountants, admins).

What ``madoguchi outcomes`` writes, as a page: the figures at a glance, and four charts
(Apache ECharts, vendored under ``static/vendor/``; each downloads as PNG from its toolbox):
the cashless share by month against the target, payments per month, time to pay by method,
brands. Each month's figures download as .xlsx (``/office/outcomes/{month}.xlsx``). The
figures come from :mod:`madoguchi.services.outcomes.figures`; the script only draws.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from madoguchi.domain.auth import Action
from madoguchi.domain.brands import BRANDS
from madoguchi.domain.receipt import business_date
from madoguchi.http.deps import RuntimeDep
from madoguchi.services.outcomes.figures import month_workbook, outcome_figures, to_json
from madoguchi.services.runtime import Runtime
from madoguchi.web import i18n
from madoguchi.web.events import may_use_office
from madoguchi.web.routes import StaffPage, _forbidden, _render, _to_login

router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _default_from(today: dt.date) -> dt.date:
    """The first day of the month eleven months before ``today``'s: a year of months."""
    months = today.year * 12 + today.month - 1 - 11
    return dt.date(months // 12, months % 12 + 1, 1)


def _site_of(page: StaffPage, site: str | None) -> str | None:
    """The site asked for; one who serves only some sites sees the first of theirs by default."""
    assert page.actor is not None
    if site is None and not page.actor.serves_all_sites:
        return sorted(page.actor.sites)[0]
    return site


@router.get("/office/outcomes", response_class=HTMLResponse)
def office_outcomes_page(request: Request, rt: RuntimeDep,
                         date_from: Annotated[dt.date | None, Query(alias="from")] = None,
                         date_to: Annotated[dt.date | None, Query(alias="to")] = None,
                         site: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    """窓口キャッシュレス化の成果: the figures and charts of a period (a year of months by default)."""
    page = StaffPage(rt, request)
    if page.actor is None:
        return _to_login(request)
    title = i18n.t("office_outcomes.title")
    site = _site_of(page, site or None)
    if not may_use_office(page.actor) or not page.actor.may(Action.VIEW, site):
        return _forbidden(request, page, title)
    last = date_to or business_date(rt.clock())
    first = date_from or _default_from(last)
    figures: dict[str, Any] = json.loads(to_json(outcome_figures(rt, date_from=first, date_to=last, site=site)))
    boot = {"chart": _chart(figures), "texts": i18n.bundle("ja", ["office_outcomes", "common"])}
    return _render(request, "office_outcomes.html", csrf=page.csrf, me=page.me(), boot=boot,
                   municipality=rt.places.municipality, f=figures, sites=_sites(rt), site=site,
                   date_from=first.isoformat(), date_to=last.isoformat())


@router.get("/office/outcomes/{month}.xlsx")
def office_outcomes_month(month: str, request: Request, rt: RuntimeDep,
                          site: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    """The figures of one month (``YYYY-MM``) as an Excel workbook."""
    page = StaffPage(rt, request)
    if page.actor is None:
        return _to_login(request)
    site = _site_of(page, site or None)
    if not may_use_office(page.actor) or not page.actor.may(Action.VIEW, site):
        return _forbidden(request, page, i18n.t("office_outcomes.title"))
    data = month_workbook(rt, month=month, site=site)
    name = f"madoguchi-outcomes-{month}{'-' + site if site else ''}.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _sites(rt: Runtime) -> list[dict[str, str]]:
    return [{"code": s.code, "name": s.name} for s in rt.places.sites]


def _chart(f: dict[str, Any]) -> dict[str, Any]:
    """What the four charts draw (plain numbers, from the figures' JSON)."""
    months = list(f["by_month"])
    by_month = [f["by_month"][m] for m in months]
    names = {b.code: b.name for b in BRANDS} | {"cash": i18n.t("office_outcomes.method_cash")}
    return {
        "months": months,
        "share": [m["cashless_share"] for m in by_month],
        "target": f["target_share"],
        "cash": [m["payments"] - m["cashless_payments"] for m in by_month],
        "cashless": [m["cashless_payments"] for m in by_month],
        "methods": list(f["median_seconds_to_pay"]),
        "median": list(f["median_seconds_to_pay"].values()),
        "p90": [f["p90_seconds_to_pay"][m] for m in f["median_seconds_to_pay"]],
        "brands": [names.get(b, b) for b in f["by_brand"]],
        "brand_payments": [b["payments"] for b in f["by_brand"].values()],
        "name": f"{f['from']}_{f['to']}",
    }
