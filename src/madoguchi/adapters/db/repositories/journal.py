"""The journal as it is read back: for verification, anchors, receipts and the auditor's export.

Appending is the writer's (``adapters/db/journal.py``, on the driver); everything here
reads, through the ORM's session, and returns :class:`~madoguchi.domain.journal.JournalEntry`
values or plain ones. :meth:`JournalRows.entries` streams in batches, so a journal of
millions of entries is verified without being held in memory. The payments, sales and
receipts that the ``sale_paid`` entries vouch for are read here too, for the cross-check.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from madoguchi.adapters.db.journal import ENTRY_COLUMNS, iter_entries
from madoguchi.adapters.db.tables import JournalHead, JournalRow, Payment, Receipt, Sale
from madoguchi.domain.journal import EntryKind, JournalEntry

#: Ids per ``IN (...)`` of the cross-check reads.
CHUNK = 500
_T = TypeVar("_T")


class JournalRows:
    """``uow.journal_rows``: reads of the journal in the unit of work's transaction."""

    def __init__(self, session: Session, *, locked_head: Callable[[], tuple[int, str]] | None = None) -> None:
        self._s = session
        self._locked_head = locked_head

    def since_station_emptied(self, station: str) -> list[tuple[str, int, str]]:
        """``(kind, amount, data)`` of a payment station's entries since its changer was last
        emptied (its last ``day_closed``), in order: what the machine should hold."""
        emptied = self._s.execute(select(func.max(JournalRow.seq)).where(
            JournalRow.station == station, JournalRow.kind == "day_closed")).scalar() or 0
        rows = self._s.execute(select(JournalRow.kind, JournalRow.amount, JournalRow.data).where(
            JournalRow.station == station, JournalRow.seq > emptied).order_by(JournalRow.seq))
        return [(kind, amount, data) for kind, amount, data in rows]

    # --- the head ---------------------------------------------------------------------
    def head(self) -> tuple[int, str]:
        """(seq, hash) of the last entry, as the head row says (0 and the genesis hash when empty)."""
        seq, digest = self._s.execute(select(JournalHead.seq, JournalHead.hash).where(JournalHead.id == 1)).one()
        return seq, digest

    def locked_head(self) -> tuple[int, str]:
        """The head, locked until the transaction ends: no entry is appended in between."""
        if self._locked_head is None:
            raise RuntimeError("this journal is read only: its head cannot be locked")
        return self._locked_head()

    # --- entries ----------------------------------------------------------------------
    def entries(self, *, first: int = 1, upto: int | None = None) -> Iterator[JournalEntry]:
        """Every entry in sequence order (or those from ``first`` to ``upto``), read in batches."""
        return iter_entries(self._s, first=first, upto=upto)

    def entry(self, seq: int) -> JournalEntry | None:
        row = self._s.execute(select(*ENTRY_COLUMNS).where(JournalRow.seq == seq)).one_or_none()
        return None if row is None else JournalEntry(*row)

    def hash_at(self, seq: int) -> str | None:
        """The hash entry ``seq`` holds (None when there is no such entry)."""
        return self._s.execute(select(JournalRow.hash).where(JournalRow.seq == seq)).scalar_one_or_none()

    def of_kinds(self, *kinds: EntryKind, site: str | None = None, day: dt.date | None = None,
                 before: int | None = None) -> tuple[JournalEntry, ...]:
        """The entries of these kinds (of ``site``, on business day ``day``, before entry
        ``before``, when given), in journal order: key announcements and closes, a few a day."""
        query = select(*ENTRY_COLUMNS).where(JournalRow.kind.in_([k.value for k in kinds]))
        if site is not None:
            query = query.where(JournalRow.site == site)
        if day is not None:
            query = query.where(JournalRow.business_date == day.isoformat())
        if before is not None:
            query = query.where(JournalRow.seq < before)
        return tuple(JournalEntry(*row) for row in self._s.execute(query.order_by(JournalRow.seq)))

    def site_day_hashes(self, *, site: str, day: str, upto: int) -> tuple[str, ...]:
        """The hashes of the site's entries of business day ``day`` (YYYY-MM-DD) up to ``upto``, in order."""
        return tuple(self._s.execute(select(JournalRow.hash).where(
            JournalRow.business_date == day, JournalRow.site == site, JournalRow.seq <= upto)
            .order_by(JournalRow.seq)).scalars())

    def unsigned_counts(self, *, site: str, day: dt.date) -> tuple[tuple[int, str], ...]:
        """(count, reason) of the site-day's entries written unsigned, one per reason."""
        rows = self._s.execute(
            select(func.count(), JournalRow.unsigned_reason).where(
                JournalRow.site == site, JournalRow.business_date == day.isoformat(),
                JournalRow.tx_number.is_not(None), JournalRow.signature.is_(None))
            .group_by(JournalRow.unsigned_reason).order_by(JournalRow.unsigned_reason)).all()
        return tuple((n, reason or "") for n, reason in rows)

    # --- receipts (signed sale_paid entries) -------------------------------------------
    def signed_receipt(self, seq: int) -> JournalEntry | None:
        """Entry ``seq`` if it is a signed ``sale_paid`` entry."""
        row = self._s.execute(select(*ENTRY_COLUMNS).where(
            JournalRow.seq == seq, JournalRow.kind == EntryKind.SALE_PAID.value,
            JournalRow.signature.is_not(None))).one_or_none()
        return None if row is None else JournalEntry(*row)

    def receipt_signatures(self) -> Iterator[tuple[int, str]]:
        """(seq, signature) of every signed ``sale_paid`` entry, in order: 64 bytes an entry."""
        result = self._s.execute(select(JournalRow.seq, JournalRow.signature).where(
            JournalRow.kind == EntryKind.SALE_PAID.value, JournalRow.signature.is_not(None)).order_by(JournalRow.seq))
        return ((seq, signature) for seq, signature in result if signature is not None)

    # --- ranges, for the export ---------------------------------------------------------
    def seq_range(self, date_from: dt.date, date_to: dt.date) -> tuple[int, int] | None:
        """The first and last seq of the entries of business days ``date_from`` to ``date_to``."""
        first, last = self._s.execute(select(func.min(JournalRow.seq), func.max(JournalRow.seq)).where(
            JournalRow.business_date >= date_from.isoformat(),
            JournalRow.business_date <= date_to.isoformat())).one()
        return None if first is None else (first, last)

    def site_counters_before(self, seq: int) -> dict[str, tuple[int, int]]:
        """Each site's last (transaction number, signature counter) before entry ``seq``
        ("" for entries of no site; 0 for none)."""
        return {site or "": (tx or 0, sig or 0) for site, tx, sig in self._s.execute(
            select(JournalRow.site, func.max(JournalRow.tx_number), func.max(JournalRow.sig_counter))
            .where(JournalRow.seq < seq, JournalRow.tx_number.is_not(None)).group_by(JournalRow.site))}

    # --- what the sale_paid entries vouch for, for the cross-check --------------------
    def payment_amounts(self, ids: Iterable[str]) -> Iterator[tuple[str, int]]:
        """(payment id, amount) of those of ``ids`` that exist."""
        for chunk in _chunks(list(ids)):
            rows = self._s.execute(select(Payment.id, Payment.amount).where(Payment.id.in_(chunk)))
            yield from ((pid, amount) for pid, amount in rows)

    def sale_totals(self, ids: Iterable[str]) -> Iterator[tuple[str, int]]:
        """(sale id, total) of those of ``ids`` that exist."""
        for chunk in _chunks(list(ids)):
            rows = self._s.execute(select(Sale.id, Sale.total).where(Sale.id.in_(chunk)))
            yield from ((sid, total) for sid, total in rows)

    def receipt_documents(self, keys: Iterable[tuple[str, int]]) -> Iterator[tuple[str, int, str]]:
        """(sale id, receipt number, the receipt's document as JSON) of those of ``keys`` that exist."""
        for chunk in _chunks(list(keys)):
            rows = self._s.execute(select(Receipt.sale_id, Receipt.number, Receipt.document).where(
                tuple_(Receipt.sale_id, Receipt.number).in_(chunk)))
            yield from ((sid, number, document) for sid, number, document in rows)


def _chunks(items: list[_T]) -> Iterator[list[_T]]:
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]
