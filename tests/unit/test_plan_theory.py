"""The capacity planner's pure part: Erlang C, the checks of its inputs, its two files."""
from __future__ import annotations

import math

import pytest

from madoguchi.domain.plan import PlanInputs, erlang_c, mmc_mean_wait, problems
from madoguchi.domain.plan_files import parse_outcomes, parse_profile
from madoguchi.errors import BadInput


def test_erlang_c_matches_the_textbook_values() -> None:
    # M/M/1: the probability of waiting is the load itself.
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    # Two servers at a = 1 erlang: C = 1/3 (a^2/2 / (1 - a/2) over 1 + a + that).
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    # M/M/1 mean wait: rho / (mu - lambda) = 0.5 / (1/30 - 1/60) = 30 s.
    assert mmc_mean_wait(1, 1 / 60, 30) == pytest.approx(30.0)


def test_an_overloaded_queue_waits_for_ever() -> None:
    assert erlang_c(2, 2.5) == 1.0
    assert math.isinf(mmc_mean_wait(2, 1 / 10, 30))


def test_more_servers_mean_less_waiting_in_theory() -> None:
    waits = [mmc_mean_wait(c, 168 / 3600, 30) for c in (2, 3, 4)]
    assert waits == sorted(waits, reverse=True)


def test_every_bad_input_is_named_by_its_option() -> None:
    found = problems(PlanInputs(stations=0, arrivals_per_hour=-3, cashless_share=1.5, jam_rate=-0.1,
                                cash_seconds=0, hours=0))
    named = " ".join(found)
    for option in ("--stations", "--arrivals-per-hour", "--cashless-share", "--jam-rate", "--cash-seconds",
                   "--hours"):
        assert option in named
    assert problems(PlanInputs()) == ()


def test_a_profile_is_read_hour_by_hour() -> None:
    assert parse_profile("# hour,arrivals\n8,20\n\n9, 45.5\n10,0\n") == (20.0, 45.5, 0.0)


@pytest.mark.parametrize(("text", "where"), [
    ("8,20\n9,lots\n", "day.csv:2:3"),
    ("8,20\n10,30\n", "day.csv:2:1"),
    ("8;20\n", "day.csv:1: expected 2 columns"),
    ("25,1\n", "day.csv:1:1"),
    ("8,-1\n", "day.csv:1:3"),
    ("# nothing\n", "no hours"),
])
def test_a_bad_profile_says_where(text: str, where: str) -> None:
    with pytest.raises(BadInput, match="--profile") as caught:
        parse_profile(text, name="day.csv")
    assert where in caught.value.message


def test_recorded_outcomes_give_times_and_share() -> None:
    got = parse_outcomes('{"cashless_share": 0.31, "median_seconds_to_pay": {"cash": 30, "cashless": 12.5}}')
    assert (got.cashless_share, got.cash_seconds, got.cashless_seconds) == (0.31, 30.0, 12.5)


@pytest.mark.parametrize(("text", "says"), [
    ("{", "outcomes:1:2"),
    ('{"cashless_share": 2, "median_seconds_to_pay": {"cash": 30, "cashless": 12}}', "cashless_share"),
    ('{"cashless_share": 0.2}', "median_seconds_to_pay"),
    ('{"cashless_share": 0.2, "median_seconds_to_pay": {"cash": "x", "cashless": 12}}', "median_seconds_to_pay.cash"),
])
def test_bad_recorded_outcomes_say_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(BadInput, match="--from-outcomes") as caught:
        parse_outcomes(text)
    assert says in caught.value.message
