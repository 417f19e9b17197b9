"""Append entries to the hash-chained journal, and read them back for verification.

Appending locks the single ``journal_head`` row (``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers), so entries get
gapless sequence numbers and each links to the true previous hash even when several
servers append at once.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from madoguchi.adapters.db.tables import JournalRow
from madoguchi.domain.journal import EntryKind, JournalEntry, canonical_json, entry_hash
from madoguchi.domain.receipt import business_date as jst_date

if TYPE_CHECKING:
    from madoguchi.adapters.db.uow import UnitOfWork


class JournalWriter:
    """Appends on the driver (``uow.rows``), not the ORM: every money event pays for it."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def append(self, kind: EntryKind, *, at: dt.datetime, actor: str | None, amount: int = 0,
               site: str | None = None, station: str | None = None, sale_id: str | None = None,
               business_date: dt.date | None = None, **details: Any) -> JournalEntry:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise TypeError("journal amounts are whole yen (int)")
        rows = self._uow.rows
        last_seq, last_hash = rows.journal_head()
        seq = last_seq + 1
        fields = dict(
            seq=seq, kind=kind.value, occurred_at=at.astimezone(dt.timezone.utc).isoformat(),
            business_date=(business_date or jst_date(at)).isoformat(), site=site, station=station,
            actor=actor, sale_id=sale_id, amount=amount, data=canonical_json(details),
            prev_hash=last_hash,
        )
        digest = entry_hash(**fields)
        rows.journal_append({**fields, "hash": digest})
        self._uow.touch("journal", *((f"site:{site}",) if site else ()))
        return JournalEntry(**fields, hash=digest)


def iter_entries(session: Session, *, batch: int = 5000) -> Iterator[JournalEntry]:
    """Every entry in sequence order, read in batches."""
    last = 0
    while True:
        rows = session.execute(
            select(JournalRow).where(JournalRow.seq > last).order_by(JournalRow.seq).limit(batch)
        ).scalars().all()
        if not rows:
            return
        for r in rows:
            yield JournalEntry(seq=r.seq, kind=r.kind, occurred_at=r.occurred_at,
                               business_date=r.business_date, site=r.site, station=r.station,
                               actor=r.actor, sale_id=r.sale_id, amount=r.amount, data=r.data,
                               prev_hash=r.prev_hash, hash=r.hash)
        last = rows[-1].seq
        session.expunge_all()
