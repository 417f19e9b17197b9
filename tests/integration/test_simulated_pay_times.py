"""The day simulator's payments take realistic time, per method, with spread (Narashino 2019):
no cashless payment is paid the instant it starts any more."""
from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from sqlalchemy import select

from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.tables import Payment
from madoguchi.bootstrap import sim_runtime
from madoguchi.config import Settings
from madoguchi.services.sim.simulate import simulate_day
from madoguchi.services.sim.timing import PAY_TIMES

DAY = dt.date(2026, 11, 4)


def test_each_method_takes_its_narashino_time_from_start_to_paid(db_url, tmp_path):
    settings = Settings(database_url=db_url, device_state_dir=tmp_path / "devices", status_backoff=(0.0, 0.0))
    engine = make_engine(db_url)
    try:
        rt, clock = sim_runtime(settings, day=DAY, engine=engine)
        simulate_day(rt, clock, day=DAY, sales=120, seed=3, fault_rate=0.0, cashless_share=0.6)
        with rt.uow(read_only=True) as uow:
            rows = uow.session.execute(select(Payment.category, Payment.started_at, Payment.completed_at)
                                       .where(Payment.state == "approved")).all()
    finally:
        engine.dispose()
    seconds: dict[str, list[float]] = defaultdict(list)
    for category, started, completed in rows:
        seconds[category].append((completed - started).total_seconds())
    assert set(seconds) == set(PAY_TIMES)
    for category, times in seconds.items():
        expected = PAY_TIMES[category]
        assert all(expected.low - 0.01 <= s <= expected.high + 0.01 for s in times), category
        assert len(set(times)) > 1, f"{category}: no spread"
        if len(times) >= 10:
            assert abs(statistics.median(times) - expected.median) <= 0.25 * expected.median, category
