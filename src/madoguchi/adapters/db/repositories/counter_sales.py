"""Sales with their lines, as :class:`madoguchi.domain.counter.Sale` values.

The counter's ordinary course (read a sale, create it, add a line, save it) runs the
driver's compiled statements; listing a day's sales uses the ORM. Every write of a sale
expects the version it was read at and raises :class:`Conflict` when another write came
in between (the ORM's ``version_id_col`` checks the same column).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import fields
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING

from sqlalchemy import select

from madoguchi.adapters.db.counter_rows import LINE_KEYS, SALE_CHANGES, SALE_INSERT_KEYS, SALE_KEYS
from madoguchi.adapters.db.tables import Sale as SaleRow
from madoguchi.domain.counter import Line, Sale, evolve, made
from madoguchi.errors import Conflict, NotFound

if TYPE_CHECKING:
    from madoguchi.adapters.db.driver import Driver
    from madoguchi.adapters.db.uow import UnitOfWork

_N = len(SALE_KEYS)
#: A row's sale columns in :class:`Sale`'s field order, and its line columns, which are in
#: :class:`Line`'s: values built positionally (no keyword dict per row on the hot path).
_SALE_FIELDS = itemgetter(*(SALE_KEYS.index(f.name) for f in fields(Sale) if f.name != "lines"))
_LINES_AT = [f.name for f in fields(Sale)].index("lines")
_SALE_INSERTED = attrgetter(*SALE_INSERT_KEYS)
_SALE_CHANGED = attrgetter(*SALE_CHANGES)
_LINE_ALL = attrgetter(*LINE_KEYS)
if tuple(f.name for f in fields(Line)) != LINE_KEYS:
    raise AssertionError("sale_lines' columns and Line's fields are in different orders")


def sale_from_row(row: SaleRow) -> Sale:
    """An ORM sale (with its lines) as a value."""
    lines = tuple(Line(**{k: getattr(x, k) for k in LINE_KEYS}) for x in row.lines)
    return Sale(**{k: getattr(row, k) for k in SALE_KEYS}, lines=lines)


def read_sale(db: Driver, sale_id: str, *, lock: bool) -> Sale | None:
    """The sale and its lines as the database has them, in one round trip."""
    rows = db.all("sale_locked" if lock else "sale", sale_id=sale_id)
    if not rows:
        return None
    lines = tuple(made(Line, r[_N:]) for r in rows if r[_N] is not None)
    values = list(_SALE_FIELDS(rows[0]))
    values.insert(_LINES_AT, lines)
    return made(Sale, values)


class SaleRepository:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def find(self, sale_id: str, *, lock: bool = True) -> Sale | None:
        """The sale and its lines in one round trip (PostgreSQL locks the sale row unless told
        not to); on SQLite's writer, as it last wrote or read it if nobody wrote it since."""
        counter = self._uow.rows
        known = counter.known
        if known is not None and (kept := known.sale(sale_id)) is not None:
            return kept
        sale = read_sale(counter.db, sale_id, lock=lock)
        if known is not None and sale is not None:
            known.keep_sale(sale)
        return sale

    def get(self, sale_id: str, *, lock: bool = True) -> Sale:
        sale = self.find(sale_id, lock=lock)
        if sale is None:
            raise NotFound(f"no sale {sale_id}")
        return sale

    def add(self, sale: Sale) -> Sale:
        """Store a new sale (without lines); returns it at its first version."""
        self._uow.rows.db.run("sale_insert", **dict(zip(SALE_INSERT_KEYS, _SALE_INSERTED(sale), strict=True)))
        return self._written(_at_version(sale, 1))

    def save(self, sale: Sale) -> Sale:
        """Write what may change of ``sale`` if it is still at the version read; returns it at the next one."""
        changed = self._uow.rows.db.run("sale_update", sale_id=sale.id, expected=sale.version,
                                        **dict(zip(SALE_CHANGES, _SALE_CHANGED(sale), strict=True)))
        if changed != 1:
            raise Conflict(f"sale {sale.id} was changed by someone else meanwhile; load it again")
        return self._written(_at_version(sale, sale.version + 1))

    def add_line(self, sale: Sale, line: Line) -> Sale:
        """``sale`` with ``line`` added (its total checked), both written."""
        changed = sale.with_line(line)
        self._uow.rows.db.run("line_insert", sale_id=sale.id, **dict(zip(LINE_KEYS, _LINE_ALL(line), strict=True)))
        return self.save(changed)

    def remove_line(self, sale: Sale, line_id: str) -> Sale:
        changed = sale.without_line(line_id)
        self._uow.rows.db.run("line_delete", sale_id=sale.id, line_id=line_id)
        return self.save(changed)

    def of_days(self, site: str, day: dt.date, *, onward: bool = False,
                staff_station: str | None = None) -> list[Sale]:
        """The sales of ``site`` on ``day`` (and after it, ``onward``), oldest first."""
        stmt = select(SaleRow).where(SaleRow.site == site,
                                     SaleRow.business_date >= day if onward else SaleRow.business_date == day)
        if staff_station:
            stmt = stmt.where(SaleRow.staff_station == staff_station)
        rows = self._uow.session.execute(stmt.order_by(SaleRow.created_at)).scalars().all()
        return [sale_from_row(r) for r in rows]

    def _written(self, sale: Sale) -> Sale:
        """``sale`` as now written: the live screens told, SQLite's writer keeping it (``known_rows.py``)."""
        known = self._uow.rows.known
        if known is not None:
            known.keep_sale(sale)
        self._uow.touch(f"sale:{sale.id}", f"site:{sale.site}",
                        *((f"station:{sale.payment_station}",) if sale.payment_station else ()))
        return sale


def _at_version(sale: Sale, version: int) -> Sale:
    return evolve(sale, version=version)
