"""The payment-station screen's own API: read its state, pay the sale it is given.

Every route here needs the station's pairing cookie (see :mod:`madoguchi.web.pairing`)
and acts as the station itself (actor ``station:<id>``, a cashier of that one site).
No route takes a sale id: the sale is the one the station is serving, looked up on
the server, so a screen can never reach another sale, another station, or anything
else the API offers. Writes echo the pairing's CSRF token in ``X-CSRF-Token``.

The screen's state (:func:`madoguchi.web.station_view.screen_state`) is returned by
every action, so the page renders the answer at once; the event stream
(``/station/{id}/events``) tells it when something else changed.
"""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from madoguchi.adapters.db.tables import Payment, PaymentStation
from madoguchi.api.deps import (CSRF_HEADER, SAFE_METHODS, ActorDep, CounterRuntimeDep, CsrfFailed, RuntimeDep,
                                client_address)
from madoguchi.api.schemas import CODE_PATTERN, Code, Denomination, Login, Password
from madoguchi.domain.auth import Action, Actor, Role
from madoguchi.domain.catalog import PaymentStationConfig
from madoguchi.domain.sale import PaymentMethod, PaymentState
from madoguchi.errors import Conflict, NotAuthenticated, NotFound
from madoguchi.services.counter import cash, payments, stations
from madoguchi.services.staff import accounts as staff
from madoguchi.services.runtime import Runtime
from madoguchi.web.events import hub_of, sse
from madoguchi.web.pairing import COOKIE, LIFETIME, Pairing, PairingStore
from madoguchi.web.station_view import screen_state

router = APIRouter(prefix="/station/{station_id}", tags=["payment station screen"])
StationId = Annotated[str, Path(pattern=CODE_PATTERN)]


def pairings_of(app: Any, rt: Runtime) -> PairingStore:
    store: PairingStore | None = getattr(app.state, "station_pairings", None)
    if store is None:
        store = PairingStore(rt.settings.device_state_dir.parent / "station-pairings.json")
        app.state.station_pairings = store
    return store


def pairing_store(request: Request, rt: Runtime) -> PairingStore:
    return pairings_of(request.app, rt)


@dataclass(frozen=True)
class Screen:
    station: PaymentStationConfig
    actor: Actor
    pairing: Pairing


def station_actor(station: PaymentStationConfig) -> Actor:
    return Actor(f"station:{station.id}", Role.CASHIER, frozenset({station.site}))


def paired_screen(station_id: StationId, request: Request, rt: RuntimeDep) -> Screen:
    station = rt.places.payment_station(station_id)
    pairing = pairing_store(request, rt).check(station.id, request.cookies.get(COOKIE), now=rt.clock())
    if pairing is None:
        raise NotAuthenticated(f"this screen is not paired with payment station {station.id}; "
                               f"a supervisor pairs it at /station/{station.id}")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not secrets.compare_digest(sent.encode(), pairing.csrf_token.encode()):
            raise CsrfFailed(f"a write from the station screen needs the {CSRF_HEADER} header; reload the page")
    return Screen(station, station_actor(station), pairing)


ScreenDep = Annotated[Screen, Depends(paired_screen)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PairCreate(_Input):
    login: Login  # type: ignore[valid-type]
    password: Password  # type: ignore[valid-type]


class AttemptCreate(_Input):
    id: uuid.UUID


class CashlessAttempt(_Input):
    id: uuid.UUID
    brand: Code


class SimInsert(_Input):
    denomination: Denomination  # type: ignore[valid-type]


class SimTerminal(_Input):
    outcome: Literal["approved", "declined", "timeout_unknown", "offline", "online"]


class SimPrinter(_Input):
    paper_out: Annotated[bool, Field(strict=True)]


# --- pairing -------------------------------------------------------------------------
@router.post("/pair")
def pair(station_id: StationId, body: PairCreate, request: Request, response: Response,
         rt: RuntimeDep) -> dict[str, Any]:
    """A supervisor of the station's site pairs this screen with the station (their password)."""
    station = rt.places.payment_station(station_id)
    result = staff.login(rt, login=body.login, password=body.password, client=client_address(request),
                         kind="bearer")
    staff.logout(rt, result.token)  # the check is all we needed: no staff session stays behind
    result.actor.require(Action.APPROVE, station.site)
    token, pairing = pairing_store(request, rt).pair(station.id, paired_by=result.actor.login, now=rt.clock())
    response.set_cookie(COOKIE, token, max_age=int(LIFETIME.total_seconds()), httponly=True,
                        samesite="strict", secure=request.url.scheme == "https", path=f"/station/{station.id}")
    hub_of(request)  # make sure the hub exists before the screen connects
    rt.events.publish({f"station:{station.id}", f"site:{station.site}"})
    return {"paired": True, "station": station.id, "paired_by": result.actor.login}


@router.post("/unpair")
def unpair(station_id: StationId, request: Request, actor: ActorDep, rt: RuntimeDep) -> dict[str, Any]:
    """End the pairing of this station's screen (supervisor, from the back office)."""
    station = rt.places.payment_station(station_id)
    actor.require(Action.APPROVE, station.site)
    gone = pairing_store(request, rt).unpair(station.id)
    rt.events.publish({f"station:{station.id}", f"site:{station.site}"})
    return {"unpaired": gone, "station": station.id}


# --- reading ----------------------------------------------------------------------------
@router.get("/api/state")
def state(screen: ScreenDep, rt: CounterRuntimeDep) -> dict[str, Any]:
    return screen_state(rt, screen.station) | {"training": rt.training}  # 練習モード: the page follows a switch


@router.get("/events")
def events(screen: ScreenDep, request: Request, rt: RuntimeDep) -> Any:
    """Tells the screen *that* its station or site changed; it re-reads its state."""
    station_key, site_key = f"station:{screen.station.id}", f"site:{screen.station.site}"

    def select(batch: frozenset[str]) -> list[str] | None:
        return ["station"] if station_key in batch or site_key in batch else None

    return sse(rt, hub_of(request), select, screen=(screen.station.id, screen.station.site))


# --- paying the sale it is given ------------------------------------------------------
def _current_sale(rt: Runtime, station_id: str) -> str:
    with rt.uow() as uow:
        row = uow.session.get(PaymentStation, station_id)
        if row is None or row.current_sale_id is None:
            raise Conflict("no sale is waiting at this payment station")
        return row.current_sale_id


def _pending_payment(rt: Runtime, station_id: str, method: PaymentMethod) -> str:
    sale_id = _current_sale(rt, station_id)
    with rt.uow() as uow:
        payment_id = uow.session.execute(
            select(Payment.id).where(Payment.sale_id == sale_id, Payment.payment_station == station_id,
                                     Payment.method == method.value, Payment.state == PaymentState.PENDING.value)
            .order_by(Payment.started_at.desc()).limit(1)).scalar_one_or_none()
    if payment_id is None:
        raise Conflict(f"no {method.value} payment is under way at this payment station")
    return payment_id


@router.post("/api/cash")
def start_cash(body: AttemptCreate, screen: ScreenDep, rt: CounterRuntimeDep) -> dict[str, Any]:
    """The resident chose cash: the changer opens for the amount due."""
    cash.start_cash(rt, payment_id=str(body.id), sale_id=_current_sale(rt, screen.station.id), actor=screen.actor)
    return screen_state(rt, screen.station)


@router.post("/api/cash/cancel")
def cancel_cash(screen: ScreenDep, rt: CounterRuntimeDep) -> dict[str, Any]:
    """The resident gave up on cash: everything inserted comes back out."""
    cash.cancel_cash(rt, payment_id=_pending_payment(rt, screen.station.id, PaymentMethod.CASH), actor=screen.actor)
    return screen_state(rt, screen.station)


@router.post("/api/cashless")
def pay_cashless(body: CashlessAttempt, screen: ScreenDep, rt: CounterRuntimeDep) -> dict[str, Any]:
    """Charge the amount due on the terminal (a repeat of the same id asks, never charges twice)."""
    payments.pay_cashless(rt, payment_id=str(body.id), sale_id=_current_sale(rt, screen.station.id),
                          brand=body.brand, actor=screen.actor)
    return screen_state(rt, screen.station)


# --- the demo simulator panel (demo mode only) ---------------------------------------
def _demo(rt: Runtime) -> None:
    # A training station's devices are simulators: the trainer plays the resident with the panel.
    if not (rt.settings.demo or rt.training):
        raise NotFound("the simulator panel exists in demo mode only")


@router.post("/api/sim/insert")
def sim_insert(body: SimInsert, screen: ScreenDep, rt: CounterRuntimeDep) -> dict[str, Any]:
    """Play the resident putting a note or a coin in; the sale completes once it is covered."""
    _demo(rt)
    sale_id = _current_sale(rt, screen.station.id)
    try:
        stations.sim_insert(rt, payment_station=screen.station.id, denomination=body.denomination, count=1,
                            actor=screen.actor)
    finally:
        # Cash in the escrow is a device change no commit announces: tell the screens.
        rt.events.publish({f"station:{screen.station.id}", f"sale:{sale_id}", f"site:{screen.station.site}"})
    return screen_state(rt, screen.station)


@router.post("/api/sim/jam")
def sim_jam(screen: ScreenDep, rt: CounterRuntimeDep) -> dict[str, Any]:
    """Jam the changer at its next move: the next note or coin, or the next deposit."""
    _demo(rt)
    changer = rt.devices.of(screen.station.id).changer
    operation = "insert" if changer.deposit_state() == "open" else "begin_deposit"
    stations.sim_changer_fault(rt, payment_station=screen.station.id, operation=operation, actor=screen.actor)
    return screen_state(rt, screen.station) | {"armed": operation}


@router.post("/api/sim/terminal")
def sim_terminal(body: SimTerminal, screen: ScreenDep, rt: CounterRuntimeDep) -> dict[str, Any]:
    """Decide how the terminal answers the next card or QR code (or take it off line)."""
    _demo(rt)
    stations.sim_terminal(rt, payment_station=screen.station.id, outcome=body.outcome, actor=screen.actor)
    rt.events.publish({f"station:{screen.station.id}", f"site:{screen.station.site}"})
    return screen_state(rt, screen.station)


@router.post("/api/sim/printer")
def sim_printer(body: SimPrinter, screen: ScreenDep, rt: CounterRuntimeDep) -> dict[str, Any]:
    _demo(rt)
    stations.sim_printer(rt, payment_station=screen.station.id, paper_out=body.paper_out, actor=screen.actor)
    rt.events.publish({f"station:{screen.station.id}", f"site:{screen.station.site}"})
    return screen_state(rt, screen.station)
