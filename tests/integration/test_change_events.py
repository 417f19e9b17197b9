"""Committed changes are announced to live screens; rolled-back ones are not."""
from __future__ import annotations

import pytest

from madoguchi.errors import StationBusy
from madoguchi.services.counter import sales
from tests.helpers import handed_off, new_id, open_sale, pay_cash


def test_a_paid_sale_announces_its_sale_its_station_and_the_journal(rt, cashier):
    seen: list[frozenset[str]] = []
    rt.events.subscribe(seen.append)
    sale_id = handed_off(rt, cashier)
    pay_cash(rt, cashier, sale_id, [500])
    everything = frozenset().union(*seen)
    assert {f"sale:{sale_id}", "station:honcho-p1", "site:honcho", "journal"} <= everything


def test_a_refused_write_announces_nothing(rt, cashier):
    handed_off(rt, cashier, station="honcho-p1")
    other = open_sale(rt, cashier, staff_station="honcho-s2")
    seen: list[frozenset[str]] = []
    rt.events.subscribe(seen.append)
    with pytest.raises(StationBusy):
        sales.hand_off(rt, sale_id=other, handoff_id=new_id(), payment_station="honcho-p1", actor=cashier)
    assert seen == []


def test_an_unsubscribed_listener_hears_nothing_more(rt, cashier):
    seen: list[frozenset[str]] = []
    stop = rt.events.subscribe(seen.append)
    stop()
    open_sale(rt, cashier)
    assert seen == []
