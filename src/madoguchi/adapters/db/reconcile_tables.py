"""Tables of the close of month: statement imports and rows, reconciliation runs, inquiry log.

A statement file is imported once: its SHA-256 is unique, so importing the same
bytes again finds the first import and changes nothing. Amounts are whole yen.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from madoguchi.adapters.db.tables import Base, UTCDateTime, Yen


class StatementImport(Base):
    __tablename__ = "statement_imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    layout: Mapped[str] = mapped_column(String(100))
    encoding: Mapped[str] = mapped_column(String(20))
    rows: Mapped[int] = mapped_column(Integer)
    gross: Mapped[int] = mapped_column(Yen)
    fee: Mapped[int] = mapped_column(Yen)
    net: Mapped[int] = mapped_column(Yen)
    first_day: Mapped[dt.date | None] = mapped_column(Date)
    last_day: Mapped[dt.date | None] = mapped_column(Date)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    imported_by: Mapped[str] = mapped_column(String(64))


class StatementLine(Base):
    """One row of an imported statement, typed; ``line`` is its line in the file."""

    __tablename__ = "statement_rows"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("statement_imports.id"))
    line: Mapped[int] = mapped_column(Integer)
    transaction_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    terminal_id: Mapped[str | None] = mapped_column(String(64))
    merchant_reference: Mapped[str | None] = mapped_column(String(64))
    processor_reference: Mapped[str | None] = mapped_column(String(64))
    brand: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(12))
    gross: Mapped[int] = mapped_column(Yen)
    fee: Mapped[int] = mapped_column(Yen)
    net: Mapped[int] = mapped_column(Yen)
    deposit_date: Mapped[dt.date] = mapped_column(Date)
    __table_args__ = (Index("ix_statement_rows_import_line", "import_id", "line", unique=True),
                      Index("ix_statement_rows_merchant_reference", "merchant_reference"))


class ReconcileRun(Base):
    __tablename__ = "reconcile_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    ran_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ran_by: Mapped[str] = mapped_column(String(64))
    statements: Mapped[str] = mapped_column(Text)       # JSON: [{import_id, filename, sha256}]
    complete: Mapped[bool] = mapped_column(Boolean)
    transfer_amount: Mapped[int] = mapped_column(Yen)
    summary: Mapped[str] = mapped_column(Text)          # JSON, as summary.json
    report_path: Mapped[str | None] = mapped_column(String(500))


class IncidentInquiry(Base):
    """One inquiry about an incident: whom we asked, when, and what they answered."""

    __tablename__ = "incident_inquiries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    asked_whom: Mapped[str] = mapped_column(String(200))
    asked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class DisputedResolution(Base):
    """A disputed statement row (照会中) resolved with evidence: whose payment it was, or none of ours.

    The row is named as the run that listed it saw it (the import, file and line, the month);
    its fee is copied so the month of the resolution can carry it into its 公金振替."""

    __tablename__ = "disputed_resolutions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # client-generated UUID
    run_id: Mapped[int] = mapped_column(Integer)
    disputed_month: Mapped[str] = mapped_column(String(7))
    import_id: Mapped[int] = mapped_column(ForeignKey("statement_imports.id"))
    source: Mapped[str] = mapped_column(String(255))
    line: Mapped[int] = mapped_column(Integer)
    brand: Mapped[str] = mapped_column(String(32))
    gross: Mapped[int] = mapped_column(Yen)
    fee: Mapped[int] = mapped_column(Yen)
    deposit_date: Mapped[dt.date] = mapped_column(Date)
    payment_reference: Mapped[str | None] = mapped_column(String(64))  # None: none of ours after all
    evidence: Mapped[str] = mapped_column(String(500))
    resolved_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    __table_args__ = (UniqueConstraint("import_id", "line", name="uq_disputed_resolutions_row"),
                      Index("ix_disputed_resolutions_resolved_on", "resolved_on"))
