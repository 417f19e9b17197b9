"""The planner's grid for the back office's chart: what 40 % and a second station save."""
from __future__ import annotations

from madoguchi.services.plan.compare import staff_for, waiting_grid


def test_the_grid_falls_with_stations_and_with_the_cashless_share() -> None:
    grid = waiting_grid(100)
    for row in grid.waits:
        known = [w for w in row if w is not None]
        assert known == sorted(known, reverse=True)
    for column in zip(*grid.waits, strict=True):
        known = [w for w in column if w is not None]
        assert known == sorted(known, reverse=True)
    assert (grid.saving(stations=1, share=0.4) or 0) > 0
    assert (grid.second_station_saving() or 0) > (grid.saving(stations=1, share=0.4) or 0)


def test_a_station_that_cannot_keep_up_is_not_simulated() -> None:
    grid = waiting_grid(200)
    assert grid.wait(0.2, 1) is None
    assert grid.second_station_saving() is None
    assert grid.wait(0.2, 2) is not None


def test_staff_are_sized_to_keep_up() -> None:
    assert staff_for(100, 90) == 4  # 2.5 erlangs at 75 % at most
    assert staff_for(10, 90) == 1
