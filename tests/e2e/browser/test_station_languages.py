"""The payment station in the resident's language, in a real browser: English and Chinese
through a cash payment, Korean through a declined card retried and paid; every screen readable.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import Screens
from tests.e2e.browser.counter_pages import _readable, _ready_register, _station_shows

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)  # generous for a loaded CI machine; passing runs never wait for it


def test_the_station_speaks_english_and_chinese(screens: Screens) -> None:
    staff = screens.staff()
    station = screens.station()
    _ready_register(staff)
    staff.locator("button.fee[data-code=juminhyo]").click()
    staff.locator("button.fee[data-code=juminhyo]").click()
    staff.locator("#handoff").click()
    _station_shows(station, "due-method")

    station.get_by_role("button", name="English").click()
    expect(station.locator("html")).to_have_attribute("lang", "en")
    expect(station.locator(".due-label")).to_have_text("Amount to pay")
    expect(station.locator(".due-amount")).to_have_text("¥600")
    expect(station.locator(".due-lines")).to_contain_text("Certificate of residence")
    expect(station.locator(".kiosk-cash .kiosk-btn-title")).to_have_text("Cash")
    station.locator(".kiosk-cashless").click()
    expect(station.locator("h1")).to_have_text("Please choose the type of payment")
    screens.snap("station", "english")
    station.get_by_role("button", name="Back").click()

    station.get_by_role("button", name="中文").click()
    expect(station.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(station.locator(".due-label")).to_have_text("应付金额")
    expect(station.locator(".due-amount")).to_have_text("600日元")
    expect(station.locator(".due-lines")).to_contain_text("住民票副本")  # the fee's Chinese name
    screens.snap("station", "chinese")
    station.locator(".kiosk-cash").click()
    expect(station.locator(".cash h1")).to_have_text("请投入现金")
    _readable(station)
    station.locator("[data-insert='1000']").click()
    _station_shows(station, "paid")
    expect(station.locator("h1")).to_have_text("支付已完成")
    expect(station.locator(".take-change")).to_have_text("请取走找零 400日元")
    expect(staff.locator(".sale-state[data-state=paid]")).to_contain_text("おつり 400円")


def test_a_declined_card_is_retried_and_paid_with_the_station_in_korean(screens: Screens) -> None:
    staff = screens.staff()
    station = screens.station()
    _ready_register(staff)
    staff.locator("button.fee[data-code=kazei-shomei]").click()
    staff.locator("#handoff").click()
    _station_shows(station, "due-method")
    station.get_by_role("button", name="한국어").click()
    expect(station.locator("html")).to_have_attribute("lang", "ko")
    expect(station.locator(".due-label")).to_have_text("결제 금액")
    expect(station.locator(".due-amount")).to_have_text("300엔")
    _readable(station)

    station.locator(".kiosk-cashless").click()
    station.locator("[data-category=emoney]").click()
    station.locator("[data-brand=waon]").click()
    expect(station.locator("h1")).to_have_text("카드를 리더기에 터치해 주십시오")
    _readable(station)
    station.locator("[data-outcome=declined]").click()
    expect(station.locator("h1")).to_have_text("결제가 완료되지 않았습니다")
    expect(staff.locator(".sale-state[data-state=awaiting_payment]")).to_contain_text("カードが使えませんでした")
    screens.snap("station", "declined")
    _readable(station)

    station.get_by_role("button", name="다시 시도").click()
    _station_shows(station, "due-present")
    station.locator("[data-outcome=approved]").click()
    _station_shows(station, "paid")
    expect(station.locator("h1")).to_have_text("결제가 완료되었습니다")
    _readable(station)
    expect(staff.locator(".sale-state[data-state=paid]")).to_contain_text("電子マネー（WAON）")
