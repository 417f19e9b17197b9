"""A payment booked while the close runs lands on one side of the line: never both, never neither.

Both run in threads against the same database (SQLite and PostgreSQL). The close and
every booking take the site-day row ``FOR UPDATE``; whichever gets it first decides
the side. Each round uses a new business day. Afterwards: the payment is in the
journal exactly once, in the closed day (and then in the figures frozen at the close)
or in the next day (and then it says which closed day it came from); and the closed
day's figures, rebuilt from the journal, still equal what was frozen.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import threading
import time

import pytest
from sqlalchemy import select

from madoguchi.adapters.db.close_tables import WHOLE_SITE, DayClose
from madoguchi.bootstrap import ensure_float
from madoguchi.domain.receipt import JST
from madoguchi.services.close import close_day
from madoguchi.services.close.close_day import CloseRefused
from madoguchi.services.counter import incidents, payments, sales, settle
from madoguchi.services.journal.verify import verify
from tests.helpers import changer, handed_off, journal, new_id, pay_cash, terminal

STATIONS = ("honcho-p1", "honcho-p2")
KEYS = ("sales_count", "gross", "by_category", "by_fee_item", "refunds", "net", "cash_expected", "over_short")


def start_of(rt, day: dt.date) -> None:  # type: ignore[no-untyped-def]
    rt.clock.now = dt.datetime.combine(day, dt.time(10, 0), JST).astimezone(dt.UTC)
    ensure_float(rt)


def close_until_done(rt, supervisor, day: dt.date, errors: list) -> None:  # type: ignore[no-untyped-def]
    """The supervisor's close, tried again while a sale is still under way (as on the screen)."""
    for _ in range(400):
        counted = {s: {str(d): n for d, n in changer(rt, s).counts().items()} for s in STATIONS}
        try:
            close_day.close_day(rt, site="honcho", day=day, counted=counted, actor=supervisor,
                                confirm_warnings=True)
            return
        except CloseRefused:
            time.sleep(0.005)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
            return
    errors.append(AssertionError("the close never got through"))


def frozen(rt, day: dt.date) -> dict:  # type: ignore[no-untyped-def]
    with rt.uow() as uow:
        row = uow.session.execute(select(DayClose).where(
            DayClose.site == "honcho", DayClose.station == WHOLE_SITE, DayClose.business_date == day)).scalar_one()
        return json.loads(row.figures)


def side_of(rt, supervisor, sale_id: str, day: dt.date) -> str:  # type: ignore[no-untyped-def]
    """Which side of the close the sale's payment landed on; checks it is exactly one."""
    paid = [e for e in journal(rt) if e.kind == "sale_paid" and e.sale_id == sale_id]
    assert len(paid) == 1, paid
    entry, closed = paid[0], frozen(rt, day)
    now = close_day.day_summary(rt, site="honcho", day=day, actor=supervisor)
    assert {k: closed[k] for k in KEYS} == {k: now[k] for k in KEYS}  # nothing landed after the close
    if entry.business_date == day.isoformat():
        assert closed["gross"] >= entry.amount and closed["sales_count"] >= 1
        return "before"
    assert entry.business_date == (day + dt.timedelta(days=1)).isoformat()
    assert entry.details()["moved_from"] == day.isoformat()
    return "after"


def race(closer, payer) -> None:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(2)

    def run(fn):  # type: ignore[no-untyped-def]
        barrier.wait()
        fn()

    threads = [threading.Thread(target=run, args=(fn,), name=name) for fn, name in ((closer, "closer"),
                                                                                    (payer, "payer"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)


def in_doubt_sale(rt, cashier) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A sale whose card payment's outcome is unknown: (sale id, incident id)."""
    terminal(rt).script("timeout_unknown")
    sale_id = handed_off(rt, cashier, [("koseki-zenbu", 1)])
    payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand="waon", actor=cashier)
    return sale_id, sales.get_sale(rt, sale_id=sale_id, actor=cashier)["open_incidents"][0]


@pytest.mark.parametrize("pause", ["before_taking_the_day_lock", "while_holding_the_day_lock"])
def test_a_payment_booked_in_the_middle_of_the_close_lands_on_the_side_the_day_lock_decides(
        rt, cashier, supervisor, monkeypatch, pause):
    """The booking stops for a moment inside its transaction and the close starts right then.

    Holding the day lock, the booking wins: it lands in the closed day, whose close
    waited for it. Stopped before the lock, on PostgreSQL the close takes the lock
    first and the booking, reading the row after the close, moves to the next day
    (SQLite's writer lock already holds the close back from the booking's first write).
    """
    day = dt.date(2026, 11, 2)
    start_of(rt, day)
    sale_id, incident_id = in_doubt_sale(rt, cashier)
    real, booking = settle.open_business_day, threading.Event()

    def paused(*args, **kw):  # type: ignore[no-untyped-def]
        if threading.current_thread().name != "payer" or booking.is_set():
            return real(*args, **kw)
        if pause == "before_taking_the_day_lock":
            booking.set()
            time.sleep(0.4)
            return real(*args, **kw)
        result = real(*args, **kw)
        booking.set()
        time.sleep(0.4)
        return result

    monkeypatch.setattr(settle, "open_business_day", paused)
    errors: list[Exception] = []

    def close() -> None:
        assert booking.wait(10)
        close_until_done(rt, supervisor, day, errors)

    def resolve() -> None:
        incidents.resolve_unknown(rt, incident_id=incident_id, paid=True, evidence="provider: settled",
                                  actor=supervisor)

    race(close, resolve)
    assert errors == []
    with rt.uow() as uow:
        dialect = uow.dialect
    expected = "after" if pause == "before_taking_the_day_lock" and dialect == "postgresql" else "before"
    assert side_of(rt, supervisor, sale_id, day) == expected
    assert verify(rt).ok


def test_in_doubt_payments_resolved_at_any_moment_of_the_close_land_on_exactly_one_side(rt, cashier, supervisor):
    sides = [_resolve_while_closing(rt, cashier, supervisor, n) for n in range(6)]
    assert verify(rt).ok
    print("in-doubt payment landed:", sides)


def _resolve_while_closing(rt, cashier, supervisor, n: int) -> str:  # type: ignore[no-untyped-def]
    """Day ``n``: an in-doubt payment resolved as paid while the day closes; the side it landed on."""
    day = dt.date(2026, 11, 2) + dt.timedelta(days=n)
    start_of(rt, day)
    sale_id, incident_id = in_doubt_sale(rt, cashier)
    errors: list[Exception] = []
    delay = random.Random(n).uniform(0, 0.03)
    close_delay, pay_delay = (delay, 0.0) if n % 2 else (0.0, delay)

    def close() -> None:
        time.sleep(close_delay)
        close_until_done(rt, supervisor, day, errors)

    def resolve() -> None:
        time.sleep(pay_delay)
        try:
            incidents.resolve_unknown(rt, incident_id=incident_id, paid=True, evidence="provider: settled",
                                      actor=supervisor)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    race(close, resolve)
    assert errors == []
    return side_of(rt, supervisor, sale_id, day)


def test_a_cash_sale_paid_while_the_close_runs_lands_on_exactly_one_side(rt, cashier, supervisor):
    sides = [_sell_while_closing(rt, cashier, supervisor, n) for n in range(4)]
    assert verify(rt).ok
    print("cash sale landed:", sides)


def _sell_while_closing(rt, cashier, supervisor, n: int) -> str:  # type: ignore[no-untyped-def]
    """Day ``n``: a cash sale paid while the day closes; the side it landed on."""
    day = dt.date(2026, 11, 2) + dt.timedelta(days=n)
    start_of(rt, day)
    pay_cash(rt, cashier, handed_off(rt, cashier, station="honcho-p1"), [100, 100, 100])
    errors: list[Exception] = []
    sale_ids: list[str] = []
    delay = random.Random(n).uniform(0, 0.05)
    close_delay, pay_delay = (delay, 0.0) if n % 2 else (0.0, delay)

    def close() -> None:
        time.sleep(close_delay)
        close_until_done(rt, supervisor, day, errors)

    def sell() -> None:
        time.sleep(pay_delay)
        try:
            sale_ids.append(handed_off(rt, cashier, station="honcho-p2", staff_station="honcho-s2"))
            pay_cash(rt, cashier, sale_ids[-1], [100, 100, 100])  # exact: a closed changer has no change
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    race(close, sell)
    assert errors == []
    paid = [e for e in journal(rt) if e.kind == "sale_paid" and e.sale_id == sale_ids[0]]
    assert len(paid) == 1
    now = close_day.day_summary(rt, site="honcho", day=day, actor=supervisor)
    assert {k: frozen(rt, day)[k] for k in KEYS} == {k: now[k] for k in KEYS}
    assert now["over_short"] == 0
    return "before" if paid[0].business_date == day.isoformat() else "after"
