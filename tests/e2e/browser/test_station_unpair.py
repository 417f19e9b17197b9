"""A supervisor unpairs a payment station's screen from the back office, in a real browser,
after a question asked in the page (not the browser's confirm()).
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import Screens

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)  # generous for a loaded CI machine; passing runs never wait for it


def test_a_supervisor_unpairs_a_station_screen_after_confirming_in_the_page_not_a_browser_popup(
        screens: Screens) -> None:
    screens.station()
    office = screens.staff(label="office", login="supervisor", desk=None, path="/office")
    card = office.locator('.station-card[data-station="honcho-p1"]')
    unpair = card.get_by_role("button", name="画面の登録を解除")
    dialog = office.locator("#ask-dialog")

    unpair.click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("の画面の登録を解除します。よろしいですか。")
    dialog.get_by_role("button", name="キャンセル").click()
    expect(dialog).to_be_hidden()
    expect(unpair).to_be_visible()  # nothing happened

    unpair.click()
    dialog.get_by_role("button", name="OK").click()
    expect(card).to_contain_text("未登録")
    expect(unpair).to_have_count(0)
