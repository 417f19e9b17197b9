"""What the HTTP API accepts and answers about payment stations: their devices, cash in and out."""
from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from madoguchi.domain.money import DENOMINATIONS
from madoguchi.http.fields import Input, Printable


def _denomination_text(value: str) -> str:
    if not (value.isascii() and value.isdigit()) or int(value) not in DENOMINATIONS:
        raise ValueError(f"{value!r} is not a yen denomination (use {', '.join(map(str, DENOMINATIONS))})")
    return str(int(value))


# --- stations ----------------------------------------------------------------------------
class ChangerPublic(BaseModel):
    status: str
    counts: dict[int, int]
    deposit: int


class FaultPublic(BaseModel):
    """Why a station is out of service, for a screen's own words: ``changer_jammed`` (with the
    changer's ``step``) or ``out_of_service``."""
    code: str
    step: str | None = None


class StationPublic(BaseModel):
    id: str
    site: str
    name: str
    number: int
    colour: str
    current_sale_id: str | None
    fault: str | None
    fault_code: FaultPublic | None = None
    changer: ChangerPublic
    printer: str
    terminal_online: bool
    pending_receipts: int


DenominationText = Annotated[str, AfterValidator(_denomination_text)]
MoveReason = Annotated[str, StringConstraints(max_length=200), Printable]


class CashMoveCreate(Input):
    """An opening float, a replenishment or a collection: ``{"id": uuid, "direction": "in",
    "counts": {"1000": 5, "100": 20}, "reason": "..."}``. JSON keys are text, so the
    denominations are too; each is checked against the yen denominations."""

    id: uuid.UUID
    direction: Literal["float", "in", "out"]
    counts: dict[DenominationText, Annotated[int, Field(strict=True, ge=0, le=10_000)]] = Field(min_length=1)
    reason: MoveReason = ""


class CountDifferencePublic(BaseModel):
    denomination: int
    machine: int
    journal: int


class CashMovePublic(BaseModel):
    id: str
    payment_station: str
    direction: str
    amount: int
    business_date: str
    journal_seq: int
    actor: str
    inventory: dict[str, int]
    differences: list[CountDifferencePublic]


class JamCleared(BaseModel):
    payment_station: str
    returned: int
    resolved: list[str]
