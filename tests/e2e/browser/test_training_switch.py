"""練習モード switched from the back office in a real browser: the register and the payment
station show (and then hide) their banner without anybody reloading them, the register hands
off to the training store's station, and a training sale leaves the real journal as it was."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import Screens, publish_doc_image
from tests.helpers import journal

from madoguchi.adapters.db.tables import Sale

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)
MARK = "練習 — 領収書としては無効"


def _pay_1000(staff, station) -> None:  # type: ignore[no-untyped-def]
    staff.keyboard.type("1\n\n")
    expect(station.locator("#screen")).to_have_attribute("data-phase", "due-method")
    station.locator(".kiosk-cash").click()
    station.locator("[data-insert='1000']").click()
    expect(station.locator("#screen")).to_have_attribute("data-phase", "paid")


def test_a_supervisor_switches_training_on_and_off_from_the_office_and_the_screens_follow(screens: Screens) -> None:
    rt = screens.server.rt
    staff = screens.staff()
    office = screens.staff(label="office", login="supervisor", desk=None, path="/office")
    staff.evaluate("window.__sameRegister = true")  # gone if the page were reloaded

    # A real sale first, so the journal has something to keep.
    station = screens.station()
    _pay_1000(staff, station)
    expect(staff.locator(".sale-state[data-state=paid]")).to_contain_text("領収書 精算機1-0001")
    books = journal(rt)
    assert books
    expect(staff.locator("#training-banner")).to_be_hidden()

    # The supervisor switches 受付1 and 精算機1 to training on the office screen.
    card = office.locator("#training-switch")
    card.locator("tr[data-station=honcho-s1]").get_by_role("button", name="練習モードにする").click()
    expect(card.locator("tr[data-station=honcho-s1]")).to_contain_text("練習中")
    card.locator("tr[data-station=honcho-p1]").get_by_role("button", name="練習モードにする").click()
    expect(card.locator("tr[data-station=honcho-p1]")).to_contain_text("練習中")
    expect(office.locator("#toast")).to_contain_text("練習モードにしました")
    office.evaluate("document.getElementById('toast').hidden = true")
    shot = screens.snap("office", "training").with_name("office-training-card.png")
    card.screenshot(path=str(shot))
    publish_doc_image(shot, "office-training.png")

    # The register shows the banner without a reload; its station list is the training store's.
    expect(staff.locator("#training-banner")).to_have_text(MARK)
    expect(staff.locator("#training-banner")).to_be_visible()
    assert staff.evaluate("window.__sameRegister") is True
    expect(staff.locator("#targets .target")).to_have_count(2)  # 自動 and 精算機1: the one that trains
    # The payment station comes back in training by itself, its banner in the resident's language.
    expect(station.locator("#training-banner")).to_have_text(MARK)
    station.locator(".lang[data-lang=en]").click()
    expect(station.locator("#training-banner")).to_have_text("Training — not a valid receipt")
    station.locator(".lang[data-lang=ja]").click()
    # The banner takes its own row: the screen below it is not pushed out of the window.
    banner, main = station.locator("#training-banner").bounding_box(), station.locator("#screen").bounding_box()
    viewport = station.viewport_size
    assert banner and main and viewport and banner["y"] + banner["height"] <= main["y"]
    assert main["y"] + main["height"] <= viewport["height"] + 1

    # A training sale goes through the same screens; the real journal does not move.
    _pay_1000(staff, station)
    expect(staff.locator(".sale-state[data-state=paid]").first).to_be_visible()
    publish_doc_image(screens.snap("staff", "training"), "register-training.png")
    publish_doc_image(screens.snap("station", "training"), "station-training.png")
    assert journal(rt) == books
    with rt.uow(read_only=True) as uow:
        assert uow.session.query(Sale).count() == 1

    # Switched off again: the banners go, still without a reload of the register.
    card.locator("tr[data-station=honcho-s1]").get_by_role("button", name="練習モードを終える").click()
    expect(card.locator("tr[data-station=honcho-s1]")).to_contain_text("通常")
    card.locator("tr[data-station=honcho-p1]").get_by_role("button", name="練習モードを終える").click()
    expect(staff.locator("#training-banner")).to_be_hidden()
    assert staff.evaluate("window.__sameRegister") is True
    expect(station.locator("#training-banner")).to_be_hidden()
    expect(staff.locator("#targets .target")).to_have_count(3)
    assert journal(rt) == books
