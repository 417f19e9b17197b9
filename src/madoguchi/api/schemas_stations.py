"""What the HTTP API accepts and answers about payment stations: their devices, cash in and out."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from madoguchi.api.schemas import Denomination, Input, Note


# --- stations ----------------------------------------------------------------------------
class ChangerPublic(BaseModel):
    status: str
    counts: dict[int, int]
    deposit: int


class StationPublic(BaseModel):
    id: str
    site: str
    name: str
    number: int
    colour: str
    current_sale_id: str | None
    fault: str | None
    changer: ChangerPublic
    printer: str
    terminal_online: bool
    pending_receipts: int


class CashMoveCreate(Input):
    direction: Literal["float", "in", "out"]
    counts: dict[Denomination, Annotated[int, Field(strict=True, ge=0, le=10_000)]]
    reason: Note = ""


class CashMovePublic(BaseModel):
    payment_station: str
    amount: int
    inventory: dict[int, int]


class JamCleared(BaseModel):
    payment_station: str
    returned: int
    resolved: list[str]
