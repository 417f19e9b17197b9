"""月次処理 in a real browser: upload the agent's statement, read the result, log an inquiry."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from tests.e2e.browser.conftest import SHOTS, Screens, publish_doc_image
from tests.helpers import handed_off, new_id, terminal

from madoguchi.domain.auth import Actor, Role
from madoguchi.domain.receipt import business_date
from madoguchi.domain.reconcile import Month, RateTable
from madoguchi.services.counter import payments
from madoguchi.services.reconcile.month import payment_rows

CASHIER = Actor("cashier", Role.CASHIER, frozenset({"honcho"}))
HEADER = ["transaction_at", "terminal_id", "merchant_reference", "processor_reference", "brand", "kind",
          "gross", "fee", "net", "deposit_date"]


def _pay(rt: Any, brand: str, outcome: str | None = None) -> str:
    sale_id = handed_off(rt, CASHIER)
    if outcome:
        terminal(rt).script(outcome)
    payment_id = new_id()
    payments.pay_cashless(rt, payment_id=payment_id, sale_id=sale_id, brand=brand, actor=CASHIER)
    return payment_id


def _statement(rt: Any, path: Path, month: Month, refs: list[str]) -> None:
    rows = {r["merchant_reference"]: r for r in payment_rows(rt, month)}
    rates = RateTable.default()
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for ref in refs:
            p = rows[ref]
            fee = rates.fee(p["brand"], p["amount"], dt.date.fromisoformat(p["business_date"]))
            w.writerow([p["paid_at"], p["terminal_id"], ref, p["processor_reference"] or "PX-1", p["brand"], "sale",
                        p["amount"], fee, p["amount"] - fee, month.last.isoformat()])
        w.writerow([f"{month.first.isoformat()}T10:00:00+09:00", "T-other", "not-ours-1", "PX-9", "suica", "sale",
                    300, 9, 291, month.last.isoformat()])


def test_an_accountant_uploads_the_statement_sees_the_classes_and_logs_an_inquiry(
        screens: Screens, tmp_path: Path) -> None:
    rt = screens.server.rt
    today = business_date(rt.clock())
    month = Month(today.year, today.month)
    ok = _pay(rt, "suica")
    settled = _pay(rt, "edy", "timeout_unknown")      # in doubt, and the statement shows it: paid
    _pay(rt, "waon", "timeout_unknown")               # in doubt, not on this (partial) statement
    statement = tmp_path / "agent-statement.csv"
    _statement(rt, statement, month, [ok, settled])

    office = screens.staff(label="office", login="accountant", desk=None, path="/office/reconcile")
    office.set_viewport_size({"width": 1366, "height": 768})  # a common office PC
    expect(office.locator("h1")).to_have_text("月次処理")
    expect(office.locator("#no-run")).to_be_visible()
    before = month.first - dt.timedelta(days=1)  # the page opens on last month, the one usually closed
    expect(office.locator("#month option:checked")).to_have_text(f"{before.year}年{before.month}月")
    office.locator("#month").select_option(f"{month}")
    expect(office.locator("#month option:checked")).to_have_text(f"{month.year}年{month.month}月")

    # A malformed file first: refused with its line and column, nothing kept.
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(HEADER) + "\n2026-11-02T10:00:00,T1,r1,p1,suica,sale,300円,9,291,2026-11-30\n",
                   encoding="utf-8")
    office.set_input_files("#statements", str(bad))
    office.locator("#run").click()
    expect(office.locator("#upload-error")).to_contain_text("2行目・列「gross」")
    expect(office.locator("#upload-error")).not_to_contain_text("line")  # the engine's English stays in the API
    screens.snap("office", "refused")
    expect(office.locator("#no-run")).to_be_visible()

    office.set_input_files("#statements", str(statement))
    expect(office.locator("#statements-names")).to_have_text(statement.name)
    office.locator("#complete").select_option("false")  # only part of the month: the WAON payment waits
    office.locator("#run").click()
    expect(office.locator("#result")).to_be_visible()
    expect(office.locator("#upload-error")).to_be_hidden()
    expect(office.locator("#class-rows tr[data-cls=matched] td.num")).to_have_text("1")
    expect(office.locator("#class-rows tr[data-cls=in_doubt_resolved_paid] td.num")).to_have_text("1")
    expect(office.locator("#class-rows tr[data-cls=missing_in_register] td.num")).to_have_text("1")
    expect(office.locator("#partial")).to_be_visible()
    expect(office.locator("#run-rows tr")).to_have_count(1)
    report = office.request.get(office.locator("#dl-report").get_attribute("href"))
    assert report.ok and report.body()[:2] == b"PK"

    # The WAON payment is still in doubt: the accountant logs the inquiry to the provider.
    row = office.locator("#incident-rows tr[data-kind=cashless_unknown]")
    expect(row).to_have_count(1)
    expect(row.locator(".last-inquiry")).to_have_text("照会なし")
    row.locator(".record-inquiry").click()
    office.locator("#asked-whom").fill("イオンリテール 電子マネー窓口")
    office.locator("#answer").fill("調査中、2週間程度で回答")
    office.locator("#inquiry-form button[type=submit]").click()
    expect(office.locator("#inquiry-dialog")).to_be_hidden()
    row = office.locator("#incident-rows tr[data-kind=cashless_unknown]")
    expect(row.locator(".last-inquiry")).to_contain_text("イオンリテール 電子マネー窓口")
    expect(row.locator(".last-inquiry")).to_contain_text("調査中、2週間程度で回答")
    # Asked again later: the dialog shows what was asked before.
    row.locator(".record-inquiry").click()
    expect(office.locator("#inquiry-history li")).to_have_count(1)
    expect(office.locator("#inquiry-history li")).to_contain_text("調査中、2週間程度で回答")
    screens.snap("office", "inquiry-dialog")
    office.locator("#inquiry-dialog [data-close]").click()
    expect(office.locator("#inquiry-dialog")).to_be_hidden()

    office.evaluate("document.getElementById('toast').hidden = true")
    page = SHOTS / f"{screens.name}-office-result.png"
    office.screenshot(path=str(page), full_page=True)
    publish_doc_image(page, "reconcile-page.png")


def test_a_supervisor_reads_the_close_of_month_but_accounting_runs_it(screens: Screens) -> None:
    page = screens.staff(label="office", login="supervisor", desk=None, path="/office/reconcile")
    expect(page.locator("#run-by-accounting")).to_be_visible()
    expect(page.locator("#statements")).to_have_count(0)
    expect(page.locator("#no-run")).to_be_visible()
    expect(page.locator("#incident-empty")).to_be_visible()


def test_a_cashier_is_not_shown_the_close_of_month(screens: Screens) -> None:
    page = screens.staff(label="staff", login="cashier", desk=None, path="/office/reconcile")
    expect(page.locator("body")).to_contain_text("この画面は使えません")
