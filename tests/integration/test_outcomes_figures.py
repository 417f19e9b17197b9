"""``madoguchi outcomes``: the figures equal those rebuilt, independently, from the payments
export of a simulated period; bad input is refused with nothing written."""
from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from madoguchi.adapters.db.engine import make_engine
from madoguchi.bootstrap import sim_runtime
from madoguchi.cli import app
from madoguchi.config import Settings
from madoguchi.services.close.export import payment_rows
from madoguchi.services.outcomes.figures import month_workbook, outcome_figures, to_json
from madoguchi.services.sim.simulate import simulate_day

DAYS = (dt.date(2026, 11, 30), dt.date(2026, 12, 1))
runner = CliRunner()


def _simulated(url: str, tmp_path: Path, **settings: Any) -> Settings:
    config = Settings(database_url=url, device_state_dir=tmp_path / "devices", status_backoff=(0.0, 0.0),
                      **settings)
    engine = make_engine(url)
    try:
        for n, day in enumerate(DAYS):
            rt, clock = sim_runtime(config, day=day, engine=engine)
            simulate_day(rt, clock, day=day, sales=30, seed=5 + n, fault_rate=0.2, cashless_share=0.4)
    finally:
        engine.dispose()
    return config


def _share(part: int, whole: int) -> float | None:
    # Rounded half up to 4 places, from the integers (as the council's spreadsheet would).
    if not whole:
        return None
    return float(int(Fraction(part * 10_000, whole) + Fraction(1, 2))) / 10_000


def _rebuilt(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[r[key]].append(r)
    return {k: _counts(v) for k, v in sorted(groups.items())}


def _counts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    cashless = [r for r in rows if r["category"] != "cash"]
    amount, cashless_amount = sum(r["amount"] for r in rows), sum(r["amount"] for r in cashless)
    return {"payments": len(rows), "cashless_payments": len(cashless), "amount": amount,
            "cashless_amount": cashless_amount, "cashless_share": _share(len(cashless), len(rows)),
            "cashless_amount_share": _share(cashless_amount, amount)}


def test_the_outcomes_equal_the_figures_rebuilt_from_the_payments_export(db_url, tmp_path):
    settings = _simulated(db_url, tmp_path, monthly_running_cost_yen=150_000, initial_cost_yen=7_600_000)
    engine = make_engine(db_url)
    try:
        rt, _ = sim_runtime(settings, day=DAYS[0], engine=engine)
        figures = json.loads(to_json(outcome_figures(rt, date_from=DAYS[0], date_to=DAYS[1])))
        rows = [r for r in payment_rows(rt.uow, date_from=DAYS[0], date_to=DAYS[1])
                if r["status"] in ("approved", "refunded")]
        december = load_workbook(io.BytesIO(month_workbook(rt, month="2026-12")))
    finally:
        engine.dispose()
    stations = {s.id for s in rt.places.payment_stations}
    whole = _counts(rows)
    assert whole["payments"] > 40 and 0 < whole["cashless_payments"] < whole["payments"]
    for key, value in whole.items():
        assert figures[key] == value, key
    assert figures["contact_free_payments"] == sum(1 for r in rows if r["station"] in stations)
    assert figures["target_share"] == 0.4
    for r in rows:
        r["month"] = r["business_date"][:7]
        r["brand_key"] = r["brand"] or "cash"
    months = _rebuilt(rows, "month")
    assert {m: {k: v for k, v in f.items() if k != "settlement_fees"} for m, f in figures["by_month"].items()} == months
    assert figures["by_site"] == _rebuilt(rows, "site")
    assert figures["by_brand"] == _rebuilt(rows, "brand_key")
    assert figures["settlement_fees"] is None  # no close of month was run
    summary = {row[0].value: row[1].value for row in december["概要"].iter_rows()}
    assert summary["支払い件数"] == months["2026-12"]["payments"]
    assert summary["キャッシュレス比率（件数）"] == pytest.approx(months["2026-12"]["cashless_share"])
    # 150,000 yen a month over 1 day of November (of 30) and 1 of December (of 31).
    running = Fraction(150_000, 30) + Fraction(150_000, 31)
    assert figures["cost_per_payment"]["running_cost_yen"] == int(running + Fraction(1, 2))
    assert figures["cost_per_payment"]["yen_per_payment"] == int(running / len(rows) + Fraction(1, 2))
    # Every sale was registered and handed off with the moments recorded: all are timed.
    assert sum(figures["timed_payments"].values()) == len(rows)
    assert set(figures["median_seconds_to_pay"]) == {"cash", "cashless"}
    for method, median in figures["median_seconds_to_pay"].items():
        assert 0 <= median <= figures["p90_seconds_to_pay"][method]
    assert figures["median_seconds_at_counter"] >= min(figures["median_seconds_to_pay"].values())


def test_the_cli_writes_the_figures_of_one_site(db_url, tmp_path):
    _simulated(db_url, tmp_path)
    out = tmp_path / "outcomes.json"
    done = runner.invoke(app, ["outcomes", "--from", "2026-11-30", "--to", "2026-12-01", "--site", "honcho",
                               "--json", str(out), "--db", db_url])
    assert done.exit_code == 0, done.output
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["site"] == "honcho" and list(figures["by_site"]) == ["honcho"]
    assert figures["cost_per_payment"] is None
    assert set(figures["by_month"]) == {"2026-11", "2026-12"}
    # The file calibrates the capacity planner as it is.
    plan = tmp_path / "plan.json"
    done = runner.invoke(app, ["plan", "--hours", "2", "--from-outcomes", str(out), "--json", str(plan)])
    assert done.exit_code == 0, done.output
    inputs = json.loads(plan.read_text(encoding="utf-8"))["inputs"]
    assert inputs["cashless_share"] == figures["cashless_share"]
    assert inputs["cash_seconds"] == figures["median_seconds_to_pay"]["cash"]


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2026-13-01", "--to", "2026-12-01"], "--from"),
    (["--from", "2026-12-02", "--to", "2026-12-01"], "before --from"),
    (["--from", "2026-11-30", "--to", "2026-12-01", "--site", "atlantis"], "no site 'atlantis'"),
])
def test_bad_input_is_refused_with_exit_2_and_nothing_written(db_url, tmp_path, args, message):
    _simulated(db_url, tmp_path) if "atlantis" in args else None
    out = tmp_path / "outcomes.json"
    done = runner.invoke(app, ["outcomes", *args, "--json", str(out), "--db", db_url])
    assert done.exit_code == 2 and message in done.output, done.output
    assert not out.exists()


def test_settlement_fees_come_from_the_last_run_of_each_month_closed(rt):
    for fees, honcho in ((900, 800), (1234, 1000)):  # the second run of November replaces the first
        with rt.uow() as uow:
            uow.reconcile.add_run(month="2026-11", ran_at=rt.clock(), ran_by="acc", statements="[]", complete=True,
                                  transfer_amount=0, report_path="r.xlsx", summary=json.dumps(
                                      {"fees": fees, "by_site": {"honcho": {"fee": honcho}}}))
            uow.commit()
    figures = outcome_figures(rt, date_from=DAYS[0], date_to=DAYS[1])
    assert figures["settlement_fees"] == 1234 and figures["settlement_fee_months"] == ["2026-11"]
    assert figures["by_month"]["2026-11"]["settlement_fees"] == 1234
    assert figures["by_month"]["2026-12"]["settlement_fees"] is None
    assert outcome_figures(rt, date_from=DAYS[0], date_to=DAYS[1], site="honcho")["settlement_fees"] == 1000
    assert outcome_figures(rt, date_from=DAYS[1], date_to=DAYS[1])["settlement_fees"] is None
