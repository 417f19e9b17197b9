"""A partial refund from the register in a real browser: the clerk picks the copies to give
back, a supervisor approves on the spot, the changer pays back that much and no more."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import PASSWORDS, Screens, publish_doc_image

from madoguchi.adapters.db.refund_tables import RefundLine
from madoguchi.adapters.db.tables import Refund

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)


def _approve(approval, reason: str) -> None:  # type: ignore[no-untyped-def]
    approval.locator("#approval-reason").fill(reason)
    approval.locator("#approval-login").fill("supervisor")
    approval.locator("#approval-password").fill(PASSWORDS["supervisor"])
    approval.locator("#approval-submit").click()


def test_one_copy_of_three_is_refunded_in_cash_then_the_rest(screens: Screens) -> None:
    rt = screens.server.rt
    staff = screens.staff()
    station = screens.station()
    for _ in range(3):
        staff.locator("button.fee[data-code=juminhyo]").click()
    expect(staff.locator("#total")).to_have_text("900円")
    staff.keyboard.press("Enter")
    expect(station.locator("#screen")).to_have_attribute("data-phase", "due-method")
    station.locator(".kiosk-cash").click()
    station.locator("[data-insert='1000']").click()
    expect(station.locator("#screen")).to_have_attribute("data-phase", "paid")
    paid = staff.locator(".sale-state[data-state=paid]")
    expect(paid).to_be_visible()
    before = rt.devices.of("honcho-p1").changer.counts()

    # The dialog offers every copy left; the clerk gives back one of three.
    paid.get_by_role("button", name="返金").click()
    approval = staff.locator("#approval-dialog")
    copies = approval.locator("input.refund-copies")
    expect(copies).to_have_count(1)
    expect(copies).to_have_value("3")
    expect(approval.locator("#refund-total")).to_have_text("900円")
    expect(approval.locator("#refund-method-note")).to_contain_text("全額を返金します")
    # Nothing chosen is refused before asking the server.
    copies.fill("0")
    _approve(approval, "1通多く交付")
    expect(approval.locator("#approval-error")).to_have_text("返金する通数を1通以上選んでください。")
    copies.fill("1")
    expect(approval.locator("#refund-total")).to_have_text("300円")
    expect(approval.locator("#refund-method-note")).to_contain_text("一部を返金します（1通）")
    expect(approval.locator("#refund-method-note")).to_contain_text("釣銭機から返金")
    publish_doc_image(screens.snap("staff", "partial-refund"), "partial-refund.png")
    _approve(approval, "1通多く交付")
    expect(approval).to_be_hidden()
    expect(staff.locator("#toast")).to_contain_text("300円を返金しました（現金で返金）")
    expect(staff.locator(".sale-state[data-state=paid]")).to_be_visible()  # still paid: two copies kept
    after = rt.devices.of("honcho-p1").changer.counts()
    assert sum(d * (before[d] - after[d]) for d in before) == 300

    # The rest later: the dialog now offers the two copies left, and the sale is then refunded.
    staff.locator(".sale-state[data-state=paid]").get_by_role("button", name="返金").click()
    expect(copies).to_have_value("2")
    expect(approval.locator("#refund-method-note")).to_contain_text("すでに一部を返金済みです（1通）")
    expect(approval.locator("#refund-total")).to_have_text("600円")
    _approve(approval, "申請の取下げ")
    expect(approval).to_be_hidden()
    expect(staff.locator(".sale-state[data-state=refunded]")).to_be_visible()

    with rt.uow() as uow:
        refunds = sorted((r.amount, r.method, r.approved_by, r.requested_by) for r in uow.session.query(Refund).all())
        lines = sorted(r.quantity for r in uow.session.query(RefundLine).all())
    assert refunds == [(300, "cash", "supervisor", "cashier"), (600, "cash", "supervisor", "cashier")]
    assert lines == [1, 2]
