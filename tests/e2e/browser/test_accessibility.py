"""Every screen passes axe-core with no serious or critical finding, has an h1 and no empty
table header.

axe-core is vendored (``vendor/axe.min.js``, MPL-2.0, its licence beside it) so the tests need
no network. It is evaluated through the DevTools protocol, which the page's
Content-Security-Policy does not govern (an inline script tag would be refused, and rightly).
"""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import Screens

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def _findings(page: Any) -> list[str]:
    """The serious and critical axe findings on the page as it is, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate("""async () => {
      const r = await axe.run(document, {resultTypes: ["violations"]});
      return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5)}));
    }""")
    return [f"{v['impact']} {v['id']}: {v['help']} at {v['nodes']}" for v in result if v["impact"] in BLOCKING]


def _check(page: Any, name: str) -> None:
    problems = _findings(page)
    assert not problems, f"{name}:\n" + "\n".join(problems)
    assert page.locator("h1").count() >= 1, f"{name}: no h1"
    empty = page.evaluate("[...document.querySelectorAll('th')].filter((th) => !th.textContent.trim()).length")
    assert empty == 0, f"{name}: {empty} empty table header(s)"


def test_the_login_page_and_the_station_pairing_page_pass_axe(screens: Screens) -> None:
    login = screens.blank("login")
    login.goto("/login")
    expect(login.locator("#login-form")).to_be_visible()
    _check(login, "login")
    # The check can fail: a button with no name is a critical finding.
    login.evaluate("document.body.append(document.createElement('button'))")
    assert any("button-name" in f for f in _findings(login))
    login.evaluate("document.body.lastElementChild.remove()")
    pairing = screens.station(pair=False, label="pairing")
    expect(pairing.locator("h1")).to_be_visible()
    _check(pairing, "pairing")


def test_the_register_and_the_payment_station_pass_axe(screens: Screens) -> None:
    staff = screens.staff()
    station = screens.station()
    expect(staff.locator("#targets .target")).to_have_count(3)
    expect(station.locator("#screen")).to_have_attribute("data-phase", "idle")
    _check(staff, "register")
    _check(station, "station idle")
    staff.keyboard.type("1\n")
    staff.locator("#keypad").fill("じゅうみん")
    expect(staff.locator("#keypad-matches li").first).to_be_visible()
    _check(staff, "register with a sale and a search")
    staff.locator("#keypad").fill("")
    staff.keyboard.press("Enter")
    expect(station.locator("#screen")).to_have_attribute("data-phase", "due-method")
    _check(station, "station with a sale due")
    _check(staff, "register with a sale handed off")


def test_the_back_office_pages_pass_axe(screens: Screens) -> None:
    office = screens.staff("office", login="supervisor", desk=None, path="/office")
    expect(office.locator(".station-card").first).to_be_visible()
    _check(office, "office")
    close = screens.staff("office-close", login="supervisor", desk=None, path="/office/close")
    expect(close.locator("h1")).to_be_visible()
    close.wait_for_load_state("networkidle")
    _check(close, "office/close")
    reconcile = screens.staff("office-reconcile", login="accountant", desk=None, path="/office/reconcile")
    expect(reconcile.locator("h1")).to_be_visible()
    reconcile.wait_for_load_state("networkidle")
    _check(reconcile, "office/reconcile")
