"""Tables of training mode (練習モード), kept in the real database: which stations train now,
and every switch a supervisor made. Training *sales* are never here: they live in the
training store (a database of their own, see ``services/counter/training.py``). Migration ``0014``.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from madoguchi.adapters.db.tables import Base, UTCDateTime


class TrainingStation(Base):
    """A station (staff or payment) in training mode now; no row: it works for real."""

    __tablename__ = "training_stations"
    station_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # staff | payment
    site: Mapped[str] = mapped_column(String(64))
    since: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    switched_by: Mapped[str] = mapped_column(String(64))


class TrainingSwitch(Base):
    """The record of each switch to or from training (append-only by use: never updated)."""

    __tablename__ = "training_switches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))
    site: Mapped[str] = mapped_column(String(64))
    training: Mapped[bool] = mapped_column(Boolean)  # true: switched to training; false: back to real
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(200), default="")
