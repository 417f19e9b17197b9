"""Every simulator (and the network printer) offers its port's methods with the port's own
signatures, so code written against a port runs the same on the simulator and on hardware."""
from __future__ import annotations

import inspect

import pytest

from madoguchi.adapters.devices.changer_sim import SimulatedCashChanger
from madoguchi.adapters.devices.ports import CashChanger, PaymentTerminal, ReceiptPrinter
from madoguchi.adapters.devices.printer_net import NetworkPrinter
from madoguchi.adapters.devices.printer_sim import SimulatedPrinter
from madoguchi.adapters.devices.terminal_sim import SimulatedTerminal

PAIRS = [(CashChanger, SimulatedCashChanger), (PaymentTerminal, SimulatedTerminal),
         (ReceiptPrinter, SimulatedPrinter), (ReceiptPrinter, NetworkPrinter)]


def _methods(port: type) -> list[str]:
    return [name for name, value in vars(port).items() if callable(value) and not name.startswith("_")]


@pytest.mark.parametrize(("port", "device"), PAIRS, ids=lambda c: c.__name__)
def test_a_device_has_each_method_of_its_port_with_the_same_signature(port: type, device: type) -> None:
    assert _methods(port)
    for name in _methods(port):
        assert inspect.signature(getattr(device, name)) == inspect.signature(getattr(port, name)), name


def test_collecting_from_the_simulated_changer_takes_what_is_asked_or_every_note_and_says_what_it_took() -> None:
    changer: CashChanger = SimulatedCashChanger("p1-changer", initial_counts={1000: 3, 100: 5})
    assert changer.collect({100: 2}) == {100: 2}
    assert changer.collect() == {1000: 3}
    assert {d: n for d, n in changer.counts().items() if n} == {100: 3}
