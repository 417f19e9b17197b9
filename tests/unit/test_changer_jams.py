"""The simulated cash changer jams: at any step with no effect and the cash kept, during fix with
the cash in escrow, cleared with or without handing back, at random by seed."""
from __future__ import annotations

import pytest

from madoguchi.adapters.devices.changer_faults import OPERATIONS
from madoguchi.adapters.devices.changer_sim import Phase, SimulatedCashChanger
from madoguchi.adapters.devices.ports import ChangerStatus, DepositEnd
from madoguchi.errors import ChangerJammed


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
