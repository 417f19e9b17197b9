"""The simulated cash changer: inventory, deposits, change, jams, persistence."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.adapters.devices import make_station_devices, read_state
from madoguchi.adapters.devices.changer_faults import OPERATIONS
from madoguchi.adapters.devices.changer_sim import Phase, SimulatedCashChanger
from madoguchi.adapters.devices.changer_slots import DEFAULT_FLOAT
from madoguchi.adapters.devices.ports import ChangerStatus, DepositEnd
from madoguchi.domain.money import DENOMINATIONS, total_of_counts
from madoguchi.errors import BadInput, CannotMakeChange, ChangerJammed, ChangerNotReady

FLOAT_TOTAL = total_of_counts(DEFAULT_FLOAT)


def held(changer: SimulatedCashChanger) -> int:
    """Everything inside the machine: inventory and escrow."""
    return total_of_counts(changer.counts()) + changer.deposit_amount()


def deposit(changer: SimulatedCashChanger, *cash: int) -> int:
    changer.begin_deposit()
    for denomination in cash:
        changer.insert(denomination)
    return changer.fix_deposit()


def test_a_new_changer_holds_the_default_float_in_every_slot():
    changer = SimulatedCashChanger("C1")
    assert set(changer.counts()) == set(DENOMINATIONS)
    assert total_of_counts(changer.counts()) == FLOAT_TOTAL
    assert changer.status() is ChangerStatus.OK
    assert changer.deposit_amount() == 0 and changer.deposit_counts() == {}


def test_a_cash_payment_keeps_the_note_and_pays_the_change():
    changer = SimulatedCashChanger("C1")
    assert deposit(changer, 1000) == 1000
    paid = changer.end_deposit(DepositEnd.CHANGE, 700)
    assert total_of_counts(paid) == 700
    assert total_of_counts(changer.counts()) == FLOAT_TOTAL + 300
    assert changer.counts()[1000] == DEFAULT_FLOAT[1000] + 1
    assert changer.deposit_amount() == 0 and changer.phase is Phase.IDLE


def test_change_may_use_the_coins_just_inserted():
    changer = SimulatedCashChanger("C1", initial_counts={})
    deposit(changer, 500, 100, 100)
    assert changer.can_dispense(200)
    assert changer.end_deposit(DepositEnd.CHANGE, 200) == {100: 2}
    assert changer.counts()[500] == 1 and total_of_counts(changer.counts()) == 500


def test_change_that_cannot_be_made_is_refused_and_changes_nothing():
    changer = SimulatedCashChanger("C1", initial_counts={100: 2})
    deposit(changer, 1000)
    assert not changer.can_dispense(700)
    with pytest.raises(CannotMakeChange):
        changer.end_deposit(DepositEnd.CHANGE, 700)
    assert changer.phase is Phase.FIXED
    assert changer.deposit_counts() == {1000: 1}
    assert changer.counts()[100] == 2
    assert changer.end_deposit(DepositEnd.REPAY) == {1000: 1}
    assert total_of_counts(changer.counts()) == 200


def test_change_larger_than_the_deposit_is_refused():
    changer = SimulatedCashChanger("C1")
    deposit(changer, 100)
    with pytest.raises(BadInput):
        changer.end_deposit(DepositEnd.CHANGE, 500)


def test_ending_without_change_keeps_the_whole_deposit():
    changer = SimulatedCashChanger("C1")
    deposit(changer, 100, 100, 100)
    assert changer.end_deposit(DepositEnd.NO_CHANGE) == {}
    assert total_of_counts(changer.counts()) == FLOAT_TOTAL + 300


def test_repay_hands_back_every_note_and_coin_inserted():
    changer = SimulatedCashChanger("C1")
    deposit(changer, 5000, 1000, 10)
    assert changer.end_deposit("repay") == {5000: 1, 1000: 1, 10: 1}
    assert total_of_counts(changer.counts()) == FLOAT_TOTAL


def test_inserting_while_paused_is_refused_until_the_deposit_restarts():
    changer = SimulatedCashChanger("C1")
    changer.begin_deposit()
    changer.insert(100)
    changer.pause_deposit()
    with pytest.raises(ChangerNotReady):
        changer.insert(100)
    changer.restart_deposit()
    changer.insert(100, count=2)
    assert changer.deposit_counts() == {100: 3}
    assert changer.fix_deposit() == 300
    assert changer.fix_deposit() == 300  # a repeated fix only answers again


@pytest.mark.parametrize("steps", [
    ["fix_deposit"], ["end_deposit"], ["insert"], ["pause_deposit"], ["restart_deposit"],
    ["begin_deposit", "begin_deposit"], ["begin_deposit", "end_deposit"],
    ["begin_deposit", "dispense_change"], ["begin_deposit", "restart_deposit"],
    ["begin_deposit", "fix_deposit", "insert"], ["begin_deposit", "fix_deposit", "pause_deposit"],
])
def test_operations_in_the_wrong_order_are_refused(steps):
    changer = SimulatedCashChanger("C1")
    calls = {"insert": lambda: changer.insert(100), "end_deposit": lambda: changer.end_deposit("no_change"),
             "dispense_change": lambda: changer.dispense_change(100)}
    *before, last = steps
    for step in before:
        calls.get(step, getattr(changer, step))()
    with pytest.raises(ChangerNotReady):
        calls.get(last, getattr(changer, last))()


def test_a_refund_is_paid_out_of_the_inventory():
    changer = SimulatedCashChanger("C1")
    assert total_of_counts(changer.dispense_change(1300)) == 1300
    assert total_of_counts(changer.counts()) == FLOAT_TOTAL - 1300


def test_a_refund_the_machine_cannot_pay_is_refused():
    changer = SimulatedCashChanger("C1", initial_counts={1000: 1})
    with pytest.raises(CannotMakeChange):
        changer.dispense_change(300)
    assert changer.counts()[1000] == 1


def test_bad_cash_is_refused():
    changer = SimulatedCashChanger("C1")
    changer.begin_deposit()
    with pytest.raises(BadInput):
        changer.insert(3)
    with pytest.raises(BadInput):
        changer.insert(100, count=0)
    with pytest.raises(BadInput):
        SimulatedCashChanger("C2", initial_counts={7: 1})


def _reach(changer: SimulatedCashChanger, operation: str):
    """Bring a deposit of 1,100 yen to where ``operation`` is allowed; return the call."""
    if operation == "dispense_change":
        return lambda: changer.dispense_change(500)
    if operation == "begin_deposit":
        return changer.begin_deposit
    changer.begin_deposit()
    changer.insert(1000)
    changer.insert(100)
    if operation == "restart_deposit":
        changer.pause_deposit()
    if operation == "end_deposit":
        changer.fix_deposit()
        return lambda: changer.end_deposit(DepositEnd.CHANGE, 800)
    if operation == "insert":
        return lambda: changer.insert(500)
    return getattr(changer, operation)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_a_jam_at_any_step_takes_no_effect_and_keeps_the_cash(operation):
    changer = SimulatedCashChanger("C1")
    call = _reach(changer, operation)
    inventory, escrow, phase = changer.counts(), changer.deposit_counts(), changer.phase
    changer.fail_next(operation)
    with pytest.raises(ChangerJammed):
        call()
    assert changer.status() is ChangerStatus.JAM
    assert (changer.counts(), changer.deposit_counts(), changer.phase) == (inventory, escrow, phase)
    for other in (changer.begin_deposit, changer.fix_deposit, lambda: changer.insert(100),
                  lambda: changer.dispense_change(10), lambda: changer.can_dispense(10)):
        with pytest.raises(ChangerJammed):
            other()
    assert changer.clear_jam() == escrow
    assert changer.status() is not ChangerStatus.JAM and changer.phase is Phase.IDLE
    assert changer.counts() == inventory and changer.deposit_amount() == 0


def test_a_jam_during_fix_keeps_the_inserted_cash_in_escrow():
    changer = SimulatedCashChanger("C1")
    changer.begin_deposit()
    changer.insert(1000)
    changer.fail_next("fix_deposit")
    with pytest.raises(ChangerJammed):
        changer.fix_deposit()
    assert changer.deposit_counts() == {1000: 1} and changer.deposit_amount() == 1000


def test_clearing_a_jam_without_handing_back_lets_the_deposit_go_on():
    changer = SimulatedCashChanger("C1")
    changer.begin_deposit()
    changer.insert(1000)
    changer.fail_next("insert")
    with pytest.raises(ChangerJammed):
        changer.insert(100)
    assert changer.clear_jam(return_deposit=False) == {}
    changer.insert(100)
    assert changer.fix_deposit() == 1100


def test_random_jams_follow_the_seed():
    def pattern(seed: int) -> list[bool]:
        changer = SimulatedCashChanger("C1", seed=seed, jam_rate=0.3)
        jams = []
        for _ in range(30):
            try:
                changer.dispense_change(10)
                jams.append(False)
            except ChangerJammed:
                changer.clear_jam()
                jams.append(True)
        return jams
    assert pattern(7) == pattern(7)
    assert any(pattern(7)) and not all(pattern(7))
    calm = SimulatedCashChanger("C1", seed=7)  # jam_rate 0: never jams
    assert all(calm.dispense_change(10) == {10: 1} for _ in range(30))


@pytest.mark.parametrize(("counts", "status"), [
    (DEFAULT_FLOAT, ChangerStatus.OK),
    ({**DEFAULT_FLOAT, 1: 0}, ChangerStatus.EMPTY),
    ({**DEFAULT_FLOAT, 100: 5}, ChangerStatus.NEAR_EMPTY),
    ({**DEFAULT_FLOAT, 10000: 300}, ChangerStatus.FULL),
    ({**DEFAULT_FLOAT, 10000: 280}, ChangerStatus.NEAR_FULL),
    ({**DEFAULT_FLOAT, 1: 0, 10000: 300}, ChangerStatus.EMPTY),
    ({**DEFAULT_FLOAT, 10000: 0, 2000: 0}, ChangerStatus.OK),
])
def test_status_follows_the_slot_thresholds(counts, status):
    assert SimulatedCashChanger("C1", initial_counts=counts).status() is status


def test_a_full_slot_hands_the_cash_back():
    changer = SimulatedCashChanger("C1", capacity={1000: 51})
    changer.begin_deposit()
    changer.insert(1000)
    with pytest.raises(ChangerNotReady):
        changer.insert(1000)
    assert changer.deposit_counts() == {1000: 1}
    assert changer.status() is ChangerStatus.FULL


def test_staff_load_the_float_and_collect_the_notes_at_close():
    changer = SimulatedCashChanger("C1", initial_counts={})
    changer.load({1000: 10, 100: 50})
    deposit(changer, 5000)
    changer.end_deposit(DepositEnd.CHANGE, 4700)
    taken = changer.collect()
    assert set(taken) <= {10000, 5000, 2000, 1000}
    assert total_of_counts(changer.counts()) == 15_300 - total_of_counts(taken)
    assert all(changer.counts()[d] == 0 for d in (10000, 5000, 2000, 1000))
    with pytest.raises(BadInput):
        changer.collect({100: 10_000})


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


# --- property: cash is never created or lost -----------------------------------------
_action = st.one_of(
    st.tuples(st.just("deposit"), st.lists(st.sampled_from(DENOMINATIONS), min_size=1, max_size=6),
              st.sampled_from(list(DepositEnd)), st.integers(0, 30_000)),
    st.tuples(st.just("refund"), st.integers(0, 20_000)),
    st.tuples(st.just("jam"), st.sampled_from(sorted(OPERATIONS))),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_action, max_size=25), st.booleans())
def test_no_sequence_of_operations_creates_or_loses_cash(actions, return_on_clear):
    changer = SimulatedCashChanger("C1")
    inserted = paid_out = 0

    def run(action) -> None:
        nonlocal inserted, paid_out
        if action[0] == "jam":
            changer.fail_next(action[1])
        elif action[0] == "refund":
            paid_out += total_of_counts(changer.dispense_change(action[1]))
        else:
            _, cash, mode, change = action
            if changer.phase is Phase.IDLE:
                changer.begin_deposit()
            if changer.phase is Phase.PAUSED:
                changer.restart_deposit()
            for denomination in cash:
                if changer.phase is Phase.OPEN:
                    changer.insert(denomination)
                    inserted += denomination
            amount = changer.fix_deposit()
            change = change % (amount + 1) if mode is DepositEnd.CHANGE else 0
            try:
                paid_out += total_of_counts(changer.end_deposit(mode, change))
            except CannotMakeChange:
                paid_out += total_of_counts(changer.end_deposit(DepositEnd.REPAY))

    for action in actions:
        try:
            run(action)
        except ChangerJammed:
            paid_out += total_of_counts(changer.clear_jam(return_deposit=return_on_clear))
        except (ChangerNotReady, CannotMakeChange):
            pass  # a full slot hands the cash back; a refund it cannot pay is refused
        assert held(changer) + paid_out == FLOAT_TOTAL + inserted
        assert all(n >= 0 for n in changer.counts().values())


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
