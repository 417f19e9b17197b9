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

Each entry also takes its site's next transaction number and, when signed, its
site's next signature counter; they are read from the journal under the head's lock
(two indexed look-ups) and remembered in the hint with the head, for the sites this
process has seen at that head. The entry is signed with the process's key
(:class:`~madoguchi.adapters.signing.JournalSigner`, loaded once) or, when there is
no usable key, written unsigned with the reason.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import fields as dataclass_fields
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from madoguchi.adapters.db.tables import JournalRow
from madoguchi.adapters.signing import SIGNING_DOWN, Stamp
from madoguchi.domain.counter import built
from madoguchi.domain.journal import EntryKind, JournalEntry, canonical_json, entry_hash
from madoguchi.domain.receipt import business_date as jst_date

if TYPE_CHECKING:
    from madoguchi.adapters.db.uow import UnitOfWork
    from madoguchi.adapters.signing import JournalSigner


class JournalState(NamedTuple):
    """The head (seq, hash) and, for the sites known there, (tx_number, sig_counter)."""

    seq: int
    hash: str
    counters: dict[str | None, tuple[int, int]]


class JournalWriter:
    """Appends on the driver (``uow.rows``), not the ORM: every money event pays for it."""

    def __init__(self, uow: UnitOfWork, signer: JournalSigner | None = None) -> None:
        self._uow = uow
        self._signer = signer

    def append(self, kind: EntryKind, *, at: dt.datetime, actor: str | None, amount: int = 0,
               site: str | None = None, station: str | None = None, sale_id: str | None = None,
               business_date: dt.date | None = None, **details: Any) -> JournalEntry:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise TypeError("journal amounts are whole yen (int)")
        uow = self._uow
        rows = uow.rows
        fields = dict(
            seq=0, kind=kind.value, occurred_at=at.astimezone(dt.UTC).isoformat(),
            business_date=(business_date or jst_date(at)).isoformat(), site=site, station=station,
            actor=actor, sale_id=sale_id, amount=amount, data=canonical_json(details), prev_hash="",
        )
        stamp = self._signer.stamp() if self._signer is not None else _NO_SIGNER
        state = uow.journal_head_hint()
        entry = None if state is None or site not in state.counters else _after(fields, state, stamp)
        if entry is None or not rows.journal_append_after(entry):
            head = rows.journal_head()  # read and locked: the append matches
            state = JournalState(head[0], head[1], {site: rows.journal_site_counters(site)})
            entry = _after(fields, state, stamp)
            if not rows.journal_append_after(entry):
                raise RuntimeError("the journal head moved while this transaction held its lock")
        assert state is not None  # read above when there was no hint
        counters = {**state.counters, site: (entry["tx_number"], entry["sig_counter"] or state.counters[site][1])}
        uow.journal_moved(JournalState(entry["seq"], entry["hash"], counters))
        uow.touch("journal", *((f"site:{site}",) if site else ()))
        return built(JournalEntry, **entry)  # as JournalEntry(**entry), without its frozen __init__'s cost


def _after(fields: dict[str, Any], state: JournalState, stamp: Stamp) -> dict[str, Any]:
    """The entry's fields (hash and signature too) as the one after ``state``."""
    tx, sig = state.counters[fields["site"]]
    signed = stamp.key is not None
    entry = {**fields, "seq": state.seq + 1, "prev_hash": state.hash, "tx_number": tx + 1,
             "sig_counter": sig + 1 if signed else None, "key_id": stamp.key_id,
             "unsigned_reason": None if signed else stamp.reason}
    entry["hash"] = entry_hash(**entry)
    entry["signature"] = stamp.sign(entry["hash"])
    return entry


_NO_SIGNER = Stamp(None, None, f"{SIGNING_DOWN}: この処理には署名鍵が渡されていません")


class HeadHint:
    """The journal head (seq, hash) this process's last committed append left: a guess
    that the database confirms or refuses at the next append, never trusted alone."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: JournalState | None = None

    def committed(self, head: JournalState) -> None:
        current = self.value
        if current is None or head[0] > current[0]:
            self.value = head


#: The journal's columns in :class:`JournalEntry`'s field order: a row read with them is
#: ``JournalEntry(*row)``.
ENTRY_COLUMNS = tuple(getattr(JournalRow, f.name) for f in dataclass_fields(JournalEntry))


def iter_entries(session: Session, *, batch: int = 5000, first: int = 1,
                 upto: int | None = None) -> Iterator[JournalEntry]:
    """Every entry in sequence order (or those from ``first`` to ``upto``), read in batches.

    Plain rows, not ORM objects: nothing is kept in the session's identity map, so
    memory stays at one batch however long the journal."""
    last = first - 1
    while True:
        query = select(*ENTRY_COLUMNS).where(JournalRow.seq > last)
        if upto is not None:
            query = query.where(JournalRow.seq <= upto)
        rows = session.execute(query.order_by(JournalRow.seq).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            yield JournalEntry(*row)
        last = rows[-1][0]


def entry_of(r: JournalRow) -> JournalEntry:
    return JournalEntry(seq=r.seq, kind=r.kind, occurred_at=r.occurred_at, business_date=r.business_date,
                        site=r.site, station=r.station, actor=r.actor, sale_id=r.sale_id, amount=r.amount,
                        data=r.data, prev_hash=r.prev_hash, hash=r.hash, tx_number=r.tx_number,
                        sig_counter=r.sig_counter, key_id=r.key_id, unsigned_reason=r.unsigned_reason,
                        signature=r.signature)


def unsigned_on(session: Session, *, site: str, day: dt.date) -> tuple[tuple[int, str], ...]:
    """(count, reason) of the site-day's entries written unsigned, one per reason.

    Kept for callers holding a session; services ask ``uow.journal_rows.unsigned_counts``."""
    from madoguchi.adapters.db.repositories.journal import JournalRows
    return JournalRows(session).unsigned_counts(site=site, day=day)
