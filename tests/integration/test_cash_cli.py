"""``madoguchi cash float|in|out``: a supervisor records cash without a sale from the command line;
the changer (the simulator's saved state) and the journal say the same afterwards."""
from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.tables import JournalRow
from madoguchi.adapters.files.toml_files import load_places
from madoguchi.bootstrap import simulated_devices
from madoguchi.cli import app
from madoguchi.config import Settings

runner = CliRunner()


def cash(tmp_path, db_url: str, *args: str):  # type: ignore[no-untyped-def]
    env = {"MADOGUCHI_DEVICE_STATE_DIR": str(tmp_path / "devices")}
    return runner.invoke(app, ["cash", *args, "--db", db_url], env=env)


def movements(db_url: str) -> list[tuple[str, int, str | None, dict]]:  # type: ignore[type-arg]
    engine = make_engine(db_url)
    try:
        with engine.connect() as con:
            rows = con.execute(select(JournalRow.kind, JournalRow.amount, JournalRow.actor, JournalRow.data)
                               .where(JournalRow.kind.in_(("float_loaded", "cash_in", "cash_out")))
                               .order_by(JournalRow.seq)).all()
    finally:
        engine.dispose()
    return [(k, a, who, json.loads(d)) for k, a, who, d in rows]


def test_a_float_a_replenishment_and_a_collection_from_the_cli_are_journalled_with_who_did_them(db_url, tmp_path):  # type: ignore[no-untyped-def]
    assert runner.invoke(app, ["init-db", "--db", db_url]).exit_code == 0

    opened = cash(tmp_path, db_url, "float", "--station", "honcho-p1", "--counts",
                  '{"1000": 10, "100": 50, "10": 50}', "--by", "sato")
    refilled = cash(tmp_path, db_url, "in", "--station", "honcho-p1", "--counts", '{"100": 20}',
                    "--reason", "100円硬貨不足", "--by", "sato")
    counts_file = tmp_path / "out.json"
    counts_file.write_text('{"1000": 4}', encoding="utf-8")
    taken = cash(tmp_path, db_url, "out", "--station", "honcho-p1", "--counts", f"@{counts_file}",
                 "--reason", "紙幣回収", "--by", "suzuki")

    assert opened.exit_code == 0, opened.output
    assert "釣銭準備金(開始) honcho-p1: ¥15,500" in opened.output and "by sato" in opened.output
    assert refilled.exit_code == 0 and "釣銭補充 honcho-p1: ¥2,000 (100円×20)" in refilled.output
    assert taken.exit_code == 0 and "回収 honcho-p1: ¥4,000 (1,000円×4)" in taken.output
    moved = movements(db_url)
    assert [(k, a, who) for k, a, who, _ in moved] == [
        ("float_loaded", 15500, "sato"), ("cash_in", 2000, "sato"), ("cash_out", -4000, "suzuki")]
    assert moved[0][3]["counts"] == {"10": 50, "100": 50, "1000": 10}
    assert moved[1][3]["reason"] == "100円硬貨不足"
    # The changer's saved state holds what the journal says.
    settings = Settings(database_url=db_url, device_state_dir=tmp_path / "devices")
    inventory = simulated_devices(settings, load_places(settings.places_path)).of("honcho-p1").changer.counts()
    assert (inventory[1000], inventory[100], inventory[10]) == (6, 70, 50)


def test_the_cli_names_a_bad_denomination_or_bad_json_and_moves_nothing(db_url, tmp_path):  # type: ignore[no-untyped-def]
    assert runner.invoke(app, ["init-db", "--db", db_url]).exit_code == 0

    bad_key = cash(tmp_path, db_url, "in", "--station", "honcho-p1", "--counts", '{"3000": 1}',
                   "--reason", "補充", "--by", "sato")
    bad_json = cash(tmp_path, db_url, "in", "--station", "honcho-p1", "--counts", '{"1000": 1,}',
                    "--reason", "補充", "--by", "sato")
    no_reason = cash(tmp_path, db_url, "out", "--station", "honcho-p1", "--counts", '{"1000": 1}',
                     "--reason", " ", "--by", "sato")
    no_station = cash(tmp_path, db_url, "in", "--station", "nowhere", "--counts", '{"1000": 1}',
                      "--reason", "補充", "--by", "sato")

    assert bad_key.exit_code == 2 and "'3000' is not a yen denomination" in bad_key.output
    assert bad_json.exit_code == 2 and "--counts: not valid JSON" in bad_json.output
    assert "line 1, column" in bad_json.output
    assert no_reason.exit_code == 2 and "needs a reason" in no_reason.output
    assert no_station.exit_code == 2 and "nowhere" in no_station.output
    assert movements(db_url) == []
