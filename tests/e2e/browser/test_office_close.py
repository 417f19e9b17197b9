"""日次処理 in a real browser: count each station by denomination, check, close, download the sheet."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import expect
from tests.e2e.browser.conftest import SHOTS, Screens, publish_doc_image
from tests.helpers import handed_off, journal, new_id, open_sale, pay_cash, printer, terminal

from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.domain.receipt import business_date
from madoguchi.services.close import close_day
from madoguchi.services.counter import payments, sales

CASHIER = Actor("cashier", Role.CASHIER, frozenset({"honcho"}))


def _card(page: Any, station: str) -> Any:
    return page.locator(f".count-card[data-station={station}]")


def test_a_supervisor_counts_the_cash_closes_each_station_then_the_site(screens: Screens) -> None:
    rt = screens.server.rt
    cashier = CASHIER
    pay_cash(rt, cashier, handed_off(rt, cashier, station="honcho-p1"), [1000])  # 300 yen, 700 change
    waiting = open_sale(rt, cashier)  # a resident who has not paid yet: the site cannot close

    office = screens.staff(label="office", login="supervisor", desk=None, path="/office/close")
    expect(office.locator("h1")).to_have_text("日次処理")
    expect(office.locator("#kpi-sales")).to_have_text("1件")
    expect(office.locator("#kpi-gross")).to_have_text("300円")

    # The interim check lists what stands in the way, without closing anything.
    office.locator("#interim").click()
    expect(office.locator("#findings-source")).to_have_text("中間締めの点検結果")
    expect(office.locator(".finding[data-code=sale_open]")).to_be_visible()
    expect(office.locator("#day-state")).to_have_text("未締め")
    # ... and prints it as a slip on a station's receipt printer.
    office.locator("#slip-printer").select_option("honcho-p2")
    office.locator("#print-slip").click()
    expect(office.locator("#toast")).to_contain_text("精算機2で点検票を印刷しました")
    assert "中間締め" in rt.devices.of("honcho-p2").printer.texts[-1]

    # Station 1: the machine's count copied (a supervisor, once the count is entered and the
    # machine's shown), one 1,000-yen note short; the difference shows live.
    p1 = _card(office, "honcho-p1")
    p1.locator("input[data-denom='10000']").fill("0")
    p1.locator(".reveal-machine").click()
    _card(office, "honcho-p1").get_by_role("button", name="機械の枚数を写す").click()
    office.locator("#ask-ok").click()
    p1 = _card(office, "honcho-p1")
    expect(p1.locator(".over-short").last).to_have_text("過不足なし")
    notes = p1.locator("input[data-denom='1000']")
    notes.fill(str(int(notes.input_value()) - 1))
    expect(p1.locator(".count-total")).to_have_text("123,150円")
    expect(p1.locator(".count-sums .is-bad .over-short")).to_have_text("不足 1,000円")  # in red
    expect(p1.locator(".reason-field.is-needed")).to_be_visible()
    p1.locator(".close-station").click()  # no reason: refused on the spot
    expect(office.locator("#toast")).to_contain_text("理由を入力")
    expect(_card(office, "honcho-p1").locator(".pill")).to_have_text("未締め")
    p1 = _card(office, "honcho-p1")
    p1.locator(".reason-input").fill("千円札1枚を両替に使用、記録漏れ")
    office.evaluate("document.getElementById('toast').hidden = true")
    counting = SHOTS / f"{screens.name}-office-counting.png"
    # The picture for the docs: the head of the page down to the stations' cards.
    bottom = office.evaluate("document.getElementById('stations').getBoundingClientRect().bottom + scrollY")
    office.screenshot(path=str(counting), full_page=True,
                      clip={"x": 0, "y": 0, "width": 1280, "height": int(bottom) + 24})
    publish_doc_image(counting, "close-day-page.png")
    p1.locator(".close-station").click()
    office.locator("#ask-ok").click()  # the close's confirmation, with its figures
    # With a reason it is a warning: the supervisor confirms having seen it, then closes.
    expect(office.locator(".finding-warning[data-code=over_short]")).to_be_visible()
    p1 = _card(office, "honcho-p1")
    expect(p1.locator(".confirm-warnings input")).not_to_be_checked()
    p1.locator(".confirm-warnings input").check()
    p1.locator(".close-station").click()
    office.locator("#ask-ok").click()
    p1 = _card(office, "honcho-p1")
    expect(p1.locator(".pill")).to_have_text("締め済")
    expect(p1.locator(".over-short")).to_have_text("不足 1,000円")
    expect(p1).to_contain_text("千円札1枚を両替に使用")

    # Station 2: counted exactly.
    p2 = _card(office, "honcho-p2")
    p2.locator("input[data-denom='10000']").fill("0")
    p2.locator(".reveal-machine").click()
    _card(office, "honcho-p2").get_by_role("button", name="機械の枚数を写す").click()
    office.locator("#ask-ok").click()
    _card(office, "honcho-p2").locator(".close-station").click()
    office.locator("#ask-ok").click()
    expect(_card(office, "honcho-p2").locator(".pill")).to_have_text("締め済")

    # The site: refused while a sale is unfinished, every finding listed as a list.
    office.locator("#close-site").click()
    office.locator("#ask-ok").click()  # 「…を締めます。よろしいですか。」
    expect(office.locator("#findings-source")).to_have_text("締めを受け付けられませんでした。次の点を確認してください。")
    expect(office.locator(".finding-error[data-code=sale_open]")).to_be_visible()
    expect(office.locator("#day-state")).to_have_text("未締め")
    screens.snap("office", "refused")

    sales.cancel_sale(rt, sale_id=waiting, reason="お客様が帰られた", actor=cashier)
    office.locator("#site-note").fill("千円不足は理由記載のとおり")
    office.locator("#close-site").click()
    office.locator("#ask-ok").click()
    # What is left is a warning (the 1,000-yen shortage, with its reason): seen, confirmed, closed.
    expect(office.locator("#findings-source")).to_contain_text("注意事項を確認しました")
    expect(office.locator(".finding-warning[data-code=over_short]")).to_be_visible()
    expect(office.locator(".finding-error")).to_have_count(0)
    office.locator("#site-confirm").check()
    office.locator("#close-site").click()
    office.locator("#ask-ok").click()  # 「…を締めます。よろしいですか。」
    expect(office.locator("#day-state")).to_have_text("締め済")
    expect(office.locator(".site-closed")).to_be_visible()
    expect(office.locator("#interim")).to_be_disabled()

    # The daily sheet: the link downloads the closed day's workbook.
    with office.expect_download() as download:
        office.locator("#sheet-xlsx").click()
    day = business_date(rt.clock()).isoformat()
    assert download.value.suggested_filename == f"daily-honcho-{day}.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert sheet.sheetnames == ["集計", "本庁 市民課"]


def test_the_interim_check_lists_every_finding_at_once_and_locks_nothing(screens: Screens) -> None:
    rt = screens.server.rt
    open_sale(rt, CASHIER, staff_station="honcho-s3")  # a sale still being entered
    printer(rt).set_paper_out(True)
    pay_cash(rt, CASHIER, handed_off(rt, CASHIER), [100, 100, 100])  # its receipt waits in the queue
    terminal(rt).script("timeout_unknown")
    payments.pay_cashless(rt, payment_id=new_id(), sale_id=handed_off(rt, CASHIER), brand="edy", actor=CASHIER)

    office = screens.staff(label="office", login="supervisor", desk=None, path="/office/close")
    expect(office.locator("#kpi-incidents")).to_have_text("1")
    p1 = _card(office, "honcho-p1")
    p1.locator("input[data-denom='1000']").fill("3")  # counting has only begun: far short, no reason yet
    expect(p1.locator(".count-total")).to_have_text("3,000円")
    office.locator("#interim").click()

    expect(office.locator("#findings-source")).to_have_text("中間締めの点検結果")
    findings = office.locator("#findings .finding")
    for code in ("unbalanced", "receipts_pending", "unknown_outcome_open", "sale_open"):
        expect(findings.and_(office.locator(f"[data-code={code}]")).first).to_be_visible()
    expect(office.locator(".finding[data-code=unbalanced]")).to_contain_text("理由の入力が必要")
    expect(office.locator(".finding[data-code=receipts_pending]")).to_contain_text("未印刷の領収書")
    expect(office.locator(".finding-error")).to_have_count(0)  # an interim check refuses nothing
    # Nothing is locked, and the count typed so far is still there.
    expect(office.locator("#day-state")).to_have_text("未締め")
    expect(_card(office, "honcho-p1").locator(".pill")).to_have_text("未締め")
    expect(_card(office, "honcho-p1").locator("input[data-denom='1000']")).to_have_value("3")
    assert not any(e.kind == "day_closed" for e in journal(rt))
    # The day's incidents, in the screen's words.
    expect(office.locator("#incident-rows tr[data-kind=cashless_unknown]")).to_contain_text(
        "楽天Edy 300円 の決済結果が不明")


def test_a_cashier_is_not_shown_the_close_page(screens: Screens) -> None:
    page = screens.staff(label="staff", login="cashier", desk=None, path="/office/close")
    expect(page.locator("body")).to_contain_text("この画面は使えません")


def test_a_correction_of_a_closed_day_is_requested_by_accounting_and_approved_by_a_supervisor(
        screens: Screens) -> None:
    rt = screens.server.rt
    pay_cash(rt, CASHIER, handed_off(rt, CASHIER, station="honcho-p1"), [1000])
    counted = {s: {str(d): n for d, n in rt.devices.of(s).changer.counts().items()} for s in ("honcho-p1", "honcho-p2")}
    close_day.close_day(rt, site="honcho", day=business_date(rt.clock()), counted=counted,
                        actor=Actor("supervisor", Role.SUPERVISOR, frozenset({ALL_SITES})), confirm_warnings=True)

    accounting = screens.staff(label="office-accounting", login="accountant", desk=None, path="/office/close")
    expect(accounting.locator("#day-state")).to_have_text("締め済")
    expect(accounting.locator("#adjustment-empty")).to_be_visible()
    accounting.locator("#adj-corrects").fill(business_date(rt.clock()).isoformat())
    accounting.locator("#adj-category").select_option("cash")
    accounting.locator("#adj-station").select_option("honcho-p1")
    accounting.locator("#adj-line").select_option("1401-01")  # every correction names its revenue line
    accounting.locator("#adj-amount").fill("-1000")
    accounting.locator("#adj-reason").fill("両替の千円札を売上に数えていた")
    accounting.locator("#adjust-form button[type=submit]").click()
    expect(accounting.locator("#toast")).to_contain_text("別の責任者の承認を待っています")
    row = accounting.locator("#adjustment-rows tr[data-state=requested]")
    expect(row).to_contain_text("-1,000円")
    expect(row.locator(".adj-approve")).to_have_count(0)  # nobody approves their own request

    supervisor = screens.staff(label="office-supervisor", login="supervisor", desk=None, path="/office/close")
    supervisor.locator("#adjustment-rows tr[data-state=requested] .adj-approve").click()
    # The display name, not the login ID.
    expect(supervisor.locator("#adjustment-rows tr[data-state=approved]")).to_contain_text("主任 一郎")
    assert any(e.kind == "adjustment" for e in journal(rt))

    # A second request, rejected with a note in the page's dialog.
    accounting.locator("#adj-corrects").fill(business_date(rt.clock()).isoformat())
    accounting.locator("#adj-category").select_option("qr")
    accounting.locator("#adj-line").select_option("1401-01")
    accounting.locator("#adj-amount").fill("300")
    accounting.locator("#adj-reason").fill("重複して申請")
    accounting.locator("#adjust-form button[type=submit]").click()
    expect(accounting.locator("#adjustment-rows tr[data-state=requested]")).to_have_count(1)
    supervisor.reload()
    supervisor.locator("#adjustment-rows tr[data-state=requested] .adj-reject").click()
    supervisor.locator("#ask-ok").click()  # no note yet: the dialog stays
    expect(supervisor.locator("#ask-dialog")).to_be_visible()
    supervisor.locator("#ask-note").fill("重複申請のため")
    supervisor.locator("#ask-ok").click()
    expect(supervisor.locator("#adjustment-rows tr[data-state=rejected]")).to_have_count(1)
