"""Issue 16: the close of month reaches the database only through its repositories, and they hand
back typed, frozen values (never rows or ORM objects), on SQLite and PostgreSQL alike."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from madoguchi.adapters.db.repositories.reconcile import StatementImportedMeanwhile
from madoguchi.domain.reconcile_records import DisputedResolutionRecord, NewStatementImport, RunRecord

UTC = dt.UTC


def _new_import(sha: str, at: dt.datetime) -> NewStatementImport:
    return NewStatementImport(sha256=sha, filename="nov.csv", layout="v1", encoding="utf-8", rows=1, gross=300,
                              fee=9, net=291, first_day=dt.date(2026, 11, 2), last_day=dt.date(2026, 11, 2),
                              imported_at=at, imported_by="acct01")


def test_a_statement_import_and_its_rows_come_back_as_a_typed_record_and_twice_is_refused(rt):  # type: ignore[no-untyped-def]
    at = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with rt.uow() as uow:
        import_id = uow.reconcile.add_statement_import(_new_import("a" * 64, at))
        uow.reconcile.add_statement_lines(import_id, [(2, at, "T1", "ref-1", "PX-1", "visa", "sale", 300, 9, 291,
                                                       dt.date(2026, 11, 30))])
        uow.commit()
    with rt.uow(read_only=True) as uow:
        known = uow.reconcile.statement_import("a" * 64)
        assert uow.reconcile.statement_import("b" * 64) is None
    assert known is not None and dataclasses.is_dataclass(known)
    assert (known.id, known.filename, known.rows) == (import_id, "nov.csv", 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        known.rows = 2  # type: ignore[misc]
    with rt.uow() as uow, pytest.raises(StatementImportedMeanwhile):
        uow.reconcile.add_statement_import(_new_import("a" * 64, at))


def test_a_run_is_recorded_and_read_back_latest_first_by_month_and_by_report(rt):  # type: ignore[no-untyped-def]
    at = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with rt.uow() as uow:
        first = uow.reconcile.add_run(month="2026-11", ran_at=at, ran_by="acct01", statements="[]", complete=True,
                                      transfer_amount=12, summary="{}", report_path="/r/a.xlsx")
        second = uow.reconcile.add_run(month="2026-10", ran_at=at, ran_by="acct01", statements="[]",
                                       complete=False, transfer_amount=0, summary="{}", report_path="/r/b.xlsx")
        uow.commit()
    with rt.uow(read_only=True) as uow:
        assert [r.id for r in uow.reconcile.runs()] == [second, first]
        assert [r.id for r in uow.reconcile.runs(month="2026-11")] == [first]
        run = uow.reconcile.run(first)
        by_report = uow.reconcile.last_run_with_report("/r/b.xlsx")
        assert uow.reconcile.run(first + second + 1) is None
    assert isinstance(run, RunRecord) and run.transfer_amount == 12 and run.complete
    assert by_report is not None and by_report.id == second


def test_a_resolution_is_found_by_its_id_and_by_its_row(rt):  # type: ignore[no-untyped-def]
    at = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with rt.uow() as uow:
        import_id = uow.reconcile.add_statement_import(_new_import("c" * 64, at))
        record = DisputedResolutionRecord(
            id="0b7f3f0e-3f0e-4f0e-8f0e-0b7f3f0e3f0e", run_id=1, disputed_month="2026-11", import_id=import_id,
            source="nov.csv", line=4, brand="visa", gross=300, fee=9, deposit_date=dt.date(2026, 11, 30),
            payment_reference=None, evidence="the agent's answer of 12-01", resolved_on=dt.date(2026, 12, 1),
            recorded_by="acct01", recorded_at=at)
        uow.reconcile.add_resolution(record)
        uow.commit()
    with rt.uow(read_only=True) as uow:
        assert uow.reconcile.resolution(record.id) == record
        assert uow.reconcile.resolution_of_row(import_id, 4) == record
        assert uow.reconcile.resolution_of_row(import_id, 5) is None
        assert uow.reconcile.resolutions_of_imports([import_id]) == [record]
        # None of ours: nothing is carried into a month's transfer.
        assert uow.reconcile.ours_resolved_between(dt.date(2026, 12, 1), dt.date(2026, 12, 31)) == []
