"""釣銭の出し入れ in a real browser: a supervisor records a replenishment at one payment station by
denomination; a changer changed behind the journal's back shows on the close page as findings."""
from __future__ import annotations

from playwright.sync_api import expect
from tests.e2e.browser.conftest import Screens
from tests.helpers import changer, journal


def test_a_supervisor_records_a_replenishment_and_the_close_page_names_a_count_that_differs(screens: Screens) -> None:
    rt = screens.server.rt
    office = screens.staff(label="office", login="supervisor", desk=None, path="/office")
    form = office.locator("#cash-form")
    expect(form).to_be_visible()
    form.locator("#cash-station").select_option("honcho-p1")
    expect(form.locator("[data-machine='100']")).not_to_have_text("—")
    form.get_by_label("釣銭補充").check()
    expect(office.locator("#cash-reason-label")).to_have_text("理由（必須）")
    held = changer(rt).counts()[100]
    form.locator("#cash-count-100").fill("20")
    form.locator("#cash-count-10").fill("30")
    expect(office.locator("#cash-total")).to_have_text("2,300円")
    form.locator("#cash-submit").click()  # no reason yet: refused on the page, nothing moved
    expect(office.locator("#cash-error")).to_have_text("釣銭補充・回収には理由が必要です")
    form.locator("#cash-reason").fill("100円硬貨不足のため補充")
    form.locator("#cash-submit").click()
    expect(office.locator("#cash-result")).to_contain_text("釣銭補充")
    expect(office.locator("#cash-result")).to_contain_text("2,300円")
    assert changer(rt).counts()[100] == held + 20
    entry = journal(rt)[-1]
    assert (entry.kind, entry.amount, entry.actor) == ("cash_in", 2300, "supervisor")
    expect(form.locator("[data-machine='100']")).to_have_text(f"{held + 20:,}")
    expect(office.locator("#cash-error")).to_be_hidden()
    # The station's card above follows (the movement is announced to live screens).
    card = office.locator(".station-card[data-station=honcho-p1] tr[data-denomination='100'] td.num")
    expect(card).to_have_text(f"{held + 20:,}")
    screens.snap("office", "replenished")

    # Someone swaps a 1,000-yen note for two 500-yen coins without recording it.
    changer(rt).collect({1000: 1})
    changer(rt).load({500: 2})
    close = screens.staff(label="office-close", login="supervisor", desk=None, path="/office/close")
    close.locator("#interim").click()
    found = close.locator(".finding[data-code=changer_count_differs]")
    expect(found).to_have_count(2)
    expect(found.first).to_contain_text("1,000円: 釣銭機")
