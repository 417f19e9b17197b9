"""The simulated cash changer's state file: a new instance sees the same machine, files are named
by station, the state log survives a torn line, is compacted, and takes over an older file."""
from __future__ import annotations

import pytest

from madoguchi.adapters.devices import make_station_devices, read_state
from madoguchi.adapters.devices.changer_sim import Phase, SimulatedCashChanger
from madoguchi.adapters.devices.ports import ChangerStatus, DepositEnd
from madoguchi.errors import ChangerJammed
from tests.unit.changer_helpers import deposit


def test_a_new_instance_on_the_same_state_file_sees_the_same_machine(tmp_path):
    path = tmp_path / "C1-changer.state"
    changer = SimulatedCashChanger("C1", state_path=path)
    deposit(changer, 1000)
    changer.end_deposit(DepositEnd.CHANGE, 700)
    changer.begin_deposit()
    changer.insert(500)
    changer.fail_next("end_deposit")
    again = SimulatedCashChanger("C1", state_path=path, initial_counts={})
    assert again.counts() == changer.counts()
    assert again.deposit_counts() == {500: 1} and again.phase is Phase.OPEN
    again.fix_deposit()
    with pytest.raises(ChangerJammed):  # the scheduled fault survived the restart
        again.end_deposit(DepositEnd.NO_CHANGE)
    third = SimulatedCashChanger("C1", state_path=path)
    assert third.status() is ChangerStatus.JAM and third.deposit_amount() == 500
    assert read_state(path)["jammed"] is True
    assert [p.name for p in tmp_path.iterdir()] == ["C1-changer.state"]  # no temporary files left


def test_station_devices_keep_their_state_in_files_named_by_station(tmp_path):
    devices = make_station_devices("honcho-1", state_dir=tmp_path)
    devices.changer.begin_deposit()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["honcho-1-changer.state", "honcho-1-printer.state", "honcho-1-terminal.state"]
    assert make_station_devices("honcho-1", state_dir=tmp_path).changer.phase is Phase.OPEN


# --- the state log --------------------------------------------------------------------
def test_a_state_line_cut_short_by_a_kill_leaves_the_state_before_it(tmp_path):
    path = tmp_path / "C1-changer.state"
    changer = SimulatedCashChanger("C1", state_path=path)
    deposit(changer, 1000)
    before = read_state(path)
    changer.end_deposit(DepositEnd.CHANGE, 700)
    whole = path.read_bytes()
    last_start = whole.rstrip(b"\n").rfind(b"\n") + 1
    for cut in (last_start + 3, last_start + 12, len(whole) - 2):  # the last line torn anywhere
        path.write_bytes(whole[:cut])
        assert read_state(path) == before
    path.write_bytes(whole[:last_start] + whole[last_start:].replace(b'"phase"', b'"phasf"'))
    assert read_state(path) == before  # a changed byte fails the line's checksum
    path.write_bytes(b"not a state log\n")
    with pytest.raises(ValueError, match="C1-changer.state"):
        read_state(path)


def test_a_long_state_log_is_rewritten_as_one_snapshot(tmp_path, monkeypatch):
    from madoguchi.adapters.devices import state

    monkeypatch.setattr(state, "COMPACT_BYTES", 2000)
    path = tmp_path / "C1-changer.state"
    changer = SimulatedCashChanger("C1", state_path=path)
    for _ in range(40):
        deposit(changer, 100)
        changer.end_deposit(DepositEnd.NO_CHANGE)
        assert path.stat().st_size <= 2000
    assert SimulatedCashChanger("C1", state_path=path).counts() == changer.counts()
    assert [p.name for p in tmp_path.iterdir()] == ["C1-changer.state"]


def test_a_state_file_from_before_the_log_is_taken_over(tmp_path):
    import json

    legacy = tmp_path / "C1-changer.json"  # what a demo server of an earlier version left
    older = SimulatedCashChanger("C1", state_path=tmp_path / "old" / "C1-changer.state")
    deposit(older, 1000, 500)
    legacy.write_text(json.dumps(read_state(tmp_path / "old" / "C1-changer.state")), encoding="utf-8")
    changer = SimulatedCashChanger("C1", state_path=tmp_path / "C1-changer.state")
    assert changer.counts() == older.counts() and changer.deposit_amount() == 1500
    changer.end_deposit(DepositEnd.NO_CHANGE)
    assert not legacy.exists()
    assert SimulatedCashChanger("C1", state_path=tmp_path / "C1-changer.state").counts() == changer.counts()
