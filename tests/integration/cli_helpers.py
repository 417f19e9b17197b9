"""What the ``madoguchi`` command-line tests share: the runner, the day the conftest clock is
on, a day with one payment in each export status, and a journal entry changed behind the
application's back.
"""
from __future__ import annotations

import csv
import io

from sqlalchemy import text
from typer.testing import CliRunner

from madoguchi.adapters.db.engine import make_engine
from madoguchi.cli import app
from madoguchi.services.counter import cash, payments, refunds, sales
from tests.helpers import handed_off, new_id, pay_cash, terminal

runner = CliRunner()
DAY = "2026-11-02"  # the business day of the conftest clock


def cli(*args: str, db: str | None = None, **kw):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, *(["--db", db] if db else [])], **kw)


def a_day_of_payments(rt, cashier, supervisor) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """One payment in each export status; returns status -> our request id."""
    ids: dict[str, str] = {}
    # approved: cash with change
    sale = handed_off(rt, cashier, [("juminhyo", 2)])
    ids["approved"] = pay_cash(rt, cashier, sale, [1000])["request_id"]
    # declined: a card the issuer refused; the resident then leaves
    sale = handed_off(rt, cashier)
    terminal(rt).script("declined", reason="insufficient balance")
    ids["declined"] = payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale, brand="suica",
                                            actor=cashier)["request_id"]
    sales.cancel_sale(rt, sale_id=sale, reason="resident left", actor=cashier)
    # unknown: the terminal timed out and never learnt the outcome; the sale is in doubt
    sale = handed_off(rt, cashier, [("koseki-zenbu", 1)])
    terminal(rt).script("timeout_unknown")
    ids["unknown"] = payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale, brand="edy",
                                           actor=cashier)["request_id"]
    # cancelled: cash put in, then given back at the station
    sale = handed_off(rt, cashier)
    payment_id = new_id()
    cash.start_cash(rt, payment_id=payment_id, sale_id=sale, actor=cashier)
    rt.devices.of("honcho-p1").changer.insert(1000)
    ids["cancelled"] = cash.cancel_cash(rt, payment_id=payment_id, actor=cashier)["request_id"]
    sales.cancel_sale(rt, sale_id=sale, reason="resident changed their mind", actor=cashier)
    # refunded: paid in cash, then refunded with a supervisor
    sale = handed_off(rt, cashier)
    ids["refunded"] = pay_cash(rt, cashier, sale, [500])["request_id"]
    refunds.refund_sale(rt, refund_id=new_id(), sale_id=sale, reason="wrong certificate", actor=supervisor)
    return ids


def read_csv(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


def tamper(db_url: str, seq: int, field: str) -> None:
    """Change one byte of a stored journal entry, as an attacker with database access would."""
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                conn.execute(text("DROP TRIGGER journal_no_update"))
            else:
                conn.execute(text("ALTER TABLE journal DISABLE TRIGGER USER"))
            if field == "amount":
                conn.execute(text("UPDATE journal SET amount = amount + 1 WHERE seq = :s"), {"s": seq})
            else:
                data = conn.execute(text("SELECT data FROM journal WHERE seq = :s"), {"s": seq}).scalar_one()
                at = next(i for i, ch in enumerate(data) if ch.isdigit())
                changed = data[:at] + str((int(data[at]) + 1) % 10) + data[at + 1:]
                conn.execute(text("UPDATE journal SET data = :d WHERE seq = :s"), {"d": changed, "s": seq})
    finally:
        engine.dispose()
