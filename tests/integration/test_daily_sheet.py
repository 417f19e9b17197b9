"""The daily sheet (日次処理表) after a simulated day with faults: every figure on it is what the
journal says, the CSV carries the same figures, and it is laid out for an accounting section.

The totals are rebuilt here from the journal entries with plain loops, independently of
the code that wrote the sheet, and compared with the cells read back from the ``.xlsx``.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from typing import Any

import pytest
from openpyxl import load_workbook

from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.scratch import scratch_database
from madoguchi.bootstrap import sim_runtime
from madoguchi.config import Settings
from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.domain.brands import brand
from madoguchi.domain.receipt import JST
from madoguchi.services.close import close_day
from madoguchi.services.counter import refunds
from madoguchi.services.journal.verify import verify
from madoguchi.services.sim.simulate import simulate_day
from tests.conftest import DATABASES, PG_URL
from tests.helpers import journal, new_id

DAY = dt.date(2026, 11, 2)
SUPERVISOR = Actor("kakaricho", Role.SUPERVISOR, frozenset({ALL_SITES}))
CATEGORY_JA = {"cash": "現金", "emoney": "電子マネー", "credit": "クレジット", "qr": "QRコード"}


@pytest.fixture(scope="module", params=DATABASES)
def closed_day(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    """A simulated day at honcho with many faults, two refunds, then closed with one station short.

    Built once per database for the module: the tests below only read it.
    """
    tmp_path = tmp_path_factory.mktemp("daily")
    url, drop = scratch_database(request.param, tmp_path, PG_URL)
    settings = Settings(database_url=url, device_state_dir=tmp_path / "devices", status_backoff=(0.0, 0.0))
    engine = make_engine(settings.database_url)
    rt, clock = sim_runtime(settings, day=DAY, engine=engine)
    simulate_day(rt, clock, day=DAY, sales=80, seed=11, site="honcho", cashless_share=0.4, fault_rate=0.25)
    clock.set(dt.datetime(2026, 11, 2, 17, 20, tzinfo=JST))
    paid = [e for e in journal(rt) if e.kind == "sale_paid" and e.details().get("fully_paid")]
    by_method = {e.details()["category"] == "cash": e.sale_id for e in paid}
    for sale_id in by_method.values():  # one cash refund, one cashless (cancel or bank transfer)
        refunds.refund_sale(rt, refund_id=new_id(), sale_id=sale_id, reason="申請取下げ", actor=SUPERVISOR)
    clock.set(dt.datetime(2026, 11, 2, 17, 40, tzinfo=JST))
    counted = {s: {str(d): n for d, n in rt.devices.of(s).changer.counts().items()}
               for s in ("honcho-p1", "honcho-p2")}
    counted["honcho-p2"]["100"] -= 1
    summary = close_day.close_day(rt, site="honcho", day=DAY, counted=counted, actor=SUPERVISOR,
                                  reasons={"honcho-p2": "硬貨の数え違い（再計数で不明）"}, confirm_warnings=True)
    xlsx = close_day.daily_sheet(rt, day=DAY, actor=SUPERVISOR, sites=["honcho"])
    path = tmp_path / "daily.xlsx"
    path.write_bytes(xlsx)
    yield rt, summary, counted, load_workbook(path)
    engine.dispose()
    drop()


def rebuilt(rt) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The day's totals straight from the journal."""
    t: dict[str, Any] = {"sales": set(), "cat": Counter(), "cat_n": Counter(), "brand": Counter(),
                         "fee": Counter(), "fee_n": Counter(), "line": Counter(), "refund": 0, "over_short": 0,
                         "cash": defaultdict(Counter)}
    for e in journal(rt):
        if e.business_date != DAY.isoformat() or e.site != "honcho":
            continue
        d = e.details()
        cash = t["cash"][e.station]
        if e.kind == "sale_paid" and not d.get("double_payment"):
            t["cat"][d["category"]] += e.amount
            t["cat_n"][d["category"]] += 1
            if d["brand"]:
                t["brand"][brand(d["brand"]).name] += e.amount
            if d["fully_paid"]:
                t["sales"].add(e.sale_id)
                for code, qty, unit, line, _ex in d["lines"]:
                    t["fee"][code] += qty * unit
                    t["fee_n"][code] += qty
                    t["line"][line] += qty * unit
            if d["method"] == "cash":
                cash["received"] += d["tendered"]
                cash["change"] += d["change"]
        elif e.kind == "refund":
            t["refund"] += -e.amount
            if d["method"] == "cash":
                cash["refunds"] += -e.amount
        elif e.kind in ("float_loaded", "cash_in", "cash_out"):
            cash[e.kind] += e.amount
        elif e.kind == "day_closed" and d["scope"] == "station":
            t["over_short"] += e.amount
    return t


def section(ws, title: str) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """A table of the sheet read back: first-column label -> {column title: value}."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(n for n, r in enumerate(rows) if r[0] == title)
    titles = {n: v for n, v in enumerate(rows[start + 1]) if v is not None}
    table = {}
    for r in rows[start + 2:]:
        if all(v is None for v in r):
            break
        table[r[0]] = {name: r[n] for n, name in titles.items()}
    return table


def test_every_figure_on_the_sheet_equals_what_the_journal_says(closed_day):
    rt, summary, counted, wb = closed_day
    t, ws = rebuilt(rt), wb["本庁 市民課"]
    overview = section(ws, "1 概要")
    assert overview["取扱件数（完了した取引）"]["件数"] == len(t["sales"]) > 40
    assert overview["収納額（総額）"]["金額"] == sum(t["cat"].values())
    assert overview["返金額"]["金額"] == t["refund"] > 0
    assert overview["差引収納額"]["金額"] == sum(t["cat"].values()) - t["refund"] + t["over_short"]
    assert t["over_short"] == -100
    cats = section(ws, "2 支払区分別")
    for code, label in CATEGORY_JA.items():
        assert (cats[label]["件数"], cats[label]["金額"]) == (t["cat_n"][code], t["cat"][code]), label
    brands = section(ws, "3 ブランド別（キャッシュレス）")
    assert {k: v["金額"] for k, v in brands.items() if k != "合計"} == dict(t["brand"])
    fees = section(ws, "4 手数料別")
    assert {k: (v["通数"], v["金額"]) for k, v in fees.items() if k != "合計"} == {
        k: (t["fee_n"][k], t["fee"][k]) for k in t["fee"]}
    lines = section(ws, "5 歳入科目別")
    assert {k: v["収納額"] for k, v in lines.items() if k not in ("合計", "現金過不足")} == dict(t["line"])
    assert lines["現金過不足"]["差引"] == -100
    assert lines["合計"]["収納額"] == sum(t["fee"].values())
    cash, denominations = section(ws, "8 現金（精算機別）"), section(ws, "9 金種表（実査）")
    for n, station in enumerate(("honcho-p1", "honcho-p2"), start=1):
        c, col = t["cash"][station], f"精算機{n}"
        expected = c["float_loaded"] + c["received"] - c["change"] - c["refunds"] + c["cash_in"] + c["cash_out"]
        counted_total = sum(int(d) * k for d, k in counted[station].items())
        assert cash["釣銭準備金"][col] == c["float_loaded"] and cash["現金収納（お預り）"][col] == c["received"]
        assert cash["釣銭払出"][col] == c["change"] and cash["現金返金"][col] == c["refunds"]
        assert cash["帳簿残高（理論値）"][col] == expected
        assert cash["実査額"][col] == counted_total == denominations["合計"][f"{col} 金額"]
        assert cash["過不足（実査−帳簿）"][col] == counted_total - expected
        assert denominations["100円"][f"{col} 枚数"] == counted[station]["100"]
    assert cash["過不足（実査−帳簿）"]["合計"] == -100 == summary["over_short"]
    reasons = section(ws, "過不足の理由")
    assert list(reasons) == ["精算機2"] and reasons["精算機2"]["過不足"] == -100
    assert reasons["精算機2"]["理由"] == "硬貨の数え違い（再計数で不明）"
    assert verify(rt).ok


def test_the_sheet_lists_the_days_incidents_with_their_state_and_who_closed_and_approved(closed_day):
    rt, summary, _counted, wb = closed_day
    ws = wb["本庁 市民課"]
    incidents = section(ws, "11 事故・未了（当日発生分と未解決の繰越分）")
    assert len([k for k in incidents if k != "該当なし"]) == len(summary["incidents"]) > 0
    assert {v["状態"] for v in incidents.values()} <= {"未解決", "解決済"}
    assert summary["open_incidents"] == sum(1 for v in incidents.values() if v["状態"] == "未解決")
    header = {r[0]: r[1] for r in ws.iter_rows(min_row=5, max_row=9, values_only=True)}
    assert header["状態"] == "締め済（確定）" and header["承認者"].startswith("kakaricho")
    cash = section(ws, "8 現金（精算機別）")
    assert cash["締め担当"]["精算機1"] == cash["締め担当"]["精算機2"] == "kakaricho"


def test_the_csv_carries_the_same_figures_as_the_sheet(closed_day):
    rt, _summary, _counted, wb = closed_day
    text = close_day.daily_sheet(rt, day=DAY, actor=SUPERVISOR, sites=["honcho"], fmt="csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    ws = wb["本庁 市民課"]
    figure = {(r["section"], r["label"], r["column"]): r["value"] for r in rows}
    for label, values in section(ws, "2 支払区分別").items():
        for column in ("件数", "金額", "返金額", "差引"):
            assert figure[("by_category", label, column)] == str(values[column])
    for label, values in section(ws, "4 手数料別").items():
        if label != "合計":
            assert figure[("by_fee_item", label, "金額")] == str(values["金額"])
    assert figure[("cash", "過不足（実査−帳簿）", "合計")] == "-100"


def test_the_sheet_is_laid_out_for_print_with_japanese_headings_wareki_and_yen_formats(closed_day):
    _rt, _summary, _counted, wb = closed_day
    assert wb.sheetnames == ["集計", "本庁 市民課"]
    ws = wb["本庁 市民課"]
    texts = [v for row in ws.iter_rows(max_row=4, values_only=True) for v in row if isinstance(v, str)]
    assert "日次処理表" in texts and any("令和8年11月2日" in v and "2026年11月2日" in v for v in texts)
    assert {"課長", "係長", "担当"} <= set(texts)
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "portrait"  # 9: A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    amounts = [c for row in ws.iter_rows() for c in row if isinstance(c.value, int) and "¥" in c.number_format]
    assert amounts and all(isinstance(c.value, int) and not isinstance(c.value, bool) for c in amounts)
    assert wb["集計"].page_setup.orientation == "landscape"


def test_the_summary_sheet_adds_up_the_sites(closed_day):
    _rt, summary, _counted, wb = closed_day
    sites = section(wb["集計"], "窓口別")
    assert sites["本庁 市民課"]["収納額"] == summary["gross"] == sites["合計"]["収納額"]
    assert sites["本庁 市民課"]["状態"] == "締め済" and sites["本庁 市民課"]["現金過不足"] == -100
    assert abs(sites["本庁 市民課"]["キャッシュレス比率"] - summary["cashless_share"]) < 1e-4
    lines = section(wb["集計"], "歳入科目別（全窓口）")
    assert lines["合計"]["差引"] == summary["net"]
