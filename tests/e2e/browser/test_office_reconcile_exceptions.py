"""Issue 13 in a real browser: the close of month lists its exceptions themselves, filtered,
each with its evidence and a link to its sale, and says the transfer is provisional."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from tests.e2e.browser.conftest import SHOTS, Screens, publish_doc_image
from tests.e2e.browser.test_office_reconcile import _pay, _statement

from madoguchi.domain.receipt import business_date
from madoguchi.domain.reconcile import Month


def test_the_accountant_works_through_the_exceptions_one_by_one(screens: Screens, tmp_path: Path) -> None:
    rt = screens.server.rt
    today = business_date(rt.clock())
    month = Month(today.year, today.month)
    ok = _pay(rt, "suica")
    missing = _pay(rt, "visa")                       # approved, not on the statement
    statement = tmp_path / "agent-statement.csv"
    _statement(rt, statement, month, [ok])

    office = screens.staff(label="office", login="accountant", desk=None, path="/office/reconcile")
    office.set_viewport_size({"width": 1366, "height": 768})
    office.locator("#month").select_option(f"{month}")
    office.set_input_files("#statements", str(statement))
    office.locator("#complete").select_option("true")
    office.locator("#run").click()
    expect(office.locator("#result")).to_be_visible()

    rows = office.locator("#exception-rows tr")
    expect(rows).to_have_count(2)
    stranger = office.locator("#exception-rows tr[data-cls=missing_in_register]")
    expect(stranger).to_contain_text("agent-statement.csv 3行目")
    expect(stranger).to_contain_text("レジに無し")
    ours = office.locator(f"#exception-rows tr[data-ref='{missing}']")
    expect(ours).to_contain_text("明細に行がありません")
    assert ours.locator("a.sale-link").get_attribute("href").startswith("/api/sales/")
    office.locator("#filter-class").select_option("missing_in_statement")
    expect(rows).to_have_count(1)
    expect(office.locator("#exceptions-count")).to_have_text("1件")
    office.locator("#filter-class").select_option("")
    office.locator("#filter-brand").select_option("suica")
    expect(rows).to_have_count(1)
    office.locator("#filter-brand").select_option("")
    expect(office.locator(".transfer-provisional")).to_have_count(0)   # complete: final

    office.evaluate("document.getElementById('toast').hidden = true")
    shot = SHOTS / f"{screens.name}-office-exceptions.png"
    office.screenshot(path=str(shot), full_page=True)
    publish_doc_image(shot, "reconcile-exceptions.png")
