"""The pages: thin handlers that check who is looking and render a template.

- ``/login``: staff log in (a cookie session; the API answers with its CSRF token).
- ``/register``: the staff register (roles that may sell).
- ``/office``: the back office (supervisors, accountants, admins).
- ``/office/close``: 日次処理, counting each payment station's cash and closing the day.
- ``/office/reconcile``: 月次処理, the agent's statement matched, inquiries about incidents.
- ``/station/{id}``: the resident's payment station, for a screen paired with it;
  an unpaired screen gets the pairing form instead.

Pages carry what their script needs as a JSON data block (``<script
type="application/json">``, never executed) and the CSRF token in a ``<meta>``;
all behaviour is in ``static/*.js`` (the Content-Security-Policy allows no inline
script).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import StrictUndefined

from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.brands import BRANDS, offered
from madoguchi.domain.money import DENOMINATIONS
from madoguchi.domain.receipt import business_date
from madoguchi.domain.reconcile import CLASS_LABELS_JA
from madoguchi.domain.sale import Exemption
from madoguchi.errors import NotAuthenticated
from madoguchi.http.deps import SESSION_COOKIE, RuntimeDep
from madoguchi.services.counter import training
from madoguchi.services.reconcile.rules_check import rate_findings
from madoguchi.services.runtime import Runtime
from madoguchi.services.staff import accounts as staff
from madoguchi.services.staff import names
from madoguchi.web import i18n
from madoguchi.web.events import may_use_office
from madoguchi.web.next_path import same_origin_path
from madoguchi.web.pairing import COOKIE as STATION_COOKIE
from madoguchi.web.phrases import phrased_texts, wbr
from madoguchi.web.station import pairing_store

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.globals["t"] = i18n.t
TEMPLATES.env.filters["wbr"] = wbr  # Japanese line breaks between phrases (see web/phrases.py)
#: Register texts shown in large type, where a break inside a word shows most.
REGISTER_PHRASED = ("register.guide", "register.paying_at", "register.alert_jam", "register.alert_held",
                    "register.alert_stopped", "register.alert_screen", "register.alert_terminal",
                    "register.alert_no_station")
TEMPLATES.env.undefined = StrictUndefined  # a missing value is a bug, not an empty string
router = APIRouter(include_in_schema=False)


class StaffPage:
    """Who is looking at a staff page: their actor, name and CSRF token (None: nobody)."""

    def __init__(self, rt: Runtime, request: Request) -> None:
        self.actor: Actor | None = None
        self.csrf = ""
        self.name = ""
        try:
            auth = staff.authenticate(rt, request.cookies.get(SESSION_COOKIE))
        except NotAuthenticated:
            return
        self.actor, self.csrf = auth.actor, auth.csrf_token or ""
        self.name = names.display_name(rt, auth.actor.login)

    def me(self) -> dict[str, Any]:
        assert self.actor is not None
        return {"login": self.actor.login, "name": self.name, "role": self.actor.role.value,
                "sites": sorted(self.actor.sites), "may_approve": self.actor.may(Action.APPROVE),
                "may_sell": self.actor.may(Action.SELL),
                "may_office": may_use_office(self.actor),
                "may_month_close": may_use_office(self.actor) and self.actor.serves_all_sites}


def _render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("csrf", "")
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status)


def _to_login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(request.url.path, safe='/')}", status_code=303)


def _forbidden(request: Request, page: StaffPage, what: str, reason: str = "") -> HTMLResponse:
    rt: Runtime = request.app.state.runtime
    return _render(request, "forbidden.html", 403, who=page.name, what=what, reason=reason, boot={"texts": {}},
                   municipality=rt.places.municipality)


def _places(rt: Runtime) -> dict[str, Any]:
    return asdict(rt.places)


@router.get("/")
def home(request: Request, rt: RuntimeDep) -> Response:
    page = StaffPage(rt, request)
    if page.actor is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse("/register" if page.actor.may(Action.SELL) else "/office", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, rt: RuntimeDep, next: Annotated[str, Query(max_length=2000)] = "/") -> Response:
    target = same_origin_path(next)
    return _render(request, "login.html", municipality=rt.places.municipality, next_path=target,
                   boot={"next": target, "demo": rt.settings.demo,
                         "texts": i18n.bundle("ja", ["login", "common"])})


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request, rt: RuntimeDep) -> Response:
    page = StaffPage(rt, request)
    if page.actor is None:
        return _to_login(request)
    if not page.actor.may(Action.SELL):
        return _forbidden(request, page, i18n.t("register.title"))
    day = business_date(rt.clock())
    fees = [{"code": f.code, "name": f.name_ja, "amount": f.amount, "exemptible": f.exemptible,
             "reading": f.reading or "", "key": n} for n, f in enumerate(rt.catalog.in_force(day), start=1)]
    boot = {"me": page.me(), "people": staff.display_names(rt), "places": _places(rt), "fees": fees,
            "today": day.isoformat(),
            "brands": {b.code: b.name for b in BRANDS},
            "training": training.training_status(rt, actor=page.actor)["staff_stations"],
            "exemptions": [e.value for e in Exemption],
            "texts": phrased_texts(i18n.bundle("ja", ["register", "common", "login"]), REGISTER_PHRASED)}
    return _render(request, "register.html", csrf=page.csrf, me=page.me(), fees=fees, boot=boot,
                   municipality=rt.places.municipality)


@router.get("/office", response_class=HTMLResponse)
def office_page(request: Request, rt: RuntimeDep) -> Response:
    page = StaffPage(rt, request)
    if page.actor is None:
        return _to_login(request)
    if not may_use_office(page.actor):
        return _forbidden(request, page, i18n.t("office.title"))
    boot = {"me": page.me(), "people": staff.display_names(rt), "places": _places(rt),
            "today": business_date(rt.clock()).isoformat(),
            "brands": {b.code: b.name for b in BRANDS},
            "texts": i18n.bundle("ja", ["office", "common"])}
    return _render(request, "office.html", csrf=page.csrf, me=page.me(), boot=boot,
                   municipality=rt.places.municipality, denominations=DENOMINATIONS,
                   rule_findings=rate_findings(rt.settings.reconcile_rules_path, business_date(rt.clock())),
                   signing_down=rt.signer.unsigned_reason if rt.signer is not None else None)


@router.get("/office/close", response_class=HTMLResponse)
def office_close_page(request: Request, rt: RuntimeDep) -> Response:
    """日次処理: count each payment station's cash, check, close stations then the site."""
    page = StaffPage(rt, request)
    if page.actor is None:
        return _to_login(request)
    if not may_use_office(page.actor):
        return _forbidden(request, page, i18n.t("office_close.title"))
    sites = [s.code for s in rt.places.sites if page.actor.may(Action.VIEW, s.code)]
    names = {i.code: i.name_ja for i in rt.catalog.items}
    lines = {i.revenue_line.code: i.revenue_line.name for i in rt.catalog.items}
    boot = {"me": page.me(), "people": staff.display_names(rt), "places": _places(rt), "sites": sites,
            "today": business_date(rt.clock()).isoformat(),
            "brands": {b.code: b.name for b in BRANDS}, "fees": names, "revenue_lines": lines,
            "texts": i18n.bundle("ja", ["office_close", "office", "common"])}
    return _render(request, "office_close.html", csrf=page.csrf, me=page.me(), boot=boot,
                   municipality=rt.places.municipality)


@router.get("/office/reconcile", response_class=HTMLResponse)
def office_reconcile_page(request: Request, rt: RuntimeDep) -> Response:
    """月次処理: upload the agent's statements, see the matching, log inquiries about incidents."""
    page = StaffPage(rt, request)
    if page.actor is None:
        return _to_login(request)
    if not may_use_office(page.actor):
        return _forbidden(request, page, i18n.t("office_reconcile.title"))
    if not page.actor.serves_all_sites:  # the city's close, not one site's
        return _forbidden(request, page, i18n.t("office_reconcile.title"), i18n.t("office_reconcile.city_only"))
    today = business_date(rt.clock())
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    boot = {"me": page.me(), "people": staff.display_names(rt), "places": _places(rt), "month": last_month,
            "max_month": today.strftime("%Y-%m"),
            "may_run": page.actor.may(Action.ACCOUNT), "brands": {b.code: b.name for b in BRANDS},
            "classes": {c.value: label for c, label in CLASS_LABELS_JA.items()},
            "texts": i18n.bundle("ja", ["office_reconcile", "office", "common"])}
    return _render(request, "office_reconcile.html", csrf=page.csrf, me=page.me(), boot=boot,
                   municipality=rt.places.municipality, may_run=boot["may_run"])


@router.get("/station/{station_id}", response_class=HTMLResponse)
def station_page(station_id: str, request: Request, rt: RuntimeDep) -> Response:
    station = rt.places.payment_station(station_id)
    site = rt.places.site(station.site)
    pairing = pairing_store(request, rt).check(station.id, request.cookies.get(STATION_COOKIE), now=rt.clock())
    info = {"id": station.id, "name": station.name, "number": station.number, "colour": station.colour,
            "site": site.name}
    if pairing is None:
        return _render(request, "station_pair.html", station=info, municipality=rt.places.municipality,
                       boot={"station": info, "texts": i18n.bundle("ja", ["pair", "common"])})
    brands = [{"code": b.code, "name": b.name, "category": b.category.value,
               "group": "transit" if b.transit_ic else None} for b in offered(business_date(rt.clock()))]
    trains = station.id in training.current_modes(rt, fresh=True).payment  # 練習モード: simulators, the panel
    boot = {"station": info, "demo": rt.settings.demo or trains, "training": trains, "brands": brands,
            "languages": list(i18n.STATION_LANGUAGES), "html_lang": i18n.HTML_LANG,
            "texts": {lang: (phrased_texts(i18n.bundle(lang, ["station"])) if lang == "ja"
                             else i18n.bundle(lang, ["station"]))
                      for lang in i18n.STATION_LANGUAGES},
            "sim_texts": i18n.bundle("ja", ["sim"])}
    return _render(request, "station.html", csrf=pairing.csrf_token, station=info, boot=boot,
                   municipality=rt.places.municipality)
