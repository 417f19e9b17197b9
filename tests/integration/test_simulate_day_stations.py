"""The day simulator starts only on idle payment stations, and reads its summary back from the records."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import update

from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.tables import PaymentStation
from madoguchi.bootstrap import sim_runtime
from madoguchi.config import Settings
from madoguchi.errors import Conflict
from madoguchi.services.sim.simulate import simulate_day

DAY = dt.date(2026, 11, 2)


def test_a_day_is_not_simulated_on_a_payment_station_that_is_out_of_service(db_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=db_url, device_state_dir=tmp_path / "devices", status_backoff=(0.0, 0.0))
    engine = make_engine(db_url)
    try:
        rt, clock = sim_runtime(settings, day=DAY, engine=engine)
        station = rt.places.payment_stations[0].id
        with rt.uow() as uow:
            uow.session.execute(update(PaymentStation).where(PaymentStation.id == station)
                                .values(fault="cash changer jammed (insert)"))
            uow.commit()
        with pytest.raises(Conflict, match=rf"payment station {station} is not free \(cash changer jammed"):
            simulate_day(rt, clock, day=DAY, sales=3, seed=1)
        with rt.uow(read_only=True) as uow:
            assert [s.id for s in uow.sim.stations_in_use([p.id for p in rt.places.payment_stations])] == [station]
    finally:
        engine.dispose()


def test_the_summary_counts_what_the_records_hold(db_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=db_url, device_state_dir=tmp_path / "devices", status_backoff=(0.0, 0.0))
    engine = make_engine(db_url)
    try:
        rt, clock = sim_runtime(settings, day=DAY, engine=engine)
        summary = simulate_day(rt, clock, day=DAY, sales=12, seed=3)
    finally:
        engine.dispose()
    assert summary.sales == 12 == sum(summary.states.values())
    assert summary.cash[0] + summary.cashless[0] == sum(c for c, _ in summary.by_category.values())
    assert summary.gross == summary.cash[1] + summary.cashless[1] > 0
    assert summary.journal_entries > summary.sales
