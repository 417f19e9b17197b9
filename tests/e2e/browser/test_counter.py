"""A resident at the counter, in a real browser: the staff register and the payment station side by side.

Each test opens (at least) two pages at once, the clerk's register and the resident's
payment station, and drives them as people would; the demo simulator panel on the
station plays the resident's cash and card and the machine's faults.

Here a resident pays: in cash with change, and by a QR code brand after items typed on the
keypad. Faults are in ``test_counter_faults.py``, languages in ``test_station_languages.py``.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import PASSWORDS, Screens, publish_doc_image, taps
from tests.e2e.browser.counter_pages import _readable, _ready_register, _station_shows

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)  # generous for a loaded CI machine; passing runs never wait for it


def test_one_juminhyo_paid_in_cash_with_change_takes_two_taps_and_shows_the_receipt_on_both_screens(
        screens: Screens) -> None:
    rt = screens.server.rt
    # The clerk logs in on the register and picks the desk once; the device remembers it.
    staff = screens.blank("staff")
    staff.goto("/register")
    expect(staff).to_have_url(screens.server.url + "/login?next=/register")
    staff.fill("#login", "cashier")
    staff.fill("#password", PASSWORDS["cashier"])
    staff.click("#login-submit")
    expect(staff.locator("#place-dialog")).to_be_visible()
    staff.get_by_role("button", name="受付1").click()
    staff.get_by_role("button", name="この受付で始める").click()
    expect(staff.locator("#place-label")).to_have_text("本庁 市民課・受付1")

    # A supervisor pairs the payment station's screen on the spot.
    station = screens.station(pair=False)
    expect(station.get_by_role("heading", name="精算機の画面登録")).to_be_visible()
    station.fill("#login", "supervisor")
    station.fill("#password", PASSWORDS["supervisor"])
    station.click("#pair-submit")
    _station_shows(station, "idle")
    expect(station.get_by_role("heading", name="いらっしゃいませ")).to_be_visible()
    _ready_register(staff)
    staff.reload()  # the desk is remembered on this device
    _ready_register(staff)

    # From the idle register: one tap on 住民票の写し, one tap to hand it off.
    staff.evaluate("window.__taps = 0")
    staff.locator("button.fee[data-code=juminhyo]").click()
    expect(staff.locator("#total")).to_have_text("300円")
    staff.locator("#handoff").click()
    card = staff.locator(".sale-state[data-state=awaiting_payment]")
    expect(card).to_contain_text("精算機1へご案内ください")
    assert taps(staff) == 2

    # The resident sees the amount, chooses cash, puts in a 1,000-yen note.
    _station_shows(station, "due-method")
    expect(station.locator(".due-amount")).to_have_text("300円")
    expect(station.locator(".due-lines")).to_contain_text("住民票の写し")
    _readable(station)
    publish_doc_image(screens.snap("station", "due"), "station.png")
    station.locator(".kiosk-cash").click()
    _station_shows(station, "cash")
    expect(staff.locator(".sale-state[data-state=paying]")).to_be_visible()
    station.locator("[data-insert='1000']").click()

    _station_shows(station, "paid")
    expect(station.locator(".receipt-number")).to_have_text("1")
    expect(station.locator(".take-change")).to_have_text("おつり 700円をお取りください")
    paid = staff.locator(".sale-state[data-state=paid]")
    expect(paid).to_contain_text("領収書 精算機1-0001")
    expect(paid).to_contain_text("おつり 700円")

    # The machine kept the note and paid out 700 yen.
    counts = rt.devices.of("honcho-p1").changer.counts()
    assert counts[1000] == 51 and counts[500] == 19 and counts[100] == 98

    # The next resident's certificates go in while the first one leaves (for the README picture,
    # with the second station's screen on too).
    screens.station("honcho-p2", label="station2")
    expect(staff.locator(".station-pill-free")).to_have_count(2)
    staff.locator("button.fee[data-code=koseki-zenbu]").click()
    staff.locator("button.fee[data-code=inkan-shomei]").click()
    staff.locator("button.fee[data-code=inkan-shomei]").click()
    expect(staff.locator("#total")).to_have_text("1,050円")
    shots = screens.shoot()
    publish_doc_image(shots["staff"], "register.png")


def test_three_items_are_typed_on_the_keypad_and_paid_by_a_qr_code_brand(screens: Screens) -> None:
    staff = screens.staff()
    station = screens.station()
    _ready_register(staff)
    _station_shows(station, "idle")

    # A numeric keypad: fee number + Enter adds it, 3*2 sets the copies, a bare Enter hands it off.
    keypad = staff.locator("#keypad")
    expect(keypad).to_be_focused()
    staff.keyboard.type("1\n")
    expect(staff.locator("#lines li")).to_have_count(1)
    staff.keyboard.type("2\n")
    expect(staff.locator("#lines li")).to_have_count(2)
    staff.keyboard.type("3*2\n")
    expect(staff.locator("#lines li")).to_have_count(3)
    expect(staff.locator("#total")).to_have_text("1,500円")
    staff.keyboard.press("Enter")
    expect(staff.locator(".sale-state[data-state=awaiting_payment]")).to_contain_text("精算機1へご案内ください")

    _station_shows(station, "due-method")
    expect(station.locator(".due-amount")).to_have_text("1,500円")
    expect(station.locator(".due-lines li")).to_have_count(3)
    station.locator(".kiosk-cashless").click()
    station.locator("[data-category=qr]").click()
    expect(station.locator("[data-brand]")).to_have_count(11)  # 12 QR brands less LINE Pay, retired in April 2025
    screens.snap("station", "brands")
    station.locator("[data-brand=paypay]").click()
    _station_shows(station, "due-present")
    expect(station.locator("h1")).to_have_text("スマートフォンに表示したQRコードを読み取り部にかざしてください")
    station.locator("[data-outcome=approved]").click()

    _station_shows(station, "paid")
    expect(station.locator(".receipt-number")).to_have_text("1")
    paid = staff.locator(".sale-state[data-state=paid]")
    expect(paid).to_contain_text("領収書 精算機1-0001")
    expect(paid).to_contain_text("QRコード（PayPay）")
    sale = screens.server.rt
    with sale.uow() as uow:
        from madoguchi.adapters.db.tables import Payment
        (payment,) = uow.session.query(Payment).all()
        assert (payment.brand, payment.category, payment.amount, payment.state) == ("paypay", "qr", 1500, "approved")
