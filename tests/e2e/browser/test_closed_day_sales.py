"""Closed days and corrections at the register (issue 15, part 3), in a real browser.

- A sale made after the site's day is closed belongs to the next business day: it stays on
  the register (its card, 本日の受付) with a banner naming that day, and can be moved and
  cancelled there.
- Receipt numbers restart at each payment station, so a number is always shown with its
  station (精算機1-0001), and 本日の受付 has a station column.
- A 0-yen (exempt) sale goes to no payment station and offers no refund or receipt reissue.
"""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import Screens
from tests.helpers import handed_off, pay_cash

from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.domain.receipt import business_date
from madoguchi.services.close import close_day

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)

CASHIER = Actor("cashier", Role.CASHIER, frozenset({"honcho"}))
SUPERVISOR = Actor("supervisor", Role.SUPERVISOR, frozenset({ALL_SITES}))


def _close_today(rt) -> dt.date:  # type: ignore[no-untyped-def]
    today = business_date(rt.clock())
    counted = {s: {str(d): n for d, n in rt.devices.of(s).changer.counts().items()} for s in ("honcho-p1", "honcho-p2")}
    close_day.close_day(rt, site="honcho", day=today, counted=counted, actor=SUPERVISOR, confirm_warnings=True)
    return today


def test_a_sale_made_after_the_close_stays_on_the_register_with_its_day_and_can_be_moved_and_cancelled(
        screens: Screens) -> None:
    rt = screens.server.rt
    today = _close_today(rt)
    tomorrow = today + dt.timedelta(days=1)
    day_text = f"{tomorrow.month}月{tomorrow.day}日"
    screens.station("honcho-p1", label="station1")
    screens.station("honcho-p2", label="station2")
    staff = screens.staff()
    expect(staff.locator("#station-status .station-pill")).to_have_count(2)

    # The sale being entered already says which day it belongs to.
    staff.locator("button.fee[data-code=juminhyo]").click()
    notice = staff.locator("#sale-day-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(f"この受付は{day_text}の扱いです")
    staff.locator("#handoff").click()

    # Handed off, it is on the register (it used to vanish from every list), with its banner.
    card = staff.locator(".sale-state[data-state=awaiting_payment]")
    expect(card).to_contain_text("精算機1へご案内ください")
    expect(card.locator(".day-notice")).to_contain_text(day_text)
    expect(card.locator(".day-notice")).to_have_attribute("data-day", tomorrow.isoformat())
    screens.snap("staff", "closed-day-sale")

    # It can be moved to the other station ...
    card.get_by_role("button", name="別の精算機へ移す").click()
    expect(staff.locator(".sale-state[data-state=awaiting_payment]")).to_contain_text("精算機2へご案内ください")
    # ... and it is in 本日の受付, marked with its day.
    staff.locator("#open-today").click()
    row = staff.locator(f"#today-rows tr[data-day='{tomorrow.isoformat()}']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"{day_text}扱い")
    expect(row).to_contain_text("精算機2")
    screens.snap("staff", "closed-day-today")
    # ... and cancelled from there.
    row.get_by_role("button", name="取消").click()
    staff.locator("#cancel-confirm").click()
    expect(row).to_contain_text("取消済")


def test_receipt_numbers_are_shown_with_their_station(screens: Screens) -> None:
    rt = screens.server.rt
    pay_cash(rt, CASHIER, handed_off(rt, CASHIER, station="honcho-p1"), [1000])
    pay_cash(rt, CASHIER, handed_off(rt, CASHIER, station="honcho-p2"), [500])
    staff = screens.staff()
    expect(staff.locator(".sale-state[data-state=paid]")).to_have_count(2)
    expect(staff.locator("#active-list")).to_contain_text("領収書 精算機1-0001")
    expect(staff.locator("#active-list")).to_contain_text("領収書 精算機2-0001")

    staff.locator("#open-today").click()
    expect(staff.locator("#today-table thead")).to_contain_text("精算機")
    numbers = staff.locator("#today-rows td.receipt-no")
    expect(numbers).to_have_text(["精算機2-0001", "精算機1-0001"])  # newest first: two receipts 1, told apart
    expect(staff.locator("#today-rows")).not_to_contain_text("No.1")
    screens.snap("staff", "receipts-by-station")


def test_a_zero_yen_sale_goes_to_no_station_and_offers_no_refund_or_reprint(screens: Screens) -> None:
    station = screens.station()
    staff = screens.staff()
    expect(station.locator("#screen")).to_have_attribute("data-phase", "idle")
    staff.locator("button.fee[data-code=juminhyo]").click()
    staff.locator("#lines li", has_text="住民票の写し").get_by_role("button", name="免除").click()
    staff.locator("#exempt-dialog").get_by_text("公用請求").click()
    staff.locator("#exempt-dialog").get_by_role("button", name="免除にする").click()
    expect(staff.locator("#total")).to_have_text("0円")
    expect(staff.locator("#handoff-label")).to_have_text("受付を完了（0円）")
    staff.locator("#handoff").click()

    card = staff.locator(".sale-state[data-state=paid]")
    expect(card).to_contain_text("0円（免除）で完了")
    expect(card.get_by_role("button", name="返金")).to_have_count(0)
    expect(card.get_by_role("button", name="領収書を再発行")).to_have_count(0)
    expect(station.locator("#screen")).to_have_attribute("data-phase", "idle")  # nobody is sent to pay 0 yen
    staff.locator("#open-today").click()
    row = staff.locator("#today-rows tr")
    expect(row).to_have_count(1)
    expect(row.get_by_role("button")).to_have_count(0)
    screens.snap("staff", "zero-yen")
