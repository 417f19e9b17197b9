"""The simulated cash changer: inventory, deposits, change, refunds, slot status; cash is never
created or lost (jams: ``test_changer_jams.py``, persistence: ``test_changer_state_file.py``)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.adapters.devices.changer_faults import OPERATIONS
from madoguchi.adapters.devices.changer_sim import Phase, SimulatedCashChanger
from madoguchi.adapters.devices.changer_slots import DEFAULT_FLOAT
from madoguchi.adapters.devices.ports import ChangerStatus, DepositEnd
from madoguchi.domain.money import DENOMINATIONS, total_of_counts
from madoguchi.errors import BadInput, CannotMakeChange, ChangerJammed, ChangerNotReady
from tests.unit.changer_helpers import FLOAT_TOTAL, deposit, held


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
