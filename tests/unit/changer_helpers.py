"""What the simulated changer's tests share: the default float's total, what the machine
holds, and one deposit.
"""
from __future__ import annotations

from madoguchi.adapters.devices.changer_sim import SimulatedCashChanger
from madoguchi.adapters.devices.changer_slots import DEFAULT_FLOAT
from madoguchi.domain.money import total_of_counts

FLOAT_TOTAL = total_of_counts(DEFAULT_FLOAT)


def held(changer: SimulatedCashChanger) -> int:
    """Everything inside the machine: inventory and escrow."""
    return total_of_counts(changer.counts()) + changer.deposit_amount()


def deposit(changer: SimulatedCashChanger, *cash: int) -> int:
    changer.begin_deposit()
    for denomination in cash:
        changer.insert(denomination)
    return changer.fix_deposit()
