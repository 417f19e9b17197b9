"""Every repository a unit of work offers, by capability: the one place to find them.

:class:`Repositories` is mixed into :class:`~madoguchi.adapters.db.uow.UnitOfWork`, so a
service writes ``uow.sales.get(...)`` or ``uow.closes.of_day(...)`` and never builds a
repository itself. Each is made when first asked for, once per unit of work, on that
unit of work's transaction (the driver's cursor or the ORM session, as the repository
chooses). The modules are imported when first used: some of them import the unit of
work's module themselves.
"""
from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from madoguchi.adapters.db.counter_rows import CounterRows
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
    from madoguchi.adapters.db.repositories.sim import SimRepository
    from madoguchi.adapters.db.repositories.staff import LoginAttempts, StaffRepository
    from madoguchi.adapters.db.uow import UnitOfWork


class Repositories:
    """The repositories of a unit of work (see the module's docstring)."""

    @property
    def session(self) -> Session:  # the unit of work's ORM session (UnitOfWork overrides)
        raise NotImplementedError

    @property
    def rows(self) -> CounterRows:  # the unit of work's driver rows (UnitOfWork overrides)
        raise NotImplementedError

    def _uow(self) -> UnitOfWork:
        return self  # type: ignore[return-value]  # only ever mixed into UnitOfWork

    # --- the counter: sales, payments, receipts, stations, incidents, the day lock ------
    @cached_property
    def sales(self) -> SaleRepository:
        from madoguchi.adapters.db.repositories.counter_sales import SaleRepository
        return SaleRepository(self._uow())

    @cached_property
    def payments(self) -> PaymentRepository:
        from madoguchi.adapters.db.repositories.counter_payments import PaymentRepository
        return PaymentRepository(self._uow())

    @cached_property
    def receipts(self) -> ReceiptRepository:
        from madoguchi.adapters.db.repositories.counter_payments import ReceiptRepository
        return ReceiptRepository(self._uow())

    @cached_property
    def stations(self) -> StationRepository:
        from madoguchi.adapters.db.repositories.counter_places import StationRepository
        return StationRepository(self._uow())

    @cached_property
    def incidents(self) -> IncidentRepository:
        from madoguchi.adapters.db.repositories.counter_places import IncidentRepository
        return IncidentRepository(self._uow())

    @cached_property
    def refunds(self) -> RefundRepository:
        from madoguchi.adapters.db.repositories.counter_refunds import RefundRepository
        return RefundRepository(self._uow())

    @cached_property
    def day_locks(self) -> DayLocks:
        from madoguchi.adapters.db.repositories.counter_days import DayLocks
        return DayLocks(self._uow())

    @cached_property
    def training(self) -> TrainingRows:
        from madoguchi.adapters.db.repositories.counter_training import TrainingRows
        return TrainingRows(self._uow())

    @cached_property
    def screens(self) -> ScreensRepository:
        """What a payment station's screen shows."""
        from madoguchi.adapters.db.repositories.screens import ScreensRepository
        return ScreensRepository(self._uow())

    @cached_property
    def setup(self) -> SetupRepository:
        """Stations and demo staff made at start-up."""
        from madoguchi.adapters.db.repositories.setup import SetupRepository
        return SetupRepository(self._uow())

    # --- the close of a site-day -------------------------------------------------------
    @cached_property
    def closes(self) -> DayCloses:
        from madoguchi.adapters.db.repositories.close import DayCloses
        return DayCloses(self.session)

    @cached_property
    def day_figures(self) -> DayFigures:
        from madoguchi.adapters.db.repositories.close import DayFigures
        return DayFigures(self.session)

    @cached_property
    def adjustments(self) -> Adjustments:
        from madoguchi.adapters.db.repositories.close import Adjustments
        return Adjustments(self.session)

    @cached_property
    def payments_export(self) -> PaymentsExport:
        from madoguchi.adapters.db.repositories.close import PaymentsExport
        return PaymentsExport(self.session)

    # --- the close of month ------------------------------------------------------------
    @cached_property
    def reconcile(self) -> ReconcileRepository:
        """The close of month's records (statements, runs, inquiries, resolutions)."""
        from madoguchi.adapters.db.repositories.reconcile import ReconcileRepository
        return ReconcileRepository(self.session)

    @cached_property
    def reconcile_books(self) -> ReconcileBooks:
        """What the close of month reads of the counter's books."""
        from madoguchi.adapters.db.repositories.reconcile_books import ReconcileBooks
        return ReconcileBooks(self.session)

    # --- the journal as read back, staff, the simulator ------------------------------------
    @cached_property
    def journal_rows(self) -> JournalRows:
        """The journal as read back (appending is ``journal``'s), in this transaction."""
        from madoguchi.adapters.db.repositories.journal import JournalRows
        return JournalRows(self.session, locked_head=lambda: self.rows.journal_head())

    @cached_property
    def staff(self) -> StaffRepository:
        from madoguchi.adapters.db.repositories.staff import StaffRepository
        return StaffRepository(self.session)

    @cached_property
    def login_attempts(self) -> LoginAttempts:
        from madoguchi.adapters.db.repositories.staff import LoginAttempts
        return LoginAttempts(self.session)

    @cached_property
    def sim(self) -> SimRepository:
        """What the day simulator reads (``repositories/sim.py``)."""
        from madoguchi.adapters.db.repositories.sim import SimRepository
        return SimRepository(self._uow())

    # --- repositories: congestion ---
    @cached_property
    def congestion(self) -> CongestionRepository:
        """What the public congestion board reads (counts and durations, nothing personal)."""
        from madoguchi.adapters.db.repositories.congestion import CongestionRepository
        return CongestionRepository(self._uow())

    # --- repositories: outcomes ---
    @cached_property
    def outcomes(self) -> OutcomesRepository:
        """The paid payments with their moments, the month closes' fees (``repositories/outcomes.py``)."""
        from madoguchi.adapters.db.repositories.outcomes import OutcomesRepository
        return OutcomesRepository(self.session)
