"""The wait estimate and the lamp of 窓口混雑状況 (domain/congestion.py), without a database."""
from __future__ import annotations

import pytest

from madoguchi.domain.congestion import (
    NARASHINO_CASH_SECONDS,
    Lamp,
    SiteQueue,
    Thresholds,
    congestion,
    lamp,
    seconds_per_payment,
    wait_minutes,
)

LIMITS = Thresholds(yellow_minutes=10, red_minutes=20)


def queue(waiting: int, stations: int, recent: tuple[float, ...] = ()) -> SiteQueue:
    return SiteQueue(code="honcho", name="本庁", waiting=waiting, stations_in_service=stations,
                     recent_payment_seconds=recent)


def test_without_enough_recent_payments_the_narashino_cash_figure_stands_in() -> None:
    assert seconds_per_payment((30.0, 40.0), min_samples=5) == (NARASHINO_CASH_SECONDS, False)
    assert seconds_per_payment((), min_samples=5, fallback_seconds=25) == (25, False)


def test_with_enough_recent_payments_their_median_is_taken_but_never_below_eight_seconds() -> None:
    assert seconds_per_payment((10.0, 20.0, 30.0, 40.0, 90.0), min_samples=5) == (30, True)
    assert seconds_per_payment((0.0,) * 5, min_samples=5) == (8, True)


def test_the_wait_is_the_queue_times_the_seconds_each_shared_over_the_stations_rounded_up() -> None:
    assert wait_minutes(0, 28, 2) == 0
    assert wait_minutes(1, 28, 2) == 1
    assert wait_minutes(10, 30, 2) == 3   # 300 s / 2 = 150 s
    assert wait_minutes(10, 30, 1) == 5
    assert wait_minutes(3, 28, 0) is None  # people wait and nobody serves them
    assert wait_minutes(0, 28, 0) == 0


@pytest.mark.parametrize("minutes, expected", [
    (0, Lamp.GREEN), (9, Lamp.GREEN), (10, Lamp.YELLOW), (19, Lamp.YELLOW), (20, Lamp.RED), (None, Lamp.RED),
])
def test_the_lamp_turns_yellow_and_red_at_the_thresholds(minutes: int | None, expected: Lamp) -> None:
    assert lamp(minutes, LIMITS) is expected


def test_thresholds_must_rise_from_yellow_to_red() -> None:
    with pytest.raises(ValueError):
        Thresholds(yellow_minutes=20, red_minutes=10)
    with pytest.raises(ValueError):
        Thresholds(yellow_minutes=0, red_minutes=10)


def test_a_site_with_a_queue_and_no_station_serving_is_red_with_no_estimate() -> None:
    site = congestion(queue(2, 0), LIMITS, min_samples=5)
    assert (site.wait_minutes, site.lamp, site.measured) == (None, Lamp.RED, False)


def test_a_busy_site_measured_from_its_own_payments() -> None:
    site = congestion(queue(40, 2, (60.0,) * 5), LIMITS, min_samples=5)
    assert (site.seconds_per_payment, site.measured, site.wait_minutes, site.lamp) == (60, True, 20, Lamp.RED)
