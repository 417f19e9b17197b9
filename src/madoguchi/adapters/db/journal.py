"""Append entries to the hash-chained journal, and read them back for verification.

Appending locks the single ``journal_head`` row (``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers), so entries get
gapless sequence numbers and each links to the true previous hash even when several
servers append at once.

A process remembers the head its last committed append left (:class:`HeadHint`) and
appends after it with one conditional UPDATE of the head row (``WHERE seq = ? AND
hash = ?``), which saves reading the head on the common path. The condition is
checked by the database under the row's lock, so a hint made stale by another
process, a rollback or anything else only costs a read: the head is then read and
locked as above, and the entry made again from what it says.
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
        uow = self._uow
        rows = uow.rows
        fields = dict(
            seq=0, kind=kind.value, occurred_at=at.astimezone(dt.timezone.utc).isoformat(),
            business_date=(business_date or jst_date(at)).isoformat(), site=site, station=station,
            actor=actor, sale_id=sale_id, amount=amount, data=canonical_json(details), prev_hash="",
        )
        hint = uow.journal_head_hint()
        entry = None if hint is None else _after(fields, hint)
        if entry is None or not rows.journal_append_after(entry):
            entry = _after(fields, rows.journal_head())  # read and locked: the append matches
            if not rows.journal_append_after(entry):
                raise RuntimeError("the journal head moved while this transaction held its lock")
        uow.journal_moved(entry["seq"], entry["hash"])
        uow.touch("journal", *((f"site:{site}",) if site else ()))
        return JournalEntry(**entry)


def _after(fields: dict[str, Any], head: tuple[int, str]) -> dict[str, Any]:
    """The entry's fields (with its hash) as the one after ``head``: (seq, hash)."""
    entry = {**fields, "seq": head[0] + 1, "prev_hash": head[1]}
    entry["hash"] = entry_hash(**entry)
    return entry


class HeadHint:
    """The journal head (seq, hash) this process's last committed append left: a guess
    that the database confirms or refuses at the next append, never trusted alone."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: tuple[int, str] | None = None

    def committed(self, head: tuple[int, str]) -> None:
        current = self.value
        if current is None or head[0] > current[0]:
            self.value = head


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
