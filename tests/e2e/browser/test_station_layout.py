"""The payment station never cuts anything off, and never shows an old "paid".

At 1280×800 landscape and 1080×1920 portrait, with ten lines and a notice, the amount
and both payment buttons are wholly inside the screen (the line list scrolls), and only
one notice shows. A paid result is shown for the sale the screen saw being paid, and
not again after a reload.
"""
from __future__ import annotations

import uuid
from typing import Any

import pytest
from tests.e2e.browser.conftest import PASSWORDS, Screens

from madoguchi.domain.auth import Actor, Role
from madoguchi.services.counter import sales

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

CASHIER = Actor("cashier", Role.CASHIER, frozenset({"honcho"}))
TEN_FEES = ["juminhyo", "juminhyo-kisai", "juminhyo-joshu", "fuhyo", "inkan-shomei", "inkan-toroku",
            "koseki-zenbu", "koseki-kojin", "juri-shomei-joshitsu", "nozei-shomei"]


def _handed_off(rt: Any, fees: list[str]) -> str:
    sale_id = str(uuid.uuid4())
    sales.create_sale(rt, sale_id=sale_id, staff_station="honcho-s1", actor=CASHIER)
    for fee in fees:
        sales.add_line(rt, sale_id=sale_id, line_id=str(uuid.uuid4()), fee_code=fee, actor=CASHIER)
    sales.hand_off(rt, sale_id=sale_id, handoff_id=str(uuid.uuid4()), payment_station="honcho-p1", actor=CASHIER)
    return sale_id


def _station(screens: Screens, viewport: dict[str, int], label: str) -> Any:
    ctx = screens._context(viewport)
    assert ctx.request.post("/station/honcho-p1/pair",
                            data={"login": "supervisor", "password": PASSWORDS["supervisor"]}).ok
    page = screens._watch(label, ctx.new_page())
    page.goto("/station/honcho-p1")
    expect(page.locator("#screen")).to_have_attribute("data-phase", "idle")
    page.locator("#sim-toggle").click()  # the demo panel is not part of the kiosk
    return page


def _inside(page: Any, selector: str, viewport: dict[str, int]) -> None:
    box = None
    for _ in range(20):  # the screen is redrawn on every change it hears of: measure a settled one
        box = page.locator(selector).bounding_box(timeout=2000)
        if box is not None:
            break
        page.wait_for_timeout(50)
    assert box is not None, selector
    assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= viewport["width"] + 0.5, (selector, box, viewport)
    assert box["y"] + box["height"] <= viewport["height"] + 0.5, (selector, box, viewport)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 1080, "height": 1920}],
                         ids=["landscape", "portrait"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_ten_lines_and_a_notice_leave_the_amount_and_both_buttons_in_view(
        screens: Screens, viewport: dict[str, int], lang: str) -> None:
    page = _station(screens, viewport, "station")
    _handed_off(screens.server.rt, TEN_FEES)
    expect(page.locator("#screen")).to_have_attribute("data-phase", "due-method")
    # The resident starts cash and gives up: the "cash returned" notice comes up.
    page.locator(".kiosk-cash").click()
    expect(page.locator("#screen")).to_have_attribute("data-phase", "cash")
    page.locator(".kiosk-cancel").click()
    expect(page.locator("#screen")).to_have_attribute("data-phase", "due-method")
    if lang != "ja":
        page.locator(f".lang[data-lang={lang}]").click()
    expect(page.locator(".due-lines li")).to_have_count(10)
    expect(page.locator(".kiosk-notice")).to_have_count(1)
    for selector in (".due-amount", ".kiosk-cash", ".kiosk-cashless"):
        _inside(page, selector, viewport)
    # The list is scrolled, not cut: its last line can be brought into view.
    page.locator(".due-lines li").last.scroll_into_view_if_needed()
    _inside(page, ".due-lines li:last-child", viewport)
    _inside(page, ".due-amount", viewport)
    screens.snap("station", f"{lang}-{viewport['width']}x{viewport['height']}")


def _contrast(page: Any, selector: str) -> float:
    """The WCAG contrast of an element's text on its background (re-read if the screen was just redrawn)."""
    for _ in range(20):
        value = _contrast_once(page, selector)
        if value > 0:
            return value
        page.wait_for_timeout(50)
    raise AssertionError(f"{selector} never stayed on screen long enough to measure")


def _contrast_once(page: Any, selector: str) -> float:
    return float(page.locator(selector).evaluate("""(el) => {
      if (!el.isConnected || !getComputedStyle(el).color) return 0;
      const rgb = (s) => s.match(/[0-9.]+/g).slice(0, 3).map(Number);
      const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
      const lum = ([r, g, b]) => 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
      const fg = lum(rgb(getComputedStyle(el).color));
      let bgEl = el; let bg = getComputedStyle(bgEl).backgroundColor;
      while (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent') {
        bgEl = bgEl.parentElement; bg = getComputedStyle(bgEl).backgroundColor;
      }
      const b = lum(rgb(bg));
      return (Math.max(fg, b) + 0.05) / (Math.min(fg, b) + 0.05);
    }"""))


def test_the_disabled_cashless_button_explains_itself_in_readable_type(screens: Screens) -> None:
    viewport = {"width": 1280, "height": 800}
    page = _station(screens, viewport, "station")
    page.locator("#sim-toggle").click()
    page.locator("#sim-terminal").click()  # the terminal goes off line
    page.locator("#sim-toggle").click()
    _handed_off(screens.server.rt, ["juminhyo"])
    expect(page.locator(".kiosk-cashless")).to_be_disabled()
    expect(page.locator(".kiosk-cashless .kiosk-btn-hint")).to_have_text("現在キャッシュレスはご利用いただけません")
    assert _contrast(page, ".kiosk-cashless .kiosk-btn-hint") >= 4.5
    # Read with a retrying assertion: the screen may be redrawn (its node replaced) meanwhile.
    expect(page.locator(".kiosk-cashless")).to_have_css("opacity", "1")
    screens.snap("station", "cashless-off")


def test_a_paid_result_is_shown_once_for_its_own_sale_and_not_after_a_reload(screens: Screens) -> None:
    viewport = {"width": 1280, "height": 800}
    page = _station(screens, viewport, "station")
    _handed_off(screens.server.rt, ["juminhyo"])
    expect(page.locator("#screen")).to_have_attribute("data-phase", "due-method")
    page.locator(".kiosk-cash").click()
    page.locator("#sim-toggle").click()
    page.locator("[data-insert='1000']").click()
    expect(page.locator("#screen")).to_have_attribute("data-phase", "paid")
    expect(page.locator(".paid-with")).to_have_text("現金　300円")
    page.reload()
    expect(page.locator("#screen")).to_have_attribute("data-phase", "idle")
    expect(page.get_by_text("お支払いが完了しました")).to_have_count(0)


def test_a_qr_payment_repeats_the_brand_and_the_amount_when_paid(screens: Screens) -> None:
    viewport = {"width": 1280, "height": 800}
    page = _station(screens, viewport, "station")
    _handed_off(screens.server.rt, ["juminhyo"])
    page.locator(".kiosk-cashless").click()
    page.locator("[data-category=qr]").click()
    page.locator("[data-brand=paypay]").click()
    page.locator("#sim-toggle").click()
    page.locator("[data-outcome=approved]").click()
    expect(page.locator("#screen")).to_have_attribute("data-phase", "paid")
    expect(page.locator(".paid-with")).to_have_text("PayPay　300円")
    screens.snap("station", "qr-paid")


def test_japanese_lines_break_between_phrases(screens: Screens) -> None:
    page = _station(screens, {"width": 1080, "height": 1920}, "station")
    _handed_off(screens.server.rt, ["juminhyo"])
    expect(page.locator("#screen")).to_have_attribute("data-phase", "due-method")
    heading = page.locator(".choices h1")
    expect(heading).to_have_text("お支払い方法を選んでください")  # the text reads as written
    assert heading.locator("wbr").count() >= 1  # and may break only between its phrases
    expect(heading).to_have_css("word-break", "keep-all")
