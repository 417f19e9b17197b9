"""The notes and coins of a cash changer: its slots, their defaults, what its status says
and how it makes change.

Status rule (checked in this order, after JAM, which only the machine knows):
EMPTY when a watched slot holds nothing; FULL when a slot is at its capacity;
NEAR_EMPTY when a watched slot is below its near-empty threshold; NEAR_FULL when a
slot is at or above its near-full threshold; else OK. A slot is watched when its
near-empty threshold is above 0 (by default every slot except 10,000 and 2,000 yen,
which change rarely needs). The counts include a deposit's escrow.
"""
from __future__ import annotations

from collections.abc import Mapping

from madoguchi.adapters.devices.ports import ChangerStatus
from madoguchi.domain.money import DENOMINATIONS, format_yen, make_change
from madoguchi.errors import BadInput, CannotMakeChange

#: The morning float: enough to give change for a day of 300-yen certificates.
DEFAULT_FLOAT: dict[int, int] = {5000: 10, 1000: 50, 500: 20, 100: 100, 50: 50,
                                 10: 100, 5: 50, 1: 100}
DEFAULT_CAPACITY: dict[int, int] = {10000: 300, 5000: 100, 2000: 50, 1000: 200, 500: 100,
                                    100: 200, 50: 150, 10: 200, 5: 150, 1: 200}
DEFAULT_NEAR_EMPTY: dict[int, int] = {10000: 0, 2000: 0, 5000: 3, 1000: 10, 500: 5,
                                      100: 20, 50: 10, 10: 20, 5: 5, 1: 10}


def slots(counts: Mapping[int, int] | None = None) -> dict[int, int]:
    """``counts`` with every denomination listed (0 where none)."""
    if not counts:
        return dict.fromkeys(DENOMINATIONS, 0)  # an empty escrow, after every deposit
    return {d: int(counts.get(d, 0)) for d in DENOMINATIONS}


def nonzero(counts: Mapping[int, int]) -> dict[int, int]:
    return {d: n for d, n in counts.items() if n}


def slot_status(held: Mapping[int, int], *, capacity: Mapping[int, int], near_empty: Mapping[int, int],
                near_full: Mapping[int, int]) -> ChangerStatus:
    """What the slots holding ``held`` say, by the rule in the module doc (never JAM)."""
    watched = [d for d in DENOMINATIONS if near_empty.get(d, 0) > 0]
    if any(held[d] == 0 for d in watched):
        return ChangerStatus.EMPTY
    if any(held[d] >= capacity[d] for d in DENOMINATIONS):
        return ChangerStatus.FULL
    if any(held[d] < near_empty[d] for d in watched):
        return ChangerStatus.NEAR_EMPTY
    if any(held[d] >= near_full[d] for d in DENOMINATIONS):
        return ChangerStatus.NEAR_FULL
    return ChangerStatus.OK


def change_plan(device_id: str, change: int, *, deposited: int, held: Mapping[int, int]) -> dict[int, int]:
    """The notes and coins that pay ``change`` for a deposit of ``deposited`` yen, from
    ``held`` (which counts the deposit's own cash)."""
    check_amount(change, "change")
    if change > deposited:
        raise BadInput(f"change {format_yen(change)} is more than the {format_yen(deposited)} inserted")
    found = make_change(change, held)
    if found is None:
        raise CannotMakeChange(
            f"{device_id} cannot pay {format_yen(change)} change from what it "
            "holds; give the cash back (repay) or load coins",
            device_id=device_id, change=change)
    return found


def payout_plan(device_id: str, amount: int, inventory: Mapping[int, int]) -> dict[int, int]:
    """The notes and coins that pay ``amount`` out of ``inventory`` outside a deposit."""
    check_amount(amount, "amount")
    plan = make_change(amount, inventory)
    if plan is None:
        raise CannotMakeChange(
            f"{device_id} cannot pay out {format_yen(amount)} from what it holds; "
            "load coins or pay from another station",
            device_id=device_id, amount=amount)
    return plan


def check_amount(amount: object, what: str) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise BadInput(f"{what} must be whole yen, not negative; got {amount!r}")
