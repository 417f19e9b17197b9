"""``madoguchi plan`` from the command line: its figures, its files and its refusals."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from madoguchi.cli import app

runner = CliRunner()


def test_plan_prints_the_waits_and_writes_them_as_json(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    done = runner.invoke(app, ["plan", "--stations", "2", "--hours", "20", "--seed", "3", "--json", str(out)])
    assert done.exit_code == 0, done.output
    assert "wait for a payment station" in done.output
    figures = json.loads(out.read_text(encoding="utf-8"))
    for key in ("payment_wait_mean_s", "payment_wait_p90_s", "stay_mean_s", "served"):
        assert isinstance(figures[key], int | float)
    assert len(figures["utilisation"]) == 2
    assert figures["inputs"]["stations"] == 2 and figures["inputs"]["seed"] == 3


def test_recorded_outcomes_calibrate_the_plan_and_options_still_win(tmp_path: Path) -> None:
    recorded = tmp_path / "outcomes.json"
    recorded.write_text('{"cashless_share": 0.35, "median_seconds_to_pay": {"cash": 33, "cashless": 11}}',
                        encoding="utf-8")
    out = tmp_path / "plan.json"
    done = runner.invoke(app, ["plan", "--hours", "5", "--from-outcomes", str(recorded), "--cash-seconds", "25",
                               "--json", str(out)])
    assert done.exit_code == 0, done.output
    inputs = json.loads(out.read_text(encoding="utf-8"))["inputs"]
    assert (inputs["cashless_share"], inputs["cash_seconds"], inputs["cashless_seconds"]) == (0.35, 25.0, 11.0)


def test_a_profile_sets_the_hours(tmp_path: Path) -> None:
    profile = tmp_path / "day.csv"
    profile.write_text("# hour,arrivals\n8,30\n9,60\n10,45\n", encoding="utf-8")
    out = tmp_path / "plan.json"
    done = runner.invoke(app, ["plan", "--profile", str(profile), "--json", str(out)])
    assert done.exit_code == 0, done.output
    inputs = json.loads(out.read_text(encoding="utf-8"))["inputs"]
    assert inputs["hours"] == 3 and inputs["profile"] == [30, 60, 45]


@pytest.mark.parametrize(("args", "option"), [
    (["--arrivals-per-hour", "-5"], "--arrivals-per-hour"),
    (["--cashless-share", "1.2"], "--cashless-share"),
    (["--stations", "0"], "--stations"),
    (["--staff", "0"], "--staff"),
    (["--jam-rate", "-0.1"], "--jam-rate"),
    (["--cash-seconds", "0"], "--cash-seconds"),
    (["--hours", "0"], "--hours"),
])
def test_bad_input_names_the_option_and_writes_nothing(tmp_path: Path, args: list[str], option: str) -> None:
    out = tmp_path / "plan.json"
    done = runner.invoke(app, ["plan", *args, "--json", str(out)])
    assert done.exit_code == 2
    assert f"error: {option}" in done.output
    assert not out.exists()


def test_a_bad_profile_is_refused_with_its_line_and_column(tmp_path: Path) -> None:
    profile = tmp_path / "day.csv"
    profile.write_text("8,30\n9,many\n", encoding="utf-8")
    out = tmp_path / "plan.json"
    done = runner.invoke(app, ["plan", "--profile", str(profile), "--json", str(out)])
    assert done.exit_code == 2
    assert f"{profile}:2:3" in done.output
    assert not out.exists()


def test_missing_or_broken_files_are_refused(tmp_path: Path) -> None:
    done = runner.invoke(app, ["plan", "--from-outcomes", str(tmp_path / "none.json")])
    assert done.exit_code == 2 and "--from-outcomes: cannot read" in done.output
    broken = tmp_path / "broken.json"
    broken.write_text('{"cashless_share": 0.2,', encoding="utf-8")
    done = runner.invoke(app, ["plan", "--from-outcomes", str(broken)])
    assert done.exit_code == 2 and "--from-outcomes" in done.output
