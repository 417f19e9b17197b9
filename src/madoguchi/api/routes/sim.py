"""The simulator panel (demo mode only): play the resident and break the machines on purpose."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path

from madoguchi.api.routing import ApiRouter
from madoguchi.api.schemas import ChangerFaultCreate, InsertCreate, PrinterStateCreate, SimPublic, TerminalScriptCreate
from madoguchi.api.schemas_sales import PaymentDetail
from madoguchi.http.deps import CounterDep
from madoguchi.http.fields import CODE_PATTERN
from madoguchi.services.counter import stations

router = ApiRouter(prefix="/api/sim/stations", tags=["simulator (demo only)"])
StationId = Annotated[str, Path(pattern=CODE_PATTERN)]


@router.post("/{station_id}/insert", response_model=PaymentDetail)
def insert(station_id: StationId, body: InsertCreate, c: CounterDep) -> dict[str, Any]:
    """The resident inserts notes or coins; once the sale is covered the payment completes."""
    return stations.sim_insert(c.rt, payment_station=station_id, denomination=body.denomination,
                               count=body.count, actor=c.actor)


@router.post("/{station_id}/changer-fault", response_model=SimPublic)
def changer_fault(station_id: StationId, body: ChangerFaultCreate, c: CounterDep) -> dict[str, Any]:
    """Jam the changer at its next ``operation`` (begin_deposit, insert, fix_deposit, end_deposit,
    dispense_change, ...) or ``now``."""
    return stations.sim_changer_fault(c.rt, payment_station=station_id, operation=body.operation, actor=c.actor)


@router.post("/{station_id}/terminal", response_model=SimPublic)
def terminal(station_id: StationId, body: TerminalScriptCreate, c: CounterDep) -> dict[str, Any]:
    """The terminal's next answer: approved, declined, timeout_approved, timeout_declined,
    timeout_not_found, timeout_unknown; or ``offline`` / ``online``."""
    return stations.sim_terminal(c.rt, payment_station=station_id, outcome=body.outcome, actor=c.actor)


@router.post("/{station_id}/printer", response_model=SimPublic)
def printer(station_id: StationId, body: PrinterStateCreate, c: CounterDep) -> dict[str, Any]:
    """Paper runs out (``true``) or a new roll goes in (``false``)."""
    return stations.sim_printer(c.rt, payment_station=station_id, paper_out=body.paper_out, actor=c.actor)
