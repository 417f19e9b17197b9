"""The capacity planner's SimPy model against queueing theory and common sense."""
from __future__ import annotations

import pytest

from madoguchi.domain.plan import PlanInputs, mmc_mean_wait
from madoguchi.errors import BadInput
from madoguchi.services.plan.model import simulate


def test_the_simulated_wait_agrees_with_erlang_c_over_a_long_run() -> None:
    # Poisson arrivals straight to the stations (no registration), exponential payments,
    # no jams: an M/M/2 queue at 70 % load, whose mean wait Erlang C gives exactly.
    # 2,500 hours is about 360,000 residents; seeds 1-6 all land within 2.5 % of the formula.
    site = PlanInputs(stations=2, staff_seconds=0, service="exponential", jam_rate=0, cashless_share=0,
                      cash_seconds=30, arrivals_per_hour=168, hours=2500, seed=1)
    result = simulate(site)
    theory = mmc_mean_wait(2, 168 / 3600, 30)
    assert result.payment_wait_mean_s == pytest.approx(theory, rel=0.05)
    assert sum(result.utilisation) / 2 == pytest.approx(0.7, rel=0.02)


def test_waits_fall_as_stations_are_added() -> None:
    waits = [simulate(PlanInputs(stations=n, arrivals_per_hour=150, hours=200)).payment_wait_mean_s
             for n in (1, 2, 3, 4)]
    assert waits == sorted(waits, reverse=True)
    assert waits[0] > 2 * waits[1]


def test_waits_fall_as_the_cashless_share_rises() -> None:
    waits = [simulate(PlanInputs(stations=1, arrivals_per_hour=100, cashless_share=s, hours=200)).payment_wait_mean_s
             for s in (0.2, 0.3, 0.4, 0.8)]
    assert waits == sorted(waits, reverse=True)
    assert waits[0] > waits[-1] * 1.5


def test_everyone_who_arrives_is_served_and_jams_are_met() -> None:
    result = simulate(PlanInputs(arrivals_per_hour=60, hours=100, jam_rate=0.05))
    assert 5400 < result.served < 6600
    assert 0.03 * result.served < result.jams < 0.07 * result.served
    assert result.stay_mean_s > result.payment_wait_mean_s + 13
    assert 0 <= result.payment_wait_p90_s <= result.payment_wait_max_s


def test_the_same_seed_gives_the_same_run() -> None:
    assert simulate(PlanInputs(hours=20, seed=7)) == simulate(PlanInputs(hours=20, seed=7))


def test_a_profile_sets_the_arrivals_hour_by_hour() -> None:
    busy_morning = simulate(PlanInputs(profile=(120.0, 0.0), hours=200))
    assert 11000 < busy_morning.served < 13000  # 100 busy hours of 120, 100 empty ones


def test_the_model_refuses_bad_inputs() -> None:
    with pytest.raises(BadInput, match="--stations"):
        simulate(PlanInputs(stations=0))
