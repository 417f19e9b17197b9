"""The close of month's own records: statement imports and their rows, runs, inquiries,
disputed rows' resolutions, and the incidents the month opens or reads.

Reached as ``uow.reconcile``; every method returns typed values
(:mod:`madoguchi.domain.reconcile_records`), never ORM objects. The statement rows go in
with one multi-row INSERT per batch (a statement can hold a million rows).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from madoguchi.adapters.db.reconcile_tables import (
    DisputedResolution,
    IncidentInquiry,
    ReconcileRun,
    StatementImport,
    StatementLine,
)
from madoguchi.adapters.db.tables import Incident
from madoguchi.domain.reconcile_records import (
    DisputedResolutionRecord,
    FeeDueCase,
    InquiryRecord,
    NewStatementImport,
    OpenIncident,
    RunRecord,
    StatementImportRecord,
)
from madoguchi.errors import Conflict

STATEMENT_LINE_KEYS = ("line", "transaction_at", "terminal_id", "merchant_reference", "processor_reference",
                       "brand", "kind", "gross", "fee", "net", "deposit_date")


class StatementImportedMeanwhile(Conflict):
    """The same statement was imported by another process at the same moment (its SHA-256 is unique)."""


class ReconcileRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- statements ----------------------------------------------------------------
    def statement_import(self, sha256: str) -> StatementImportRecord | None:
        row = self._session.execute(select(StatementImport).where(StatementImport.sha256 == sha256)
                                    ).scalar_one_or_none()
        return None if row is None else StatementImportRecord(row.id, row.sha256, row.filename, row.rows,
                                                              row.imported_at)

    def add_statement_import(self, new: NewStatementImport) -> int:
        """Store the import; its id. Raises :class:`StatementImportedMeanwhile` if the content is there."""
        record = StatementImport(sha256=new.sha256, filename=new.filename, layout=new.layout,
                                 encoding=new.encoding, rows=new.rows, gross=new.gross, fee=new.fee, net=new.net,
                                 first_day=new.first_day, last_day=new.last_day, imported_at=new.imported_at,
                                 imported_by=new.imported_by)
        self._session.add(record)
        try:
            self._session.flush()
        except IntegrityError as exc:
            text = str(exc.orig).lower()
            if "unique" in text or "duplicate" in text:
                raise StatementImportedMeanwhile(f"{new.filename}: imported elsewhere at the same moment") from None
            raise
        return record.id

    def add_statement_lines(self, import_id: int, rows: Sequence[Sequence[Any]]) -> None:
        """A batch of typed rows, in :data:`STATEMENT_LINE_KEYS` order (``transaction_at`` in UTC)."""
        values = [dict(zip(STATEMENT_LINE_KEYS, row, strict=True), import_id=import_id) for row in rows]
        self._session.execute(insert(StatementLine), values)

    # --- runs ----------------------------------------------------------------------
    def add_run(self, *, month: str, ran_at: dt.datetime, ran_by: str, statements: str, complete: bool,
                transfer_amount: int, summary: str, report_path: str) -> int:
        run = ReconcileRun(month=month, ran_at=ran_at, ran_by=ran_by, statements=statements, complete=complete,
                           transfer_amount=transfer_amount, summary=summary, report_path=report_path)
        self._session.add(run)
        self._session.flush()
        return run.id

    def run(self, run_id: int) -> RunRecord | None:
        row = self._session.get(ReconcileRun, run_id)
        return None if row is None else _run(row)

    def last_run_with_report(self, report_path: str) -> RunRecord | None:
        row = self._session.execute(select(ReconcileRun).where(ReconcileRun.report_path == report_path)
                                    .order_by(ReconcileRun.id.desc())).scalars().first()
        return None if row is None else _run(row)

    def runs(self, *, month: str | None = None, limit: int = 200) -> list[RunRecord]:
        """The latest runs first (of ``month`` if given)."""
        stmt = select(ReconcileRun).order_by(ReconcileRun.id.desc())
        if month:
            stmt = stmt.where(ReconcileRun.month == month)
        return [_run(r) for r in self._session.execute(stmt.limit(limit)).scalars()]

    # --- disputed rows ---------------------------------------------------------------
    def resolution(self, resolution_id: str) -> DisputedResolutionRecord | None:
        row = self._session.get(DisputedResolution, resolution_id)
        return None if row is None else _resolution(row)

    def resolution_of_row(self, import_id: int, line: int) -> DisputedResolutionRecord | None:
        row = self._session.execute(select(DisputedResolution).where(
            DisputedResolution.import_id == import_id, DisputedResolution.line == line)).scalar_one_or_none()
        return None if row is None else _resolution(row)

    def add_resolution(self, r: DisputedResolutionRecord) -> None:
        self._session.add(DisputedResolution(
            id=r.id, run_id=r.run_id, disputed_month=r.disputed_month, import_id=r.import_id, source=r.source,
            line=r.line, brand=r.brand, gross=r.gross, fee=r.fee, deposit_date=r.deposit_date,
            payment_reference=r.payment_reference, evidence=r.evidence, resolved_on=r.resolved_on,
            recorded_by=r.recorded_by, recorded_at=r.recorded_at))
        self._session.flush()

    def resolutions_of_imports(self, import_ids: Iterable[int]) -> list[DisputedResolutionRecord]:
        rows = self._session.execute(select(DisputedResolution).where(
            DisputedResolution.import_id.in_(list(import_ids)))).scalars().all()
        return [_resolution(r) for r in rows]

    def ours_resolved_between(self, first: dt.date, last: dt.date
                              ) -> list[tuple[DisputedResolutionRecord, str]]:
        """The rows resolved as ours from ``first`` to ``last``, each with its payment's site, in order."""
        from madoguchi.adapters.db.tables import Payment
        rows = self._session.execute(
            select(DisputedResolution, Payment.site).join(
                Payment, Payment.request_id == DisputedResolution.payment_reference)
            .where(DisputedResolution.resolved_on.between(first, last))
            .order_by(DisputedResolution.resolved_on, DisputedResolution.source, DisputedResolution.line)).all()
        return [(_resolution(r), site) for r, site in rows]

    # --- incidents and their inquiries ------------------------------------------------
    def incident_site(self, incident_id: str) -> str | None:
        """The incident's site; ``None`` if there is no such incident."""
        incident = self._session.get(Incident, incident_id)
        return None if incident is None else incident.site

    def open_unknown_incident(self, request_id: str) -> str | None:
        """The open in-doubt (``cashless_unknown``) incident of this payment, if any."""
        return self._session.execute(select(Incident.id).where(
            Incident.request_id == request_id, Incident.kind == "cashless_unknown",
            Incident.state == "open")).scalar_one_or_none()

    def add_fee_due_case(self, case: FeeDueCase) -> None:
        self._session.add(Incident(id=case.id, kind="fee_due", state="open", site=case.site,
                                   payment_station=case.station, sale_id=case.sale_id, payment_id=None,
                                   request_id=case.request_id, brand=case.brand, amount=case.amount,
                                   opened_at=case.opened_at, summary=case.summary))

    def open_incidents(self) -> list[OpenIncident]:
        """Every incident still open, oldest first."""
        rows = self._session.execute(select(Incident).where(Incident.state == "open")
                                     .order_by(Incident.opened_at, Incident.id)).scalars().all()
        return [OpenIncident(i.id, i.kind, i.site, i.payment_station, i.brand, i.amount, i.request_id, i.summary,
                             i.opened_at) for i in rows]

    def add_inquiry(self, *, incident_id: str, asked_whom: str, asked_at: dt.datetime, answer: str | None,
                    answered_at: dt.datetime | None, recorded_by: str, recorded_at: dt.datetime) -> InquiryRecord:
        row = IncidentInquiry(incident_id=incident_id, asked_whom=asked_whom, asked_at=asked_at, answer=answer,
                              answered_at=answered_at, recorded_by=recorded_by, recorded_at=recorded_at)
        self._session.add(row)
        self._session.flush()
        return _inquiry(row)

    def inquiries(self, incident_ids: Iterable[str]) -> list[InquiryRecord]:
        """The inquiries about these incidents, oldest first."""
        rows = self._session.execute(select(IncidentInquiry).where(
            IncidentInquiry.incident_id.in_(list(incident_ids))).order_by(
            IncidentInquiry.asked_at, IncidentInquiry.id)).scalars().all()
        return [_inquiry(r) for r in rows]


def _run(r: ReconcileRun) -> RunRecord:
    return RunRecord(r.id, r.month, r.ran_at, r.ran_by, r.statements, r.complete, r.transfer_amount, r.summary,
                     r.report_path)


def _resolution(r: DisputedResolution) -> DisputedResolutionRecord:
    return DisputedResolutionRecord(r.id, r.run_id, r.disputed_month, r.import_id, r.source, r.line, r.brand, r.gross,
                                    r.fee, r.deposit_date, r.payment_reference, r.evidence, r.resolved_on,
                                    r.recorded_by, r.recorded_at)


def _inquiry(r: IncidentInquiry) -> InquiryRecord:
    return InquiryRecord(r.incident_id, r.asked_whom, r.asked_at, r.answer, r.answered_at, r.recorded_by)
