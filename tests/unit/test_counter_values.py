"""The counter's frozen values as made from rows, built anew and evolved (domain/counter.py)."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from madoguchi.domain.counter import Payment, Sale, built, evolve, made
from madoguchi.domain.sale import SaleState
from madoguchi.errors import InvalidTransition

NOW = dt.datetime(2026, 12, 6, 1, 0, tzinfo=dt.UTC)


def _sale() -> Sale:
    return Sale.new(sale_id="s1", site="honcho", staff_station="honcho-s1", created_by="clerk",
                    created_at=NOW, business_date=NOW.date())


def test_a_value_built_or_made_equals_the_one_its_class_makes_and_is_frozen():
    by_class = Sale(id="s1", site="honcho", staff_station="honcho-s1", payment_station=None, state="open",
                    total=0, paid_amount=0, cash_only=False, attempts=0, created_by="clerk", created_at=NOW,
                    business_date=NOW.date(), paid_at=None)
    by_name = {f.name: getattr(by_class, f.name) for f in dataclasses.fields(Sale)}
    for value in (_sale(), made(Sale, list(by_name.values())), built(Sale, **by_name)):
        assert type(value) is Sale
        assert value == by_class and hash(value) == hash(by_class)
        with pytest.raises(dataclasses.FrozenInstanceError):
            value.total = 300  # type: ignore[misc]


def test_a_value_is_made_from_all_its_fields_and_evolved_only_in_fields_it_has():
    with pytest.raises(TypeError):
        made(Payment, ("p1", "p1"))
    with pytest.raises(TypeError):
        built(Sale, id="s1")
    sale = _sale()
    with pytest.raises(TypeError):
        evolve(sale, colour="red")
    assert evolve(sale, total=300).total == 300 and sale.total == 0


def test_a_state_still_moves_only_through_the_table():
    sale = _sale().handed_off(NOW).moved_to(SaleState.AWAITING_PAYMENT, payment_station="honcho-p1")
    assert (sale.state, sale.payment_station, sale.handed_off_at) == ("awaiting_payment", "honcho-p1", NOW)
    with pytest.raises(InvalidTransition):
        sale.moved_to(SaleState.PAID, paid_at=NOW)
