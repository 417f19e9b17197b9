"""The register's other duties in a real browser: exemption, cancelling before payment,
and a refund after payment that a supervisor approves on the spot."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import PASSWORDS, Screens

from madoguchi.adapters.db.tables import Refund

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)


def test_an_exempt_line_a_cancelled_sale_and_a_refund_approved_by_a_supervisor_on_the_spot(screens: Screens) -> None:
    rt = screens.server.rt
    staff = screens.staff()
    station = screens.station()
    expect(staff.locator("#targets .target")).to_have_count(3)

    # An official request: the certificate is exempt, with its reason; the other line is paid.
    staff.locator("button.fee[data-code=juminhyo]").click()
    staff.locator("button.fee[data-code=koseki-zenbu]").click()
    expect(staff.locator("#total")).to_have_text("750円")
    staff.locator("#lines li", has_text="住民票の写し").get_by_role("button", name="免除").click()
    dialog = staff.locator("#exempt-dialog")
    dialog.get_by_text("公用請求").click()
    dialog.get_by_role("button", name="免除にする").click()
    expect(staff.locator("#lines li", has_text="住民票の写し")).to_contain_text("免除: 公用請求")
    expect(staff.locator("#total")).to_have_text("450円")

    # The resident changes their mind before paying: the clerk cancels with a reason.
    staff.get_by_role("button", name="この受付を取り消す").click()
    staff.locator("#cancel-dialog").get_by_text("申請の取下げ").click()
    staff.locator("#cancel-confirm").click()
    expect(staff.locator("#empty-sale")).to_be_visible()
    expect(staff.locator(".sale-state[data-state=cancelled]")).to_be_visible()

    # The next resident pays 300 yen exactly, then it turns out the certificate was not needed.
    staff.keyboard.type("1\n\n")
    expect(station.locator("#screen")).to_have_attribute("data-phase", "due-method")
    station.locator(".kiosk-cash").click()
    for _ in range(3):
        station.locator("[data-insert='100']").click()
    expect(station.locator("#screen")).to_have_attribute("data-phase", "paid")
    paid = staff.locator(".sale-state[data-state=paid]")
    expect(paid).to_contain_text("領収書 精算機1-0001")
    before = rt.devices.of("honcho-p1").changer.counts()

    paid.get_by_role("button", name="返金").click()
    approval = staff.locator("#approval-dialog")
    expect(approval).to_contain_text("返金には責任者の承認が必要です")
    approval.locator("#approval-reason").fill("不要な証明書の交付")
    approval.locator("#approval-login").fill("cashier")  # a cashier cannot approve
    approval.locator("#approval-password").fill(PASSWORDS["cashier"])
    approval.locator("#approval-submit").click()
    expect(approval.locator("#approval-error")).to_contain_text("権限がありません")
    approval.locator("#approval-login").fill("supervisor")
    approval.locator("#approval-password").fill(PASSWORDS["supervisor"])
    approval.locator("#approval-submit").click()
    expect(approval).to_be_hidden()
    expect(staff.locator("#toast")).to_contain_text("返金しました（現金で返金）")
    expect(staff.locator(".sale-state[data-state=refunded]")).to_be_visible()

    with rt.uow() as uow:
        (refund,) = uow.session.query(Refund).all()
        assert (refund.method, refund.amount, refund.approved_by, refund.state) == ("cash", 300, "supervisor", "done")
    after = rt.devices.of("honcho-p1").changer.counts()
    assert before[100] - after[100] == 3
    staff.locator("#open-today").click()
    rows = staff.locator("#today-rows tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("返金済")
    expect(rows.nth(1)).to_contain_text("取消済")
