"""A resident at the counter when something goes wrong, in a real browser: a changer that jams
during cash (the sale moves to the other station), and a card terminal that times out (an
in-doubt incident on the staff's banner and in the back office).
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import Screens
from tests.e2e.browser.counter_pages import _readable, _ready_register, _station_shows

from madoguchi.domain.auth import SYSTEM
from madoguchi.services.counter import incidents

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)  # generous for a loaded CI machine; passing runs never wait for it


def test_a_jam_during_cash_moves_the_sale_to_the_second_station_where_it_is_paid_and_the_cash_is_accounted_for(
        screens: Screens) -> None:
    rt = screens.server.rt
    staff = screens.staff()
    station1 = screens.station("honcho-p1", label="station1")
    station2 = screens.station("honcho-p2", label="station2")
    _ready_register(staff)
    staff.locator("button.fee[data-code=juminhyo]").click()
    staff.locator("#handoff").click()
    expect(staff.locator(".sale-state[data-state=awaiting_payment]")).to_contain_text("精算機1へ")

    # 100 yen goes in, then the changer jams on the next coin.
    station1.locator(".kiosk-cash").click()
    station1.locator("[data-insert='100']").click()
    expect(station1.locator(".cash-inserted")).to_have_text("100円")
    expect(staff.locator(".sale-state[data-state=paying]")).to_contain_text("投入済み 100円")
    station1.locator("#sim-jam").click()
    expect(station1.locator("#sim-note")).to_have_text("次の動作で詰まります")
    station1.locator("[data-insert='500']").click()
    _station_shows(station1, "fault")
    expect(station1.locator("h1")).to_have_text("係員をお呼びください")
    expect(station1.locator(".held")).to_contain_text("100円")
    _readable(station1)

    # The clerk sees the alert and moves the sale with one action.
    alert = staff.locator(".sale-state .alert-danger")
    expect(alert).to_contain_text("精算機1で釣銭機が詰まりました。")
    expect(alert).to_contain_text("投入済みの 100円 は機内に保管されています")
    screens.snap("station1", "jammed")
    screens.snap("staff", "jam-alert")
    move = alert.get_by_role("button", name="精算機2へ移す")
    move.click()
    expect(staff.locator(".sale-state[data-state=awaiting_payment]")).to_contain_text("精算機2へご案内ください")

    p2_before = rt.devices.of("honcho-p2").changer.counts()
    _station_shows(station2, "due-method")
    station2.locator(".kiosk-cash").click()
    station2.locator("[data-insert='500']").click()
    _station_shows(station2, "paid")
    expect(station2.locator(".take-change")).to_have_text("おつり 200円をお取りください")
    expect(staff.locator(".sale-state[data-state=paid]")).to_contain_text("領収書 精算機2-0001")

    # Every yen: 100 held in the jammed machine under an open incident, 500 in, 200 out at station 2.
    (jam,) = [i for i in incidents.list_incidents(rt, actor=SYSTEM) if i["kind"] == "cash_jam"]
    assert (jam["payment_station"], jam["amount"]) == ("honcho-p1", 100)
    assert rt.devices.of("honcho-p1").changer.deposit_amount() == 100
    p2 = rt.devices.of("honcho-p2").changer.counts()
    assert p2[500] == p2_before[500] + 1 and p2[100] == p2_before[100] - 2
    # A supervisor clears the jam: the 100 yen goes back to the resident and the incident closes.
    sup = screens.browser.new_context(base_url=screens.server.url)
    screens.contexts.append(sup)
    screens.login(sup, "supervisor")
    csrf = sup.request.get("/api/auth/me").json()["csrf_token"]
    cleared = sup.request.post("/api/stations/honcho-p1/clear-jam", data={"note": "returned to resident"},
                               headers={"X-CSRF-Token": csrf}).json()
    assert cleared["returned"] == 100
    _station_shows(station1, "idle")


def test_a_cashless_timeout_becomes_an_in_doubt_incident_on_the_staff_banner_and_in_the_back_office(
        screens: Screens) -> None:
    staff = screens.staff()
    station = screens.station()
    office = screens.staff(label="office", login="supervisor", desk=None, path="/office")
    _ready_register(staff)
    expect(office.locator("#kpi-incidents")).to_have_text("0")
    staff.locator("button.fee[data-code=juminhyo]").click()
    staff.locator("#handoff").click()

    station.locator(".kiosk-cashless").click()
    station.locator("[data-category=credit]").click()
    _station_shows(station, "due-present")
    expect(station.locator("h1")).to_have_text("カードを差し込むか、読み取り部にタッチしてください")
    station.select_option("#sim-brand", "visa")
    station.locator("[data-outcome=timeout_unknown]").click()

    _station_shows(station, "in_doubt")
    expect(station.locator("h1")).to_have_text("お支払いの結果を確認しています")
    expect(station.locator(".lead")).to_contain_text("二重に請求されることはありません")
    _readable(station)

    banner = staff.locator("#doubt-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("処理未了の決済が 1 件あります")
    expect(banner).to_contain_text("VISA")
    expect(staff.locator(".sale-state[data-state=in_doubt]")).to_contain_text("処理未了")

    expect(office.locator("#kpi-incidents")).to_have_text("1")
    row = office.locator("#incident-rows tr[data-kind=cashless_unknown]")
    expect(row).to_contain_text("処理未了（キャッシュレス）")
    expect(row).to_contain_text("本庁 市民課・精算機1")
    expect(row).to_contain_text("300円")
    expect(row.locator(".age")).to_have_text("たった今")
    expect(office.locator("#kpi-journal")).to_have_text("正常")
