"""What the day simulator reads back from the records: typed values for its summary."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StationInUse:
    """A payment station that is not free: out of service (``fault``) or serving a sale."""

    id: str
    fault: str | None
    current_sale_id: str | None


@dataclass(frozen=True, slots=True)
class ApprovedPayment:
    id: str
    category: str          # cash | emoney | credit | qr
    amount: int
    brand: str | None
    completed_at: dt.datetime


@dataclass(frozen=True, slots=True)
class SimulatedDayRecords:
    """The stored outcome of the simulated day's sales."""

    sale_states: tuple[str, ...]            # one per sale found
    exempt_lines: int
    approved: tuple[ApprovedPayment, ...]   # in the order they completed
    open_incident_kinds: tuple[str, ...]    # one per open incident of the day's sales
    receipts_pending: int                   # at the simulated stations
    journal_entries: int
