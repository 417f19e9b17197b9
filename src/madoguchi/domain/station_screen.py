"""What the payment-station screen reads from the stored state, as plain values.

The repository (``adapters/db/repositories/screens.py``) fills these; the service that
decides the screen (``services/counter/station_screen.py``) reads nothing else.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StationOccupancy:
    """A payment station's row: out of service (``fault``) and the sale it serves."""
    fault: str | None
    current_sale_id: str | None


@dataclass(frozen=True, slots=True)
class ScreenLine:
    fee_code: str
    name_ja: str
    name_en: str
    quantity: int
    amount: int
    exempt: bool


@dataclass(frozen=True, slots=True)
class ScreenSale:
    id: str
    state: str
    total: int
    paid_amount: int
    cash_only: bool
    business_date: dt.date
    lines: tuple[ScreenLine, ...]


@dataclass(frozen=True, slots=True)
class ScreenPayment:
    id: str
    sale_id: str
    payment_station: str
    method: str
    category: str
    brand: str | None
    state: str
    amount: int
    tendered: int | None
    change: int | None
    failure: str | None
    started_at: dt.datetime
    completed_at: dt.datetime | None
