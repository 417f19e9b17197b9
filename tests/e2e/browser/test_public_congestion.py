"""窓口混雑状況 in a real browser at phone size: no login, axe-clean, an h1, both languages,
and the page follows the queue by itself (a hand-off shows up without a reload)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import Screens, publish_doc_image
from tests.e2e.browser.test_accessibility import _check
from tests.helpers import handed_off

from madoguchi.domain.auth import Actor, Role

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 812}


def test_the_public_board_on_a_phone_follows_the_queue_without_a_reload(screens: Screens) -> None:
    rt = screens.server.rt
    rt.settings.congestion_cache_seconds = 1  # the page polls every 5 s, the figures are 1 s old at most
    rt.settings.congestion_yellow_minutes = 1  # so that one resident waiting lights the yellow lamp
    phone = screens.blank("public", PHONE)
    phone.goto("/public/congestion")
    expect(phone.locator("h1")).to_have_text("窓口混雑状況")
    honcho = phone.locator('[data-site="honcho"]')
    expect(honcho.locator('[data-field="waiting"]')).to_have_text("0人")
    expect(honcho.locator('[data-field="lamp"]')).to_have_class("pub-lamp lamp-green")
    _check(phone, "public congestion (ja)")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width} px)"

    handed_off(rt, Actor("cashier", Role.CASHIER, frozenset({"honcho"})))
    expect(honcho.locator('[data-field="waiting"]')).to_have_text("1人", timeout=15_000)
    expect(honcho.locator('[data-field="wait"]')).to_have_text("約1分")
    expect(honcho.locator('[data-field="lamp"]')).to_have_class("pub-lamp lamp-yellow")
    _check(phone, "public congestion, updated")
    publish_doc_image(screens.snap("public", "queue"), "public-congestion.png")

    phone.get_by_role("link", name="English").click()
    expect(phone.locator("h1")).to_have_text("Counter waiting times")
    assert phone.evaluate("document.documentElement.lang") == "en"
    expect(honcho.locator('[data-field="wait"]')).to_have_text("About 1 min")
    _check(phone, "public congestion (en)")
