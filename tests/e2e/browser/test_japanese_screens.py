"""The staff screens speak Japanese, name people and things, and find fees by their reading.

A refused action or a jammed station is said from the error's code and params in the ja
catalog (the server's English message is for API clients only); an unknown code gets a
generic Japanese message showing the code. The register's key field finds a fee by its
name or reading, in hiragana or katakana, full or half width.
"""
from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import PASSWORDS, Screens

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)

#: What the server's English messages look like; none of it may reach a staff screen.
ENGLISH = re.compile(r"\b(may not|jammed|log in|out of service|cashier|serving)\b", re.I)


def _no_english(page: Any, selector: str) -> None:
    text = page.locator(selector).inner_text()
    assert not ENGLISH.search(text), text


def _pay_300_in_cash(staff: Any, station: Any) -> None:
    staff.keyboard.type("1\n\n")
    expect(station.locator("#screen")).to_have_attribute("data-phase", "due-method")
    station.locator(".kiosk-cash").click()
    for _ in range(3):
        station.locator("[data-insert='100']").click()
    expect(station.locator("#screen")).to_have_attribute("data-phase", "paid")


def test_a_cashier_typed_into_the_approval_dialog_is_refused_in_japanese(screens: Screens) -> None:
    staff = screens.staff()
    station = screens.station()
    expect(staff.locator("#targets .target")).to_have_count(3)
    _pay_300_in_cash(staff, station)
    staff.locator(".sale-state[data-state=paid]").get_by_role("button", name="返金").click()
    approval = staff.locator("#approval-dialog")
    approval.locator("#approval-reason").fill("不要な証明書の交付")
    approval.locator("#approval-login").fill("cashier")
    approval.locator("#approval-password").fill(PASSWORDS["cashier"])
    approval.locator("#approval-submit").click()
    expect(approval.locator("#approval-error")).to_have_text("窓口職員には「承認」の権限がありません。")
    _no_english(staff, "#approval-error")
    screens.snap("staff", "not-allowed")

    # The API still answers its clients with the code, the params and an English message.
    answer = staff.evaluate("""async (password) => {
      try { await api("POST", "/api/screens/approvals", {action: "refund", sale_id: S.sales[0].id, id: uuid(),
                                                         reason: "x", login: "cashier", password}); }
      catch (err) { return {code: err.code, params: err.data.params, message: err.message}; }
    }""", PASSWORDS["cashier"])
    assert answer["code"] == "not_allowed" and answer["params"] == {"role": "cashier", "action": "approve"}
    assert "may not approve" in answer["message"]


def test_a_jammed_station_is_named_in_japanese_on_the_register_and_in_the_office(screens: Screens) -> None:
    staff = screens.staff()
    station1 = screens.station("honcho-p1", label="station1")
    expect(staff.locator("#targets .target")).to_have_count(3)
    staff.locator("button.fee[data-code=juminhyo]").click()
    staff.locator("#handoff").click()
    expect(staff.locator(".sale-state[data-state=awaiting_payment]")).to_contain_text("精算機1へ")
    # The office names the sale a station serves by where it came from and its amount, not by an id.
    office = screens.staff("office", login="supervisor", desk=None, path="/office")
    card = office.locator(".station-card[data-station=honcho-p1]")
    expect(card).to_contain_text("受付1から 300円")

    station1.locator(".kiosk-cash").click()
    station1.locator("[data-insert='100']").click()
    # The coin is in before the jam is armed: armed while the insert was still on its way,
    # the jam would catch that insert instead of the next one.
    expect(station1.locator(".cash-inserted")).to_have_text("100円")
    station1.locator("#sim-jam").click()
    expect(station1.locator("#sim-note")).to_have_text("次の動作で詰まります")
    station1.locator("[data-insert='500']").click()
    expect(station1.locator("#screen")).to_have_attribute("data-phase", "fault")

    # The office: the station's card says what stopped it, in Japanese.
    expect(card.locator(".alert-danger")).to_have_text("停止中: 釣銭機の詰まり（投入時）")
    _no_english(office, ".station-card[data-station=honcho-p1]")

    # The register: a sale sent to the jammed station by name is refused in Japanese.
    # (The register offers only stations in service; a clerk whose screen had not yet heard of the
    # jam would send it there, which is what this does through the register's own write path.)
    staff.locator("button.fee[data-code=inkan-shomei]").click()
    expect(staff.locator("#total")).to_have_text("300円")
    staff.evaluate("serial(() => api('POST', `/api/sales/${S.sale.id}/handoff`, "
                   "{id: uuid(), payment_station: 'honcho-p1'}))")
    expect(staff.locator("#toast")).to_have_text("精算機1は釣銭機の詰まりで停止中です。別の精算機を選んでください。")
    _no_english(staff, "#toast")
    screens.snap("staff", "station-jammed")
    screens.snap("office", "station-jammed")


def test_an_error_the_screen_does_not_know_shows_its_code_in_japanese_never_the_english(screens: Screens) -> None:
    staff = screens.staff()
    expect(staff.locator("#targets .target")).to_have_count(3)
    text = staff.evaluate("errorText(new ApiError(409, 'brand_new_code', 'the English message', {}))")
    assert text == "処理できませんでした（エラーコード: brand_new_code）。"
    text = staff.evaluate("errorText(new ApiError(401, 'login_required', 'log in first', {}))")
    assert text == "ログインしてください。"


def test_the_key_field_finds_a_fee_by_its_reading_in_hiragana_and_katakana(screens: Screens) -> None:
    staff = screens.staff()
    expect(staff.locator("#targets .target")).to_have_count(3)
    keypad = staff.locator("#keypad")
    keypad.fill("じゅうみんひょう")
    matches = staff.locator("#keypad-matches li")
    expect(matches.first).to_contain_text("住民票の写し")
    expect(staff.locator("#keypad-matches")).to_contain_text("住民票記載事項証明書")
    screens.snap("staff", "search")
    keypad.press("Enter")
    expect(staff.locator("#lines li", has_text="住民票の写し")).to_have_count(1)

    keypad.fill("ジュウミンヒョウ")  # katakana finds the same fee: a second copy
    keypad.press("Enter")
    expect(staff.locator("#total")).to_have_text("600円")

    keypad.fill("ｺｾｷｾﾞﾝﾌﾞ")  # half-width katakana, by reading
    keypad.press("Enter")
    expect(staff.locator("#lines li", has_text="戸籍全部事項証明書")).to_have_count(1)

    keypad.fill("印鑑登録証明")  # by name
    keypad.press("Enter")
    expect(staff.locator("#lines li", has_text="印鑑登録証明書")).to_have_count(1)
    expect(staff.locator("#total")).to_have_text("1,350円")

    keypad.fill("ぞうきん")  # nothing by that name
    expect(staff.locator("#keypad-matches")).to_be_hidden()
    keypad.press("Enter")
    expect(staff.locator("#keypad-message")).to_contain_text("ぞうきん")
