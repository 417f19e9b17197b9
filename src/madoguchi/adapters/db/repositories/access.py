"""Every repository a unit of work offers, by capability: the one place to find them.

:class:`Repositories` is mixed into :class:`~madoguchi.adapters.db.uow.UnitOfWork`, so a
service writes ``uow.sales.get(...)`` or ``uow.closes.of_day(...)`` and never builds a
repository itself. Each is made when first asked for, once per unit of work, on that
unit of work's transaction (the driver's cursor or the ORM session, as the repository
chooses); after that it is a plain attribute of the unit of work (the counter asks for
a few in each of its calls, thousands of times a minute).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from madoguchi.adapters.db.repositories.close import Adjustments, DayCloses, DayFigures, PaymentsExport
from madoguchi.adapters.db.repositories.congestion import CongestionRepository
from madoguchi.adapters.db.repositories.counter_days import DayLocks
from madoguchi.adapters.db.repositories.counter_payments import PaymentRepository, ReceiptRepository
from madoguchi.adapters.db.repositories.counter_places import IncidentRepository, StationRepository
from madoguchi.adapters.db.repositories.counter_refunds import RefundRepository
from madoguchi.adapters.db.repositories.counter_sales import SaleRepository
from madoguchi.adapters.db.repositories.counter_training import TrainingRows
from madoguchi.adapters.db.repositories.journal import JournalRows
from madoguchi.adapters.db.repositories.outcomes import OutcomesRepository
from madoguchi.adapters.db.repositories.reconcile import ReconcileRepository
from madoguchi.adapters.db.repositories.reconcile_books import ReconcileBooks
from madoguchi.adapters.db.repositories.screens import ScreensRepository
from madoguchi.adapters.db.repositories.setup import SetupRepository
from madoguchi.adapters.db.repositories.staff import LoginAttempts, StaffRepository

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from madoguchi.adapters.db.counter_rows import CounterRows
    from madoguchi.adapters.db.repositories.sim import SimRepository
    from madoguchi.adapters.db.uow import UnitOfWork

_R = TypeVar("_R")


class _Made(Generic[_R]):
    """A repository made from the unit of work when first asked for, then kept in the
    instance's ``__dict__``, where later lookups find it without calling anything."""

    def __init__(self, make: Callable[[Any], _R]) -> None:
        self._make = make
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, uow: None, owner: type | None = None) -> _Made[_R]: ...
    @overload
    def __get__(self, uow: Repositories, owner: type | None = None) -> _R: ...
    def __get__(self, uow: Repositories | None, owner: type | None = None) -> _Made[_R] | _R:
        if uow is None:
            return self
        made = uow.__dict__[self._name] = self._make(uow)
        return made


def _sim(uow: UnitOfWork) -> SimRepository:
    from madoguchi.adapters.db.repositories.sim import SimRepository  # it imports the unit of work's module
    return SimRepository(uow)


class Repositories:
    """The repositories of a unit of work (see the module's docstring)."""

    @property
    def session(self) -> Session:  # the unit of work's ORM session (UnitOfWork overrides)
        raise NotImplementedError

    @property
    def rows(self) -> CounterRows:  # the unit of work's driver rows (UnitOfWork overrides)
        raise NotImplementedError

    # --- the counter: sales, payments, receipts, stations, incidents, refunds, the day lock
    sales = _Made(SaleRepository)
    payments = _Made(PaymentRepository)
    receipts = _Made(ReceiptRepository)
    stations = _Made(StationRepository)
    incidents = _Made(IncidentRepository)
    refunds = _Made(RefundRepository)
    day_locks = _Made(DayLocks)
    training = _Made(TrainingRows)
    #: What a payment station's screen shows; stations and demo staff made at start-up.
    screens = _Made(ScreensRepository)
    setup = _Made(SetupRepository)

    # --- the close of a site-day -------------------------------------------------------
    closes = _Made(lambda uow: DayCloses(uow.session))
    day_figures = _Made(lambda uow: DayFigures(uow.session))
    adjustments = _Made(lambda uow: Adjustments(uow.session))
    payments_export = _Made(lambda uow: PaymentsExport(uow.session))

    # --- the close of month: its own records, and what it reads of the counter's books ---
    reconcile = _Made(lambda uow: ReconcileRepository(uow.session))
    reconcile_books = _Made(lambda uow: ReconcileBooks(uow.session))

    # --- the journal as read back (appending is ``uow.journal``'s), staff, the rest -----
    journal_rows = _Made(lambda uow: JournalRows(uow.session, locked_head=lambda: uow.rows.journal_head()))
    staff = _Made(lambda uow: StaffRepository(uow.session))
    login_attempts = _Made(lambda uow: LoginAttempts(uow.session))
    sim = _Made(_sim)

    # --- what the city shows: the public congestion board, the council's outcomes --------
    congestion = _Made(CongestionRepository)
    outcomes = _Made(lambda uow: OutcomesRepository(uow.session))
