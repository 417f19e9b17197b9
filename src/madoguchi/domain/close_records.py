"""What the close of day reads and writes, as plain values (the repositories' answers).

The close's repositories (``adapters/db/repositories/close*.py``) hand these to the
services and take them back; nothing here knows how they are stored.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from madoguchi.domain.close import Finding, Severity

#: ``day_closes.station`` of the row that stands for the whole site.
WHOLE_SITE = "*"


def finding_from(d: Mapping[str, Any]) -> Finding:
    """A finding as :meth:`Finding.as_dict` wrote it."""
    return Finding(d["code"], Severity(d["severity"]), d["message"], d["message_ja"], d.get("station"),
                   d.get("ref"))


@dataclass(frozen=True, slots=True)
class StoredClose:
    """One row of ``day_closes``: a payment station's close, or the site's (``station == "*"``)."""

    station: str
    state: str
    reason: str | None = None
    over_short: int | None = None
    closed_by: str | None = None
    closed_at: dt.datetime | None = None
    approved_by: str | None = None
    approved_at: dt.datetime | None = None
    journal_seq: int | None = None
    counted: Mapping[int, int] | None = None   # by denomination; None when nothing was counted
    machine: Mapping[int, int] | None = None   # the changer's own count, when it had one
    findings: tuple[Finding, ...] = ()

    @property
    def closed(self) -> bool:
        return self.state == "closed"


@dataclass(frozen=True, slots=True)
class StationClose:
    """A payment station's close as it is stored (its row and its counts by denomination)."""

    site: str
    station: str
    day: dt.date
    float_amount: int
    received: int
    change: int
    refunds: int
    cash_in: int
    cash_out: int
    adjustments: int
    expected: int
    machine: int | None
    counted: int | None
    over_short: int | None
    reason: str | None
    findings: tuple[Finding, ...]
    closed_by: str
    closed_at: dt.datetime
    journal_seq: int
    #: (denomination, counted, changer's count or None), every denomination.
    counts: tuple[tuple[int, int, int | None], ...]


@dataclass(frozen=True, slots=True)
class SiteClose:
    """What the site's close writes on its day's lock row."""

    expected: int
    counted: int | None
    over_short: int | None
    note: str | None
    figures: str          # the summary frozen at the close, as JSON
    findings: tuple[Finding, ...]
    by: str
    at: dt.datetime
    journal_seq: int


@dataclass(frozen=True, slots=True)
class StationRow:
    """What the counter's table says of a payment station now."""

    sale_waiting: str | None = None
    fault: str | None = None


@dataclass(frozen=True, slots=True)
class BankRefund:
    """A refund paid back by bank transfer (owed while ``state == "pending"``)."""

    id: str
    sale_id: str
    amount: int
    reason: str
    state: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class OpenWork:
    """What is still under way at a site's payment stations (read for the checks)."""

    stations: Mapping[str, StationRow] = field(default_factory=dict)
    in_flight: tuple[tuple[str, str], ...] = ()            # (station, payment id)
    receipts_pending: Mapping[str, int] = field(default_factory=dict)
    receipts: Mapping[str, tuple[int, int, int]] = field(default_factory=dict)  # (first, last, how many)


@dataclass(frozen=True, slots=True)
class SalesKnown:
    """Sales as staff know them: their receipt, and where and when they were taken."""

    receipts: Mapping[str, tuple[str, int]] = field(default_factory=dict)          # sale -> (station, number)
    taken: Mapping[str, tuple[str, dt.datetime]] = field(default_factory=dict)  # sale -> (desk, at)


@dataclass(frozen=True, slots=True)
class AdjustmentRecord:
    """A correction of a closed day, as stored (requested, then approved or rejected)."""

    id: str
    site: str
    station: str | None
    corrects: dt.date
    category: str
    revenue_line: str | None
    amount: int
    reason: str
    state: str
    requested_by: str
    requested_at: dt.datetime
    business_date: dt.date | None = None
    approved_by: str | None = None
    approved_at: dt.datetime | None = None
    journal_seq: int | None = None


@dataclass(frozen=True, slots=True)
class ExportedPayment:
    """One payment attempt as the payments export reads it."""

    request_id: str
    processor_reference: str | None
    terminal_id: str | None
    site: str
    station: str
    brand: str | None
    category: str
    amount: int
    state: str
    started_at: dt.datetime
    completed_at: dt.datetime | None
    business_date: dt.date
    booked_on: dt.date | None
