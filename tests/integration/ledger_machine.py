"""The ledger state machine's machinery (test_ledger_properties.py has its rules and the test).

What a step may draw (days, months, fees, faults, brands, the statement's planted
differences, how an in-doubt payment is resolved, where a crash is injected), the server the
machine runs against (a scratch database, simulated devices, a clock it moves), the crash
injected before the n-th journal append or commit of a step (after which the server restarts:
recovery), the database reads the rules choose from, and the invariant checked after every
step (``ledger_books.py``): the books balance and a closed day's sheet never changes.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant
from sqlalchemy import select

from madoguchi.adapters.db.close_tables import WHOLE_SITE, DayClose
from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.scratch import scratch_database
from madoguchi.adapters.db.tables import JournalRow, Sale
from madoguchi.bootstrap import build_runtime, ensure_float, simulated_devices
from madoguchi.config import Settings
from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.domain.receipt import JST
from madoguchi.domain.reconcile import Month
from madoguchi.errors import MadoguchiError
from madoguchi.services.counter.recovery import recover
from madoguchi.services.journal.verify import verify
from tests.conftest import PG_URL, Clock
from tests.integration import ledger_books as books
from tests.integration.ledger_counter import SITES, tidy

DAYS = (dt.date(2026, 10, 29), dt.date(2026, 10, 30), dt.date(2026, 11, 2), dt.date(2026, 11, 4))
MONTHS = (Month(2026, 10), Month(2026, 11))
ACCOUNTANT = Actor("kaikei", Role.ACCOUNTANT, frozenset({ALL_SITES}))
FEES = ["juminhyo", "koseki-zenbu", "joseki", "inkan-shomei", "kazei-shomei"]
FAULTS = ["none", "none", "none", "jam_begin_deposit", "jam_fix_deposit", "declined", "timeout_approved",
          "timeout_declined", "timeout_not_found", "timeout_unknown", "timeout_unknown", "timeout_unknown",
          "paper_out", "void"]
BRANDS = ["suica", "edy", "waon", "visa", "paypay", "quicpay", "id"]
PLANTS = ["missing", "duplicate", "amount", "fee", "foreign", "cut_off"]
HOW = ["terminal_paid", "terminal_not_paid", "staff_paid", "staff_not_paid", "cash_meanwhile"]
#: Most steps run through; some crash before the n-th journal append or commit from their start.
CRASH = st.sampled_from([None] * 22 + list(range(8)))
RESIDENT = st.fixed_dictionaries({
    "site": st.sampled_from(sorted(SITES)), "in_cash": st.booleans(), "note": st.booleans(),
    "items": st.lists(st.tuples(st.sampled_from(FEES), st.integers(1, 2)), min_size=1, max_size=2),
    "brand": st.sampled_from(BRANDS), "fault": st.sampled_from(FAULTS), "crash": CRASH})



class InjectedCrash(BaseException):
    """The process dies here (BaseException: no service may swallow it)."""



class LedgerMachine(RuleBasedStateMachine):
    """The server, the injected crash and the after-every-step check; the rules are Ledger's."""

    database = "sqlite"

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="ledger-"))
        url, self.drop = scratch_database(self.database, self.tmp, PG_URL)
        cfg = Settings(database_url=url, device_state_dir=self.tmp / "devices", status_backoff=(0.0,),
                       reconcile_dir=self.tmp / "reconcile", signing_key_path=self.tmp / "keys" / "j.key")
        self.engine = make_engine(url)
        from madoguchi.adapters.files.toml_files import load_places
        self.clock = Clock(dt.datetime.combine(DAYS[0], dt.time(8, 30), JST).astimezone(dt.UTC))
        self.rt = build_runtime(cfg, engine=self.engine, clock=self.clock, sleep=lambda s: None,
                                devices=simulated_devices(cfg, load_places(cfg.places_path), persist=False))
        self.real_uow = self.rt.uow
        self.rt.uow = self._uow
        self.crash_in: int | None = None
        self.today = 0
        self.steps_today = 0
        self.frozen: dict[tuple[str, dt.date], dict[str, Any]] = {}
        self.months_closed: set[Month] = set()
        self.deferred: set[str] = set()         # refs left off their month's statement (cut-off)
        self.crashes = 0
        self.refused: list[str] = []
        self.three_way_off = 0
        self.sheet_cache: dict[Any, Any] = {}
        ensure_float(self.rt)

    def teardown(self) -> None:
        if os.environ.get("MADOGUCHI_LEDGER_STATS"):
            b = books.read_books(self.rt, tuple(SITES))
            states = sorted(p["state"] for p in b.payments)
            print("STATS", dict(steps=getattr(self, 'steps', 0), three_way_off=self.three_way_off,
                                crashes=self.crashes, closed=len(b.closed), months=len(self.months_closed),
                                corrections=sum(1 for p in b.payments if p["booked_on"]),
                                adjustments=len(b.adjustments), today=self.today,
                                refused=sorted(set(r[:200] for r in self.refused)),
                                states={s: states.count(s) for s in set(states)}))
        self.engine.dispose()
        self.drop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- the injected crash -----------------------------------------------------------
    def _uow(self, *args: Any, **kw: Any) -> Any:
        uow = self.real_uow(*args, **kw)
        if uow.read_only:
            return uow
        append, commit = uow.journal.append, uow.commit

        def crashing_append(*a: Any, **k: Any) -> Any:
            self._tick()
            return append(*a, **k)

        def crashing_commit() -> None:
            self._tick()
            commit()
        uow.journal.append, uow.commit = crashing_append, crashing_commit
        return uow

    def _tick(self) -> None:
        if self.crash_in is None:
            return
        if self.crash_in == 0:
            self.crash_in = None
            raise InjectedCrash()
        self.crash_in -= 1

    def _do(self, work: Any) -> Any:
        """Run one step; a crash restarts the server (recovery) and leaves what was unfinished tidy."""
        try:
            return work()
        except InjectedCrash:
            self.crashes += 1
            self.crash_in = None
            self.recovered = recover(self.rt)
            tidy(self.rt)
        except MadoguchiError as exc:
            self.refused.append(f"{type(exc).__name__}: {exc.message[:200]}")
        finally:
            self.crash_in = None
        tidy(self.rt)
        return None

    # --- what the rules choose from --------------------------------------------------------
    def _of_state(self, state: str) -> list[tuple[str, str]]:
        with self.rt.uow(read_only=True) as uow:
            return [(s, site) for s, site in uow.session.execute(
                select(Sale.id, Sale.site).where(Sale.state == state).order_by(Sale.created_at, Sale.id)).all()]

    def _oldest_open_day(self, site: str) -> dt.date | None:
        with self.rt.uow(read_only=True) as uow:
            booked = set(uow.session.execute(select(JournalRow.business_date).where(JournalRow.site == site)
                                              .distinct()).scalars())
            closed = set(uow.session.execute(select(DayClose.business_date).where(
                DayClose.site == site, DayClose.station == WHOLE_SITE, DayClose.state == "closed")).scalars())
        days = sorted({dt.date.fromisoformat(d) for d in booked} - closed)
        return days[0] if days else None

    # --- after every step -------------------------------------------------------------------
    @invariant()
    def the_books_balance(self) -> None:
        self.steps = getattr(self, "steps", 0) + 1
        b = books.read_books(self.rt, tuple(SITES), self.sheet_cache)
        books.check_each_payment_booked_once(b, self.rt, MONTHS)
        books.check_months_add_up(b, MONTHS)
        books.check_sheets_are_the_journal(b)
        books.check_refunds_are_booked(self.rt, b, getattr(self, "recovered", None))
        for key, figures in self.frozen.items():
            assert b.sheets[key] == figures, f"the closed sheet of {key} changed"
        assert verify(self.rt).ok
