"""Issue 13: the three-way check explains a closed day's sheet with its corrections.

A payment resolved paid after its day was closed is in that day's register and statement
but in the sheet of the open day that booked it; a terminal cancel made after the payment's
day is in the day it was made. Each is shown as a correction of the payment's own day, so
no unexplained difference remains: the sheet, plus the corrections naming the day, less
those booked on it naming another, equals the register.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.domain.reconcile import RateTable
from madoguchi.services.close import close_day
from madoguchi.services.close.export import payment_rows
from madoguchi.services.counter import payments, refunds
from tests.helpers import changer, handed_off, new_id, terminal

JST = dt.timezone(dt.timedelta(hours=9))
ACCOUNTANT = Actor("kaikei", Role.ACCOUNTANT, frozenset({ALL_SITES}))
RATES = RateTable.default()
STATIONS = ("honcho-p1", "honcho-p2")
NOV2, NOV3 = dt.date(2026, 11, 2), dt.date(2026, 11, 3)
HEADER = ["transaction_at", "terminal_id", "merchant_reference", "processor_reference", "brand", "kind",
          "gross", "fee", "net", "deposit_date"]


def _at(clock: Any, day: dt.date, hour: int, minute: int = 0) -> None:
    clock.now = dt.datetime.combine(day, dt.time(hour, minute), JST).astimezone(dt.UTC)


def _close(rt: Any, clock: Any, supervisor: Actor, day: dt.date) -> None:
    _at(clock, day, 17, 40)
    counted = {s: {str(d): n for d, n in changer(rt, s).counts().items()} for s in STATIONS}
    close_day.close_day(rt, site="honcho", day=day, counted=counted, actor=supervisor, confirm_warnings=True)


def _pay(rt: Any, cashier: Actor, brand: str, script: str | None = None) -> tuple[str, str]:
    sale_id = handed_off(rt, cashier)
    if script:
        terminal(rt).script(script)
    payment_id = new_id()
    payments.pay_cashless(rt, payment_id=payment_id, sale_id=sale_id, brand=brand, actor=cashier)
    return sale_id, payment_id


def _statement(rt: Any, path: Path, refs: list[str], cancelled: tuple[str, ...] = ()) -> Path:
    """The agent's rows: a sale row for each payment (at the terminal's time), a cancel row for the cancelled."""
    rows = {r["merchant_reference"]: r for r in payment_rows(rt.uow, date_from=NOV2, date_to=NOV3)}
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for n, ref in enumerate(refs):
            p = rows[ref]
            day = dt.date.fromisoformat(p["business_date"])
            fee = RATES.fee(p["brand"], p["amount"], day)
            w.writerow([p["paid_at"], p["terminal_id"], ref, f"PX-{n}", p["brand"], "sale", p["amount"], fee,
                        p["amount"] - fee, "2026-11-30"])
            if ref in cancelled:
                w.writerow([p["paid_at"], p["terminal_id"], ref, f"PX-{n}", p["brand"], "cancel", -p["amount"],
                            -fee, fee - p["amount"], "2026-11-30"])
    return path


def _run(rt: Any, tmp: Path, statement: Path, name: str) -> dict[str, Any]:
    from madoguchi.services.reconcile.month import reconcile_month
    return reconcile_month(rt, month="2026-11", statements=[statement], actor=ACCOUNTANT, out=tmp / f"{name}.xlsx")


def _day(summary: dict[str, Any], day: dt.date) -> dict[str, Any]:
    return next(d for d in summary["three_way"] if d["date"] == day.isoformat())


def test_a_payment_resolved_after_its_day_was_closed_is_a_correction_of_that_day_not_a_difference(
        rt, cashier, supervisor, clock, tmp_path):  # type: ignore[no-untyped-def]
    _pay(rt, cashier, "visa")
    _sale, in_doubt = _pay(rt, cashier, "edy", "timeout_unknown")
    _close(rt, clock, supervisor, NOV2)
    _at(clock, NOV3, 10)
    statement = _statement(rt, tmp_path / "nov.csv", [r["merchant_reference"] for r in payment_rows(
        rt.uow, date_from=NOV2, date_to=NOV2) if r["category"] != "cash"])
    summary = _run(rt, tmp_path, statement, "first")

    assert summary["counts"]["in_doubt_resolved_paid"] == 1
    day = _day(summary, NOV2)
    assert day["register_closed"] == 600 and day["daily_sheet"] == 300
    assert day["corrections_in"] == 300 and not day["differs"]
    [correction] = day["corrections"]
    assert correction == {"kind": "late_booking", "label": "処理未了の後日計上", "ref": in_doubt, "site": "honcho",
                          "belongs_to": "2026-11-02", "booked_on": "2026-11-03", "amount": 300}

    # The open day that booked it, once closed, carries it as a correction of another day.
    _close(rt, clock, supervisor, NOV3)
    again = _run(rt, tmp_path, statement, "second")
    booked = _day(again, NOV3)
    assert booked["daily_sheet"] == 300 and booked["register_closed"] == 0
    assert booked["corrections_out"] == 300 and not booked["differs"]
    assert not [d for d in again["three_way"] if d["differs"]]


def test_a_terminal_cancel_after_the_days_close_is_explained_as_a_correction_of_its_day(
        rt, cashier, supervisor, clock, tmp_path):  # type: ignore[no-untyped-def]
    sale_id, cancelled = _pay(rt, cashier, "id")
    _close(rt, clock, supervisor, NOV2)
    _at(clock, NOV3, 10)
    refunds.refund_sale(rt, refund_id=new_id(), sale_id=sale_id, reason="二重発行", actor=supervisor)
    # And one paid and cancelled the same day: it nets to nothing on that day's sheet.
    same_day_sale, same_day = _pay(rt, cashier, "id")
    refunds.refund_sale(rt, refund_id=new_id(), sale_id=same_day_sale, reason="誤登録", actor=supervisor)
    _close(rt, clock, supervisor, NOV3)
    statement = _statement(rt, tmp_path / "nov.csv", [cancelled, same_day], cancelled=(cancelled, same_day))
    summary = _run(rt, tmp_path, statement, "run")

    assert summary["counts"]["matched"] == 2
    assert not [d for d in summary["three_way"] if d["differs"]], summary["three_way"]
    paid_day, cancel_day = _day(summary, NOV2), _day(summary, NOV3)
    assert (paid_day["daily_sheet"], paid_day["corrections_in"], paid_day["register_closed"]) == (300, -300, 0)
    assert (cancel_day["daily_sheet"], cancel_day["corrections_out"], cancel_day["register_closed"]) == (-300, -300, 0)
    assert [c["kind"] for c in paid_day["corrections"]] == ["terminal_cancel"]
    assert paid_day["corrections"][0]["ref"] == cancelled
