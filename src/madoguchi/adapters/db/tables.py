"""SQLAlchemy tables. API schemas live apart from these (``api/schemas.py``).

Amounts are ``BigInteger`` whole yen. Times are stored as UTC and returned aware.
The journal table is append-only: a trigger (see the first migration) refuses any
UPDATE or DELETE on it.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from madoguchi.domain.sale import PaymentState, SaleState, payment_transition, sale_transition


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    # SQLite stores the time as text, "YYYY-MM-DD HH:MM:SS.ffffff" in UTC (SQLAlchemy's
    # own format for its DATETIME). Every sale binds and reads several of these, so on
    # SQLite one function does both steps of each direction.
    def bind_processor(self, dialect):  # type: ignore[no-untyped-def]
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        utc = dt.UTC

        def process(value):  # type: ignore[no-untyped-def]
            if value is None:
                return None
            if value.tzinfo is not utc:
                if value.tzinfo is None:
                    raise ValueError("naive datetime given to a UTC column")
                value = value.astimezone(utc)
            return value.isoformat(" ", "microseconds")[:-6]  # without its "+00:00"
        return process

    def result_processor(self, dialect, coltype):  # type: ignore[no-untyped-def]
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        utc = dt.UTC
        parse = dt.datetime.fromisoformat

        def process(value):  # type: ignore[no-untyped-def]
            if value is None:
                return None
            try:
                return parse(value + "+00:00")  # as stored: UTC without an offset (one step, not two)
            except ValueError:
                moment = parse(value)  # written with an offset by something else
                return moment.replace(tzinfo=utc) if moment.tzinfo is None else moment.astimezone(utc)
        return process


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


Yen = BigInteger


class PaymentStation(Base):
    """A payment station's row: its occupancy (one sale at a time) and receipt counter."""

    __tablename__ = "payment_stations"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site: Mapped[str] = mapped_column(String(64))
    current_sale_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    fault: Mapped[str | None] = mapped_column(String(200))  # set while out of service (jam)
    next_receipt_number: Mapped[int] = mapped_column(Integer, default=1)


class Idempotency(Base):
    """The first answer to a client-generated id, returned again on a repeat."""

    __tablename__ = "idempotency"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    operation: Mapped[str] = mapped_column(String(40))
    fingerprint: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Sale(Base):
    __tablename__ = "sales"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # client-generated UUID
    site: Mapped[str] = mapped_column(String(64))
    staff_station: Mapped[str] = mapped_column(String(64))
    payment_station: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20), default=SaleState.OPEN.value)
    total: Mapped[int] = mapped_column(Yen, default=0)
    paid_amount: Mapped[int] = mapped_column(Yen, default=0)
    cash_only: Mapped[bool] = mapped_column(Boolean, default=False)  # after a supervisor's OK in doubt
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # payment attempts so far
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    business_date: Mapped[dt.date] = mapped_column(Date)
    paid_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: When the first line was added, and when it was first handed to a payment station (0018).
    registration_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    handed_off_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    lines: Mapped[list[SaleLine]] = relationship(back_populates="sale", order_by="SaleLine.position",
                                                 cascade="all, delete-orphan", lazy="selectin")
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_sales_site_date", "site", "business_date"),
                      Index("ix_sales_state", "state"))

    def move_to(self, target: SaleState) -> None:
        """The only way a sale's state changes: through the transition table."""
        self.state = sale_transition(self.state, target).value


class SaleLine(Base):
    __tablename__ = "sale_lines"
    # A sale is read with its lines in order (one join) at nearly every call.
    __table_args__ = (Index("ix_sale_lines_sale_position", "sale_id", "position"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # client-generated UUID
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id"))
    position: Mapped[int] = mapped_column(Integer)
    fee_code: Mapped[str] = mapped_column(String(64))
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    list_price: Mapped[int] = mapped_column(Yen)
    unit_price: Mapped[int] = mapped_column(Yen)
    amount: Mapped[int] = mapped_column(Yen)
    revenue_line_code: Mapped[str] = mapped_column(String(32))
    revenue_line_name: Mapped[str] = mapped_column(String(100))
    exemption: Mapped[str | None] = mapped_column(String(32))
    exemption_note: Mapped[str | None] = mapped_column(String(200))
    sale: Mapped[Sale] = relationship(back_populates="lines")


class Payment(Base):
    __tablename__ = "payments"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # client-generated UUID
    request_id: Mapped[str] = mapped_column(String(64), unique=True)  # merchant_reference
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id"), index=True)
    site: Mapped[str] = mapped_column(String(64))
    payment_station: Mapped[str] = mapped_column(String(64))
    terminal_id: Mapped[str | None] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(10))
    brand: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(10))  # cash | emoney | credit | qr
    amount: Mapped[int] = mapped_column(Yen)
    state: Mapped[str] = mapped_column(String(12), default=PaymentState.PENDING.value)
    tendered: Mapped[int | None] = mapped_column(Yen)
    change: Mapped[int | None] = mapped_column(Yen)
    processor_reference: Mapped[str | None] = mapped_column(String(64))
    failure: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The day the payment belongs to: the business day the money moved on, never changed.
    business_date: Mapped[dt.date] = mapped_column(Date)
    #: The open day that booked it, when that is another day (its own was closed by then).
    booked_on: Mapped[dt.date | None] = mapped_column(Date)
    __table_args__ = (Index("ix_payments_date", "business_date"), Index("ix_payments_state", "state"))

    def move_to(self, target: PaymentState) -> None:
        self.state = payment_transition(self.state, target).value


class Refund(Base):
    __tablename__ = "refunds"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # client-generated UUID
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id"), index=True)
    payment_id: Mapped[str] = mapped_column(ForeignKey("payments.id"))
    method: Mapped[str] = mapped_column(String(20))  # cash | terminal_cancel | bank_transfer
    amount: Mapped[int] = mapped_column(Yen)
    state: Mapped[str] = mapped_column(String(12))  # in_progress | pending | done
    reason: Mapped[str] = mapped_column(String(200))
    requested_by: Mapped[str] = mapped_column(String(64))
    approved_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Incident(Base):
    __tablename__ = "incidents"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))  # cashless_unknown | cash_jam | printer | ...
    state: Mapped[str] = mapped_column(String(10), default="open")
    site: Mapped[str] = mapped_column(String(64))
    payment_station: Mapped[str | None] = mapped_column(String(64))
    sale_id: Mapped[str | None] = mapped_column(String(36), index=True)
    payment_id: Mapped[str | None] = mapped_column(String(36))
    request_id: Mapped[str | None] = mapped_column(String(64))
    brand: Mapped[str | None] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(Yen, default=0)
    summary: Mapped[str] = mapped_column(String(300))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(String(40))
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_incidents_state", "state"),)


class Receipt(Base):
    __tablename__ = "receipts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id"), index=True)
    payment_station: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(Text)  # JSON of the ReceiptDocument, no personal data
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending | printed
    prints: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    printed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # its first print (0018)
    __table_args__ = (UniqueConstraint("payment_station", "number", name="uq_receipts_station_number"),)


class JournalHead(Base):
    """One row: the last sequence number and hash; locked to append in order."""

    __tablename__ = "journal_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class JournalRow(Base):
    __tablename__ = "journal"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(30))
    occurred_at: Mapped[str] = mapped_column(String(40))
    business_date: Mapped[str] = mapped_column(String(10))
    site: Mapped[str | None] = mapped_column(String(64))
    station: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(String(64))
    sale_id: Mapped[str | None] = mapped_column(String(36))
    amount: Mapped[int] = mapped_column(Yen)
    data: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Signing (migration 0008; NULL on entries written before it): see docs/journal.md.
    tx_number: Mapped[int | None] = mapped_column(BigInteger)
    sig_counter: Mapped[int | None] = mapped_column(BigInteger)
    key_id: Mapped[str | None] = mapped_column(String(64))
    unsigned_reason: Mapped[str | None] = mapped_column(String(300))
    signature: Mapped[str | None] = mapped_column(String(100))
    __table_args__ = (Index("ix_journal_date_kind", "business_date", "kind"),
                      Index("ix_journal_sale", "sale_id"),
                      Index("ix_journal_site_tx", "site", "tx_number"),
                      Index("ix_journal_site_sig", "site", "sig_counter"))


# Staff and their logins live in their own module; imported here so that every table is
# on ``Base.metadata`` once this module is, and ``tables.Staff`` keeps working.
from madoguchi.adapters.db.staff_tables import AuthSession as AuthSession  # noqa: E402
from madoguchi.adapters.db.staff_tables import LoginAttempt as LoginAttempt  # noqa: E402
from madoguchi.adapters.db.staff_tables import Staff as Staff  # noqa: E402
