"""``/office/plan``: the capacity planner for the back office (supervisors, accountants, admins).

The page shows the mean wait for a payment station against the number of stations (1–4)
and the cashless share (today's 20 %, 30 %, the 40 % target) at an arrival rate the reader
picks, as a chart (Apache ECharts, vendored under ``static/vendor/``; it downloads as PNG)
and as a table, and says in words what reaching 40 % and what a second station would save.
The simulation runs here, server-side, through :func:`~madoguchi.services.plan.compare.waiting_grid`
(short runs, remembered per arrival rate); the script only draws.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from madoguchi.domain.plan import CASHLESS_SHARE, TARGET_SHARE
from madoguchi.http.deps import RuntimeDep
from madoguchi.services.plan.compare import waiting_grid
from madoguchi.web import i18n
from madoguchi.web.events import may_use_office
from madoguchi.web.routes import StaffPage, _forbidden, _render, _to_login

router = APIRouter(include_in_schema=False)
#: The arrival rates the page offers (residents an hour).
RATES = (40, 60, 80, 100, 120, 150, 200)


@router.get("/office/plan", response_class=HTMLResponse)
def office_plan_page(request: Request, rt: RuntimeDep,
                     arrivals: Annotated[int, Query(ge=10, le=300)] = 100) -> Response:
    """窓口の待ち時間の試算: waits by stations and cashless share, at ``arrivals`` residents an hour."""
    page = StaffPage(rt, request)
    if page.actor is None:
        return _to_login(request)
    if not may_use_office(page.actor):
        return _forbidden(request, page, i18n.t("office_plan.title"))
    grid = waiting_grid(arrivals)
    target_saving = grid.saving(stations=1, share=TARGET_SHARE)
    second_saving = grid.second_station_saving()
    chart = {"stations": list(grid.stations), "shares": list(grid.shares),
             "waits": [list(row) for row in grid.waits], "arrivals": arrivals}
    boot = {"chart": chart, "texts": i18n.bundle("ja", ["office_plan", "common"])}
    rows = [{"stations": n, "waits": [grid.waits[i][j] for i in range(len(grid.shares))]}
            for j, n in enumerate(grid.stations)]
    return _render(request, "office_plan.html", csrf=page.csrf, me=page.me(), boot=boot,
                   municipality=rt.places.municipality, grid=grid, rows=rows, rates=RATES, arrivals=arrivals,
                   today_share=round(CASHLESS_SHARE * 100), target_share=round(TARGET_SHARE * 100),
                   target_saving=None if target_saving is None else round(target_saving, 1),
                   second_saving=None if second_saving is None else round(second_saving, 1))
