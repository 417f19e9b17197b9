"""Training mode in a real browser: the register and the station say 「練習 — 領収書としては無効」,
and a training sale is paid through the same screens without touching the real books."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import Screens

from madoguchi.adapters.db.tables import Payment, Sale
from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.services.counter import training

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)
MARK = "練習 — 領収書としては無効"


def test_a_training_register_and_station_show_the_banner_and_a_training_sale_completes(screens: Screens) -> None:
    rt = screens.server.rt
    supervisor = Actor("supervisor", Role.SUPERVISOR, frozenset({ALL_SITES}))
    training.set_training(rt, station_id="honcho-s1", training=True, actor=supervisor)
    training.set_training(rt, station_id="honcho-p1", training=True, actor=supervisor)
    staff = screens.staff()
    station = screens.station()
    expect(staff.locator("#training-banner")).to_have_text(MARK)
    expect(staff.locator("#training-banner")).to_be_visible()
    expect(station.locator("#training-banner")).to_have_text(MARK)

    # One 住民票 from the keypad, paid in cash with the simulator panel at the training station.
    staff.keyboard.type("1\n\n")
    expect(station.locator("#screen")).to_have_attribute("data-phase", "due-method")
    station.locator(".kiosk-cash").click()
    station.locator("[data-insert='1000']").click()
    expect(station.locator("#screen")).to_have_attribute("data-phase", "paid")
    expect(staff.locator(".sale-state[data-state=paid]")).to_contain_text("領収書 精算機1-0001")

    # The sale is in the training store, its receipt marked; the real database has no sale at all.
    store = training.training_store(rt)
    with store.uow(read_only=True) as uow:
        assert [s.state for s in uow.session.query(Sale).all()] == ["paid"]
    assert store.devices.of("honcho-p1").printer.texts[0].count("練習 ― 領収書としては無効") == 2
    with rt.uow(read_only=True) as uow:
        assert uow.session.query(Sale).count() == 0 and uow.session.query(Payment).count() == 0

    # Another staff station works for real, without the banner.
    other = screens.staff(label="real-staff", desk="honcho-s2")
    expect(other.locator("#place-label")).to_contain_text("受付2")
    expect(other.locator("#training-banner")).to_be_hidden()
