"""The statements of the counter's ordinary course, run on the driver (see ``driver.py``).

Every call of a sale's ordinary course (create, line, hand-off, pay in cash or
cashless, receipt) and every journal entry, idempotency record and day lock runs one
of these. :class:`CounterRows` runs the idempotency, day-lock and journal ones; the
counter's repositories (``repositories/counter_*.py``) run the rest and hand back the
typed values of :mod:`madoguchi.domain.counter`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql import ClauseElement

from madoguchi.adapters.db.close_tables import WHOLE_SITE, DayClose
from madoguchi.adapters.db.driver import Driver
from madoguchi.adapters.db.known_rows import KnownRows
from madoguchi.adapters.db.tables import (
    Idempotency,
    Incident,
    JournalHead,
    JournalRow,
    Payment,
    PaymentStation,
    Receipt,
    Sale,
    SaleLine,
)
from madoguchi.domain.sale import PaymentMethod, PaymentState


def _table(cls: Any) -> Table:
    return cast(Table, cls.__table__)


_S, _L, _P = _table(Sale), _table(SaleLine), _table(Payment)
_ST, _R, _I = _table(PaymentStation), _table(Receipt), _table(Incident)
_D, _H, _J, _K = _table(DayClose), _table(JournalHead), _table(JournalRow), _table(Idempotency)
_SALE_COLUMNS = list(_S.c)  # version last
_LINE_COLUMNS = [c for c in _L.c if c.key != "sale_id"]
SALE_KEYS = tuple(c.key for c in _SALE_COLUMNS)
LINE_KEYS = tuple(c.key for c in _LINE_COLUMNS)  # selected as line_<key>, in this order
#: What a sale's writes may change (everything but who made it, where and when).
SALE_CHANGES = ("state", "total", "paid_amount", "payment_station", "attempts", "paid_at", "cash_only",
                "registration_started_at", "handed_off_at")
PAYMENT_CHANGES = ("state", "tendered", "change", "processor_reference", "failure", "completed_at",
                   "booked_on")
PAYMENT_KEYS = tuple(c.key for c in _P.c)
SALE_INSERT_KEYS = tuple(c.key for c in _S.c if c.key != "version")
LINE_INSERT_KEYS = tuple(c.key for c in _L.c)


def _b(*names: str) -> dict[str, Any]:
    return {n: bindparam(n) for n in names}


def _sale_query(lock: bool) -> ClauseElement:
    # The sale and its lines in one round trip; PostgreSQL locks the sale row, not the lines.
    query = (select(*_SALE_COLUMNS, *[c.label(f"line_{c.key}") for c in _LINE_COLUMNS])
             .select_from(_S.outerjoin(_L, _L.c.sale_id == _S.c.id))
             .where(_S.c.id == bindparam("sale_id")).order_by(_L.c.position))
    return query.with_for_update(of=_S) if lock else query


def statement(name: str, dialect: str) -> ClauseElement:
    """The statement called ``name``, built for ``dialect`` (compiled once by the driver)."""
    if name == "day_insert":
        make = pg_insert if dialect == "postgresql" else sqlite_insert
        made: ClauseElement = make(_D).values(**_b("site", "business_date"), station=WHOLE_SITE, state="open") \
            .on_conflict_do_nothing(index_elements=["site", "station", "business_date"])
        return made
    made_by: Callable[[], ClauseElement] = _STATEMENTS[name]
    return made_by()


_STATEMENTS: dict[str, Any] = {
    "idempotency": lambda: select(_K.c.operation, _K.c.fingerprint, _K.c.result).where(
        _K.c.key == bindparam("key")),
    "remember": lambda: insert(_K).values(**_b("key", "operation", "fingerprint", "result", "created_at")),
    "day_states": lambda: select(_D.c.station, _D.c.state).where(
        _D.c.site == bindparam("site"), _D.c.business_date == bindparam("business_date"),
        or_(_D.c.station == WHOLE_SITE, _D.c.station == bindparam("station"))).with_for_update(),
    "sale": lambda: _sale_query(lock=False),
    "sale_locked": lambda: _sale_query(lock=True),
    "sale_insert": lambda: insert(_S).values(**_b(*SALE_INSERT_KEYS), version=1),
    # Written only at the version read: a write in between makes it match no row.
    "sale_update": lambda: update(_S).where(_S.c.id == bindparam("sale_id"),
                                            _S.c.version == bindparam("expected")).values(
        **_b(*SALE_CHANGES), version=_S.c.version + 1),
    "line_insert": lambda: insert(_L).values(**_b(*LINE_INSERT_KEYS)),
    "line_delete": lambda: delete(_L).where(_L.c.id == bindparam("line_id"), _L.c.sale_id == bindparam("sale_id")),
    "claim": lambda: update(_ST).where(
        _ST.c.id == bindparam("station"),
        or_(_ST.c.current_sale_id.is_(None), _ST.c.current_sale_id == bindparam("sale_id")),
        _ST.c.fault.is_(None)).values(current_sale_id=bindparam("sale_id")),
    "release": lambda: update(_ST).where(_ST.c.id == bindparam("station"),
                                         _ST.c.current_sale_id == bindparam("sale_id")).values(current_sale_id=None),
    "free_stations": lambda: select(_ST.c.id).where(_ST.c.site == bindparam("site"), _ST.c.current_sale_id.is_(None),
                                                    _ST.c.fault.is_(None)).order_by(_ST.c.id),
    "payment": lambda: select(*_P.c).where(_P.c.id == bindparam("payment_id")),
    "pending_cash_at": lambda: select(_P.c.id, _P.c.amount).where(
        _P.c.payment_station == bindparam("station"), _P.c.method == PaymentMethod.CASH.value,
        _P.c.state == PaymentState.PENDING.value).order_by(_P.c.started_at.desc()).limit(1),
    "payments_of": lambda: select(*_P.c).where(_P.c.sale_id == bindparam("sale_id")).order_by(_P.c.started_at),
    "payment_insert": lambda: insert(_P).values(**_b(*(c.key for c in _P.c))),
    "payment_update": lambda: update(_P).where(_P.c.id == bindparam("payment_id")).values(**_b(*PAYMENT_CHANGES)),
    "settling": lambda: update(_P).where(_P.c.id == bindparam("payment_id"),
                                         _P.c.state == PaymentState.PENDING.value).values(
        state=PaymentState.SETTLING.value, **_b("tendered", "change")),
    "receipt_number": lambda: update(_ST).where(_ST.c.id == bindparam("station")).values(
        next_receipt_number=_ST.c.next_receipt_number + 1).returning(_ST.c.next_receipt_number),
    "receipt_insert": lambda: insert(_R).values(
        **_b("sale_id", "payment_station", "number", "document", "created_at"), state="pending", prints=0
    ).returning(_R.c.id),
    "receipt_latest": lambda: select(*_R.c).where(_R.c.sale_id == bindparam("sale_id")).order_by(
        _R.c.id.desc()).limit(1),
    "receipt_printed": lambda: update(_R).where(_R.c.id == bindparam("receipt_id")).values(
        state="printed", prints=_R.c.prints + 1, last_error=None,
        printed_at=func.coalesce(_R.c.printed_at, bindparam("at", type_=_R.c.printed_at.type))).returning(*_R.c),
    "receipt_failed": lambda: update(_R).where(_R.c.id == bindparam("receipt_id")).values(
        last_error=bindparam("error")).returning(*_R.c),
    "open_incidents": lambda: select(_I.c.id).where(_I.c.sale_id == bindparam("sale_id"), _I.c.state == "open"),
    "journal_head": lambda: select(_H.c.seq, _H.c.hash).where(_H.c.id == 1).with_for_update(),
    "journal_site_counters": lambda: _site_counters(_J.c.site == bindparam("site")),
    "journal_nosite_counters": lambda: _site_counters(_J.c.site.is_(None)),
    "journal_insert": lambda: insert(_J).values(**_b(*(c.key for c in _J.c))),
    "journal_move_from": lambda: update(_H).where(
        _H.c.id == 1, _H.c.seq == bindparam("prev_seq"), _H.c.hash == bindparam("prev_hash")).values(
        **_b("seq", "hash")),
}


def _site_counters(where: Any) -> ClauseElement:
    """A site's last transaction number and last signature counter (both indexed)."""
    tx = select(_J.c.tx_number).where(where, _J.c.tx_number.is_not(None)).order_by(
        _J.c.tx_number.desc()).limit(1).scalar_subquery()
    sig = select(_J.c.sig_counter).where(where, _J.c.sig_counter.is_not(None)).order_by(
        _J.c.sig_counter.desc()).limit(1).scalar_subquery()
    return select(tx.label("tx_number"), sig.label("sig_counter"))


class CounterRows:
    """The counter's reads and writes on one kept connection's driver (made once with its
    slot, ``slots.py``, and used by each unit of work that takes it).

    The repositories that write through it tell the unit of work the change keys of
    each write (``uow.touch``), as the ORM's flush would tell them, for the live screens.
    """

    def __init__(self, driver: Driver, known: KnownRows | None = None) -> None:
        self.db = driver
        #: What SQLite's writer connection knows of the rows it wrote (``known_rows.py``); None elsewhere.
        self.known = known

    # --- idempotency, day lock, journal ---------------------------------------------
    def idempotency(self, key: str) -> tuple[str, str, str] | None:
        row = self.db.first("idempotency", key=key)
        return None if row is None else (row[0], row[1], row[2])

    def remember(self, **values: Any) -> None:
        self.db.run("remember", **values)

    def day_states(self, site: str, day: dt.date, station: str | None) -> dict[str, str]:
        """``{station or "*": state}`` of the site-day, locked; the site row made if missing."""
        known = self.known
        key = (site, day, station or WHOLE_SITE)
        if known is not None and (kept := known.day(key)) is not None:
            return kept
        states = self.read_day_states(*key)
        if WHOLE_SITE not in states:
            self.db.run("day_insert", site=site, business_date=day)
            states = self.read_day_states(*key)
        if known is not None:
            known.keep_day(key, states)
        return states

    def read_day_states(self, site: str, day: dt.date, station: str) -> dict[str, str]:
        """``{station or "*": state}`` of the site-day's rows as the database has them, locked."""
        # (Both columns are NOT NULL text: the rows' pairs are the answer as they come.)
        return dict(self.db.all("day_states", site=site, business_date=day, station=station))

    def journal_head(self) -> tuple[int, str]:
        head = self.db.first("journal_head")
        assert head is not None, "the journal head row is missing (run init-db)"
        return head[0], head[1]

    def journal_site_counters(self, site: str | None) -> tuple[int, int]:
        """The last (transaction number, signature counter) of ``site``'s entries, 0 if none.

        Read after :meth:`journal_head` (which locks the head), so no append comes between."""
        row = (self.db.first("journal_site_counters", site=site) if site is not None
               else self.db.first("journal_nosite_counters"))
        return (row[0] or 0, row[1] or 0) if row is not None else (0, 0)

    def journal_append_after(self, fields: dict[str, Any]) -> bool:
        """Append if the head is still ``fields``' previous entry (``seq - 1``, ``prev_hash``).

        The head moves only if it is exactly that entry (the UPDATE takes the row's
        lock, and PostgreSQL re-checks the condition after waiting for another
        writer); otherwise nothing is written and the caller reads the head instead.
        """
        moved = self.db.run("journal_move_from", seq=fields["seq"], hash=fields["hash"],
                            prev_seq=fields["seq"] - 1, prev_hash=fields["prev_hash"])
        if moved != 1:
            return False
        self.db.run("journal_insert", **fields)
        return True
