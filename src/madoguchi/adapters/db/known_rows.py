"""What SQLite's one writer connection knows of the rows it wrote: the read it may skip.

A call at the counter reads the sale (and its lines), the payment and the day lock that
the call before it wrote a moment ago: four sale reads, three day-lock reads and one
payment read a sale on the writer, about a tenth of a sale's time on SQLite. On SQLite every write of
this process goes through one kept connection (``slots.WriterSlot``), one transaction
at a time. So what that connection itself wrote or read in a committed transaction is
still what the database holds, until either

- another connection commits (another process, a tool, a migration). SQLite tells:
  ``PRAGMA data_version`` on this connection gives another value whenever another
  connection has committed since it was last asked (https://sqlite.org/pragma.html#pragma_data_version),
  and it is asked once in every transaction that looks here; or
- something on this connection writes those tables by another path than the
  repositories that keep this up to date: the ORM, SQLAlchemy Core or ``text()``. Any
  transaction SQLAlchemy begins or joins on the writer's connection calls
  :meth:`KnownRows.stop` (a ``begin`` listener, ``slots.py``). The driver's own statements
  that write these tables are all kept here (a test holds every statement of
  ``counter_rows`` to that).

A transaction that rolls back forgets everything (what it wrote is not in the
database). A sale's write still checks the version it was based on, so a stale sale
would be refused, never written. PostgreSQL has many writers
and its reads take the rows' locks (``FOR UPDATE``): it always reads.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from madoguchi.adapters.db.driver import Driver
    from madoguchi.domain.counter import Payment, Sale

#: The tables whose rows are kept here, and the driver statements that write them (each
#: through a repository method that updates what is kept).
KEPT_TABLES = frozenset({"sales", "sale_lines", "payments", "day_closes"})
KEEPING_STATEMENTS = frozenset({"sale_insert", "sale_update", "line_insert", "line_delete", "payment_insert",
                                "payment_update", "settling", "day_insert"})
#: Sales (and as many payments) kept at most: the counter's calls touch the last few.
KEEP = 256

DayKey = tuple[str, dt.date, str]
_K = TypeVar("_K")
_V = TypeVar("_V")


class KnownRows:
    """The sales, payments and day-lock states the writer connection last wrote or read."""

    __slots__ = ("_driver", "_version", "_state", "sales", "payments", "days")

    def __init__(self, driver: Driver) -> None:
        self._driver = driver
        self._version: int | None = None
        #: This transaction: None (not yet checked), True (what is kept is current), False (stopped).
        self._state: bool | None = None
        self.sales: dict[str, Sale] = {}
        self.payments: dict[str, Payment] = {}
        self.days: dict[DayKey, dict[str, str]] = {}

    def began(self) -> None:
        """A transaction began: check ``data_version`` when it first looks here."""
        self._state = None

    def live(self) -> bool:
        """Whether what is kept may be used and added to in this transaction."""
        state = self._state
        if state is None:
            version = self._driver.data_version()
            if version != self._version:  # another connection committed meanwhile
                self.forget()
                self._version = version
            state = self._state = True
        return state

    def stop(self) -> None:
        """Something else writes on this connection now: forget, and keep nothing until
        the transaction ends."""
        self.forget()
        self._state = False

    def forget(self) -> None:
        self.sales.clear()
        self.payments.clear()
        self.days.clear()

    # --- what the repositories ask and tell ------------------------------------------
    def sale(self, sale_id: str) -> Sale | None:
        return self.sales.get(sale_id) if self.live() else None

    def keep_sale(self, sale: Sale) -> None:
        self._keep(self.sales, sale.id, sale)

    def payment(self, payment_id: str) -> Payment | None:
        return self.payments.get(payment_id) if self.live() else None

    def keep_payment(self, payment: Payment) -> None:
        self._keep(self.payments, payment.id, payment)

    def drop_payment(self, payment_id: str) -> None:
        self.payments.pop(payment_id, None)

    def day(self, key: DayKey) -> dict[str, str] | None:
        return self.days.get(key) if self.live() else None

    def keep_day(self, key: DayKey, states: dict[str, str]) -> None:
        self._keep(self.days, key, states)

    def _keep(self, kept: dict[_K, _V], key: _K, value: _V) -> None:
        if self.live():
            if len(kept) >= KEEP and key not in kept:
                kept.clear()  # the counter's calls touch the last few: start again
            kept[key] = value
