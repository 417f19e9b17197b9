"""The simulated cashless terminal: idempotent pay, timeouts, status, cancel windows."""
from __future__ import annotations

import datetime as dt

import pytest

from madoguchi.adapters.devices.ports import PayOutcome, TxStatus
from madoguchi.adapters.devices.terminal_sim import SimulatedTerminal
from madoguchi.domain.receipt import JST
from madoguchi.errors import BadInput, Conflict, IdempotencyMismatch, TerminalError


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 11, 24, 10, 0, tzinfo=JST))


@pytest.fixture
def terminal(clock: Clock) -> SimulatedTerminal:
    return SimulatedTerminal("1", clock=clock)


def test_an_approved_payment_gets_a_reference_of_the_terminal(terminal):
    reply = terminal.pay("r1", 300, "visa")
    assert reply.outcome is PayOutcome.APPROVED and reply.reference == "T1-000001"
    assert terminal.status("r1").status is TxStatus.APPROVED
    assert terminal.status("r1").reference == "T1-000001"


def test_paying_again_with_the_same_request_id_never_charges_twice(terminal):
    first = terminal.pay("r1", 300, "paypay")
    assert terminal.pay("r1", 300, "paypay") == first
    assert len(terminal.transactions()) == 1
    assert terminal.pay("r2", 450, "paypay").reference == "T1-000002"


def test_the_same_request_id_for_a_different_payment_is_refused(terminal):
    terminal.pay("r1", 300, "visa")
    with pytest.raises(IdempotencyMismatch):
        terminal.pay("r1", 450, "visa")
    with pytest.raises(IdempotencyMismatch):
        terminal.pay("r1", 300, "jcb")


def test_a_declined_payment_says_why_and_is_remembered(terminal):
    terminal.script("declined", reason="insufficient balance")
    reply = terminal.pay("r1", 300, "suica")
    assert reply.outcome is PayOutcome.DECLINED and reply.reason == "insufficient balance"
    assert terminal.pay("r1", 300, "suica") == reply
    assert terminal.status("r1").status is TxStatus.DECLINED


@pytest.mark.parametrize("queries", [0, 1, 3])
def test_a_timeout_that_was_approved_shows_in_progress_then_approved(terminal, queries):
    terminal.script("timeout_approved", in_progress_queries=queries)
    assert terminal.pay("r1", 300, "id").outcome is PayOutcome.TIMEOUT
    for _ in range(queries):
        assert terminal.status("r1").status is TxStatus.IN_PROGRESS
    answer = terminal.status("r1")
    assert answer.status is TxStatus.APPROVED and answer.reference == "T1-000001"
    assert terminal.pay("r1", 300, "id").outcome is PayOutcome.APPROVED


def test_a_timeout_that_was_declined_shows_declined_after_the_wait(terminal):
    terminal.script("timeout_declined", reason="card expired")
    assert terminal.pay("r1", 300, "waon").outcome is PayOutcome.TIMEOUT
    assert terminal.status("r1").status is TxStatus.IN_PROGRESS
    answer = terminal.status("r1")
    assert (answer.status, answer.reason) == (TxStatus.DECLINED, "card expired")


def test_a_repeat_of_a_request_still_in_progress_answers_timeout_and_charges_nothing(terminal):
    terminal.script("timeout_approved", in_progress_queries=1)
    terminal.pay("r1", 300, "visa")
    assert terminal.pay("r1", 300, "visa").outcome is PayOutcome.TIMEOUT
    assert terminal.status("r1").status is TxStatus.IN_PROGRESS  # the repeat used no query
    assert terminal.status("r1").status is TxStatus.APPROVED
    assert len(terminal.transactions()) == 1


def test_a_request_that_never_reached_the_processor_is_not_found_and_safe_to_retry(terminal):
    terminal.script("timeout_not_found")
    assert terminal.pay("r1", 300, "visa").outcome is PayOutcome.TIMEOUT
    assert terminal.status("r1").status is TxStatus.NOT_FOUND
    retry = terminal.pay("r1", 300, "visa")
    assert retry.outcome is PayOutcome.APPROVED and retry.reference == "T1-000001"


@pytest.mark.parametrize("approved", [True, False])
def test_an_unknown_outcome_stays_in_progress_until_the_provider_answers(terminal, clock, approved):
    terminal.script("timeout_unknown")
    assert terminal.pay("r1", 300, "edy").outcome is PayOutcome.TIMEOUT
    for _ in range(5):
        assert terminal.status("r1").status is TxStatus.IN_PROGRESS
    clock.advance(days=30)
    terminal.settle("r1", approved)
    answer = terminal.status("r1")
    assert answer.status is (TxStatus.APPROVED if approved else TxStatus.DECLINED)
    assert (answer.reference is not None) is approved
    with pytest.raises(Conflict):
        terminal.settle("r1", approved)


def test_status_of_a_request_never_seen_is_not_found(terminal):
    assert terminal.status("nobody").status is TxStatus.NOT_FOUND


@pytest.mark.parametrize(("amount", "brand"), [
    (0, "visa"), (-300, "visa"), (300.0, "visa"), (True, "visa"), ("300", "visa"), (300, "bitcoin"),
])
def test_bad_amounts_and_unknown_brands_are_refused(terminal, amount, brand):
    with pytest.raises(BadInput):
        terminal.pay("r1", amount, brand)
    assert terminal.transactions() == {}


def _outcomes(seed: int) -> list[tuple]:
    t = SimulatedTerminal("1", seed=seed, decline_rate=0.2, timeout_rate=0.2, unknown_rate=0.1)
    replies = [t.pay(f"r{i}", 300, "paypay") for i in range(60)]
    return [(r.outcome, r.reference, r.reason) for r in replies]


def test_the_same_seed_gives_the_same_outcomes():
    assert _outcomes(42) == _outcomes(42)
    assert _outcomes(42) != _outcomes(43)
    assert {o for o, _, _ in _outcomes(42)} == set(PayOutcome)


def test_with_no_fault_rates_every_payment_is_approved():
    t = SimulatedTerminal("1", seed=5)
    assert all(t.pay(f"r{i}", 300, "visa").outcome is PayOutcome.APPROVED for i in range(50))


def test_an_offline_terminal_refuses_everything_until_it_is_back(terminal):
    terminal.pay("r1", 300, "visa")
    terminal.set_online(False)
    assert not terminal.online()
    for call in (lambda: terminal.pay("r2", 300, "visa"), lambda: terminal.status("r1"),
                 lambda: terminal.cancel("r1")):
        with pytest.raises(TerminalError):
            call()
    terminal.set_online(True)
    assert terminal.status("r1").status is TxStatus.APPROVED


# --- cancel windows ----------------------------------------------------------------
def test_a_transit_ic_payment_can_be_cancelled_while_it_is_the_terminals_last(terminal):
    terminal.pay("r1", 300, "suica")
    reply = terminal.cancel("r1")
    assert reply.cancelled and reply.reference == "T1-000002"
    again = terminal.cancel("r1")
    assert not again.cancelled and again.reason == "already cancelled"
    assert terminal.status("r1").reason == "cancelled"


def test_a_transit_ic_payment_cannot_be_cancelled_once_another_payment_followed(terminal):
    terminal.pay("r1", 300, "pasmo")
    terminal.pay("r2", 300, "visa")
    reply = terminal.cancel("r1")
    assert not reply.cancelled and "last transaction" in reply.reason


def test_a_transit_ic_payment_cannot_be_cancelled_the_next_day_in_japan(clock):
    clock.now = dt.datetime(2026, 11, 24, 23, 50, tzinfo=JST)
    terminal = SimulatedTerminal("1", clock=clock)
    terminal.pay("r1", 300, "icoca")
    clock.advance(minutes=20)  # 00:10 JST, still 15:10 UTC of the same UTC day
    assert not terminal.cancel("r1").cancelled


@pytest.mark.parametrize(("brand", "days_later", "allowed"), [
    ("edy", 0, False), ("nanaco", 0, False),
    ("waon", 14, True), ("waon", 15, False),
    ("id", 60, True), ("id", 61, False), ("quicpay", 60, True),
    ("visa", 30, True), ("visa", 31, False),
])
def test_a_cancel_follows_the_brands_window(clock, brand, days_later, allowed):
    terminal = SimulatedTerminal("1", clock=clock)
    terminal.pay("r1", 300, brand)
    terminal.pay("r2", 300, "visa")  # so the payment is no longer the terminal's last
    clock.advance(days=days_later)
    reply = terminal.cancel("r1")
    assert reply.cancelled is allowed
    assert (reply.reason is None) is allowed


def test_only_an_approved_payment_can_be_cancelled(terminal):
    terminal.script("declined")
    terminal.pay("r1", 300, "visa")
    terminal.script("timeout_unknown")
    terminal.pay("r2", 300, "visa")
    assert not terminal.cancel("r1").cancelled
    assert not terminal.cancel("r2").cancelled
    assert not terminal.cancel("never").cancelled


def test_a_new_instance_on_the_same_state_file_sees_the_same_transactions(tmp_path, clock):
    path = tmp_path / "1-terminal.state"
    terminal = SimulatedTerminal("1", clock=clock, state_path=path)
    terminal.pay("r1", 300, "suica")
    terminal.script("timeout_approved", in_progress_queries=2)
    terminal.pay("r2", 450, "visa")
    terminal.status("r2")
    terminal.script("declined", reason="card expired")
    terminal.set_online(False)

    again = SimulatedTerminal("1", clock=clock, state_path=path)
    assert again.transactions() == terminal.transactions()
    assert not again.online()
    again.set_online(True)
    assert again.status("r2").status is TxStatus.IN_PROGRESS  # one query left
    assert again.status("r2").status is TxStatus.APPROVED
    assert again.pay("r3", 300, "visa").reason == "card expired"  # the script survived
    assert again.pay("r4", 300, "visa").reference == "T1-000003"  # numbering goes on
    assert not again.cancel("r1").cancelled  # r1 is no longer the last


def test_the_terminal_records_what_changed_not_its_whole_history(tmp_path, clock, monkeypatch):
    from madoguchi.adapters.devices import read_state, state

    path = tmp_path / "1-terminal.state"
    terminal = SimulatedTerminal("1", clock=clock, state_path=path)
    for n in range(200):
        terminal.pay(f"r{n}", 300, "suica")
    sizes = []
    for n in range(200, 210):
        before = path.stat().st_size
        terminal.pay(f"r{n}", 300, "suica")
        sizes.append(path.stat().st_size - before)
    assert max(sizes) < 600  # one payment's line, however many came before
    assert read_state(path)["txs"] == terminal.transactions()

    monkeypatch.setattr(state, "COMPACT_BYTES", 4000)  # the log starts afresh as one whole state
    terminal.status("r3")
    terminal.pay("r-last", 450, "visa")
    again = SimulatedTerminal("1", clock=clock, state_path=path)
    assert again.transactions() == terminal.transactions() and len(again.transactions()) == 211
    assert again.pay("r-next", 300, "visa").reference == "T1-000212"


def test_no_card_data_is_kept(tmp_path):
    path = tmp_path / "t.json"
    terminal = SimulatedTerminal("1", state_path=path)
    terminal.pay("r1", 300, "visa")
    assert set(terminal.transactions()["r1"]) == {
        "amount", "brand", "at", "status", "final", "queries_left", "reference", "reason",
        "cancelled", "cancel_reference"}


def test_fault_rates_above_one_are_refused():
    with pytest.raises(BadInput):
        SimulatedTerminal("1", decline_rate=0.6, timeout_rate=0.6)
