"""What the close-of-month routes accept and answer: the inquiry log, past runs, open incidents.

The run's summary itself is answered as the engine writes it (``summary.json``, see
docs/close-of-month.md): it is a report with many nested parts, and the workbook, the
CLI and the page all read the same keys.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, Field

from madoguchi.http.fields import Input, text


class InquiryCreate(Input):
    """An inquiry about an incident (to the e-money provider, the acquirer, the resident)."""

    id: uuid.UUID  # made by the client: the same id again logs it once
    asked_whom: text(200, 1)  # type: ignore[valid-type]
    asked_at: dt.datetime  # with its time zone
    answer: text(2000) | None = None  # type: ignore[valid-type]
    answered_at: dt.datetime | None = None  # defaults to now when there is an answer


class DisputedResolutionCreate(Input):
    """Whose a disputed statement row (照会中) was, as the agent answered: a payment of ours, or none."""

    id: uuid.UUID  # made by the client: the same id again records it once
    source: text(255, 1)  # type: ignore[valid-type]
    line: Annotated[int, Field(ge=1, le=2**31 - 1)]
    payment_reference: text(64) | None = None  # type: ignore[valid-type]  # None: none of ours after all
    evidence: text(500, 1)  # type: ignore[valid-type]


class InquiryPublic(BaseModel):
    incident_id: str
    asked_whom: str
    asked_at: str | None
    answer: str | None
    answered_at: str | None
    recorded_by: str


class OpenIncidentPublic(BaseModel):
    id: str
    kind: str
    site: str
    station: str | None
    brand: str | None
    amount: int
    request_id: str | None
    summary: str
    opened_at: str
    age_days: int
    last_inquiry: InquiryPublic | None


class RunPublic(BaseModel):
    """One past run of the close of month, as the run list shows it."""

    id: int
    month: str
    ran_at: str
    ran_by: str          # the login id (a key)
    ran_by_name: str     # the person's display name, as the page and the report show it
    complete: bool
    transfer_amount: int
    counts: dict[str, int]
    statements: list[dict[str, Any]]


class RunDetail(RunPublic):
    summary: dict[str, Any]
