"""Tables of the close of day: day closes, counted cash by denomination, adjustments.

``day_closes`` has one row per site and business day with ``station = "*"``: the
day's lock. Every booking of money at the site takes it ``FOR UPDATE`` (created on
first use), and so does the close, so a payment lands wholly before or wholly after
the close. A payment station's close is one more row with its station id, written
when it is closed. The migration is ``0002_close_of_day``.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from madoguchi.adapters.db.tables import Base, UTCDateTime, Yen
from madoguchi.domain.close_records import WHOLE_SITE  # "*": the row that stands for the whole site

__all__ = ["WHOLE_SITE", "Adjustment", "DayClose", "DayCloseCount"]


class DayClose(Base):
    __tablename__ = "day_closes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site: Mapped[str] = mapped_column(String(64))
    station: Mapped[str] = mapped_column(String(64))  # a payment station id, or "*" for the site
    business_date: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    # Cash of a payment station (zero on the site row): what the journal says, what was counted.
    float_amount: Mapped[int] = mapped_column(Yen, default=0)
    received: Mapped[int] = mapped_column(Yen, default=0)
    change: Mapped[int] = mapped_column(Yen, default=0)
    refunds: Mapped[int] = mapped_column(Yen, default=0)
    cash_in: Mapped[int] = mapped_column(Yen, default=0)
    cash_out: Mapped[int] = mapped_column(Yen, default=0)
    adjustments: Mapped[int] = mapped_column(Yen, default=0)
    expected: Mapped[int] = mapped_column(Yen, default=0)
    machine: Mapped[int | None] = mapped_column(Yen)
    counted: Mapped[int | None] = mapped_column(Yen)
    over_short: Mapped[int | None] = mapped_column(Yen)
    reason: Mapped[str | None] = mapped_column(String(300))
    figures: Mapped[str | None] = mapped_column(Text)   # JSON summary frozen at the close
    findings: Mapped[str | None] = mapped_column(Text)  # JSON list of what the checks said
    closed_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    journal_seq: Mapped[int | None] = mapped_column(BigInteger)
    counts: Mapped[list[DayCloseCount]] = relationship(back_populates="close", cascade="all, delete-orphan",
                                                       order_by="DayCloseCount.denomination.desc()")
    __table_args__ = (UniqueConstraint("site", "station", "business_date", name="uq_day_closes_site_station_date"),
                      Index("ix_day_closes_date", "business_date"))


class DayCloseCount(Base):
    """Counted cash of a station's close, by denomination, next to the changer's own count."""

    __tablename__ = "day_close_counts"
    close_id: Mapped[int] = mapped_column(ForeignKey("day_closes.id"), primary_key=True)
    denomination: Mapped[int] = mapped_column(Integer, primary_key=True)
    counted: Mapped[int] = mapped_column(Integer)
    machine: Mapped[int | None] = mapped_column(Integer)
    close: Mapped[DayClose] = relationship(back_populates="counts")


class Adjustment(Base):
    """A correction of a closed day: requested, then approved by a supervisor, then journalled
    in the open day it lands in (``business_date``), naming the day it corrects."""

    __tablename__ = "day_adjustments"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # client-generated UUID
    site: Mapped[str] = mapped_column(String(64))
    station: Mapped[str | None] = mapped_column(String(64))  # the changer, for a cash correction
    corrects_date: Mapped[dt.date] = mapped_column(Date)
    business_date: Mapped[dt.date | None] = mapped_column(Date)  # set when approved
    category: Mapped[str] = mapped_column(String(10))  # cash | emoney | credit | qr
    revenue_line: Mapped[str | None] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(Yen)
    reason: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(10), default="requested")  # requested | approved | rejected
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    journal_seq: Mapped[int | None] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_day_adjustments_site_state", "site", "state"),)
