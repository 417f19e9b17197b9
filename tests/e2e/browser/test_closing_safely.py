"""Closing safely (issue 15, part 4), in a real browser.

- Closing a payment station asks first, showing the figures it will be locked with.
- The count is blind: the changer's own count appears only after the staff's count is
  entered; copying it instead of counting is a supervisor's decision, journalled.
- The 処理未了 dialog preselects nothing; 端末に再照会 says what it learned.
- 詰まりを解除 asks for a confirmation and a note.
- Counts typed in survive a reload; an over/short reads 不足 / 過剰, never a sign.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import Screens
from tests.helpers import changer, handed_off, journal, new_id, terminal

from madoguchi.domain.auth import Actor, Role
from madoguchi.errors import ChangerJammed
from madoguchi.services.counter import cash, incidents, payments

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)

CASHIER = Actor("cashier", Role.CASHIER, frozenset({"honcho"}))


def _card(page: Any, station: str) -> Any:
    return page.locator(f".count-card[data-station={station}]")


def _type_counts(card: Any, counts: dict[int, int]) -> None:
    for denomination, n in counts.items():
        card.locator(f"input[data-denom='{denomination}']").fill(str(n))


def _machine(rt: Any, station: str = "honcho-p1") -> dict[int, int]:
    return dict(changer(rt, station).counts())


def test_closing_a_station_asks_first_with_the_figures_it_will_be_closed_with(screens: Screens) -> None:
    rt = screens.server.rt
    office = screens.staff(label="office", login="supervisor", desk=None, path="/office/close")
    machine = _machine(rt)
    expected = sum(d * n for d, n in machine.items())
    short = machine | {100: machine[100] - 1}  # one 100-yen coin short
    _type_counts(_card(office, "honcho-p1"), short)
    _card(office, "honcho-p1").locator(".reason-input").fill("100円硬貨1枚不足（再計数済）")

    _card(office, "honcho-p1").locator(".close-station").click()
    ask = office.locator("#ask-dialog")
    expect(ask).to_be_visible()
    expect(ask).to_contain_text("精算機1を締めます")
    expect(ask).to_contain_text(f"帳簿上の現金 {expected:,}円・数えた現金 {expected - 100:,}円・不足 100円")
    expect(ask).to_contain_text("理由: 100円硬貨1枚不足（再計数済）")
    screens.snap("office", "close-confirm")
    ask.locator("[data-close]").click()  # stepping back closes nothing
    expect(_card(office, "honcho-p1").locator(".pill")).to_have_text("未締め")

    _card(office, "honcho-p1").locator(".close-station").click()
    office.locator("#ask-ok").click()
    # A shortage with its reason is a warning: confirmed, then closed.
    _card(office, "honcho-p1").locator(".confirm-warnings input").check()
    _card(office, "honcho-p1").locator(".close-station").click()
    office.locator("#ask-ok").click()
    expect(_card(office, "honcho-p1").locator(".pill")).to_have_text("締め済")


def test_the_count_is_blind_and_copying_the_machine_is_a_supervisors_journalled_decision(screens: Screens) -> None:
    rt = screens.server.rt
    machine = _machine(rt)
    accountant = screens.staff(label="office-accountant", login="accountant", desk=None, path="/office/close")
    card = _card(accountant, "honcho-p1")
    # Before the count: no machine figure anywhere on the card, no copy button.
    expect(card.locator(".machine-count").first).to_have_text("")
    expect(card.locator(".count-table thead")).to_contain_text("照合後に表示")
    expect(card.locator(".figures")).not_to_contain_text("釣銭機")
    expect(card.get_by_role("button", name="機械の枚数を写す")).to_have_count(0)
    card.locator(".reveal-machine").click()  # nothing counted yet: refused
    expect(accountant.locator("#toast")).to_contain_text("先に数えた枚数を入力してください")
    expect(card.locator(".machine-count").first).to_have_text("")
    screens.snap("office-accountant", "blind")

    _type_counts(card, {10000: machine[10000]})
    card.locator(".reveal-machine").click()
    card = _card(accountant, "honcho-p1")
    expect(card.locator(".machine-count").first).to_have_text(f"{machine[10000]:,}")
    expect(card.get_by_role("button", name="機械の枚数を写す")).to_have_count(0)  # not an accountant's call

    supervisor = screens.staff(label="office-supervisor", login="supervisor", desk=None, path="/office/close")
    card = _card(supervisor, "honcho-p2")
    _type_counts(card, {10000: 0})
    card.locator(".reveal-machine").click()
    _card(supervisor, "honcho-p2").get_by_role("button", name="機械の枚数を写す").click()
    expect(supervisor.locator("#ask-text")).to_contain_text("責任者の判断として締めの仕訳に記録されます")
    supervisor.locator("#ask-ok").click()
    card = _card(supervisor, "honcho-p2")
    expect(card.locator(".copied-note")).to_be_visible()
    expect(card.locator(".over-short").last).to_have_text("過不足なし")
    card.locator(".close-station").click()
    expect(supervisor.locator("#ask-text")).to_contain_text("機械の枚数を写しました")
    supervisor.locator("#ask-ok").click()
    expect(_card(supervisor, "honcho-p2").locator(".pill")).to_have_text("締め済")
    (entry,) = [e for e in journal(rt) if e.kind == "day_closed" and e.station == "honcho-p2"]
    assert entry.actor == "supervisor" and json.loads(entry.data)["counted_from_machine"] is True


def test_counts_typed_in_survive_a_reload(screens: Screens) -> None:
    office = screens.staff(label="office", login="accountant", desk=None, path="/office/close")
    card = _card(office, "honcho-p1")
    _type_counts(card, {10000: 3, 1000: 12, 100: 7})
    card.locator(".reason-input").fill("数え直し中")
    card.locator(".reveal-machine").click()
    office.reload()
    card = _card(office, "honcho-p1")
    expect(card.locator("input[data-denom='10000']")).to_have_value("3")
    expect(card.locator("input[data-denom='1000']")).to_have_value("12")
    expect(card.locator("input[data-denom='100']")).to_have_value("7")
    expect(card.locator(".count-total")).to_have_text("42,700円")
    expect(card.locator(".reason-input")).to_have_value("数え直し中")
    expect(card.locator(".count-form")).to_have_attribute("data-revealed", "true")
    # Kept per station and day: the other station's card is empty.
    expect(_card(office, "honcho-p2").locator("input[data-denom='10000']")).to_have_value("")


def test_an_over_short_reads_as_a_shortage_or_an_excess_not_as_a_sign(screens: Screens) -> None:
    rt = screens.server.rt
    office = screens.staff(label="office", login="supervisor", desk=None, path="/office/close")
    p1, p2 = _machine(rt, "honcho-p1"), _machine(rt, "honcho-p2")
    _type_counts(_card(office, "honcho-p1"), p1 | {100: p1[100] - 1})
    _type_counts(_card(office, "honcho-p2"), p2 | {100: p2[100] + 1})
    office.locator("#interim").click()
    expect(office.locator("#findings-source")).to_have_text("中間締めの点検結果")
    findings = office.locator("#findings")
    expect(findings.locator("[data-station=honcho-p1]").first).to_contain_text("現金不足 100円")
    expect(findings.locator("[data-station=honcho-p2]").first).to_contain_text("現金過剰 100円")
    expect(findings).not_to_contain_text("-100円")
    expect(findings).not_to_contain_text("+100円")
    expect(_card(office, "honcho-p1").locator(".count-sums .over-short")).to_have_text("不足 100円")
    expect(_card(office, "honcho-p2").locator(".count-sums .over-short")).to_have_text("過剰 100円")
    screens.snap("office", "over-short-words")


def _in_doubt(rt: Any) -> dict[str, Any]:
    sale_id = handed_off(rt, CASHIER, station="honcho-p1")
    terminal(rt).script("timeout_unknown")
    payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand="visa", actor=CASHIER)
    (incident,) = [i for i in incidents.list_incidents(rt, actor=CASHIER) if i["kind"] == "cashless_unknown"]
    return incident


def test_the_in_doubt_dialog_preselects_nothing_and_the_recheck_reports_what_it_learned(screens: Screens) -> None:
    rt = screens.server.rt
    incident = _in_doubt(rt)
    office = screens.staff(label="office", login="supervisor", desk=None, path="/office")
    row = office.locator(f"#incident-rows tr[data-incident='{incident['id']}']")

    # A question about money has no default answer.
    row.get_by_role("button", name="結果を記録").click()
    dialog = office.locator("#resolve-dialog")
    expect(dialog.locator("input[name=paid]:checked")).to_have_count(0)
    dialog.locator("#resolve-evidence").fill("決済事業者に照会中")
    dialog.get_by_role("button", name="記録する").click()
    expect(dialog.locator("#resolve-error")).to_contain_text("選んでください")
    expect(dialog).to_be_visible()
    screens.snap("office", "resolve-nothing-chosen")
    dialog.get_by_role("button", name="キャンセル").click()

    # The terminal does not know yet: the report says so, and the incident stays.
    row.get_by_role("button", name="端末に再照会").click()
    report = office.locator("#recheck-report")
    expect(report).to_have_attribute("data-outcome", "still")
    expect(report).to_contain_text("まだ処理中です。処理未了のままです（VISA 300円）")
    expect(row).to_be_visible()

    # The provider approved it meanwhile: the recheck resolves it and says how.
    terminal(rt).settle(incident["request_id"], approved=True)
    row.get_by_role("button", name="端末に再照会").click()
    expect(report).to_have_attribute("data-outcome", "approved")
    expect(report).to_contain_text("承認済み")
    expect(report).to_contain_text("支払われていたとして記録しました（VISA 300円）")
    expect(report).not_to_contain_text("完了しました")
    expect(row).to_have_count(0)
    screens.snap("office", "recheck-report")


def test_clearing_a_jam_asks_for_a_confirmation_and_a_note(screens: Screens) -> None:
    rt = screens.server.rt
    sale_id = handed_off(rt, CASHIER, station="honcho-p1")
    payment_id = new_id()
    cash.start_cash(rt, payment_id=payment_id, sale_id=sale_id, actor=CASHIER)
    changer(rt).insert(1000)
    changer(rt).fail_next("fix_deposit")
    with pytest.raises(ChangerJammed):
        cash.complete_cash(rt, payment_id=payment_id, actor=CASHIER)

    office = screens.staff(label="office", login="supervisor", desk=None, path="/office")
    row = office.locator("#incident-rows tr[data-kind=cash_jam]")
    row.get_by_role("button", name="詰まりを解除（現金を返却）").click()
    ask = office.locator("#ask-dialog")
    expect(ask).to_contain_text("保管中の現金 1,000円 を返却します")
    expect(office.locator("#ask-note-field")).to_be_visible()
    screens.snap("office", "clear-jam-confirm")
    ask.locator("[data-close]").click()  # stepping back clears nothing
    expect(row).to_have_count(1)
    assert changer(rt).jammed()

    row.get_by_role("button", name="詰まりを解除（現金を返却）").click()
    office.locator("#ask-ok").click()  # no note: the dialog stays
    expect(ask).to_be_visible()
    office.locator("#ask-note").fill("千円札1枚をお客様に返却（窓口 花子 立会い）")
    office.locator("#ask-ok").click()
    expect(row).to_have_count(0)
    assert not changer(rt).jammed()
    (jam,) = [i for i in incidents.list_incidents(rt, actor=CASHIER, state="resolved") if i["kind"] == "cash_jam"]
    assert jam["note"] == "千円札1枚をお客様に返却（窓口 花子 立会い）"
