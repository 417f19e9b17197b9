"""The day simulator drives the real services: the same seed gives the same day, and the day's books hold.

Runs on SQLite and on PostgreSQL (the ``db_url`` fixture). Each day is small so the
suite stays quick; the acceptance run of 400 sales is in the report, not here.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.journal import iter_entries
from madoguchi.adapters.db.scratch import scratch_database
from madoguchi.adapters.db.tables import Incident, Payment, PaymentStation, Receipt, Sale
from madoguchi.bootstrap import sim_runtime
from madoguchi.config import Settings
from madoguchi.errors import BadInput, NotFound
from madoguchi.services.close.export import payment_rows
from madoguchi.services.journal.verify import verify
from madoguchi.services.runtime import Runtime
from madoguchi.services.sim.simulate import simulate_day
from madoguchi.services.sim.summary import DaySummary

DAY = dt.date(2026, 11, 2)


@pytest.fixture
def other_db_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second fresh database of the same kind as ``db_url``."""
    from tests.conftest import PG_URL
    url, drop = scratch_database("sqlite" if db_url.startswith("sqlite") else "postgresql", tmp_path, PG_URL)
    yield url
    drop()


def run_day(url: str, tmp_path: Path, **kw: object) -> tuple[DaySummary, Runtime, list[dict[str, object]]]:
    settings = Settings(database_url=url, device_state_dir=tmp_path / "devices", status_backoff=(0.0, 0.0))
    engine = make_engine(url)
    try:
        rt, clock = sim_runtime(settings, day=DAY, engine=engine)
        summary = simulate_day(rt, clock, day=DAY, **kw)  # type: ignore[arg-type]
        return summary, rt, payment_rows(rt.uow, date_from=DAY, date_to=DAY)
    finally:
        engine.dispose()


def expected_changer_cash(rt: Runtime) -> dict[str, int]:
    """What each changer must hold according to the journal alone:
    float + cash received - change - cash refunds + cash in - cash out."""
    held: Counter[str] = Counter()
    with rt.uow() as uow:
        for e in iter_entries(uow.session):
            data = e.details()
            if e.kind in ("float_loaded", "cash_in", "cash_out"):
                held[e.station] += e.amount  # cash out is journalled negative
            elif e.kind == "sale_paid" and data.get("method") == "cash":
                held[e.station] += data["tendered"] - data["change"]
            elif e.kind == "refund" and data.get("method") == "cash":
                held[e.station] += e.amount  # negative
    return dict(held)


def test_the_same_seed_on_two_fresh_databases_gives_the_same_day(db_url, other_db_url, tmp_path):
    kw = dict(sales=40, seed=11, fault_rate=0.3, cashless_share=0.3)
    first, _, first_rows = run_day(db_url, tmp_path / "a", **kw)
    second, _, second_rows = run_day(other_db_url, tmp_path / "b", **kw)
    assert first.as_dict() == second.as_dict()
    assert json.dumps(first_rows) == json.dumps(second_rows)
    assert first.sales == 40 and len(first_rows) >= first.states["paid"]


def test_a_different_seed_gives_a_different_day(db_url, other_db_url, tmp_path):
    _, _, first_rows = run_day(db_url, tmp_path / "a", sales=15, seed=1)
    _, _, second_rows = run_day(other_db_url, tmp_path / "b", sales=15, seed=2)
    assert first_rows != second_rows


def test_a_faulty_day_ends_with_every_sale_settled_and_the_books_balanced(db_url, tmp_path):
    summary, rt, rows = run_day(db_url, tmp_path, sales=70, seed=5, fault_rate=0.8, cashless_share=0.3)

    # Faults of every kind happened, each exactly as often as the RNG chose.
    assert set(summary.faults) == {"changer_jam", "card_declined", "terminal_timeout", "outcome_unknown",
                                   "printer_paper_out"}
    assert sum(n for k, n in summary.fault_details.items() if k.startswith("changer_jam at")) \
        == summary.faults["changer_jam"]
    assert sum(n for k, n in summary.fault_details.items() if k.startswith("terminal_timeout")) \
        == summary.faults["terminal_timeout"]

    with rt.uow() as uow:
        s = uow.session
        sales = s.execute(select(Sale)).scalars().all()
        payments = s.execute(select(Payment)).scalars().all()
        open_incidents = s.execute(select(Incident).where(Incident.state == "open")).scalars().all()
        stations = s.execute(select(PaymentStation)).scalars().all()
        receipts = s.execute(select(Receipt)).scalars().all()

    # Every sale ends paid, cancelled, or in doubt with an open incident.
    assert len(sales) == 70
    assert {x.state for x in sales} <= {"paid", "cancelled", "in_doubt"}
    doubtful = {i.sale_id for i in open_incidents if i.kind == "cashless_unknown"}
    assert {x.id for x in sales if x.state == "in_doubt"} <= doubtful
    assert summary.states["in_doubt"] + summary.events.get("cash allowed while in doubt", 0) \
        == summary.faults["outcome_unknown"] == len(doubtful)
    # Jams were all cleared; nothing is left in flight or waiting.
    assert {i.kind for i in open_incidents} == {"cashless_unknown"}
    assert not [p for p in payments if p.state in ("pending", "settling")]
    assert all(st.current_sale_id is None and st.fault is None for st in stations)
    assert all(r.state == "printed" for r in receipts) and summary.receipts_pending == 0
    assert len(receipts) == summary.states["paid"]

    # Each changer holds float + cash received - change - cash refunds (+/- cash in/out).
    held = {st: sum(d * n for d, n in rt.devices.of(st).changer.counts().items())
            for st in summary.changer_cash}
    assert held == summary.changer_cash == expected_changer_cash(rt)

    # The money adds up and the journal verifies.
    assert summary.gross == sum(x.total for x in sales if x.state == "paid")
    assert summary.gross == summary.cash[1] + summary.cashless[1]
    assert verify(rt).ok and verify(rt).entries == summary.journal_entries

    # The export lists every payment; the in-doubt ones as unknown.
    assert len(rows) == len(payments)
    unknown = {r["merchant_reference"] for r in rows if r["status"] == "unknown"}
    assert unknown == {p.request_id for p in payments if p.state == "unknown"}
    assert len(unknown) == summary.faults["outcome_unknown"]


def test_a_site_with_one_payment_station_pays_where_the_jam_was_cleared(db_url, tmp_path):
    summary, rt, _ = run_day(db_url, tmp_path, sales=25, seed=3, fault_rate=0.6, site="kita")
    assert summary.sites == ["kita"] and summary.faults["changer_jam"] > 0
    assert "moved after a jam" not in summary.events
    assert summary.events["paid where the jam was cleared"] == summary.faults["changer_jam"]
    assert list(summary.changer_cash) == ["kita-p1"]
    assert summary.changer_cash == expected_changer_cash(rt)


def test_a_site_with_two_payment_stations_moves_a_jammed_sale_to_the_other(db_url, tmp_path):
    summary, _, rows = run_day(db_url, tmp_path, sales=25, seed=4, fault_rate=0.6, site="honcho",
                               cashless_share=0.0)
    assert summary.events.get("moved after a jam", 0) > 0
    assert {r["site"] for r in rows} == {"honcho"}


def test_the_day_follows_opening_hours_and_the_cashless_share(db_url, tmp_path):
    summary, _, rows = run_day(db_url, tmp_path, sales=120, seed=9, fault_rate=0.0, cashless_share=0.25)
    assert summary.faults == {} and summary.open_incidents == {}
    times = sorted(r["paid_at"][11:19] for r in rows)
    assert times[0] >= "08:30:00" and times[-1] <= "18:00:00"
    cashless = summary.cashless[0] / (summary.cash[0] + summary.cashless[0])
    assert 0.12 < cashless < 0.40
    assert summary.by_category["cash"][0] == summary.cash[0]
    assert max(summary.brands.values()) >= 3  # a few brands dominate the mix


def test_bad_simulation_inputs_are_refused_with_a_message(db_url, tmp_path):
    with pytest.raises(BadInput, match="--fault-rate"):
        run_day(db_url, tmp_path, sales=5, seed=1, fault_rate=1.5)
    with pytest.raises(NotFound, match="no site 'atlantis'"):
        run_day(db_url, tmp_path, sales=5, seed=1, site="atlantis")
    with pytest.raises(BadInput, match="--sales"):
        run_day(db_url, tmp_path, sales=0, seed=1)
