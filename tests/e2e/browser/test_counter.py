"""A resident at the counter, in a real browser: the staff register and the payment station side by side.

Each test opens (at least) two pages at once, the clerk's register and the resident's
payment station, and drives them as people would; the demo simulator panel on the
station plays the resident's cash and card and the machine's faults.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import PASSWORDS, Screens, publish_doc_image, taps

from madoguchi.domain.auth import SYSTEM
from madoguchi.services.counter import incidents

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)  # generous for a loaded CI machine; passing runs never wait for it


#: The smallest font size and the lowest text contrast (WCAG formula) among the visible texts
#: of the resident's screen (the demo panel aside; disabled buttons are exempt in WCAG too).
READABILITY = """() => {
  const lum = (c) => { const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map((v) => { v = v / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const opaque = (c) => !/rgba\\(.*,\\s*0\\)$/.test(c) && c !== "transparent";
  let size = 1e9, contrast = 1e9, worst = "";
  for (const el of document.querySelectorAll(".kiosk *")) {
    if (!el.offsetParent || el.closest(":disabled")) continue;
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const style = getComputedStyle(el);
    size = Math.min(size, parseFloat(style.fontSize));
    let bg = el;
    while (bg && !opaque(getComputedStyle(bg).backgroundColor)) bg = bg.parentElement;
    const [a, b] = [lum(style.color), lum(getComputedStyle(bg || document.body).backgroundColor)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < contrast) { contrast = ratio; worst = el.textContent.trim().slice(0, 40); }
  }
  return {size, contrast, worst};
}"""


def _readable(page) -> None:  # type: ignore[no-untyped-def]
    """Body text at least 24 px and every text at WCAG AA contrast (4.5:1) on the station."""
    r = page.evaluate(READABILITY)
    assert r["size"] >= 24, r
    assert r["contrast"] >= 4.5, r


def _ready_register(page) -> None:  # type: ignore[no-untyped-def]
    """The register has its place and has heard from the server (stations are drawn)."""
    expect(page.locator("#place-label")).not_to_have_text("—")
    expect(page.locator("#targets .target")).to_have_count(3)  # 自動 + the two stations of 本庁


def _station_shows(page, phase: str) -> None:  # type: ignore[no-untyped-def]
    expect(page.locator("#screen")).to_have_attribute("data-phase", phase)


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
